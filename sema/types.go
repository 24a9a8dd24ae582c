// Package sema resolves names, checks types and evaluates constants of a
// parsed irqcheck model. Its result, a Program, is what package compile
// translates into machine instructions.
package sema

import (
	"fmt"
	"math"
	"strings"
)

// Kind classifies a type.
type Kind int

// The kinds of types.
const (
	Invalid Kind = iota
	Void         // no value: the result of a statement-like call
	Bool
	Int
	CPU     // a CPU number, 0..NCPUS-1
	Thread  // a thread, or none
	Handler // an interrupt handler name (only as an argument of request_irq)
	Struct
	Array
	UntypedInt // an integer constant not yet given a type
)

// Type is a type of the language. Types are compared structurally with
// Identical; named structs compare by identity of their StructType.
type Type struct {
	Kind   Kind
	Lo, Hi int64       // Int: declared range
	Struct *StructType // Struct
	Elem   *Type       // Array: element type
	Len    int         // Array: number of elements
	Index  Kind        // Array: Int for [N], CPU for [cpu], Thread for [thread]
}

// StructType describes a declared struct.
type StructType struct {
	Name   string
	Fields []*FieldInfo

	slots int // cached Slots of the struct once its fields are resolved; 0 before
}

// FieldInfo is one struct field.
type FieldInfo struct {
	Name string
	Type *Type
}

// Field returns the field named name and its index, or nil, -1.
func (s *StructType) Field(name string) (*FieldInfo, int) {
	for i, f := range s.Fields {
		if f.Name == name {
			return f, i
		}
	}
	return nil, -1
}

// MaxSlots bounds the state slots of one variable (or struct, or array):
// models describe a handful of registers and flags, and a type of
// millions of slots is a mistake that would only exhaust memory.
const MaxSlots = 1 << 14

// Default range of a plain int: 32-bit signed, so that overflow is a
// reported error rather than a silent wrap.
const (
	IntMin = math.MinInt32
	IntMax = math.MaxInt32
)

// Basic types shared by all programs.
var (
	TypInvalid = &Type{Kind: Invalid}
	TypVoid    = &Type{Kind: Void}
	TypBool    = &Type{Kind: Bool, Lo: 0, Hi: 1}
	TypInt     = &Type{Kind: Int, Lo: IntMin, Hi: IntMax}
	TypUntyped = &Type{Kind: UntypedInt, Lo: math.MinInt64, Hi: math.MaxInt64}
	TypHandler = &Type{Kind: Handler}
)

// IsScalar reports whether a value of t fits in one state slot.
func (t *Type) IsScalar() bool {
	switch t.Kind {
	case Bool, Int, CPU, Thread, UntypedInt:
		return true
	}
	return false
}

// IsInteger reports whether t is int or an untyped integer constant.
func (t *Type) IsInteger() bool { return t.Kind == Int || t.Kind == UntypedInt }

// Slots is the number of state slots a value of t occupies.
func (t *Type) Slots() int {
	switch t.Kind {
	case Struct:
		if t.Struct.slots > 0 {
			return t.Struct.slots
		}
		n := 0
		for _, f := range t.Struct.Fields {
			n += f.Type.Slots()
		}
		return n
	case Array:
		return t.Len * t.Elem.Slots()
	case Void, Invalid, Handler:
		return 0
	}
	return 1
}

// String renders t the way a modeller writes it.
func (t *Type) String() string {
	switch t.Kind {
	case Invalid:
		return "invalid type"
	case Void:
		return "no value"
	case Bool:
		return "bool"
	case Int:
		if t.Lo == IntMin && t.Hi == IntMax {
			return "int"
		}
		return fmt.Sprintf("int[%d..%d]", t.Lo, t.Hi)
	case UntypedInt:
		return "untyped int constant"
	case CPU:
		return "cpu"
	case Thread:
		return "thread"
	case Handler:
		return "handler"
	case Struct:
		return t.Struct.Name
	case Array:
		var b strings.Builder
		e := t
		var dims []string
		for e.Kind == Array {
			switch e.Index {
			case CPU:
				dims = append(dims, "[cpu]")
			case Thread:
				dims = append(dims, "[thread]")
			default:
				dims = append(dims, fmt.Sprintf("[%d]", e.Len))
			}
			e = e.Elem
		}
		b.WriteString(e.String())
		for _, d := range dims {
			b.WriteString(d)
		}
		return b.String()
	}
	return "?"
}

// Identical reports whether a and b are the same type, ignoring int ranges.
func Identical(a, b *Type) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Struct:
		return a.Struct == b.Struct
	case Array:
		return a.Len == b.Len && a.Index == b.Index && Identical(a.Elem, b.Elem)
	}
	return true
}
