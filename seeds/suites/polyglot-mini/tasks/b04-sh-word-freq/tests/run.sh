fail=0
expect() {  # expect WANT ARGS...: runs the script with ARGS and compares its output with WANT
    want=$1; shift
    got=$(bash ./wordfreq.sh "$@" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        printf 'FAIL: wordfreq.sh %s\n  want: %s\n  got:  %s\n' "$*" "$want" "$got"
        fail=1
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'The cat and the hat.\nTHE END; and-so on: cat!\nzebra apple\n' > "$tmp/t.txt"
expect "$(printf '3 the\n2 and\n2 cat')" "$tmp/t.txt" 3
expect "3 the" "$tmp/t.txt" 1
expect "$(printf '3 the\n2 and\n2 cat\n1 apple\n1 end\n1 hat\n1 on\n1 so\n1 zebra')" "$tmp/t.txt" 20
exit $fail
