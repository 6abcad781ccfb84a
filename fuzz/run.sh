#!/usr/bin/env bash
# Run every fuzz target of referat for a bounded time, one after the other (docs/fuzzing.md).
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 600); TARGETs default to all of them. Each target's corpus is
# fuzz/corpus/<target>/ (git-ignored), seeded from fuzz/seeds/<target>/. Exits with 1, naming
# the artifact, when a target crashes, hangs past TIMEOUT seconds on one input (default 10)
# or runs out of memory (RSS_LIMIT_MB, default 2048). FUZZ_ARGS adds libFuzzer flags, e.g.
# FUZZ_ARGS="-len_control=0 -max_len=1024" to try long inputs at once. Needs the nightly
# toolchain; installs cargo-fuzz when it is missing.
set -euo pipefail

seconds="${1:-600}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(meeting query)
fi
timeout="${TIMEOUT:-10}"
rss_limit="${RSS_LIMIT_MB:-2048}"

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$fuzz_dir/.."

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

status=0
for target in "${targets[@]}"; do
    corpus="$fuzz_dir/corpus/$target"
    artifacts="$fuzz_dir/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    cp -n "$fuzz_dir/seeds/$target/"* "$corpus/" 2>/dev/null || true
    stamp="$(mktemp)"
    echo "== fuzz target $target for ${seconds}s (corpus $corpus)"
    # One fuzzing process (libFuzzer without -jobs/-workers, which would fork workers that log
    # to fuzz-N.log): the machine is shared.
    set +e
    cargo +nightly fuzz run "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_limit" \
        -print_final_stats=1 ${FUZZ_ARGS:-}
    code=$?
    set -e
    found="$(find "$artifacts" -type f -newer "$stamp" -print)"
    rm -f "$stamp"
    if [ "$code" -ne 0 ] || [ -n "$found" ]; then
        echo "!! fuzz target $target failed (exit $code); new artifacts:" >&2
        echo "${found:-  (none written)}" >&2
        echo "   reproduce: cargo +nightly fuzz run $target <artifact>" >&2
        echo "   minimise:  cargo +nightly fuzz tmin $target <artifact>" >&2
        status=1
    fi
done
exit "$status"
