package report

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"x = 1 | 2 | 4 | 8", 10, []string{"x = 1 | 2", "    | 4 |", "    8"}},
		{"abcdefghijklmnop", 8, []string{"abcdefgh", "    ijkl", "    mnop"}},
		{"", 5, []string{""}},
	}
	for _, tc := range tests {
		got := wrap(tc.in, tc.n)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		for _, line := range got {
			if len(line) > tc.n {
				t.Errorf("wrap(%q, %d): line %q longer than %d", tc.in, tc.n, line, tc.n)
			}
		}
		// Nothing is lost but the spaces at the breaks.
		if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("wrap(%q, %d) lost text: %q", tc.in, tc.n, got)
		}
	}
}
