package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/irqcheck/irqcheck/explore"
)

// The state rows of msi_naive, worked by hand: step 1 registers nic for
// 0x20 on cpu 1, step 2 points the message at cpu 1, step 3 is the
// device's raise landing on cpu 1 with the old vector, step 4 the
// spurious interrupt.
func TestStateRowsMSINaive(t *testing.T) {
	p, r := check(t, filepath.Join("..", "examples", "msi_naive.irq"), explore.Options{})
	tr := r.Trace
	if len(tr.Steps) != 4 {
		t.Fatalf("%d steps, want 4", len(tr.Steps))
	}
	value := func(rows []StateRow, name string) string {
		for _, r := range rows {
			if r.Name == name {
				return r.Value
			}
		}
		t.Fatalf("no row %q in %v", name, rows)
		return ""
	}
	init := StateRows(p, tr.Initial)
	for name, want := range map[string]string{
		"msg.addr": "0", "msg.data": "0x10", "handled": "0",
		"cpu0.online": "true", "cpu0.IF": "true", "cpu0.current": "set_affinity", "cpu0.handler": "none",
		"cpu0.vector[0x10]": "nic", "cpu1.vector[0x20]": "none", "cpu1.pending": "none", "cpu1.current": "none",
		"set_affinity": "on cpu 0, next: request_irq(1, NEW, nic) (line 11)",
		"nic_dev":      "next: send_ipi(msg.addr, msg.data) (line 9)",
		"in flight":    "none",
	} {
		if got := value(init, name); got != want {
			t.Errorf("initial %s = %q, want %q", name, got, want)
		}
	}
	// Every state has the same rows in the same order.
	key := func(rows []StateRow) []string {
		var k []string
		for _, r := range rows {
			k = append(k, r.Group+"/"+r.Name)
		}
		return k
	}
	for i, st := range tr.Steps[:3] {
		if rows := StateRows(p, st.State); !slices.Equal(key(rows), key(init)) {
			t.Errorf("step %d: rows %v, want %v", i+1, key(rows), key(init))
		}
	}
	ts := traceStates(p, tr)
	changed := func(i int) []string {
		var out []string
		for j, c := range ts.Changed[i] {
			if c {
				out = append(out, ts.After[i][j].Name)
			}
		}
		return out
	}
	for i, want := range [][]string{
		{"cpu1.vector[0x20]", "set_affinity"},
		{"msg.addr", "set_affinity"},
		{"cpu1.pending", "nic_dev"},
	} {
		if got := changed(i); !slices.Equal(got, want) {
			t.Errorf("step %d changed %v, want %v", i+1, got, want)
		}
	}
	if got := value(ts.After[1], "msg.addr"); got != "1" {
		t.Errorf("after step 2, msg.addr = %q, want 1", got)
	}
	if got := value(ts.After[2], "cpu1.pending"); got != "0x10" {
		t.Errorf("after step 3, cpu1.pending = %q, want 0x10", got)
	}
	if ts.After[3] != nil {
		t.Errorf("the violating step has a state: %v", ts.After[3])
	}

	// The JSON carries the same rows, the also cells and the violation.
	var b bytes.Buffer
	if err := JSON(&b, p, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Schema       int
		InitialState []StateRow `json:"initial_state"`
		Trace        []struct {
			Also  []struct{ Column, Text string }
			State []struct {
				StateRow
				Changed bool
			}
			Violation string
		}
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != JSONSchemaVersion || !slices.Equal(got.InitialState, init) {
		t.Errorf("schema %d, initial state %v", got.Schema, got.InitialState)
	}
	if a := got.Trace[2].Also; len(a) != 1 || a[0].Column != "cpu 1" || a[0].Text != "arrives: 0x10 (from nic_dev)" {
		t.Errorf("step 3's also cells: %+v", a)
	}
	for _, row := range got.Trace[1].State {
		if row.Changed != (row.Name == "msg.addr" || row.Name == "set_affinity") {
			t.Errorf("step 2: row %+v", row)
		}
	}
	if last := got.Trace[3]; last.State != nil || last.Violation != "spurious" {
		t.Errorf("step 4: state %v, violation %q; want none and spurious", last.State, last.Violation)
	}
}

// The rows show a running handler, pending vectors and messages in
// flight.
func TestStateRowsHandlerAndInflight(t *testing.T) {
	p, r := check(t, filepath.Join("..", "catalog", "models", "000_uintr_pcp_list.irq"), explore.Options{})
	if r.Trace == nil {
		t.Fatal("no trace")
	}
	var sawHandler, sawInflight, sawPending bool
	for _, st := range r.Trace.Steps {
		if st.State == nil {
			continue
		}
		for _, row := range StateRows(p, st.State) {
			switch {
			case row.Name == "cpu0.handler" && row.Value != "none":
				sawHandler = true
			case row.Name == "in flight" && row.Value != "none":
				sawInflight = true
			case row.Group == "cpu 0" && row.Name == "cpu0.pending" && row.Value != "none":
				sawPending = true
			}
		}
	}
	if !sawHandler || !sawInflight || !sawPending {
		t.Errorf("handler %v, in flight %v, pending %v: want all seen", sawHandler, sawInflight, sawPending)
	}
}
