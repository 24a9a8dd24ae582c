package machine

// SetMaxLeast makes Canonical try every permutation only up to n
// interchangeable CPUs, and returns a function that restores the default.
func SetMaxLeast(n int) (restore func()) {
	old := maxLeast
	maxLeast = n
	return func() { maxLeast = old }
}

// SetMaxEager makes the compiler build every permutation only up to n
// interchangeable CPUs, and returns a function that restores the default.
func SetMaxEager(n int) (restore func()) {
	old := maxEager
	maxEager = n
	return func() { maxEager = old }
}

// SetMaxArrangements bounds the arrangements of tied CPUs that Canonical
// tries with permutations built on demand, and returns a function that
// restores the default.
func SetMaxArrangements(n int) (restore func()) {
	old := maxArrangements
	maxArrangements = n
	return func() { maxArrangements = old }
}
