#!/usr/bin/env bash
n=$1
out=""
(( n % 3 == 0 )) && out+="Pling"
(( n % 5 == 0 )) && out+="Plang"
(( n % 7 == 0 )) && out+="Plong"
echo "${out:-$n}"
