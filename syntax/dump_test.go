package syntax

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dump prints a syntax tree, every field of every node, one field a line.
// Positions print as line:col.
func dump(x any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(x), 0)
	b.WriteByte('\n')
	return b.String()
}

var (
	posType   = reflect.TypeFor[Pos]()
	tokenType = reflect.TypeFor[Token]()
)

func dumpValue(b *strings.Builder, v reflect.Value, indent int) {
	tab := strings.Repeat("  ", indent)
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("nil")
		return
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Kind() == reflect.Pointer {
			b.WriteByte('*')
		}
		dumpValue(b, v.Elem(), indent)
		return
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Len() == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i := 0; i < v.Len(); i++ {
			b.WriteString(tab + "  ")
			dumpValue(b, v.Index(i), indent+1)
			b.WriteByte('\n')
		}
		b.WriteString(tab + "]")
		return
	case reflect.Struct:
		if v.Type() == posType {
			p := v.Interface().(Pos)
			fmt.Fprintf(b, "%d:%d", p.Line, p.Col)
			return
		}
		if flat(v) {
			b.WriteString(v.Type().Name() + " {")
			for i := 0; i < v.NumField(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(v.Type().Field(i).Name + ": ")
				dumpValue(b, v.Field(i), indent+1)
			}
			b.WriteString("}")
			return
		}
		b.WriteString(v.Type().Name() + " {\n")
		for i := 0; i < v.NumField(); i++ {
			b.WriteString(tab + "  " + v.Type().Field(i).Name + ": ")
			dumpValue(b, v.Field(i), indent+1)
			b.WriteByte('\n')
		}
		b.WriteString(tab + "}")
		return
	case reflect.String:
		b.WriteString(fmt.Sprintf("%q", v.String()))
		return
	}
	if v.Type() == tokenType {
		b.WriteString(v.Interface().(Token).String())
		return
	}
	fmt.Fprint(b, v.Interface())
}

// flat reports whether the struct v has only scalar fields (or nil ones),
// so that it dumps on one line.
func flat(v reflect.Value) bool {
	for i := 0; i < v.NumField(); i++ {
		switch f := v.Field(i); f.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Slice:
			if !f.IsNil() {
				return false
			}
		}
	}
	return true
}

// TestGolden parses every model in testdata and compares a dump of its
// tree with the .golden file beside it. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.irq")
	if err != nil || len(files) == 0 {
		t.Fatalf("no models in testdata: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ParseFile(filepath.Base(name), src)
			if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			got := dump(f)
			golden := strings.TrimSuffix(name, ".irq") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("tree differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// walkExprs calls f for every expression in the tree under x, outermost
// first.
func walkExprs(x any, f func(Expr)) {
	walkNodes(x, func(n Node) {
		if e, ok := n.(Expr); ok {
			f(e)
		}
	})
}

// walkNodes calls f for every node in the tree under x, outermost first.
func walkNodes(x any, f func(Node)) {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			walk(v.Elem())
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			if n, ok := v.Interface().(Node); ok {
				f(n)
			}
			walk(v.Elem())
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == posType {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(x))
}
