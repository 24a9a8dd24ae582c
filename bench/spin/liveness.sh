#!/usr/bin/env bash
# The liveness check against SPIN's (issue 9): the spin form of the
# synchronous cross-call to a cpu going offline, with and without the fix,
# checked by irqcheck (livelock, or verified) and by SPIN for an acceptance
# cycle of `ltl finishes { <> done }` under weak fairness (pan -a -f). Run by
# hand (not part of `go test`):
#
#   bench/spin/liveness.sh
#
# It installs Debian's spin and gcc with apt-get when missing, and exits 1
# if the two tools disagree on any pair.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
sudo=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=sudo; fi
need=()
command -v spin >/dev/null 2>&1 || need+=(spin)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
	$sudo apt-get update -qq >&2
	$sudo apt-get install -y -qq "${need[@]}" >&2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/irqcheck-spin-live.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/irqcheck" ./cmd/irqcheck)

printf '| model | irqcheck | SPIN (<> done, -a -f) | SPIN states | agree |\n|---|---|---|---:|---|\n'
bad=0
for pair in "csd_sync_spin.irq:" "csd_sync_spin_fixed.irq:-DFIXED"; do
	model=${pair%%:*}
	define=${pair#*:}
	verdict=$( ("$work/irqcheck" check --workers 1 "$here/$model" || true) | head -1 | cut -d' ' -f1-2)
	(cd "$work" && spin $define -a "$here/csd_sync_spin.pml" >/dev/null && gcc -O2 -o pan pan.c && ./pan -a -f -m100000 >pan.out 2>&1 || true)
	errors=$(grep -o 'errors: [0-9]*' "$work/pan.out" | cut -d' ' -f2)
	states=$(grep -o '[0-9]* states, stored' "$work/pan.out" | cut -d' ' -f1)
	spinv="no cycle"
	[ "$errors" != "0" ] && spinv="acceptance cycle"
	agree=yes
	case "$verdict" in
	"violation: livelock") [ "$spinv" = "acceptance cycle" ] || agree=no ;;
	verified) [ "$spinv" = "no cycle" ] || agree=no ;;
	*) agree=no ;;
	esac
	[ $agree = yes ] || bad=1
	printf '| %s | %s | %s | %s | %s |\n' "$model" "$verdict" "$spinv" "$states" "$agree"
done
exit $bad
