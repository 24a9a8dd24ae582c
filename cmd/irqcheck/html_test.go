package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check --html FILE writes the page and still prints the report on
// stdout, text or JSON; a page that cannot be written is a usage error.
func TestCheckHTML(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args    []string
		code    int
		verdict string
	}{
		{[]string{"check", "../../examples/msi_naive.irq"}, exitViolation, "violation: spurious"},
		{[]string{"check", "--json", "../../examples/spinlock_irq_deadlock.irq"}, exitViolation, "violation: livelock"},
		{[]string{"check", "../../examples/msi_x86_fix.irq"}, exitOK, ">verified<"},
	} {
		page := filepath.Join(dir, filepath.Base(tc.args[len(tc.args)-1])+".html")
		var stdout, stderr bytes.Buffer
		code := run(append(tc.args, "--html", page), &stdout, &stderr)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", tc.args, code, tc.code, stderr.String())
		}
		data, err := os.ReadFile(page)
		if err != nil || !strings.Contains(string(data), tc.verdict) {
			t.Errorf("%v: page %s (%v) lacks %q", tc.args, page, err, tc.verdict)
		}
		if tc.args[1] == "--json" {
			var v struct{ Verdict string }
			if err := json.Unmarshal(stdout.Bytes(), &v); err != nil || v.Verdict != "violation" {
				t.Errorf("%v: stdout is not the JSON report: %v\n%s", tc.args, err, stdout.String())
			}
		} else if !strings.HasPrefix(stdout.String(), strings.Trim(tc.verdict, "<>")) {
			t.Errorf("%v: stdout is not the text report:\n%s", tc.args, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "--html", filepath.Join(dir, "no", "such", "dir.html"), "../../examples/msi_naive.irq"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "no such file or directory") {
		t.Errorf("unwritable page: exit %d, stderr %q", code, stderr.String())
	}
}
