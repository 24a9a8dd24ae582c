#!/usr/bin/env bash
# What the partial-order reduction saves on the whole check (safety and
# liveness): for each scaled 4-CPU model, the cross-call family with 4
# and 5 CPUs (without symmetry reduction, and with it, where the liveness
# check explores the model again without symmetry) and the cross-call
# protocol with 3 CPUs, PAIRS alternating pairs of runs, the default check
# then the check with --no-por, then the other way round. Each cell is
# the median over the pairs. A benchmark, run by hand (not part of
# `go test`):
#
#   bench/por.sh [PAIRS [WORKERS]]     # defaults: 3 pairs, 2 workers
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
pairs=${1:-3}
workers=${2:-2}
# shellcheck source=common.sh
. "$here/common.sh"


# lstates FILE: the liveness graph's states in a JSON report, or -.
lstates() { sed -n '/"liveness": {/,/}/s/^ *"states": \([0-9]*\),\{0,1\}$/\1/p' "$1" | head -1 | grep . || echo -; }

run() { # run MODEL FLAGS...: "seconds peak-RSS-bytes states liveness-states verdict" of one run
	local model=$1
	shift
	"$work/irqcheck" check --json --workers "$workers" "$@" "$model" >"$work/out.json" || true
	echo "$(field seconds "$work/out.json") $(field peak_rss_bytes "$work/out.json") $(field states "$work/out.json") $(lstates "$work/out.json") $(field verdict "$work/out.json")"
}

models=()
for f in "$here"/scaled/*.irq; do models+=("$f:"); done
for n in 4 5; do
	sed "s/^cpus 3 symmetric;/cpus $n symmetric;/" "$here/families/cross_calls.irq" >"$work/cross_calls_$n.irq"
	models+=("$work/cross_calls_$n.irq:--no-symmetry" "$work/cross_calls_$n.irq:")
done
sed "s/^cpus [0-9]* symmetric;/cpus 3 symmetric;/" "$here/protocol/csd_protocol.irq" >"$work/csd_protocol_3.irq"
models+=("$work/csd_protocol_3.irq:")

echo "| model | verdict | states (reduced / whole) | liveness states (reduced / whole) | kept | s (reduced / whole) | peak MB (reduced / whole) |"
echo "|---|---|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
	model=${m%%:*}
	flags=${m#*:}
	name=$(basename "$model" .irq)
	case $name in
	cross_calls_*) name="family/cross_calls/cpus${name#cross_calls_}/${flags:+no-}symmetry" ;;
	csd_protocol_*) name="protocol/csd_protocol/cpus${name#csd_protocol_}" ;;
	*) name="scaled/$name" ;;
	esac
	rs=() ws=() rm=() wm=()
	for i in $(seq "$pairs"); do
		if ((i % 2)); then
			read -r s1 m1 n1 l1 v1 <<<"$(run "$model" $flags)"
			read -r s2 m2 n2 l2 v2 <<<"$(run "$model" $flags --no-por)"
		else
			read -r s2 m2 n2 l2 v2 <<<"$(run "$model" $flags --no-por)"
			read -r s1 m1 n1 l1 v1 <<<"$(run "$model" $flags)"
		fi
		if [ "$v1" != "$v2" ]; then
			echo "$name: $v1 with the reduction, $v2 without" >&2
			exit 1
		fi
		rs+=("$s1") ws+=("$s2") rm+=("$m1") wm+=("$m2")
	done
	kept=$(awk -v a="$n1" -v b="$n2" 'BEGIN {printf "%.0f %%", 100*a/b}')
	printf '| %s | %s | %d / %d | %s / %s | %s | %.2f / %.2f | %.1f / %.1f |\n' "$name" "$v1" "$n1" "$n2" "$l1" "$l2" "$kept" \
		"$(printf '%s\n' "${rs[@]}" | median)" "$(printf '%s\n' "${ws[@]}" | median)" \
		"$(printf '%s\n' "${rm[@]}" | median | awk '{print $1/1048576}')" "$(printf '%s\n' "${wm[@]}" | median | awk '{print $1/1048576}')"
done
