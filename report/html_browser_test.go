package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/irqcheck/irqcheck/explore"
)

// chromium finds a Chromium or Chrome binary, or returns "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// panelRow is a row of the state panel as the browser shows it.
type panelRow struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Changed bool   `json:"changed"`
}

const readPanel = `Array.from(document.querySelectorAll("#panel-rows tr")).map(tr => ({
	name: tr.dataset.name,
	value: tr.querySelector(".v").textContent,
	changed: tr.classList.contains("changed"),
}))`

// The page in a real browser: headless Chromium opens the page that
// check --html writes for msi_naive from a file:// URL, and clicking a
// step (or moving with the arrow keys) shows that step's state in the
// panel, its changes highlighted. Without a Chromium binary the test is
// skipped, except in CI (CI=true), whose .ci/run installs one.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium binary found in CI: .ci/run should have installed Debian's chromium")
		}
		t.Skip("no chromium binary found (apt-get install chromium): the HTML page was not tried in a browser")
	}
	dir := t.TempDir()
	write := func(model string) string {
		p, r := check(t, filepath.Join("..", "examples", model+".irq"), explore.Options{})
		path := filepath.Join(dir, model+".html")
		if err := HTMLFile(path, p, r); err != nil {
			t.Fatal(err)
		}
		return "file://" + path
	}
	naive, lasso := write("msi_naive"), write("spinlock_irq_deadlock")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	// Any exception the page's script throws fails the test.
	var mu sync.Mutex
	var thrown []string
	exceptions := chromedp.Events(bctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return // the context ended
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			mu.Lock()
			thrown = append(thrown, fmt.Sprintf("line %d: %s", d.LineNumber+1, text))
			mu.Unlock()
		}
	}()

	var title, notes string
	var rows []panelRow
	// do runs the actions, then reads the panel.
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		var err error
		if err = chromedp.Do(bctx, actions...); err == nil {
			if title, err = chromedp.Run(bctx, chromedp.TextContent(chromedp.ID("panel-title"))); err == nil {
				if notes, err = chromedp.Run(bctx, chromedp.TextContent(chromedp.ID("panel-notes"))); err == nil {
					rows, err = chromedp.Run(bctx, chromedp.Evaluate[[]panelRow](readPanel))
				}
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	click := func(step int) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(fmt.Sprintf(`#trace tr[data-step="%d"]`, step)))
	}
	row := func(name string) panelRow {
		t.Helper()
		for _, r := range rows {
			if r.Name == name {
				return r
			}
		}
		t.Fatalf("%s: no row %s in the panel: %v", title, name, rows)
		return panelRow{}
	}
	want := func(name, value string, changed bool) {
		t.Helper()
		if r := row(name); r.Value != value || r.Changed != changed {
			t.Errorf("%s: %s = %q (changed %v), want %q (changed %v)", title, name, r.Value, r.Changed, value, changed)
		}
	}
	changedRows := func() []string {
		var out []string
		for _, r := range rows {
			if r.Changed {
				out = append(out, r.Name)
			}
		}
		return out
	}

	// Opened, the page shows the last step: the one that broke.
	do("open", chromedp.Navigate(naive), chromedp.WaitVisible(chromedp.CSS("#trace tr.step")))
	if title != "Step 4" || !strings.Contains(notes, "raised the violation") {
		t.Errorf("on opening: panel %q, notes %q; want step 4 and its violation", title, notes)
	}

	// Step 2 points the message at cpu 1.
	do("click step 2", click(2))
	if title != "After step 2" {
		t.Errorf("after clicking step 2, the panel shows %q", title)
	}
	want("msg.addr", "1", true)
	want("msg.data", "0x10", false)
	want("cpu1.vector[0x20]", "nic", false) // changed in step 1, not 2
	want("cpu1.pending", "none", false)
	if got := fmt.Sprint(changedRows()); got != "[msg.addr set_affinity]" {
		t.Errorf("step 2 highlights %s, want msg.addr and the thread", got)
	}
	sel, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS("#trace tr.selected"), "data-step"))
	if err != nil || sel.Value != "2" {
		t.Errorf("the selected row is %q (%v), want step 2", sel.Value, err)
	}

	// The initial state is step 0.
	do("click the initial state", click(0))
	if title != "Initial state" || len(changedRows()) != 0 {
		t.Errorf("initial state: panel %q, changed %v", title, changedRows())
	}
	want("msg.addr", "0", false)
	want("cpu0.vector[0x10]", "nic", false)
	want("set_affinity", "on cpu 0, next: request_irq(1, NEW, nic) (line 11)", false)

	// The arrow keys move from step to step: 0, 1, 2, 3.
	do("arrow down", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if title != "After step 3" {
		t.Errorf("three steps down from 0, the panel shows %q", title)
	}
	want("cpu1.pending", "0x10", true)
	want("nic_dev", "finished", true)
	want("in flight", "none", false)

	// The violating step has no state after it: the panel shows the
	// state before it, and no change.
	do("click step 4", click(4))
	if title != "Step 4" || !strings.Contains(notes, "no state after it") || len(changedRows()) != 0 {
		t.Errorf("step 4: panel %q, notes %q, changed %v", title, notes, changedRows())
	}
	want("cpu1.pending", "0x10", false)

	// A lasso's cycle is marked, and so is its step in the panel.
	do("open the lasso", chromedp.Navigate(lasso), chromedp.WaitVisible(chromedp.CSS("#trace tr.step")), click(4))
	if !strings.Contains(notes, "In the cycle: steps 4 to 4 repeat for ever") || !strings.Contains(notes, "back in the state before step 4") {
		t.Errorf("lasso step 4: notes %q", notes)
	}
	want("cpu0.handler", "dev_interrupt (vector 0x30), next: while (xchg(lock, true)) (line 16)", false)
	banner, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS("#trace tr.banner")))
	if err != nil || strings.TrimSpace(banner) != "cycle: steps 4 to 4 repeat for ever" {
		t.Errorf("the cycle's banner is %q (%v)", banner, err)
	}

	// A link to a step (page.html#step-1) opens the page at that step.
	do("open at #step-1", chromedp.Navigate(naive+"#step-1"), chromedp.WaitVisible(chromedp.CSS("#trace tr.step")))
	if title != "After step 1" {
		t.Errorf("opened at #step-1, the panel shows %q", title)
	}
	want("cpu1.vector[0x20]", "nic", true)

	mu.Lock()
	defer mu.Unlock()
	if len(thrown) > 0 {
		t.Errorf("the page's script threw: %s", strings.Join(thrown, "; "))
	}
}
