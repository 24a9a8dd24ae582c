// Package catalog holds the scenario models shipped inside the binary:
// one .irq model per race argued over in the seed messages, and one per
// fix. Each model's header comment names its seed, its title, the verdict
// it must give, whether it also makes sense with three CPUs and, when the
// model admits one, the symmetric declaration under which its CPUs other
// than the named ones are interchangeable.
package catalog

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"regexp"
	"sort"
	"strings"
)

//go:embed models/*.irq
var files embed.FS

// Model is one embedded scenario.
type Model struct {
	Name   string // file name without .irq, e.g. 003_msi_naive
	Seed   string // the seed message it comes from
	Title  string
	Expect string // "verified" or "violation KIND"
	CPUs3  bool   // the protocol also makes sense with 3 CPUs
	// Symmetric is the symmetry clause the model admits, from its
	// "symmetric:" header line: "symmetric" when every CPU is
	// interchangeable, "symmetric except 0, 1" when CPUs 0 and 1 are
	// distinguished; "" when the model cannot be declared symmetric.
	Symmetric string
	// Unreached lists what a verified run of the model is known not to
	// reach, each with the reason, from its "unreached:" header lines:
	// "line N: why", "handler NAME: why", "vector 0xNN: why" or
	// "finals: why". The catalog's tests hold the vacuity report to it.
	Unreached []string
	Source    []byte
}

// UnreachedKeys returns the items of the Unreached lines, without the
// reasons: "line 164", "handler h", "vector 0x20", "finals".
func (m *Model) UnreachedKeys() []string {
	var out []string
	for _, u := range m.Unreached {
		k, _, _ := strings.Cut(u, ":")
		out = append(out, strings.TrimSpace(k))
	}
	return out
}

// ExpectVerdict splits Expect into the verdict and the violation kind.
func (m *Model) ExpectVerdict() (verdict, kind string) {
	v, k, _ := strings.Cut(m.Expect, " ")
	return v, k
}

// Filename is the name under which the model is reported: catalog:NAME.
func (m *Model) Filename() string { return "catalog:" + m.Name }

var cpusLine = regexp.MustCompile(`(?m)^cpus\s+[0-9]+\s*(symmetric\b[^;]*)?;`)

// WithCPUs returns the model's source with its cpus declaration set to n.
// A symmetric clause the declaration has is kept as written.
func (m *Model) WithCPUs(n int) ([]byte, error) {
	return m.rewriteCPUs(n, "")
}

// SymmetricCPUs returns the model's source with its cpus declaration set
// to n and declared symmetric as its header's symmetric line says, e.g.
// "cpus 4 symmetric except 0, 1;". It fails for a model whose header has
// no symmetric line.
func (m *Model) SymmetricCPUs(n int) ([]byte, error) {
	if m.Symmetric == "" {
		return nil, fmt.Errorf("catalog model %s has no symmetric header line", m.Name)
	}
	return m.rewriteCPUs(n, m.Symmetric)
}

// rewriteCPUs replaces the cpus declaration by "cpus n CLAUSE;", where
// CLAUSE is sym, or the declaration's own symmetric clause if sym is "".
func (m *Model) rewriteCPUs(n int, sym string) ([]byte, error) {
	loc := cpusLine.FindSubmatchIndex(m.Source)
	if loc == nil {
		return nil, fmt.Errorf("catalog model %s has no cpus line to rewrite", m.Name)
	}
	if sym == "" && loc[2] >= 0 {
		sym = strings.TrimSpace(string(m.Source[loc[2]:loc[3]]))
	}
	var b bytes.Buffer
	b.Write(m.Source[:loc[0]])
	fmt.Fprintf(&b, "cpus %d", n)
	if sym != "" {
		b.WriteString(" " + sym)
	}
	b.WriteString(";")
	b.Write(m.Source[loc[1]:])
	return b.Bytes(), nil
}

// All returns every model, sorted by name.
func All() []*Model {
	models, err := load()
	if err != nil {
		panic(err) // the embedded files are part of the binary: a bad header is a build bug, caught by the tests
	}
	return models
}

// Lookup returns the model with the given name (with or without the
// catalog: prefix and the .irq suffix).
func Lookup(name string) (*Model, bool) {
	name = strings.TrimSuffix(strings.TrimPrefix(name, "catalog:"), ".irq")
	for _, m := range All() {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

func load() ([]*Model, error) {
	names, err := fs.Glob(files, "models/*.irq")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Model
	for _, n := range names {
		src, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		m, err := Parse(strings.TrimSuffix(path.Base(n), ".irq"), src)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// header yields the "// key: value" lines of the comment at the top of a
// model's source, keys and values trimmed.
func header(src []byte) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		sc := bufio.NewScanner(bytes.NewReader(src))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, "//") {
				return
			}
			key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "//")), ":")
			if ok && !yield(strings.TrimSpace(key), strings.TrimSpace(val)) {
				return
			}
		}
	}
}

// HeaderValue returns the value of a model header's "// key: value" line,
// or "" if it has none.
func HeaderValue(src []byte, key string) string {
	for k, v := range header(src) {
		if k == key {
			return v
		}
	}
	return ""
}

// Parse reads the "// key: value" lines at the top of a model's source,
// the header every catalog model has: seed, title and expect are
// required; cpus3 ("yes"), symmetric ("all", or "except C, ...": the
// distinguished CPUs, constant expressions of the model) and unreached
// (see Model.Unreached; one line each) are optional.
// Other keys are ignored. Models kept outside the catalog, such as the
// benchmark's scaled models, use the same header.
func Parse(name string, src []byte) (*Model, error) {
	m := &Model{Name: name, Source: src}
	for key, val := range header(src) {
		switch key {
		case "seed":
			m.Seed = val
		case "title":
			m.Title = val
		case "expect":
			m.Expect = strings.Join(strings.Fields(val), " ")
		case "unreached":
			if !strings.Contains(val, ":") {
				return nil, fmt.Errorf("catalog model %s: an unreached line says what and why: \"line N: why\", not %q", name, val)
			}
			m.Unreached = append(m.Unreached, val)
		case "cpus3":
			m.CPUs3 = val == "yes"
		case "symmetric":
			switch {
			case val == "all":
				m.Symmetric = "symmetric"
			case strings.HasPrefix(val, "except ") && strings.TrimSpace(strings.TrimPrefix(val, "except ")) != "":
				m.Symmetric = "symmetric " + strings.Join(strings.Fields(val), " ")
			default:
				return nil, fmt.Errorf("catalog model %s: symmetric must be \"all\" or \"except C, ...\", not %q", name, val)
			}
		}
	}
	if m.Seed == "" || m.Title == "" || m.Expect == "" {
		return nil, fmt.Errorf("catalog model %s: header needs seed, title and expect lines", name)
	}
	if v, k := m.ExpectVerdict(); v != "verified" && !(v == "violation" && k != "") {
		return nil, fmt.Errorf("catalog model %s: expect must be \"verified\" or \"violation KIND\", not %q", name, m.Expect)
	}
	return m, nil
}
