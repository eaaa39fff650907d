#!/bin/bash
# Builds every tests/fuzz/fuzz_<target>.c as a libFuzzer binary with ASan and
# UBSan, runs each for FUZZ_SECONDS on a copy of its seeds, and keeps what
# crashes in tests/fuzz/crashers/<target>/. The last line is
# "N passed, N failed" (one per target); the exit status is non-zero when
# any target failed to build or found a crash.
#
#   BUILD=build-fuzz FUZZ_SECONDS=60 tests/fuzz/run.sh [target...]
#
# Each target links every src/**/*.c except main.c and src/cli/ (but the
# option parser, cli_options.c, which has a target of its own), so a new
# fuzz_<name>.c needs nothing else here. Seeds: corpus/<target>/ plus the
# past crashers in regress/<target>/; a dictionary <target>.dict is used
# when present. `make test` replays corpus/ and regress/ without clang
# (see replay_main.c).
set -u
cd "$(dirname "$0")/../.." || exit 1

BUILD=${BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_CC=${FUZZ_CC:-clang}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-16384}
JOBS=${JOBS:-2}

if ! command -v "$FUZZ_CC" >/dev/null; then
    echo "fuzz: $FUZZ_CC not found (make deps installs clang)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Every layer folder is on the include path (the Makefile checks layering).
LAYER_INC=$(find src -mindepth 1 -type d | sort | sed 's/^/-I/' | tr '\n' ' ')
# The Makefile's package list and warnings are the one source of truth.
PKGS=$(sed -n 's/^PKGS *= *//p' Makefile)
WARN=$(sed -n 's/^WARN *= *//p' Makefile)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
$WARN -pthread $LAYER_INC \
$(pkg-config --cflags $PKGS 2>/dev/null)"
LIBS="$(pkg-config --libs $PKGS 2>/dev/null) -lm"

mkdir -p "$BUILD/src"

# Library objects, rebuilt when the source or any header is newer.
newest_header=$(ls -t $(find src -name "*.h") 2>/dev/null | head -1)
to_build=()
objs=()
for src in $(find src -name "*.c" | sort); do
    base=$(basename "$src" .c)
    case $src in src/cli/cli_options.c) ;; src/main.c | src/cli/*) continue ;; esac
    obj="$BUILD/src/$base.o"
    objs+=("$obj")
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
        { [ -n "$newest_header" ] && [ "$newest_header" -nt "$obj" ]; }; then
        to_build+=("$src")
    fi
done
if [ ${#to_build[@]} -gt 0 ]; then
    echo "fuzz: compiling ${#to_build[@]} source files with $FUZZ_CC"
    export FUZZ_CC CFLAGS SAN BUILD
    if ! printf '%s\n' "${to_build[@]}" | xargs -P "$JOBS" -I{} sh -c \
        '$FUZZ_CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$BUILD/src/$(basename {} .c).o" {}'; then
        echo "fuzz: the library does not build with $FUZZ_CC"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

targets=()
if [ $# -gt 0 ]; then
    targets=("$@")
else
    for f in tests/fuzz/fuzz_*.c; do
        [ -f "$f" ] || continue
        t=$(basename "$f" .c)
        targets+=("${t#fuzz_}")
    done
fi

pass=0
fail=0
failed_targets=()
for t in "${targets[@]}"; do
    src="tests/fuzz/fuzz_$t.c"
    bin="$BUILD/fuzz_$t"
    echo "== fuzz $t (${FUZZ_SECONDS}s)"
    if ! $FUZZ_CC $CFLAGS $SAN -fsanitize=fuzzer -o "$bin" "$src" \
        "${objs[@]}" $LIBS; then
        echo "!! $t does not build"
        fail=$((fail + 1))
        failed_targets+=("$t")
        continue
    fi
    corpus="$BUILD/corpus/$t"
    crashers="tests/fuzz/crashers/$t"
    rm -rf "$corpus"
    mkdir -p "$corpus" "$crashers"
    for seeds in "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t"; do
        [ -d "$seeds" ] && find "$seeds" -maxdepth 1 -type f \
            ! -name '.*' -exec cp {} "$corpus/" \;
    done
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
    before=$(ls "$crashers" | wc -l)
    log="$BUILD/fuzz_$t.log"
    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$FUZZ_MAX_LEN" -print_final_stats=1 \
        -artifact_prefix="$crashers/" "${dict[@]}" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    after=$(ls "$crashers" | wc -l)
    if [ $rc -eq 0 ]; then
        echo "ok   $t: ${runs:-?} runs, corpus $(ls "$corpus" | wc -l) files"
        pass=$((pass + 1))
    else
        echo "FAIL $t (exit $rc): $((after - before)) new file(s) in $crashers"
        grep -E 'ERROR|SUMMARY|==[0-9]+==|^#|abort|not stable|does not load' \
            "$log" | grep -v '^#[0-9]' | head -20
        echo "   full log: $log"
        echo "   reproduce: $bin <file>; after fixing, move the file to"
        echo "   tests/fuzz/regress/$t/ so make test replays it"
        fail=$((fail + 1))
        failed_targets+=("$t")
    fi
done

[ ${#failed_targets[@]} -gt 0 ] && echo "failing: ${failed_targets[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
