package syntax

// Keywords returns the reserved words of the language, in the order of
// their tokens. Editor grammars are tested against this list, so a new
// keyword that an editor does not highlight fails a test.
func Keywords() []string {
	var words []string
	for t := keywordBeg + 1; t < keywordEnd; t++ {
		words = append(words, t.String())
	}
	return words
}

// ContextualWords returns the words that are keywords in one place only
// and identifiers elsewhere: always and eventually after liveness,
// except after symmetric, each in "on each cpu".
func ContextualWords() []string {
	return []string{"always", "eventually", "except", "each"}
}
