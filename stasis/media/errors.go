package media

import "fmt"

// ParamError reports an argument Play, Prompt or Record refused before
// sending anything: a target that is not one of the call's, a negative
// count, a digit that is not a DTMF digit, no media to play.
//
//	var pe *media.ParamError
//	if errors.As(err, &pe) {
//		log.Printf("bad %s %q: %s", pe.Param, pe.Value, pe.Reason)
//	}
type ParamError struct {
	// Param names the argument or field, e.g. "target" or
	// "PromptParams.Terminator".
	Param string
	// Value is the value refused, formatted.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

// Error formats e on one line.
func (e *ParamError) Error() string {
	return fmt.Sprintf("media: %s %q: %s", e.Param, e.Value, e.Reason)
}
