#!/usr/bin/env bash
# Coverage-guided fuzzing: builds snap2p-fuzz with libFuzzer and AddressSanitizer (one extra build
# configuration, in .build-fuzz) and runs every target (Fuzz/Targets) for FUZZ_SECONDS each.
# Prints one line per target, `fuzz <target>: <execs> execs, <crashes> crashes`, and for each
# crash, leak or timeout the saved input (under Fuzz/Findings/, ignored by git) and how to
# replay it. Exits 1 if any target failed.
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated subset of targets (default: all)
#   FUZZ_TIMEOUT   seconds one input may take before it counts as a hang (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
scratch=.build-fuzz
mkdir -p "$scratch/logs"

flags=(-c release --scratch-path "$scratch" --product snap2p-fuzz --sanitize fuzzer
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSNAP2P_LIBFUZZER -Xcc -DSNAP2P_LIBFUZZER)
# On Linux, lld links the sanitizer runtimes without gold's warnings, and LeakSanitizer runs with
# AddressSanitizer (it does not exist on macOS).
leaks=
if [ "$(uname -s)" = Linux ]; then
  flags+=(-Xswiftc -use-ld=lld)
  leaks=detect_leaks=1
fi

echo "building snap2p-fuzz (release, libFuzzer + AddressSanitizer) in $scratch"
if ! swift build "${flags[@]}" >"$scratch/logs/build.log" 2>&1; then
  tail -n 40 "$scratch/logs/build.log" >&2
  echo "error: building snap2p-fuzz failed (full log: $scratch/logs/build.log)" >&2
  exit 1
fi
binary="$(swift build "${flags[@]}" --show-bin-path)/snap2p-fuzz"

# The targets, their dictionaries and input size limits, from the binary itself.
catalogue=$(SNAP2P_FUZZ_TARGET=list "$binary" 2>/dev/null)
selected=${FUZZ_TARGETS:-$(awk '{print $1}' <<<"$catalogue")}

failed=0
for target in $selected; do
  read -r _ dictionary max_len < <(awk -v t="$target" '$1 == t' <<<"$catalogue") || {
    echo "error: no fuzz target named $target" >&2
    exit 2
  }
  corpus="$scratch/corpus/$target"
  findings="Fuzz/Findings/$target"
  log="$scratch/logs/$target.log"
  mkdir -p "$corpus" "$findings" "Fuzz/Corpus/$target"
  options=(-max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -max_len="$max_len"
    -print_final_stats=1 -artifact_prefix="$findings/")
  [ "$dictionary" != - ] && options+=(-dict="Fuzz/Dictionaries/$dictionary.dict")

  # New inputs go to the working corpus in .build-fuzz; the committed seeds are only read.
  status=0
  SNAP2P_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-$leaks} \
    "$binary" "${options[@]}" "$corpus" "Fuzz/Corpus/$target" >"$log" 2>&1 || status=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  artifacts=()
  while IFS= read -r artifact; do artifacts+=("$artifact"); done \
    < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v '/slow-unit-' || true)
  crashes=${#artifacts[@]}
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi

  echo "fuzz $target: ${execs:-0} execs, $crashes crashes"
  if [ "$crashes" -gt 0 ]; then
    failed=1
    reason=$(grep -m 1 -E 'invariant broken|Fatal error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$log" || true)
    echo "  ${reason:-libFuzzer exited with status $status}"
    for artifact in ${artifacts[@]+"${artifacts[@]}"}; do
      echo "  input: $artifact ($(wc -c <"$artifact") bytes): $(od -An -v -tx1 "$artifact" | tr -d ' \n' | cut -c1-512)"
      echo "  replay: SNAP2P_FUZZ_TARGET=$target $binary $artifact"
    done
    echo "  log: $log"
  fi
done
exit "$failed"
