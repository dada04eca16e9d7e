fail=0
expect() {  # expect WANT ARGS...: runs the script with ARGS and compares its output with WANT
    want=$1; shift
    got=$(bash ./greet.sh "$@" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        printf 'FAIL: greet.sh %s\n  want: %s\n  got:  %s\n' "$*" "$want" "$got"
        fail=1
    fi
}

expect "Hello, Alice!" Alice
expect "Hello, World!"
expect "Hello, Mary Jane!" "Mary Jane"
exit $fail
