set -e
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -std=c99 -Wall -Werror -O1 -I. -o "$out/test" tests/test.c armstrong.c -lm
"$out/test"
