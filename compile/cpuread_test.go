package compile_test

import (
	"strings"
	"testing"
)

// Under memory weak, only the globals that code on a CPU may load keep a
// write history: a store's target is no load, but its indices are, and
// so is every read-modify-write; devices, init and properties do not
// count.
func TestCPULoaded(t *testing.T) {
	p := load(t, `cpus 2; memory weak;
		struct pair { int a; int b; }
		int idx, arr[2], comp, wonce, rel, chosen, dev, initonly, inh, infn, rmw, inc;
		pair target, source;
		int prop;
		fn get() int { return infn; }
		handler h { int x = inh; }
		init { initonly = 1; request_irq(0, 0x30, h); }
		device d { int y = dev; arr[0] = 2; }
		thread t on cpu 0 {
			arr[idx] = 1;
			comp += 1;
			WRITE_ONCE(wonce, 1);
			smp_store_release(rel, 1);
			choose chosen in 0..1;
			target = source;
			int z = get();
			xchg(rmw, 1);
			inc++;
		}
		invariant prop == 0;`)
	want := map[string]bool{
		"idx": true, "arr": false, "comp": true, "wonce": false, "rel": false,
		"chosen": false, "dev": false, "initonly": false, "inh": true, "infn": true,
		"rmw": true, "inc": true, "target": false, "source": true, "prop": false,
	}
	l := p.Layout
	for i := range l.Globals {
		name := l.Name(int(i))
		name, _, _ = strings.Cut(name, "[")
		name, _, _ = strings.Cut(name, ".")
		w, ok := want[name]
		if !ok {
			t.Fatalf("no expectation for %s", l.Name(int(i)))
		}
		if l.CPULoaded[i] != w {
			t.Errorf("%s: loaded by a CPU %v, want %v", l.Name(int(i)), l.CPULoaded[i], w)
		}
	}
}
