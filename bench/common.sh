# Sourced by the bench scripts, after they set $repo: a scratch directory
# $work (removed on exit) holding a fresh build of the command,
# $work/irqcheck; field, which reads a field of a JSON report; and median.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/irqcheck" ./cmd/irqcheck)

field() { # field NAME FILE: a number or string field of the JSON report
	sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$2" | head -1
}

median() { # the median of the numbers on stdin, one a line
	sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}
