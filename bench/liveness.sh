#!/usr/bin/env bash
# What the liveness check costs over the safety search alone (issue 9):
# for each scaled 4-CPU model and the cross-call family with 4 and 5 CPUs
# (without symmetry reduction, and with it, where the check explores the
# model again without the reduction), PAIRS alternating pairs of runs,
# --safety-only --no-por then the whole check --no-por (the same graph), then the other way round. Each cell
# is the median over the pairs: the time of each, their ratio, the
# process's peak RSS (VmHWM) of each, and the difference in bytes per
# state of the safety search. A benchmark, run by hand (not part of
# `go test`):
#
#   bench/liveness.sh [PAIRS [WORKERS]]     # defaults: 3 pairs, 1 worker
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
pairs=${1:-3}
workers=${2:-1}
# shellcheck source=common.sh
. "$here/common.sh"


run() { # run MODEL FLAGS...: "seconds peak-RSS-bytes states" of one run
	local model=$1
	shift
	"$work/irqcheck" check --json --workers "$workers" "$@" "$model" >"$work/out.json" || true
	echo "$(field seconds "$work/out.json") $(field peak_rss_bytes "$work/out.json") $(field states "$work/out.json") $(field verdict "$work/out.json")"
}

models=()
for f in "$here"/scaled/*.irq; do models+=("$f:"); done
for n in 4 5; do
	sed "s/^cpus 3 symmetric;/cpus $n symmetric;/" "$here/families/cross_calls.irq" >"$work/cross_calls_$n.irq"
	models+=("$work/cross_calls_$n.irq:--no-symmetry" "$work/cross_calls_$n.irq:")
done

echo "| model | states | verdict | safety s | with liveness s | ratio | safety peak MB | with liveness peak MB | more B/state |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
	model=${m%%:*}
	flags=${m#*:}
	name=$(basename "$model" .irq)
	case $name in cross_calls_*) name="family/cross_calls/cpus${name#cross_calls_}/${flags:+no-}symmetry" ;; *) name="scaled/$name" ;; esac
	ss=() ls=() sm=() lm=() ratios=() extra=()
	for i in $(seq "$pairs"); do
		if ((i % 2)); then
			read -r s1 m1 n v1 <<<"$(run "$model" $flags --safety-only --no-por)"
			read -r s2 m2 _ v2 <<<"$(run "$model" $flags --no-por)"
		else
			read -r s2 m2 _ v2 <<<"$(run "$model" $flags --no-por)"
			read -r s1 m1 n v1 <<<"$(run "$model" $flags --safety-only --no-por)"
		fi
		ss+=("$s1") ls+=("$s2") sm+=("$m1") lm+=("$m2")
		ratios+=("$(awk -v a="$s1" -v b="$s2" 'BEGIN {print b/a}')")
		extra+=("$(awk -v a="$m1" -v b="$m2" -v n="$n" 'BEGIN {print (b-a)/n}')")
	done
	printf '| %s | %d | %s | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f |\n' "$name" "$n" "$v2" \
		"$(printf '%s\n' "${ss[@]}" | median)" "$(printf '%s\n' "${ls[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)" \
		"$(printf '%s\n' "${sm[@]}" | median | awk '{print $1/1048576}')" "$(printf '%s\n' "${lm[@]}" | median | awk '{print $1/1048576}')" \
		"$(printf '%s\n' "${extra[@]}" | median)"
done
