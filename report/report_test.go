package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"x = 1 | 2 | 4 | 8", 10, []string{"x = 1 | 2", "    | 4 |", "    8"}},
		{"abcdefghijklmnop", 8, []string{"abcdefgh", "    ijkl", "    mnop"}},
		{"", 5, []string{""}},
		// Whole characters: a multi-byte rune is never cut.
		{"héllo wörld", 7, []string{"héllo", " wörld"}},
		{"ééééééééé", 4, []string{"éééé", " ééé", " éé"}},
		// No space: after a comma or an opening parenthesis first.
		{"send_ipi(msg.address_lo,msg.data)", 26, []string{"send_ipi(msg.address_lo,", "    msg.data)"}},
	}
	for _, tc := range tests {
		got := wrap(tc.in, tc.n)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		for _, line := range got {
			if !utf8.ValidString(line) {
				t.Errorf("wrap(%q, %d): line %q cuts a character", tc.in, tc.n, line)
			}
			if utf8.RuneCountInString(line) > tc.n {
				t.Errorf("wrap(%q, %d): line %q longer than %d", tc.in, tc.n, line, tc.n)
			}
		}
		// Nothing is lost but the spaces at the breaks.
		if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("wrap(%q, %d) lost text: %q", tc.in, tc.n, got)
		}
	}
}

// The lanes: only those that take part, within the width, a long name
// shortened with a legend, and the lanes left out named.
func TestColumnsLayout(t *testing.T) {
	src := `cpus 4; const V = 0x20; int n;
		handler h { n++; }
		init { request_irq(1, V, h); }
		device a_device_with_a_rather_long_name { send_ipi(1, V); }
		thread t on cpu 0 { n = 5; }
		invariant n != 6;`
	p, err := compile.Load("m.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := explore.Explore(p, explore.Options{})
	if r.Trace == nil || len(r.Trace.Steps) == 0 {
		t.Fatalf("no trace: %s", r.Outcome())
	}
	for _, width := range []int{60, 80, 120} {
		var b strings.Builder
		Columns(&b, p, r.Trace, width)
		out := b.String()
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if utf8.RuneCountInString(line) > width {
				t.Errorf("width %d: line of %d: %q", width, utf8.RuneCountInString(line), line)
			}
		}
		head := strings.Split(out, "\n")[0]
		if !strings.Contains(head, "cpu 0") || !strings.Contains(head, "cpu 1") || strings.Contains(head, "cpu 2") {
			t.Errorf("width %d: lanes %q, want cpu 0, cpu 1 and the device", width, head)
		}
		if !strings.Contains(out, "(no part in this run: cpu 2, cpu 3)") {
			t.Errorf("width %d: the idle cpus are not named:\n%s", width, out)
		}
		if width < 100 && !strings.Contains(out, " is a_device_with_a_rather_long_name)") {
			t.Errorf("width %d: no legend for the shortened device name:\n%s", width, out)
		}
	}
}

// Too many lanes for the width: the steps are listed, each lane's part
// of a step headed by its name, and every line fits.
func TestColumnsList(t *testing.T) {
	// A relay: each cpu's handler sends to the next, and the last one's
	// breaks the invariant.
	src := `cpus 7; const V = 0x20; int n;
		handler h { n++; if (this_cpu != NCPUS - 1) send_ipi(cpu(int(this_cpu) + 1), V); }
		init { for (cpu c = 0; c < NCPUS; c++) request_irq(c, V, h); }
		thread t on cpu 0 { send_ipi(0, V); }
		invariant n != NCPUS;`
	p, err := compile.Load("m.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := explore.Explore(p, explore.Options{})
	if r.Trace == nil || len(r.Trace.Steps) < 14 {
		t.Fatalf("want a trace of 14 steps or more: %s", r.Outcome())
	}
	for _, width := range []int{60, 80} {
		var b strings.Builder
		Columns(&b, p, r.Trace, width)
		out := b.String()
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if utf8.RuneCountInString(line) > width {
				t.Errorf("width %d: line of %d: %q", width, utf8.RuneCountInString(line), line)
			}
		}
		if !strings.HasPrefix(out, "  1  cpu ") || !strings.Contains(out, "  cpu 6  ") {
			t.Errorf("width %d: not a list headed by lane names:\n%s", width, out)
		}
	}
	var b strings.Builder
	Columns(&b, p, r.Trace, 400)
	if !strings.HasPrefix(strings.TrimLeft(b.String(), " "), "cpu 0") {
		t.Errorf("width 400: want lanes:\n%s", b.String())
	}
}
