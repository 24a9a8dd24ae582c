package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/irqcheck/irqcheck/syntax"
)

// fmtStdin is what irqcheck fmt formats when it is given no file.
var fmtStdin io.Reader = os.Stdin

// fmtMaxBytes bounds the size of a file irqcheck fmt reads.
const fmtMaxBytes = 16 << 20

// cmdFmt formats models: irqcheck fmt [-w] [-d] [-l] [FILE...]. Without a
// flag it prints each formatted model to stdout; -w rewrites the files
// that change, -d prints a diff of the change, -l lists the files that
// would change. Without a file it formats stdin to stdout. A model with a
// syntax error is left alone: its errors are printed as file:line:col:
// message and the exit code is 2.
func cmdFmt(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	write := fs.Bool("w", false, "rewrite the files in place")
	diff := fs.Bool("d", false, "print a diff of the changes")
	list := fs.Bool("l", false, "list the files whose formatting differs")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				return exitOK
			}
			fmt.Fprintf(stderr, "irqcheck fmt: %v\nirqcheck fmt: irqcheck help shows the usage\n", err)
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		if *write {
			fmt.Fprintln(stderr, "irqcheck fmt: -w needs files to rewrite")
			return exitUsage
		}
		src, err := readLimited(fmtStdin)
		if err != nil {
			fmt.Fprintf(stderr, "irqcheck fmt: stdin: %v\n", err)
			return exitUsage
		}
		return fmtOne("<stdin>", src, false, *diff, *list, stdout, stderr)
	}
	code := exitOK
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "irqcheck fmt: %v\n", err)
			code = exitUsage
			continue
		}
		src, err := readLimited(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "irqcheck fmt: %s: %v\n", name, err)
			code = exitUsage
			continue
		}
		if c := fmtOne(name, src, *write, *diff, *list, stdout, stderr); c != exitOK {
			code = c
		}
	}
	return code
}

// readLimited reads r whole, refusing more than fmtMaxBytes.
func readLimited(r io.Reader) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, fmtMaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(src) > fmtMaxBytes {
		return nil, fmt.Errorf("larger than %d MB: not a model", fmtMaxBytes>>20)
	}
	return src, nil
}

// fmtOne formats one model and does with the result what the flags say.
func fmtOne(name string, src []byte, write, diff, list bool, stdout, stderr io.Writer) int {
	out, err := syntax.Format(name, src)
	if err != nil {
		var errs syntax.ErrorList
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(stderr, e.Error())
			}
		} else {
			fmt.Fprintf(stderr, "irqcheck fmt: %v\n", err)
		}
		return exitUsage
	}
	changed := !bytes.Equal(src, out)
	if list && changed {
		fmt.Fprintln(stdout, name)
	}
	if diff && changed {
		io.WriteString(stdout, lineDiff(name, string(src), string(out)))
	}
	if write && changed {
		if err := writeFile(name, out); err != nil {
			fmt.Fprintf(stderr, "irqcheck fmt: %v\n", err)
			return exitUsage
		}
	}
	if !write && !diff && !list {
		stdout.Write(out)
	}
	return exitOK
}

// writeFile replaces the file name by data: it writes a temporary file
// beside it with the same permissions and renames it over the original, so
// that the file is never left half written.
func writeFile(name string, data []byte) error {
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".fmt*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(fi.Mode().Perm())
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// lineDiff returns a unified diff, with 3 lines of context, that turns a
// (the file name) into b, or "" if they are equal.
func lineDiff(name, a, b string) string {
	if a == b {
		return ""
	}
	x, y := splitLines(a), splitLines(b)
	ops := diffOps(x, y)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s (formatted)\n", name, name)
	const context = 3
	// Walk the edit script, gathering hunks: runs of changes with at most
	// 2*context equal lines between them.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		aStart, bStart := ops[start].ai, ops[start].bi
		var aLen, bLen int
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				aLen++
			}
			if op.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, op := range ops[start:end] {
			sb.WriteByte(op.kind)
			sb.WriteString(op.text)
			sb.WriteByte('\n')
		}
		i = end
	}
	return sb.String()
}

// hunkRange formats the line range of one side of a hunk: start is the
// 0-based index of its first line.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// diffOp is one line of an edit script: kept (' '), removed ('-') or
// added ('+'); ai and bi are the indexes of the line in a and in b where
// the op stands.
type diffOp struct {
	kind   byte
	text   string
	ai, bi int
}

// diffOps returns the shortest edit script from x to y, by the longest
// common subsequence. Models are small; beyond 2^24 line pairs it gives up
// on finding common lines and replaces x by y.
func diffOps(x, y []string) []diffOp {
	var ops []diffOp
	if len(x)*len(y) > 1<<24 {
		for i, s := range x {
			ops = append(ops, diffOp{'-', s, i, 0})
		}
		for j, s := range y {
			ops = append(ops, diffOp{'+', s, len(x), j})
		}
		return ops
	}
	// lcs[i][j] is the length of the longest common subsequence of x[i:]
	// and y[j:].
	n, m := len(x), len(y)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, diffOp{' ', x[i], i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', x[i], i, j})
			i++
		default:
			ops = append(ops, diffOp{'+', y[j], i, j})
			j++
		}
	}
	return ops
}
