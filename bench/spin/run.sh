#!/usr/bin/env bash
# Side by side with SPIN (issue 4, item 2): checks every Promela twin in this
# directory with SPIN and its irqcheck model with irqcheck, and prints one
# table. A benchmark, run by hand (not part of `go test`):
#
#   bench/spin/run.sh            # from any directory
#
# It installs Debian's spin (and gcc) with apt-get when missing, builds
# irqcheck, and works in a temporary directory that it removes at the end.
#
# SPIN is run as `spin -a` + `gcc -O2 -DSAFETY -DNOREDUCE` + `./pan -m1000000`:
# safety (assertions and invalid end states), and no partial-order reduction,
# because irqcheck does none and the two state counts must be comparable.
# The same twin is also compiled without -DNOREDUCE (SPIN's default POR) and
# its state count is printed for information only.
# "spin total" is the wall time of spin -a, gcc and pan together; "spin
# states/s" is pan's own figure for the search alone (states stored divided
# by pan's elapsed time; "-" when that is under 0.1 s, as pan's timer has
# 10 ms steps). "irqcheck" is the wall time of
# `irqcheck check MODEL --workers 1`; its states/s is the one it prints.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

sudo=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
	sudo=sudo
fi
need=()
command -v spin >/dev/null 2>&1 || need+=(spin)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]} with apt-get" >&2
	$sudo apt-get update -qq >&2
	$sudo apt-get install -y -qq "${need[@]}" >&2
fi
command -v go >/dev/null 2>&1 || { echo "run.sh: go is needed to build irqcheck" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/irqcheck-spin.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$repo" && go build -o "$work/irqcheck" ./cmd/irqcheck)
cp "$here"/*.pml "$here"/*.h "$here"/*.irq "$work/"

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# model label | twin | NCPU for the twin (- = as written) | irqcheck model
cases=(
	"004_csd_conditional|004_csd_conditional.pml|2|catalog:004_csd_conditional"
	"004_csd_conditional/cpus3|004_csd_conditional.pml|3|cpus3:004_csd_conditional"
	"004_ipi_inflight_reonline|004_ipi_inflight_reonline.pml|2|catalog:004_ipi_inflight_reonline"
	"004_ipi_inflight_reonline/cpus3|004_ipi_inflight_reonline.pml|3|cpus3:004_ipi_inflight_reonline"
	"003_vector_cleanup_first_arrival|003_vector_cleanup_first_arrival.pml|2|catalog:003_vector_cleanup_first_arrival"
	"003_vector_cleanup_first_arrival/cpus3|003_vector_cleanup_first_arrival.pml|3|cpus3:003_vector_cleanup_first_arrival"
	"000_uintr_pcp_list_fixed|000_uintr_pcp_list_fixed.pml|2|catalog:000_uintr_pcp_list_fixed"
	"000_uintr_pcp_list_fixed/cpus3|000_uintr_pcp_list_fixed.pml|3|cpus3:000_uintr_pcp_list_fixed"
	"002_ct_packed|002_ct_packed.pml|2|catalog:002_ct_packed"
	"002_ct_packed/cpus3|002_ct_packed.pml|3|cpus3:002_ct_packed"
	"csd_conditional_3callers (5 cpus)|csd_conditional_3callers.pml|-|csd_conditional_3callers.irq"
	"ct_packed_2x2 (4 cpus)|ct_packed_2x2.pml|-|ct_packed_2x2.irq"
)

# pan: run it, check that it found no error, print "states seconds"
pan_run() {
	local out
	out=$(./pan -m1000000 2>&1) || true
	if ! grep -q "errors: 0" <<<"$out"; then
		echo "run.sh: pan reported an error:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk '/states, stored/ { s = $1 } /pan: elapsed time/ { t = $4 } END { print s, t }' <<<"$out"
}

cd "$work"
rows=()
for c in "${cases[@]}"; do
	IFS='|' read -r label twin ncpu model <<<"$c"
	def=()
	[ "$ncpu" = "-" ] || def=("-DNCPU=$ncpu")
	case "$model" in
	cpus3:*)
		sed 's/^cpus 2;/cpus 3;/' "$repo/catalog/models/${model#cpus3:}.irq" >"${model#cpus3:}.cpus3.irq"
		model="${model#cpus3:}.cpus3.irq"
		;;
	esac

	# SPIN, no partial-order reduction: the compared figures
	rm -f pan pan.[bchmpt] ./*.trail
	t0=$(now)
	spin "${def[@]}" -a "$twin" >/dev/null
	gcc -O2 -w -DSAFETY -DNOREDUCE -o pan pan.c
	read -r sstates ssecs < <(pan_run)
	t1=$(now)
	stotal=$(sub "$t1" "$t0")

	# SPIN with its default partial-order reduction: states, for information
	rm -f pan pan.[bchmpt]
	spin "${def[@]}" -a "$twin" >/dev/null
	gcc -O2 -w -DSAFETY -o pan pan.c
	read -r pstates _ < <(pan_run)

	# irqcheck, one worker
	t0=$(now)
	rc=0
	iout=$("$work/irqcheck" check "$model" --workers 1) || rc=$?
	t1=$(now)
	if [ "$rc" -ne 0 ]; then
		echo "run.sh: irqcheck check $model exited $rc:" >&2
		echo "$iout" >&2
		exit 1
	fi
	itotal=$(sub "$t1" "$t0")
	read -r istates irate < <(sed -n 2p <<<"$iout" | awk '{ gsub(",", ""); for (i = 1; i < NF; i++) if ($(i+1) == "states/s") r = $i; print $2, r }')

	rows+=("$label|$sstates|$istates|$pstates|$stotal|$itotal|$ssecs|$irate")
done

printf '%s\n' "spin: $(spin -V | head -1); gcc: $(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion); $(nproc) cpus; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
printf '%s\n' "| model | spin states | irqcheck states | same | spin POR states | spin total s | irqcheck s | time ratio spin/irqcheck | spin states/s | irqcheck states/s | states/s ratio irqcheck/spin |"
printf '%s\n' "|---|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
	IFS='|' read -r label sstates istates pstates stotal itotal ssecs irate <<<"$r"
	awk -v l="$label" -v ss="$sstates" -v is="$istates" -v ps="$pstates" \
		-v st="$stotal" -v it="$itotal" -v sx="$ssecs" -v ir="$irate" 'BEGIN {
		same = (ss == is) ? "yes" : "NO"
		srate = (sx >= 0.1) ? ss / sx : -1   # pan times in 10 ms steps
		sr = (srate > 0) ? sprintf("%.0f", srate) : "-"
		rr = (srate > 0) ? sprintf("%.2f", ir / srate) : "-"
		printf "| %s | %d | %d | %s | %d | %.2f | %.3f | %.1f | %s | %.0f | %s |\n",
			l, ss, is, same, ps, st, it, st / it, sr, ir, rr
	}'
done
