package explore

import "github.com/irqcheck/irqcheck/machine"

// ReducedOnly returns opt set to keep a partial-order reduced search's
// own violation, so that tests see what the reduced graph reaches.
func ReducedOnly(opt Options) Options {
	opt.reducedOnly = true
	return opt
}

// Visiting returns opt set to call f with every state the search
// expands, from the workers' goroutines at once.
func Visiting(opt Options, f func(machine.State)) Options {
	opt.visit = f
	return opt
}

// NoRecording returns opt set to let the recording of the liveness graph
// go after the first level, as a budget too tight for it would.
func NoRecording(opt Options) Options {
	opt.noRecording = true
	return opt
}

// GraphBudget returns opt set to read a recorded quotient back within
// budget bytes, whatever the budget of the search.
func GraphBudget(opt Options, budget int64) Options {
	opt.graphBudget = budget
	return opt
}
