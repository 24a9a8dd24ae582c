package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

// messy is a model in a layout irqcheck fmt changes; tidy is its canonical
// layout.
const (
	messy = "cpus 2;int x=0; // the counter\ninit {\n\tx = 1; x++;   /* twice */\n}\n"
	tidy  = "cpus 2;\nint x = 0; // the counter\ninit {\n    x = 1;\n    x++; /* twice */\n}\n"
)

// runFmt runs irqcheck fmt with args and returns its exit code, stdout and
// stderr.
func runFmt(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"fmt"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeModel writes src to a new file in a temporary directory.
func writeModel(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFmt(t *testing.T) {
	path := writeModel(t, "m.irq", messy)
	good := writeModel(t, "good.irq", tidy)
	diff := "--- " + path + "\n+++ " + path + " (formatted)\n@@ -1,4 +1,6 @@\n-cpus 2;int x=0; // the counter\n+cpus 2;\n+int x = 0; // the counter\n init {\n-\tx = 1; x++;   /* twice */\n+    x = 1;\n+    x++; /* twice */\n }\n"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{"stdout", []string{path}, exitOK, tidy},
		{"two files", []string{path, good}, exitOK, tidy + tidy},
		{"list", []string{"-l", path, good}, exitOK, path + "\n"},
		{"diff", []string{"-d", path, good}, exitOK, diff},
		{"flags after the files", []string{path, "-l"}, exitOK, path + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runFmt(t, tc.args...)
			if code != tc.code || stdout != tc.stdout || stderr != "" {
				t.Errorf("irqcheck fmt %s: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s", strings.Join(tc.args, " "), code, stdout, stderr, tc.code, tc.stdout)
			}
		})
	}
	if src, _ := os.ReadFile(path); string(src) != messy {
		t.Errorf("irqcheck fmt without -w changed the file:\n%s", src)
	}
}

func TestFmtWrite(t *testing.T) {
	path := writeModel(t, "m.irq", messy)
	if code, stdout, stderr := runFmt(t, "-w", path); code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("fmt -w: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	src, err := os.ReadFile(path)
	if err != nil || string(src) != tidy {
		t.Fatalf("after fmt -w (%v):\n%s", err, src)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("fmt -w changed the permissions: %v %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("fmt -w left %d files in the directory", len(entries))
	}
	// A formatted file is left as it is.
	if code, stdout, _ := runFmt(t, "-w", "-l", path); code != exitOK || stdout != "" {
		t.Errorf("fmt -w -l of a formatted file: exit %d, stdout %q", code, stdout)
	}
}

func TestFmtSyntaxError(t *testing.T) {
	src, err := os.ReadFile("testdata/check/syntax_error.irq")
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, "syntax_error.irq", string(src))
	for _, flags := range [][]string{nil, {"-w"}, {"-d"}, {"-l"}} {
		code, stdout, stderr := runFmt(t, append(flags, path)...)
		want := path + ":3:1: expected ';', found 'thread'\n"
		if code != exitUsage || stdout != "" || stderr != want {
			t.Errorf("fmt %v of a bad model: exit %d, stdout %q, stderr %q; want exit 2 and %q", flags, code, stdout, stderr, want)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, src) {
		t.Errorf("fmt -w changed a model with a syntax error")
	}
	// The good file after a bad one is still formatted; the exit code
	// says that one failed.
	good := writeModel(t, "m.irq", messy)
	if code, stdout, _ := runFmt(t, path, good); code != exitUsage || stdout != tidy {
		t.Errorf("fmt bad good: exit %d, stdout %q", code, stdout)
	}
}

func TestFmtStdin(t *testing.T) {
	saved := fmtStdin
	defer func() { fmtStdin = saved }()
	fmtStdin = strings.NewReader(messy)
	if code, stdout, stderr := runFmt(t); code != exitOK || stdout != tidy || stderr != "" {
		t.Errorf("fmt < model: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	fmtStdin = strings.NewReader("cpus 2")
	if code, _, stderr := runFmt(t); code != exitUsage || stderr != "<stdin>:1:7: expected ';', found end of file\n" {
		t.Errorf("fmt < bad model: exit %d, stderr %q", code, stderr)
	}
}

func TestFmtUsage(t *testing.T) {
	for _, args := range [][]string{{"-x"}, {"-w"}, {filepath.Join(t.TempDir(), "missing.irq")}} {
		if code, _, stderr := runFmt(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("fmt %v: exit %d, stderr %q; want exit 2 and a message", args, code, stderr)
		}
	}
	if code, stdout, _ := runFmt(t, "-h"); code != exitOK || !strings.Contains(stdout, "irqcheck fmt") {
		t.Errorf("fmt -h: exit %d, stdout %q", code, stdout)
	}
}

// TestFmtKeepsStates checks, with the checker, that formatting changes no
// model of the catalog and no example: the formatted model has the same
// verdict, states and transitions.
func TestFmtKeepsStates(t *testing.T) {
	models, _ := filepath.Glob("../../catalog/models/*.irq")
	examples, _ := filepath.Glob("../../examples/*.irq")
	models = append(models, examples...)
	if len(models) < 30 {
		t.Fatalf("only %d models", len(models))
	}
	for _, name := range models {
		t.Run(filepath.Base(name), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run([]string{"fmt", name}, &stdout, &stderr); code != exitOK {
				t.Fatalf("fmt: exit %d: %s", code, stderr.String())
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var res [2]*explore.Result
			for i, text := range [][]byte{src, stdout.Bytes()} {
				p, err := compile.Load(name, text)
				if err != nil {
					t.Fatalf("compile: %v", err)
				}
				res[i] = explore.Explore(p, explore.Options{SafetyOnly: true, MaxStates: 1_000_000})
			}
			a, b := res[0], res[1]
			if a.States == 0 || a.Transitions == 0 {
				t.Fatalf("the original model has %d states, %d transitions", a.States, a.Transitions)
			}
			if a.Verdict != b.Verdict || a.States != b.States || a.Transitions != b.Transitions || a.Depth != b.Depth {
				t.Errorf("formatted model: %s, %d states, %d transitions, depth %d; the original: %s, %d states, %d transitions, depth %d",
					b.Verdict, b.States, b.Transitions, b.Depth, a.Verdict, a.States, a.Transitions, a.Depth)
			}
		})
	}
}

func TestLineDiff(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"x\n", "x\n", ""},
		{"", "a\n", "--- f\n+++ f (formatted)\n@@ -0,0 +1 @@\n+a\n"},
		{"a\nb\n", "", "--- f\n+++ f (formatted)\n@@ -1,2 +0,0 @@\n-a\n-b\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\nELEVEN\n12\n",
			"--- f\n+++ f (formatted)\n@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+ELEVEN\n 12\n"},
	}
	for _, tc := range tests {
		if got := lineDiff("f", tc.a, tc.b); got != tc.want {
			t.Errorf("lineDiff(%q, %q) =\n%s\nwant\n%s", tc.a, tc.b, got, tc.want)
		}
	}
}
