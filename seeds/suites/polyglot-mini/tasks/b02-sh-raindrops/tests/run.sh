fail=0
expect() {  # expect WANT ARGS...: runs the script with ARGS and compares its output with WANT
    want=$1; shift
    got=$(bash ./raindrops.sh "$@" 2>/dev/null)
    if [ "$got" != "$want" ]; then
        printf 'FAIL: raindrops.sh %s\n  want: %s\n  got:  %s\n' "$*" "$want" "$got"
        fail=1
    fi
}

expect 1 1
expect Pling 3
expect Plang 5
expect Plong 7
expect PlingPlang 15
expect PlingPlong 21
expect PlangPlong 35
expect PlingPlangPlong 105
expect 52 52
exit $fail
