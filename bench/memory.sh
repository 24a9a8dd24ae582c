#!/usr/bin/env bash
# Memory close to the store (issue 13): the peak RSS of the largest runs
# against the bytes the store holds, both per state. The store holds a
# fingerprint and a parent link per state; everything else the search
# holds (a level's frontier and candidates, the workers' level sets, the
# heap's garbage) is the rest of the RSS. One run each (memory figures
# hardly vary), two workers. A benchmark, run by hand (not part of
# `go test`):
#
#   bench/memory.sh [WORKERS]      # default: 2 workers
#
# The rows: cross_calls with 5 CPUs without symmetry, the safety search
# alone and the whole check (whose liveness graph adds its own bytes);
# the same with 4 CPUs; the full cross-call protocol with 4 CPUs,
# symmetric; and the two largest scaled models.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
workers=${1:-2}
# shellcheck source=common.sh
. "$here/common.sh"

sed "s/^cpus 3 symmetric;/cpus 5 symmetric;/" "$here/families/cross_calls.irq" >"$work/cross_calls_5.irq"
sed "s/^cpus 3 symmetric;/cpus 4 symmetric;/" "$here/families/cross_calls.irq" >"$work/cross_calls_4.irq"
sed "s/^cpus 3 symmetric;/cpus 4 symmetric;/" "$here/protocol/csd_protocol.irq" >"$work/csd_protocol_4.irq"

row() { # row NAME MODEL FLAGS...
	local name=$1 model=$2
	shift 2
	"$work/irqcheck" check --json --workers "$workers" "$@" "$model" >"$work/out.json" || true
	local states store rss secs
	states=$(field states "$work/out.json")
	store=$(field store_bytes "$work/out.json")
	rss=$(field peak_rss_bytes "$work/out.json")
	secs=$(field seconds "$work/out.json")
	awk -v n="$name" -v s="$states" -v b="$store" -v r="$rss" -v t="$secs" 'BEGIN {
		printf "| %s | %d | %.2f | %.1f | %.1f | %.1f | %.2f |\n", n, s, t, b/s, r/s, r/2^20, r/b }'
}

echo "| run | states | seconds | store B/state | peak RSS B/state | peak RSS (MB) | RSS / store |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row "cross_calls 5 CPUs, safety" "$work/cross_calls_5.irq" --no-symmetry --safety-only
row "cross_calls 5 CPUs, safety, --no-por" "$work/cross_calls_5.irq" --no-symmetry --safety-only --no-por
row "cross_calls 5 CPUs, whole check" "$work/cross_calls_5.irq" --no-symmetry
row "cross_calls 4 CPUs, safety, --no-por" "$work/cross_calls_4.irq" --no-symmetry --safety-only --no-por
row "csd_protocol 4 CPUs, symmetric, safety" "$work/csd_protocol_4.irq" --safety-only
row "scaled 002_ct_packed_4cpu, safety, --no-por" "$here/scaled/002_ct_packed_4cpu.irq" --safety-only --no-por
row "scaled 004_csd_sync_release_weak_4cpu, safety, --no-por" "$here/scaled/004_csd_sync_release_weak_4cpu.irq" --safety-only --no-por
