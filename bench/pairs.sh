#!/usr/bin/env bash
# Both cores (issue 13): how much faster two workers are than one on the
# largest benchmark row, measured the way a shared, noisy machine allows:
# N alternating pairs (one worker then two, then two then one, ...), the
# ratio of each pair's search times, and their median. A benchmark, run by
# hand (not part of `go test`):
#
#   bench/pairs.sh [PAIRS [CPUS]]      # defaults: 5 pairs, cross_calls with 5 CPUs
#
# The model is bench/families/cross_calls.irq with CPUS CPUs, checked
# without symmetry reduction and without the liveness check (the safety
# search alone, as the benchmark table's speedup column).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
pairs=${1:-5}
cpus=${2:-5}
# shellcheck source=common.sh
. "$here/common.sh"
sed "s/^cpus 3 symmetric;/cpus $cpus symmetric;/" "$here/families/cross_calls.irq" >"$work/model.irq"

seconds() { # seconds WORKERS: the search time of one run
	"$work/irqcheck" check --no-symmetry --safety-only --no-por --json --workers "$1" "$work/model.irq" |
		sed -n 's/^  "seconds": \([0-9.]*\),$/\1/p'
}

ratios=()
echo "| pair | 1 worker (s) | 2 workers (s) | speedup |"
echo "|---:|---:|---:|---:|"
for ((i = 1; i <= pairs; i++)); do
	if ((i % 2)); then
		one=$(seconds 1)
		two=$(seconds 2)
	else
		two=$(seconds 2)
		one=$(seconds 1)
	fi
	r=$(echo "$one / $two" | bc -l)
	ratios+=("$r")
	printf '| %d | %.2f | %.2f | %.2f |\n' "$i" "$one" "$two" "$r"
done
median=$(printf '%s\n' "${ratios[@]}" | median)
printf '\nmedian speedup of %d pairs: %.2f\n' "$pairs" "$median"
