package compile

// SetMaxLeast makes Canonical try every permutation only up to n
// interchangeable CPUs, and returns a function that restores the default.
func SetMaxLeast(n int) (restore func()) {
	old := maxLeast
	maxLeast = n
	return func() { maxLeast = old }
}
