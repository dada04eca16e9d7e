value=$(cat value.txt)
case "$value" in '' | *[!0-9-]*) exit 1 ;; esac
test $((value % 2)) -eq 0
