package report

import (
	"encoding/json"
	"io"
)

// JSONError is one reason a model could not be checked, as --json
// reports it: a position in the model (absent for a problem with the
// file itself) and a message.
type JSONError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
}

// ErrorsJSON writes, as one JSON object, why model could not be checked:
// {"schema": 2, "verdict": "error", "model": ..., "errors": [...]}.
func ErrorsJSON(w io.Writer, model string, errs []JSONError) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Schema  int         `json:"schema"`
		Verdict string      `json:"verdict"`
		Model   string      `json:"model"`
		Errors  []JSONError `json:"errors"`
	}{JSONSchemaVersion, "error", model, errs})
}
