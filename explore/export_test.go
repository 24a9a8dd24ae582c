package explore

// ReducedOnly returns opt set to keep a partial-order reduced search's
// own violation, so that tests see what the reduced graph reaches.
func ReducedOnly(opt Options) Options {
	opt.reducedOnly = true
	return opt
}
