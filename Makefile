# Two entry points a new user needs: `make demo` and `make test`. Both install what is missing first.
SWIFT ?= swift

.PHONY: demo test bench build bootstrap fuzz tsan asan docs

bootstrap:
	@scripts/bootstrap.sh

## Local two-peer demo on 127.0.0.1 with ephemeral identities.
demo: bootstrap
	$(SWIFT) build -c release --product snap2p
	.build/release/snap2p demo

## Every test target (unit, vectors, end-to-end over 127.0.0.1, CLI). The NAT suites run last, on
## their own: a hole punch is two SYNs crossing between the NATs, retried every millisecond, and with
## a hundred other test processes competing for two cores the retries slow to a few dozen a second
## and the punch misses (measured; docs/NAT-TRAVERSAL.md). Without root they are skipped, with why.
NAT_SUITES = NATTraversalTests|DirectUpgradeNATTests|NATDiscoveryTests
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(NAT_SUITES)'
	$(SWIFT) test --skip-build --filter '$(NAT_SUITES)'

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

## LeakSanitizer skips leaks of the toolchain's own libraries (scripts/lsan-suppressions.txt); the
## CLI tests pass the setting on to the snap2p processes they start.
asan: bootstrap
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt:print_suppressions=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

build: bootstrap
	$(SWIFT) build

## API documentation of the SNaP2P module (DocC, swift-docc-plugin) into .build/docs.
docs: bootstrap
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target SNaP2P --output-path .build/docs --disable-indexing --transform-for-static-hosting
