#!/bin/bash
# summary.sh RESULTS — the closing line of `make test`: "N passed, N failed, N skipped".
set -u
# each suite's line also says how long it took (a fifth column, when the suite runner wrote one)
awk '{ p += $2; f += $3; s += $4
       printf "#   %-28s %4d passed %4d failed %4d skipped", $1, $2, $3, $4
       if (NF >= 5) printf " %5d s", $5
       printf "\n" }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0 || p == 0) }' "$1"
