package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// timing matches the parts of a report that depend on the machine's speed.
var timing = regexp.MustCompile(`[0-9]+\.[0-9]+s, [0-9]+ states/s(, [0-9.]+ B/state in the store)?(, peak RSS [0-9.]+ MB)?`)

// liveTiming matches the same in the liveness check's figures.
var liveTiming = regexp.MustCompile(`(liveness: states [0-9]+, edges [0-9]+), [0-9]+\.[0-9]+s, [0-9.]+ MB`)

func normalize(s string) string {
	return liveTiming.ReplaceAllString(timing.ReplaceAllString(s, "T s, R states/s"), "$1, T s")
}

// TestCheckGolden runs `irqcheck check` on every model in testdata/check
// and compares exit code, stdout and stderr with NAME.golden (a txtar
// archive). Run with -update to rewrite the goldens after reading them.
func TestCheckGolden(t *testing.T) {
	models, err := filepath.Glob("testdata/check/*.irq")
	examples, err2 := filepath.Glob("../../examples/*.irq")
	if err != nil || err2 != nil || len(models) == 0 || len(examples) == 0 {
		t.Fatalf("no models: %v %v", err, err2)
	}
	models = append(models, examples...)
	for _, model := range models {
		name := strings.TrimSuffix(filepath.Base(model), ".irq")
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", model, "--max-states", "100000"}, &stdout, &stderr)
			got := &txtar.Archive{
				Comment: []byte("exit " + strconv.Itoa(code) + "\n"),
				Files: []txtar.File{
					{Name: "stdout", Data: []byte(normalize(stdout.String()))},
					{Name: "stderr", Data: stderr.Bytes()},
				},
			}
			golden := filepath.Join("testdata/check", name+".golden")
			if *update {
				if err := os.WriteFile(golden, txtar.Format(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := txtar.ParseFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if g, w := string(txtar.Format(got)), string(txtar.Format(want)); g != w {
				t.Errorf("output differs from %s:\n--- got ---\n%s\n--- want ---\n%s", golden, g, w)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string // substring of stderr
	}{
		{[]string{"check", "../../examples/msi_x86_fix.irq"}, exitOK, ""},
		{[]string{"check", "../../examples/msi_naive.irq"}, exitViolation, ""},
		{[]string{"check", "testdata/check/syntax_error.irq"}, exitUsage, "syntax_error.irq:3:1: expected ';'"},
		{[]string{"check", "testdata/check/type_error.irq"}, exitUsage, "type_error.irq:3:28: "},
		{[]string{"check", "testdata/check/limit.irq", "--max-states", "50"}, exitIncomplete, ""},
		{[]string{"check", "testdata/check/limit.irq", "--max-depth", "10"}, exitIncomplete, ""},
		{[]string{"check", "testdata/check/limit.irq", "--time", "0.2"}, exitIncomplete, ""},
		{[]string{"check", "testdata/check/limit.irq", "--mem", "1M"}, exitIncomplete, ""},
		{[]string{"check"}, exitUsage, "missing model file"},
		{[]string{"check", "a.irq", "b.irq"}, exitUsage, "expected one model file"},
		{[]string{"check", "--bogus", "x.irq"}, exitUsage, "flag provided but not defined"},
		{[]string{"check", "testdata/check/nonexistent.irq"}, exitUsage, "no such file"},
		{[]string{"check", "--time", "soon", "x.irq"}, exitUsage, "bad duration"},
		{[]string{"check", "--time", "-1s", "x.irq"}, exitUsage, "it must be positive"},
		{[]string{"check", "--time", "NaN", "x.irq"}, exitUsage, "bad duration"},
		{[]string{"check", "--time", "inf", "x.irq"}, exitUsage, "bad duration"},
		{[]string{"check", "--time", "1e30", "x.irq"}, exitUsage, "bad duration"},
		{[]string{"check", "--mem", "0.5", "x.irq"}, exitUsage, "give 1M to 1P"},
		{[]string{"check", "--mem", "NaN", "x.irq"}, exitUsage, "bad size"},
		{[]string{"check", "--mem", "1e30", "x.irq"}, exitUsage, "give 1M to 1P"},
		{[]string{"check", "--workers", "100000000", "x.irq"}, exitUsage, "(4 per CPU)"},
		{[]string{"sim", "--steps", "100000000", "x.irq"}, exitUsage, "--steps must be 0 to 100000"},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
		{[]string{"check", "-h"}, exitOK, ""},
		{[]string{"check", "--help"}, exitOK, ""},
		{[]string{"sim", "-h"}, exitOK, ""},
		{[]string{"demo", "--help"}, exitOK, ""},
		{[]string{"list", "-h"}, exitOK, ""},
		{[]string{"list", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"help"}, exitOK, ""},
		{[]string{"version"}, exitOK, ""},
		{[]string{"version", "--help"}, exitOK, ""},
		{[]string{"version", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"sim", "--json", "--replay", "t.trail", "x.irq"}, exitUsage, "--json does not go with --replay or -i"},
		{[]string{"sim", "--json", "-i", "x.irq"}, exitUsage, "--json does not go with --replay or -i"},
		{[]string{"check", "/dev/zero"}, exitUsage, "larger than 16 MB: not a model"},
		{[]string{}, exitUsage, "usage"},
		{[]string{"sim", "../../examples/msi_x86_fix.irq"}, exitOK, ""},
		{[]string{"sim", "testdata/check/syntax_error.irq"}, exitUsage, "expected ';'"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.err) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.err)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "--json", "../../examples/csd_async_offline.irq"}, &stdout, &stderr)
	if code != exitViolation {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got struct {
		Verdict  string
		Kind     string
		Message  string
		Position struct {
			File      string
			Line, Col int
		}
		States      int64
		Transitions int64
		Depth       int
		Trace       []struct {
			Step   int
			Column string
			Kind   string
			Text   string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if got.Verdict != "violation" || got.Kind != "hang" || got.Position.Line != 7 || got.States == 0 || got.Depth != len(got.Trace) {
		t.Errorf("unexpected report: %+v", got)
	}
	last := got.Trace[len(got.Trace)-1]
	if last.Kind != "drop" || last.Column != "cpu 1" {
		t.Errorf("last step %+v, want the drop of the IPI in cpu 1's column", last)
	}
}

// A lasso in JSON: loop_start names the first step of the cycle, and the
// liveness figures are there.
func TestJSONLasso(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "--json", "../../examples/spinlock_irq_deadlock.irq"}, &stdout, &stderr)
	if code != exitViolation {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got struct {
		Kind      string
		LoopStart int `json:"loop_start"`
		Liveness  struct{ States, Edges int64 }
		Trace     []struct {
			Step  int
			Actor string
			Text  string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	// Worked by hand: the worker takes the lock (1), the device raises
	// the vector (2), cpu 0 takes it (3), and the handler spins (4).
	if got.Kind != "livelock" || got.LoopStart != 4 || len(got.Trace) != 4 || got.Liveness.States == 0 {
		t.Errorf("unexpected report: %+v", got)
	}
	if last := got.Trace[len(got.Trace)-1]; last.Actor != "dev_interrupt" {
		t.Errorf("the cycle is %+v, want the handler's spin", last)
	}
}

// --witness draws the shortest run to each reached cover; --safety-only
// skips the liveness check and says so.
func TestCoverAndSafetyFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	model := filepath.Join(t.TempDir(), "m.irq")
	src := "cpus 1; int x; thread t on cpu 0 { x = 1; x = 2; while (true) { } }\ncover two: x == 2;\n"
	if err := os.WriteFile(model, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code := run([]string{"check", "--witness", "--safety-only", model}, &stdout, &stderr)
	out := stdout.String()
	if code != exitOK || !strings.Contains(out, "cover two reached in 2 steps:") || !strings.Contains(out, "safety only: livelocks and liveness declarations were not checked") {
		t.Errorf("exit %d:\n%s%s", code, out, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"check", "--json", "--safety-only", model}, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), `"safety_only": true`) {
		t.Errorf("--json --safety-only: exit %d, no \"safety_only\": true:\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"check", model}, &stdout, &stderr); code != exitViolation || !strings.Contains(stdout.String(), "violation: livelock") {
		t.Errorf("without --safety-only: exit %d:\n%s", code, stdout.String())
	}
}

// One random run proves nothing: its JSON verdict is "ended" or
// "stopped", never "verified", and it has no lasso.
func TestSimVerdicts(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.irq")
	src := "cpus 1; int[0..1] x; forever thread t on cpu 0 { while (true) { x = 1 - x; } }"
	if err := os.WriteFile(model, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ model, verdict string }{
		{"../../examples/msi_x86_fix.irq", "ended"},
		{model, "stopped"},
	} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"sim", "--json", "--steps", "20", tc.model}, &stdout, &stderr)
		var got struct {
			Verdict   string
			LoopStart *int `json:"loop_start"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
			t.Fatalf("%s: not JSON: %v", tc.model, err)
		}
		if code != exitOK || got.Verdict != tc.verdict || got.LoopStart != nil {
			t.Errorf("%s: exit %d, verdict %q, loop_start %v; want 0, %q, none", tc.model, code, got.Verdict, got.LoopStart, tc.verdict)
		}
	}
}

// version names the module version and the Go version of the build.
func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	line := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(line, "irqcheck ") || !strings.HasSuffix(line, runtime.Version()) {
		t.Errorf("version line %q", line)
	}
}

// With --json, a model that cannot be loaded is reported as one JSON
// object on stdout, with exit code 2.
func TestJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string // after check --json
		line int
		msg  string
	}{
		{[]string{"testdata/check/type_error.irq"}, 3, "assignment: cannot use untyped int constant as bool"},
		{[]string{"testdata/check/nonexistent.irq"}, 0, "no such file or directory"},
		{[]string{"--bogus", "x.irq"}, 0, "flag provided but not defined: -bogus"},
		{[]string{"--width", "5", "../../examples/msi_naive.irq"}, 0, "--width must be 40 to 1000"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"check", "--json"}, tc.args...), &stdout, &stderr)
		var got struct {
			Verdict string
			Errors  []struct {
				File    string
				Line    int
				Message string
			}
		}
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", tc.args, err, stdout.String())
		}
		if code != exitUsage || got.Verdict != "error" || len(got.Errors) != 1 || got.Errors[0].Line != tc.line || !strings.Contains(got.Errors[0].Message, tc.msg) {
			t.Errorf("%v: exit %d, %+v", tc.args, code, got)
		}
	}
}

func TestSimDeterministic(t *testing.T) {
	runSim := func(seed string) string {
		var stdout, stderr bytes.Buffer
		run([]string{"sim", "../../examples/csd_async_offline.irq", "--seed", seed}, &stdout, &stderr)
		return stdout.String()
	}
	a, b := runSim("7"), runSim("7")
	if a != b {
		t.Errorf("same seed, different runs:\n%s\n---\n%s", a, b)
	}
	differs := false
	for _, s := range []string{"1", "2", "3", "4", "5"} {
		if runSim(s) != a {
			differs = true
		}
	}
	if !differs {
		t.Errorf("six seeds gave the same run: the seed is not used")
	}
}

// --cpuprofile writes a profile of the search, and a file that cannot be
// created is a usage error.
func TestCPUProfile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	if code := run([]string{"check", "--cpuprofile", prof, "catalog:003_msi_x86_fix"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("no profile written: %v", err)
	}
	stderr.Reset()
	bad := filepath.Join(t.TempDir(), "missing", "cpu.prof")
	if code := run([]string{"check", "--cpuprofile", bad, "catalog:003_msi_x86_fix"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("unwritable profile: exit %d, want %d", code, exitUsage)
	}
}

// --progress prints a line on stderr every level, at most once a second,
// and leaves stdout alone: the 16-million-state family for 3 seconds.
func TestProgress(t *testing.T) {
	src, err := os.ReadFile("../../bench/families/cross_calls.irq")
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "cross_calls5.irq")
	five := regexp.MustCompile(`(?m)^cpus [0-9]+`).ReplaceAll(src, []byte("cpus 5"))
	if err := os.WriteFile(model, five, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "--progress", "--no-symmetry", "--no-por", "--safety-only", "--time", "3s", model}, &stdout, &stderr)
	if code != exitIncomplete {
		t.Fatalf("exit %d, want incomplete:\n%s%s", code, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) < 2 {
		t.Fatalf("%d progress lines, want at least 2 in 3 seconds:\n%s", len(lines), stderr.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "irqcheck: ") || !strings.Contains(l, " states/s, frontier ") {
			t.Errorf("not a progress line: %q", l)
		}
	}
	if strings.Contains(stdout.String(), "frontier") {
		t.Errorf("progress on stdout:\n%s", stdout.String())
	}

	// The liveness check says when it begins.
	stdout.Reset()
	stderr.Reset()
	run([]string{"check", "--progress", "../../examples/lost_wakeup_tick.irq"}, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "safety search done; liveness check on 96 states, 204 edges") {
		t.Errorf("no liveness progress line:\n%s", stderr.String())
	}
}

func TestMemoryBudget(t *testing.T) {
	const meminfo = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n"
	tests := []struct {
		meminfo, cgroup string
		want            int64
	}{
		{meminfo, "", 24576000 << 10 / 2},
		{meminfo, "max\n", 24576000 << 10 / 2},
		{meminfo, "2147483648\n", 1 << 30},                // a container of 2 GiB
		{meminfo, "99999999999999\n", 24576000 << 10 / 2}, // more than the machine
		{"", "2147483648\n", 1 << 30},
		{"", "", 0},
		{"MemTotal: x kB\n", "garbage", 0},
	}
	for _, tt := range tests {
		if got := memoryBudget(tt.meminfo, tt.cgroup); got != tt.want {
			t.Errorf("memoryBudget(%q, %q) = %d, want %d", tt.meminfo, tt.cgroup, got, tt.want)
		}
	}
}
