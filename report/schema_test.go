package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// validator checks JSON values against the subset of JSON Schema
// (draft 2020-12) that schema.json uses: type, properties, required,
// additionalProperties, items, enum, const, oneOf, and $ref to the
// document's own $defs. Annotations ($schema, $id, title, description)
// are ignored. Any other keyword is an error, so that the schema cannot
// come to rely on something this validator does not check.
type validator struct {
	root map[string]any
}

var annotations = []string{"$schema", "$id", "$defs", "title", "description", "$comment"}

var checked = []string{"type", "properties", "required", "additionalProperties", "items", "enum", "const", "oneOf", "$ref"}

// keywords reports the first keyword of s, or of a schema inside it,
// that the validator does not know.
func keywords(s map[string]any, at string) error {
	for k, v := range s {
		if !slices.Contains(annotations, k) && !slices.Contains(checked, k) {
			return fmt.Errorf("%s: keyword %q is not supported by this validator", at, k)
		}
		var subs map[string]any
		switch k {
		case "properties", "$defs":
			subs, _ = v.(map[string]any)
		case "items", "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				subs = map[string]any{"": m}
			}
		case "oneOf":
			subs = map[string]any{}
			for i, x := range v.([]any) {
				subs[fmt.Sprint(i)] = x
			}
		}
		for name, sub := range subs {
			m, ok := sub.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/%s/%s: not a schema", at, k, name)
			}
			if err := keywords(m, at+"/"+k+"/"+name); err != nil {
				return err
			}
		}
	}
	return nil
}

// validate reports the first way v breaks schema s; at is where v is.
func (vd *validator) validate(s map[string]any, v any, at string) error {
	if ref, ok := s["$ref"].(string); ok {
		target, err := vd.resolve(ref)
		if err != nil {
			return fmt.Errorf("%s: %v", at, err)
		}
		if err := vd.validate(target, v, at); err != nil {
			return err
		}
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return hasType(v, t) }) {
			return fmt.Errorf("%s: %s is not of type %s", at, show(v), strings.Join(types, " or "))
		}
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, v) {
		return fmt.Errorf("%s: %s is not %s", at, show(v), show(c))
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return reflect.DeepEqual(x, v) }) {
		return fmt.Errorf("%s: %s is not one of %s", at, show(v), show(e))
	}
	if one, ok := s["oneOf"].([]any); ok {
		var passed int
		var errs []string
		for _, sub := range one {
			if err := vd.validate(sub.(map[string]any), v, at); err != nil {
				errs = append(errs, err.Error())
			} else {
				passed++
			}
		}
		if passed != 1 {
			return fmt.Errorf("%s: matches %d of oneOf's %d schemas, not 1: %s", at, passed, len(one), strings.Join(errs, "; "))
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := obj[r]; !ok {
				return fmt.Errorf("%s: required property %q is missing", at, r)
			}
		}
		for k, x := range obj {
			sub, ok := props[k].(map[string]any)
			if !ok {
				switch ap := s["additionalProperties"].(type) {
				case bool:
					if !ap {
						return fmt.Errorf("%s: property %q is not in the schema", at, k)
					}
					continue
				case map[string]any:
					sub = ap
				default:
					continue
				}
			}
			if err := vd.validate(sub, x, at+"/"+k); err != nil {
				return err
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range arr {
				if err := vd.validate(items, x, fmt.Sprintf("%s/%d", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// resolve finds a $ref of the form #/$defs/NAME (or any #/a/b path).
func (vd *validator) resolve(ref string) (map[string]any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q: only references within the document are supported", ref)
	}
	var cur any = vd.root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		cur = m[part]
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q does not resolve", ref)
	}
	return m, nil
}

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	}
	return false
}

func asStrings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, x.(string))
	}
	return out
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

func loadSchema(t *testing.T) *validator {
	t.Helper()
	data, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("schema.json: $schema is %v, want draft 2020-12", root["$schema"])
	}
	if err := keywords(root, "#"); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	return &validator{root: root}
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return v
}

// check runs the search on a model file as `irqcheck check` does.
func check(t *testing.T, path string, opt explore.Options) (*machine.Program, *explore.Result) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compile.Load(path, src)
	if err != nil {
		t.Fatal(err)
	}
	r := explore.Explore(p, opt)
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
	}
	return p, r
}

// Real reports validate against schema.json: a violation with a lasso,
// a plain violation, a verified run with a vacuity report, covers with
// witnesses, a violation in the initial state, an incomplete run, a sim
// run, and a model that cannot be loaded.
func TestSchemaValidatesReports(t *testing.T) {
	vd := loadSchema(t)
	ex := func(name string) string { return filepath.Join("..", "examples", name) }
	initBad := filepath.Join(t.TempDir(), "init.irq")
	if err := os.WriteFile(initBad, []byte("cpus 1; int x = 1;\nthread t on cpu 0 { x = 2; }\ninvariant x != 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	covers := filepath.Join("..", "cmd", "irqcheck", "testdata", "check", "cover.irq")
	vacuity := filepath.Join("..", "cmd", "irqcheck", "testdata", "check", "vacuity.irq")
	tests := []struct {
		name, model string
		opt         explore.Options
		verdict     string
		loop        bool
		has         string // text the report must hold, if any
	}{
		{"lasso", ex("spinlock_irq_deadlock.irq"), explore.Options{}, "violation", true, ""},
		{"plain violation", ex("msi_naive.irq"), explore.Options{}, "violation", false, ""},
		{"verified", ex("msi_x86_fix.irq"), explore.Options{}, "verified", false, ""},
		{"safety only", ex("msi_x86_fix.irq"), explore.Options{SafetyOnly: true}, "verified", false, `"safety_only": true`},
		{"vacuity", vacuity, explore.Options{}, "", false, ""},
		{"covers", covers, explore.Options{Witnesses: true}, "", false, ""},
		{"initial violation", initBad, explore.Options{}, "violation", false, ""},
		{"incomplete", ex("csd_conditional.irq"), explore.Options{MaxStates: 10}, "incomplete", false, ""},
		{"weak stale read", filepath.Join("..", "catalog", "models", "004_csd_sync_release_weak_noacquire.irq"), explore.Options{}, "violation", false, `"read stale: 0 (memory: 42)"`},
		{"not shortest", filepath.Join("..", "explore", "testdata", "not_shortest.irq"), explore.Options{MaxStates: 200_000}, "violation", false, `"not_shortest": "max-states"`},
		{"weak history full", filepath.Join("..", "cmd", "irqcheck", "testdata", "check", "weak_history_full.irq"), explore.Options{}, "verified", false, `"history_full": true`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, r := check(t, tc.model, tc.opt)
			var b bytes.Buffer
			if err := JSON(&b, p, r); err != nil {
				t.Fatal(err)
			}
			v := decode(t, b.Bytes())
			if err := vd.validate(vd.root, v, "#"); err != nil {
				t.Fatalf("%s does not fit schema.json: %v", tc.model, err)
			}
			if !strings.Contains(b.String(), tc.has) {
				t.Errorf("the report does not hold %s", tc.has)
			}
			obj := v.(map[string]any)
			if tc.verdict != "" && obj["verdict"] != tc.verdict {
				t.Errorf("verdict %v, want %s", obj["verdict"], tc.verdict)
			}
			if _, ok := obj["loop_start"]; ok != tc.loop {
				t.Errorf("loop_start present: %v, want %v", ok, tc.loop)
			}
		})
	}

	// sim's report.
	t.Run("sim", func(t *testing.T) {
		src, _ := os.ReadFile(ex("csd_async_offline.irq"))
		p, err := compile.Load("csd_async_offline.irq", src)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := JSON(&b, p, explore.Simulate(p, 3, 50).Result()); err != nil {
			t.Fatal(err)
		}
		if err := vd.validate(vd.root, decode(t, b.Bytes()), "#"); err != nil {
			t.Fatal(err)
		}
	})

	// A model that cannot be loaded.
	t.Run("error", func(t *testing.T) {
		var b bytes.Buffer
		if err := ErrorsJSON(&b, "m.irq", []JSONError{{File: "m.irq", Line: 3, Col: 1, Message: "expected ';'"}, {Message: "m.irq: no such file"}}); err != nil {
			t.Fatal(err)
		}
		if err := vd.validate(vd.root, decode(t, b.Bytes()), "#"); err != nil {
			t.Fatal(err)
		}
	})
}

// The validator is not a rubber stamp: broken reports fail, each for
// its own reason.
func TestSchemaRejects(t *testing.T) {
	vd := loadSchema(t)
	p, r := check(t, filepath.Join("..", "examples", "msi_naive.irq"), explore.Options{})
	var b bytes.Buffer
	if err := JSON(&b, p, r); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"missing required", func(m map[string]any) { delete(m, "states") }, `required property "states"`},
		{"wrong type", func(m map[string]any) { m["depth"] = "4" }, "not of type integer"},
		{"not an integer", func(m map[string]any) { m["depth"] = 4.5 }, "not of type integer"},
		{"undocumented field", func(m map[string]any) { m["extra"] = true }, `"extra" is not in the schema`},
		{"bad enum", func(m map[string]any) { m["verdict"] = "maybe" }, "is not one of"},
		{"bad const", func(m map[string]any) { m["schema"] = 1.0 }, "is not 2"},
		{"bad step kind", func(m map[string]any) {
			m["trace"].([]any)[0].(map[string]any)["kind"] = "teleport"
		}, "#/trace/0/kind"},
		{"state row without value", func(m map[string]any) {
			delete(m["initial_state"].([]any)[0].(map[string]any), "value")
		}, `#/initial_state/0: required property "value"`},
		{"also cell without column", func(m map[string]any) {
			delete(m["trace"].([]any)[2].(map[string]any)["also"].([]any)[0].(map[string]any), "column")
		}, `required property "column"`},
	}
	for _, tc := range tests {
		m := decode(t, b.Bytes()).(map[string]any)
		tc.change(m)
		err := vd.validate(vd.root, m, "#")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if err := keywords(map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"minimum": 1.0}}}, "#"); err == nil {
		t.Error("an unsupported keyword was accepted")
	}
}
