# Sourced by tests/run.sh and tests/check.sh: how a part or a stage is
# counted from its output.
#
# result_counts LOG RC: sets p and f from the last "N passed, N failed"
# line of LOG. A run without that line counts as 0 passed, 1 failed (and
# the function returns 1, so the caller can say so); one that exited
# non-zero with 0 failed counts one failure, since its line did not tell
# the whole story.
result_counts() {
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
    if [ -z "$line" ]; then
        p=0
        f=1
        return 1
    fi
    p=$(echo "$line" | awk '{print $1}')
    f=$(echo "$line" | awk '{print $3}')
    [ "$2" != 0 ] && [ "$f" = 0 ] && f=1
    return 0
}
