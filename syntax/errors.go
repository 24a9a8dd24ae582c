package syntax

import (
	"fmt"
	"sort"
)

// An Error is a syntax error: a message attached to a source position.
type Error struct {
	Pos Pos
	Msg string
}

// Error formats the error as file:line:col: msg.
func (e *Error) Error() string {
	switch {
	case e.Pos.IsValid() && e.Pos.File == "":
		return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
	case e.Pos.IsValid() || e.Pos.File != "":
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is a list of syntax errors. The zero value is an empty list
// ready to use. ParseFile returns its errors as an ErrorList.
type ErrorList []*Error

// Add appends an error with the given position and message.
func (l *ErrorList) Add(pos Pos, msg string) {
	*l = append(*l, &Error{Pos: pos, Msg: msg})
}

// Len returns the number of errors; ErrorList implements sort.Interface.
func (l ErrorList) Len() int { return len(l) }

// Swap swaps two errors.
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }

// Less orders errors by file, line, column and then message.
func (l ErrorList) Less(i, j int) bool {
	e, f := l[i].Pos, l[j].Pos
	if e.File != f.File {
		return e.File < f.File
	}
	if e.Line != f.Line {
		return e.Line < f.Line
	}
	if e.Col != f.Col {
		return e.Col < f.Col
	}
	return l[i].Msg < l[j].Msg
}

// Sort sorts the list by position; errors at the same position are sorted
// by message.
func (l ErrorList) Sort() { sort.Stable(l) }

// Error returns the first error's text, followed by a count of the others.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	case 2:
		return fmt.Sprintf("%s (and 1 more error)", l[0])
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
