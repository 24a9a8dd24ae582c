#!/usr/bin/env bash
# Many CPUs (issue 10): checks the cross-call family (bench/families/
# cross_calls.irq) with N = 4, 8, 16, 32 and 64 CPUs, declared symmetric and
# not, and prints a Markdown table: the time to the first state (the wall
# time of `check --max-states 1`: reading, compiling and the initial states,
# including the symmetry's tables), then, within a budget of --time and
# --mem, the outcome, the states and the process's peak RSS. A benchmark,
# run by hand (not part of `go test`):
#
#   bench/scale.sh [TIME [MEM]]        # defaults: 10s 1G
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
limit=${1:-10s}
mem=${2:-1G}
# shellcheck source=common.sh
. "$here/common.sh"

echo "| cpus | declared | first state (s) | outcome in $limit, --mem $mem | states | peak RSS (MB) |"
echo "|---:|---|---:|---|---:|---:|"
for n in 4 8 16 32 64; do
	for mode in symmetric plain; do
		model="$work/cross_calls_${n}_$mode.irq"
		decl="cpus $n symmetric;"
		[ "$mode" = plain ] && decl="cpus $n;"
		sed "s/^cpus 3 symmetric;/$decl/" "$here/families/cross_calls.irq" >"$model"
		# The family sends at most one IPI per CPU: room for all of them.
		printf 'inflight %d;\n' "$n" >>"$model"
		t0=$(date +%s%N)
		"$work/irqcheck" check --max-states 1 --json "$model" >/dev/null || true
		t1=$(date +%s%N)
		"$work/irqcheck" check --time "$limit" --mem "$mem" --json "$model" >"$work/out.json" || true
		verdict=$(field verdict "$work/out.json")
		lim=$(field limit "$work/out.json")
		kind=$(field kind "$work/out.json")
		states=$(field states "$work/out.json")
		rss=$(field peak_rss_bytes "$work/out.json")
		outcome="$verdict${lim:+: $lim}${kind:+: $kind}"
		printf '| %d | %s | %.3f | %s | %s | %.0f |\n' "$n" "$mode" \
			"$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$outcome" "$states" "$(echo "$rss / 1048576" | bc -l)"
	done
done
