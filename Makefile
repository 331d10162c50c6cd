# Two entry points a new user needs: `make demo` and `make test`. Both install what is missing first.
SWIFT ?= swift

.PHONY: demo test bench build bootstrap fuzz tsan asan

bootstrap:
	@scripts/bootstrap.sh

## Local two-peer demo on 127.0.0.1 with ephemeral identities.
demo: bootstrap
	$(SWIFT) build -c release --product snap2p
	.build/release/snap2p demo

## Every test target (unit, vectors, end-to-end over 127.0.0.1, CLI).
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Benchmarks (release build): throughput, handshakes/s, latency, memory; the cross-process
## sections run the snap2p CLI, so it is built beside the benchmark.
bench: bootstrap
	$(SWIFT) build -c release --product snap2p
	$(SWIFT) build -c release --product snap2p-bench
	.build/release/snap2p-bench

## Coverage-guided fuzzing of every parser and state machine that reads remote bytes (libFuzzer +
## AddressSanitizer, built in .build-fuzz): each target for FUZZ_SECONDS, crash inputs in Fuzz/Findings.
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## Every test under ThreadSanitizer / AddressSanitizer, each in its own build directory so the
## plain build stays untouched. Slow: run before a release, not on every change.
tsan: bootstrap
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan

asan: bootstrap
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	$(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

build: bootstrap
	$(SWIFT) build
