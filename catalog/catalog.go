// Package catalog holds the scenario models shipped inside the binary:
// one .irq model per race argued over in the seed messages, and one per
// fix. Each model's header comment names its seed, its title, the verdict
// it must give and whether it also makes sense with three CPUs.
package catalog

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
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
	Source []byte
}

// ExpectVerdict splits Expect into the verdict and the violation kind.
func (m *Model) ExpectVerdict() (verdict, kind string) {
	v, k, _ := strings.Cut(m.Expect, " ")
	return v, k
}

// Filename is the name under which the model is reported: catalog:NAME.
func (m *Model) Filename() string { return "catalog:" + m.Name }

var cpusLine = regexp.MustCompile(`(?m)^cpus\s+[0-9]+\s*(symmetric\s*)?;`)

// WithCPUs returns the model's source with its cpus declaration set to n.
func (m *Model) WithCPUs(n int) ([]byte, error) {
	loc := cpusLine.FindIndex(m.Source)
	if loc == nil {
		return nil, fmt.Errorf("catalog model %s has no cpus line to rewrite", m.Name)
	}
	old := string(m.Source[loc[0]:loc[1]])
	repl := fmt.Sprintf("cpus %d;", n)
	if strings.Contains(old, "symmetric") {
		repl = fmt.Sprintf("cpus %d symmetric;", n)
	}
	var b bytes.Buffer
	b.Write(m.Source[:loc[0]])
	b.WriteString(repl)
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
		m, err := parseHeader(strings.TrimSuffix(path.Base(n), ".irq"), src)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// parseHeader reads the "// key: value" lines at the top of a model.
func parseHeader(name string, src []byte) (*Model, error) {
	m := &Model{Name: name, Source: src}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "//") {
			break
		}
		key, val, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "//")), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "seed":
			m.Seed = val
		case "title":
			m.Title = val
		case "expect":
			m.Expect = strings.Join(strings.Fields(val), " ")
		case "cpus3":
			m.CPUs3 = val == "yes"
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
