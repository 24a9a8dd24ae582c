# Sourced by the bench scripts, after they set $repo: a scratch directory
# $work (removed on exit) holding a fresh build of the command,
# $work/irqcheck, and field, which reads a field of a JSON report.

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/irqcheck" ./cmd/irqcheck)

field() { # field NAME FILE: a number or string field of the JSON report
	sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$2" | head -1
}
