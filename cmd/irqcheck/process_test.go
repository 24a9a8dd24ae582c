package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the tests run the command as a process of its own: the
// test binary, started with IRQCHECK_TEST_MAIN=1, is irqcheck.
func TestMain(m *testing.M) {
	if os.Getenv("IRQCHECK_TEST_MAIN") == "1" {
		if f := os.Getenv("IRQCHECK_TEST_CGROUP"); f != "" {
			memoryFiles.cgroup = f // a container's limit, for the default budget
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// exploding never ends: two counters with a million values each.
const exploding = `cpus 2;
int[0..1000000] a, b;
thread t on cpu 0 { while (true) a++; }
thread u on cpu 1 { while (true) b++; }
`

// irqcheck starts the command as a process on the model src, and returns
// it and its standard output.
func irqcheck(t *testing.T, src string, args ...string) (*exec.Cmd, *strings.Builder) {
	return irqcheckEnv(t, nil, src, args...)
}

// irqcheckEnv is irqcheck with more environment variables.
func irqcheckEnv(t *testing.T, env []string, src string, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	model := t.TempDir() + "/model.irq"
	if err := os.WriteFile(model, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], append([]string{"check", model, "--json"}, args...)...)
	cmd.Env = append(append(os.Environ(), "IRQCHECK_TEST_MAIN=1"), env...)
	out := &strings.Builder{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// processReport is the part of the JSON report these tests read.
type processReport struct {
	Verdict      string `json:"verdict"`
	Limit        string `json:"limit"`
	States       int64  `json:"states"`
	PeakRSSBytes int64  `json:"peak_rss_bytes"`
}

func finish(t *testing.T, cmd *exec.Cmd, out *strings.Builder) (int, processReport) {
	t.Helper()
	err := cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var r processReport
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatalf("exit %d, report %q: %v", code, out.String(), err)
	}
	return code, r
}

// Ctrl-C and SIGTERM end a check like --time: incomplete: interrupted,
// with the figures so far, exit 3.
func TestSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, out := irqcheck(t, exploding, "--mem", "2G")
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code, r := finish(t, cmd, out)
			if code != exitIncomplete || r.Verdict != "incomplete" || r.Limit != "interrupted" || r.States == 0 {
				t.Errorf("exit %d, %+v; want exit 3, incomplete: interrupted, with states", code, r)
			}
		})
	}
}

// --mem bounds the process as top shows it: an exploding model ends as
// incomplete: mem, exit 3, its peak RSS within the budget.
func TestMemoryLimit(t *testing.T) {
	const budget = 96 << 20
	cmd, out := irqcheck(t, exploding, "--mem", "96M", "--time", "60s")
	code, r := finish(t, cmd, out)
	if code != exitIncomplete || r.Limit != "mem" {
		t.Fatalf("exit %d, %+v; want exit 3, incomplete: mem", code, r)
	}
	if r.PeakRSSBytes == 0 || r.PeakRSSBytes > budget {
		t.Errorf("peak RSS %d bytes, want at most %d", r.PeakRSSBytes, budget)
	}
	t.Logf("%d states, peak RSS %.1f MB", r.States, float64(r.PeakRSSBytes)/(1<<20))
}

// Without --mem the budget is half of what the process may use: in a
// container of 192 MB (a cgroup limit), an exploding model ends as
// incomplete: mem, exit 3, within 96 MB.
func TestDefaultMemoryBudget(t *testing.T) {
	limit := t.TempDir() + "/memory.max"
	if err := os.WriteFile(limit, []byte("201326592\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, out := irqcheckEnv(t, []string{"IRQCHECK_TEST_CGROUP=" + limit}, exploding, "--time", "60s")
	code, r := finish(t, cmd, out)
	if code != exitIncomplete || r.Limit != "mem" {
		t.Fatalf("exit %d, %+v; want exit 3, incomplete: mem", code, r)
	}
	if r.PeakRSSBytes == 0 || r.PeakRSSBytes > 96<<20 {
		t.Errorf("peak RSS %d bytes, want at most %d", r.PeakRSSBytes, 96<<20)
	}
}
