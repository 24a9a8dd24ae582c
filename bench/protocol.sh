#!/usr/bin/env bash
# The full cross-call protocol of seed 004 (issue 13): checks
# bench/protocol/csd_protocol.irq (the fixed protocol) and
# csd_protocol_buggy.irq (the online check apart from the queueing, no
# flush by the dying CPU), declared symmetric, with N = 3 to MAXCPUS CPUs,
# safety only, within --time and --mem, and prints a Markdown table. A
# benchmark, run by hand (not part of `go test`):
#
#   bench/protocol.sh [MAXCPUS [TIME [MEM]]]     # defaults: 5 150s 8G
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
max=${1:-5}
limit=${2:-150s}
mem=${3:-8G}
# shellcheck source=common.sh
. "$here/common.sh"

echo "| cpus | protocol | outcome in $limit, --mem $mem | states | depth | seconds | peak RSS (MB) |"
echo "|---:|---|---|---:|---:|---:|---:|"
for n in $(seq 3 "$max"); do
	for form in csd_protocol csd_protocol_buggy; do
		model="$work/${form}_$n.irq"
		sed "s/^cpus 3 symmetric;/cpus $n symmetric;/" "$here/protocol/$form.irq" >"$model"
		/usr/bin/time -f %M -o "$work/rss" "$work/irqcheck" check --safety-only --time "$limit" --mem "$mem" --json "$model" >"$work/out.json" || true
		outcome=$(field verdict "$work/out.json")
		kind=$(field kind "$work/out.json")
		lim=$(field limit "$work/out.json")
		[ -n "$kind" ] && outcome="$outcome $kind"
		[ -n "$lim" ] && outcome="$outcome: $lim"
		name=fixed
		[ "$form" = csd_protocol_buggy ] && name=buggy
		rss=$(tail -1 "$work/rss") # time also says when the exit code is not 0
		printf '| %d | %s | %s | %s | %s | %.2f | %d |\n' "$n" "$name" "$outcome" \
			"$(field states "$work/out.json")" "$(field depth "$work/out.json")" "$(field seconds "$work/out.json")" \
			$((rss / 1024))
	done
done
