package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

func renderPage(t *testing.T, p *machine.Program, r *explore.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, p, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The page is self-contained: it names no other resource, and its
// policy forbids loading any.
func selfContained(t *testing.T, html string) {
	t.Helper()
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|url\(|@import|//[a-z0-9.-]+\.[a-z]{2,}/`).FindString(html); m != "" {
		t.Errorf("the page refers to another resource: %q", m)
	}
	if !strings.Contains(html, `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`) {
		t.Error("the page has no Content Security Policy that forbids loading")
	}
}

func TestHTMLViolation(t *testing.T) {
	p, r := check(t, filepath.Join("..", "examples", "msi_naive.irq"), explore.Options{})
	html := renderPage(t, p, r)
	selfContained(t, html)
	for _, want := range []string{
		`<h1 class="verdict violation">violation: spurious at ../examples/msi_naive.irq:9:18: interrupt on cpu 1 vector 0x10, which has no handler there: it is lost</h1>`,
		`<th>cpu 0</th><th>cpu 1</th><th>nic_dev</th>`,
		`<tr class="step initial" data-step="0" tabindex="0">`,
		`<div class="head">set_affinity: msg.addr = 1</div><div class="change">msg.addr: 0 → 1</div>`,
		// The device's own lane has no actor; its message arrives in cpu 1's.
		`<td><div class="also">arrives: 0x10 (from nic_dev)</div></td><td><div class="head">send_ipi(msg.addr, msg.data)</div>`,
		`<tr class="step failed" data-step="4"`,
		`<div class="broke">⇒ spurious</div>`,
		`"names":["msg.addr","msg.data","handled","cpu0.online"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, `<tr class="banner">`) || strings.Contains(html, " cycle\"") {
		t.Error("a plain trace is marked as a cycle")
	}
}

func TestHTMLLasso(t *testing.T) {
	p, r := check(t, filepath.Join("..", "examples", "spinlock_irq_deadlock.irq"), explore.Options{})
	if r.Loop != 3 {
		t.Fatalf("loop %d, want 3 (step 4)", r.Loop)
	}
	html := renderPage(t, p, r)
	for _, want := range []string{
		`cycle: steps 4 to 4 repeat for ever`,
		`<tr class="step cycle" data-step="4"`,
		`back to the state before step 4`,
		`"loop":4`,
		`(no part in this run: cpu 1)`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, `<tr class="step cycle" data-step="3"`) {
		t.Error("step 3 is marked as in the cycle")
	}
}

func TestHTMLVerified(t *testing.T) {
	p, r := check(t, filepath.Join("..", "examples", "msi_x86_fix.irq"), explore.Options{})
	html := renderPage(t, p, r)
	selfContained(t, html)
	if !strings.Contains(html, `<h1 class="verdict verified">verified</h1>`) || !strings.Contains(html, "no trace to show") {
		t.Error("the verified page lacks its verdict")
	}
	if strings.Contains(html, "<table") || strings.Contains(html, "<script") {
		t.Error("the verified page has a trace")
	}
}

// Everything from the model is escaped: statement text in the table,
// and the data the script reads.
func TestHTMLEscapes(t *testing.T) {
	src := `cpus 1; int x; int y;
		thread t on cpu 0 { if (x < 1) { y = 1; } assert y < 1 && x >= 0, "</script><b>no"; }`
	p, err := compile.Load("a<b>.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Violated {
		t.Fatalf("verdict %s", r.Outcome())
	}
	html := renderPage(t, p, r)
	if strings.Contains(html, "<b>") || strings.Contains(html, "a<b>") || strings.Count(html, "</script>") != 1 {
		t.Errorf("model text is not escaped:\n%s", html)
	}
	if !strings.Contains(html, "if (x &lt; 1)") {
		t.Error("the statement is not in the trace, escaped")
	}
}

// check --html writes the file; a file that cannot be written is an error.
func TestHTMLFile(t *testing.T) {
	p, r := check(t, filepath.Join("..", "examples", "msi_naive.irq"), explore.Options{})
	path := filepath.Join(t.TempDir(), "out.html")
	if err := HTMLFile(path, p, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("<!DOCTYPE html>")) {
		t.Errorf("%s: %v %.40q", path, err, data)
	}
	if err := HTMLFile(filepath.Join(t.TempDir(), "no", "such", "dir.html"), p, r); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
