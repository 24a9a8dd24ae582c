#!/usr/bin/env bash
# Lean states (issue 13): the state counts of every catalog model, scaled
# 4-CPU model, the cross-call family with 4 and 5 CPUs (symmetric) and
# the cross-call protocol with 3 and 4 CPUs (--safety-only: its liveness
# check explores it without symmetry, past the memory budget at 4 CPUs),
# with dead locals reset (the
# default) and kept (--keep-dead), each also without the partial-order
# reduction (--no-por): how much each of the two saves alone and both
# together. One run each (the counts do not vary), two workers; the
# seconds are the default check's and --keep-dead --no-por's. A
# benchmark, run by hand (not part of `go test`):
#
#   bench/lean.sh [WORKERS]     # default: 2 workers
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
workers=${1:-2}
# shellcheck source=common.sh
. "$here/common.sh"

run() { # run MODEL FLAGS...: "states seconds verdict" of one run
	local model=$1
	shift
	"$work/irqcheck" check --json --workers "$workers" "$@" "$model" >"$work/out.json" || true
	echo "$(field states "$work/out.json") $(field seconds "$work/out.json") $(field verdict "$work/out.json")"
}

models=()
only=${ONLY:-} # a pattern: only the models whose names match
for name in $("$work/irqcheck" list | awk 'NR > 1 {print $1}'); do models+=("$name:"); done
for f in "$here"/scaled/*.irq; do models+=("$f:"); done
for n in 4 5; do
	sed "s/^cpus 3 symmetric;/cpus $n symmetric;/" "$here/families/cross_calls.irq" >"$work/cross_calls_$n.irq"
	models+=("$work/cross_calls_$n.irq:")
done
for n in 3 4; do
	sed "s/^cpus [0-9]* symmetric;/cpus $n symmetric;/" "$here/protocol/csd_protocol.irq" >"$work/csd_protocol_$n.irq"
	models+=("$work/csd_protocol_$n.irq:--safety-only")
done

echo "| model | verdict | states: default | --keep-dead | --no-por | --keep-dead --no-por | default / both kept | s: default | s: both kept |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for m in "${models[@]}"; do
	model=${m%:*}
	flags=${m##*:}
	case $model in
	catalog:*) name=$model ;;
	*cross_calls_*) name="family/cross_calls/cpus${model##*cross_calls_}" name=${name%.irq} ;;
	*csd_protocol_*) name="protocol/csd_protocol/cpus${model##*csd_protocol_}" name=${name%.irq} ;;
	*) name="scaled/$(basename "$model" .irq)" ;;
	esac
	[[ $name =~ $only ]] || continue
	name+=${flags:+ ($flags)}
	read -r n1 s1 v1 <<<"$(run "$model" $flags)"
	read -r n2 _ v2 <<<"$(run "$model" $flags --keep-dead)"
	read -r n3 _ v3 <<<"$(run "$model" $flags --no-por)"
	read -r n4 s4 v4 <<<"$(run "$model" $flags --keep-dead --no-por)"
	if [ "$v1" != "$v2" ] || [ "$v1" != "$v3" ] || [ "$v1" != "$v4" ]; then
		echo "$name: verdicts differ: $v1 $v2 $v3 $v4" >&2
		exit 1
	fi
	printf '| %s | %s | %d | %d | %d | %d | %s | %.2f | %.2f |\n' "$name" "$v1" "$n1" "$n2" "$n3" "$n4" \
		"$(awk -v a="$n1" -v b="$n4" 'BEGIN {printf "%.0f %%", 100*a/b}')" "$s1" "$s4"
done
