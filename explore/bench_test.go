package explore_test

import (
	"testing"

	"github.com/irqcheck/irqcheck/explore"
)

// BenchmarkCrossCalls4 explores the 4-CPU cross-call model without
// symmetry (about 300k states) with one worker and with two.
func BenchmarkCrossCalls4(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[w], func(b *testing.B) {
			p := loadB(b, symmetricSource(b, "cross_calls", 4))
			var r *explore.Result
			for i := 0; i < b.N; i++ {
				r = explore.Explore(p, explore.Options{NoSymmetry: true, Workers: w})
			}
			b.ReportMetric(float64(r.States)/r.Elapsed.Seconds(), "states/s")
			b.ReportMetric(r.BytesPerState(), "B/state")
		})
	}
}
