#!/usr/bin/env bash
file=$1
n=$2
tr 'A-Z' 'a-z' < "$file" | tr -cs 'a-z' '\n' | grep -v '^$' | sort | uniq -c \
    | awk '{print $1, $2}' | LC_ALL=C sort -k1,1nr -k2,2 | head -n "$n"
