fail=0
expect() {  # expect WANT ARGS...: runs the script with ARGS and compares its output with WANT
    want=$1; shift
    got=$(bash ./count.sh "$@" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        printf 'FAIL: count.sh %s\n  want: %s\n  got:  %s\n' "$*" "$want" "$got"
        fail=1
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'x = 1\n\n   \n# comment\n  # indented comment\ny = 2\n' > "$tmp/a.py"
printf 'one\ntwo\nthree' > "$tmp/my file.txt"
expect "$(printf '2 %s/a.py\n2 total' "$tmp")" "$tmp/a.py"
expect "$(printf '2 %s/a.py\n3 %s/my file.txt\n5 total' "$tmp" "$tmp")" "$tmp/a.py" "$tmp/my file.txt"
expect "0 total"
exit $fail
