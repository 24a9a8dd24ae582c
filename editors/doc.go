// Package editors holds editor support for irqcheck models (.irq files): a
// TextMate grammar (irqcheck.tmLanguage.json), which VS Code, Sublime
// Text, TextMate, Zed and others read, and a minimal VS Code extension
// (vscode/) that declares the language and the grammar. The package has no
// code: its test checks the grammar against the syntax package's keywords
// and the catalog's models. See README.md.
package editors
