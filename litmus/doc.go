// Package litmus holds the classic memory-model litmus tests (SB, MP,
// LB, WRC, IRIW, 2+2W, R, S, coherence, and their fenced, locked and
// acquire/release forms) and a few of interrupts, as irqcheck models.
// Each file's header gives the source of its published outcome and that
// outcome under each memory model: "allowed" if some run ends in it,
// "forbidden" if none does. The model's final condition is the negated
// outcome, so irqcheck reports a final violation exactly when the
// outcome is allowed. The weak outcome is ARMv8's and RISC-V's, with its
// own source line; a "gap weak" line names a behaviour irqcheck's weak
// model knowingly leaves out, with irqcheck's outcome and why. The test
// checks every file under every model and keeps the table in RESULTS.md.
package litmus
