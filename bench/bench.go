// Package bench measures the checker on the catalog, on its verified
// models with more CPUs, on the scaled 4-CPU models of bench/scaled and
// on the symmetric scaling families of bench/families. It is driven by
// `go test -bench` (bench_test.go) and by cmd/benchtable, which writes
// bench/RESULTS.md.
package bench

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

//go:embed families/*.irq
var families embed.FS

// The scaled models: 4-CPU models of the verified catalog protocols in
// which every CPU takes part. Each has a catalog header (seed, title,
// expect) and a "scales: NAME" line naming the catalog model it scales.
//
//go:embed scaled/*.irq
var scaled embed.FS

// Case is one model to measure.
type Case struct {
	// Name is the catalog name, with /cpusN for a scaling variant;
	// scaled/NAME for a scaled model, family/NAME/cpusN/... for a family.
	Name       string
	Model      *catalog.Model // its Expect is the verdict the case must give
	CPUs       int            // 0: as written
	Source     []byte
	NoSymmetry bool   // a symmetric family run without symmetry reduction
	Scales     string // for a scaled model, the catalog model it scales
}

// Cases lists the catalog as written, then each verified model marked
// cpus3: yes with 3 to maxCPUs CPUs, the scaled models, and the families
// with 3 to maxCPUs+1 CPUs.
func Cases(maxCPUs int) ([]Case, error) {
	var out []Case
	for _, m := range catalog.All() {
		out = append(out, Case{Name: m.Name, Model: m, Source: m.Source})
	}
	for _, m := range catalog.All() {
		if v, _ := m.ExpectVerdict(); v != "verified" || !m.CPUs3 {
			continue
		}
		for n := 3; n <= maxCPUs; n++ {
			src, err := m.WithCPUs(n)
			if err != nil {
				return nil, err
			}
			out = append(out, Case{Name: fmt.Sprintf("%s/cpus%d", m.Name, n), Model: m, CPUs: n, Source: src})
		}
	}
	sc, err := Scaled()
	if err != nil {
		return nil, err
	}
	out = append(out, sc...)
	fams, err := Families(maxCPUs + 1)
	if err != nil {
		return nil, err
	}
	return append(out, fams...), nil
}

// Scaled lists the models of bench/scaled, as written.
func Scaled() ([]Case, error) {
	names, err := fs.Glob(scaled, "scaled/*.irq")
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, n := range names {
		src, err := scaled.ReadFile(n)
		if err != nil {
			return nil, err
		}
		name := "scaled/" + strings.TrimSuffix(path.Base(n), ".irq")
		m, err := catalog.Parse(name, src)
		if err != nil {
			return nil, err
		}
		scales := catalog.HeaderValue(src, "scales")
		if scales == "" {
			return nil, fmt.Errorf("%s: header needs a scales line naming the catalog model it scales", n)
		}
		out = append(out, Case{Name: name, Model: m, Source: src, Scales: scales})
	}
	return out, nil
}

// Families lists the symmetric scaling families of bench/families with 3
// to maxCPUs CPUs, each with and without symmetry reduction.
func Families(maxCPUs int) ([]Case, error) {
	names, err := fs.Glob(families, "families/*.irq")
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, n := range names {
		src, err := families.ReadFile(n)
		if err != nil {
			return nil, err
		}
		name := "family/" + strings.TrimSuffix(path.Base(n), ".irq")
		m := &catalog.Model{Name: name, Seed: "-", Title: name, Expect: "verified", CPUs3: true, Source: src}
		for cpus := 3; cpus <= maxCPUs; cpus++ {
			s, err := m.WithCPUs(cpus)
			if err != nil {
				return nil, err
			}
			out = append(out,
				Case{Name: fmt.Sprintf("%s/cpus%d/symmetric", name, cpus), Model: m, CPUs: cpus, Source: s},
				Case{Name: fmt.Sprintf("%s/cpus%d/no-symmetry", name, cpus), Model: m, CPUs: cpus, Source: s, NoSymmetry: true})
		}
	}
	return out, nil
}

// Figures are the measurements of one run.
type Figures struct {
	Verdict       string
	States        int64
	Transitions   int64
	Depth         int
	Seconds       float64
	StatesPerSec  float64
	BytesPerState float64
	PeakMB        float64 // store, frontiers and candidate buffers at their largest
	HeapMB        float64 // Go heap in use after the run
	Workers       int
	// The liveness check, when it ran: its own seconds, the states of its
	// graph (no symmetry reduction) and the graph's bytes per state.
	LiveSeconds       float64
	LiveStates        int64
	LiveBytesPerState float64
}

// Run checks one case with the given options.
func Run(c Case, opt explore.Options) (Figures, error) {
	p, err := compile.Load(c.Model.Filename(), c.Source)
	if err != nil {
		return Figures{}, err
	}
	runtime.GC()
	start := time.Now()
	opt.NoSymmetry = c.NoSymmetry
	r := explore.Explore(p, opt)
	secs := time.Since(start).Seconds()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f := Figures{
		States: r.States, Transitions: r.Transitions, Depth: r.Depth, Seconds: secs,
		BytesPerState: r.BytesPerState(), PeakMB: float64(r.PeakBytes) / (1 << 20),
		HeapMB: float64(ms.HeapInuse) / (1 << 20), Workers: r.Workers,
	}
	f.Verdict = r.Outcome()
	if lv := r.Liveness; lv != nil {
		f.LiveSeconds = lv.Elapsed.Seconds()
		f.LiveStates = lv.States
		if lv.States > 0 {
			f.LiveBytesPerState = float64(lv.Bytes) / float64(lv.States)
		}
	}
	if secs > 0 {
		f.StatesPerSec = float64(r.States) / secs
	}
	return f, nil
}

// MemoryModels are the memory models MemoryCosts checks each catalog
// model under.
var MemoryModels = []string{"sc", "tso", "weak"}

// MemoryCost is one catalog model checked under each of MemoryModels,
// without symmetry reduction so that the counts compare.
type MemoryCost struct {
	Name string
	Runs []MemoryRun // one per MemoryModels, in order
}

// MemoryRun is one catalog model's figures under one memory model.
type MemoryRun struct {
	Verdict string
	States  int64
	Seconds float64
	// Full: a store buffer or the write history filled up, so runs that
	// need more buffered stores, or reads further behind, were not
	// explored.
	Full bool
}

var (
	cpusDecl   = regexp.MustCompile(`(?m)^cpus ([0-9]+)[^;]*;`)
	memoryDecl = regexp.MustCompile(`(?m)^memory [a-z]+( [0-9]+)?;\n`)
)

// MemoryCosts checks every catalog model under each of MemoryModels.
func MemoryCosts(opt explore.Options) ([]MemoryCost, error) {
	var out []MemoryCost
	for _, m := range catalog.All() {
		plain := memoryDecl.ReplaceAll(m.Source, nil)
		plain = cpusDecl.ReplaceAll(plain, []byte("cpus $1;"))
		row := MemoryCost{Name: m.Name}
		for _, model := range MemoryModels {
			src := cpusDecl.ReplaceAll(plain, []byte("cpus $1;\nmemory "+model+";"))
			p, err := compile.Load(m.Name+".irq", src)
			if err != nil {
				return nil, fmt.Errorf("%s under %s: %w", m.Name, model, err)
			}
			r := explore.Explore(p, opt)
			row.Runs = append(row.Runs, MemoryRun{Verdict: r.Outcome(), States: r.States, Seconds: r.Elapsed.Seconds(), Full: r.StoreBufferFull || r.HistoryFull})
		}
		out = append(out, row)
	}
	return out, nil
}
