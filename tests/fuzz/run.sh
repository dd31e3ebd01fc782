#!/bin/sh
# run.sh: build the libFuzzer harnesses in build-fuzz (clang, ASan+UBSan,
# engine instrumented) and run each one for SECONDS (default 150) under
# nice, starting from the committed seed corpus.  Findings (crash-*,
# leak-*, timeout-*) land in build-fuzz/fuzz-work/<harness>/, logs with
# exec/s and coverage in build-fuzz/fuzz-work/<harness>.log.
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]     HARNESS: 10x h5ad h5mu csv
# SCM_FUZZ_BUILD picks the build dir, SCM_FUZZ_NICE the nice level (15).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-150}
[ $# -gt 0 ] && shift
harnesses=${*:-"10x h5ad h5mu csv"}
B=${SCM_FUZZ_BUILD:-build-fuzz}
if [ ! -f "$B/build.ninja" ]; then
  CC=clang meson setup "$B" -Dfuzzers=true -Dapp=disabled -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
fi
for h in $harnesses; do
  ninja -C "$B" "tests/fuzz/fuzz-$h"
done
[ -d tests/fuzz/corpus/h5ad ] || { ninja -C "$B" tests/fuzz/gen-seeds && "$B/tests/fuzz/gen-seeds" tests/fuzz/corpus; }
for h in $harnesses; do
  work="$B/fuzz-work/$h"
  mkdir -p "$work/corpus"
  # HDF5 inputs need room (the seeds are 8-30 KB).  Fork mode keeps going
  # after a finding (saved as crash-*/timeout-*/oom-* in $work) so one HDF5
  # hang does not end the campaign.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/fuzz/lsan.supp" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  nice -n "${SCM_FUZZ_NICE:-15}" "$B/tests/fuzz/fuzz-$h" -max_total_time="$secs" -max_len=65536 -timeout=20 \
    -rss_limit_mb=2560 -fork=1 -ignore_timeouts=1 -ignore_ooms=1 -ignore_crashes=1 \
    -artifact_prefix="$work/" "$work/corpus" "tests/fuzz/corpus/$h" > "$work.log" 2>&1 \
    || echo "fuzz-$h stopped: see $work.log"
  grep -E "cov:" "$work.log" | tail -1
  ls "$work" | grep -E "^(crash|timeout|oom|leak)-" || echo "fuzz-$h: no findings"
done
