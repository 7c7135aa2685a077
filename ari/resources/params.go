package resources

import (
	"fmt"
	"strings"

	"gostasis.dev/ari"
)

// ParamError reports a field of a params struct whose value Asterisk would
// not read back as given, so the method refused it before sending anything:
// a comma inside one value of a list that Asterisk splits at every comma,
// an empty value it would drop, a '<' in a caller id's number, a NUL. It is
// the Err of the *ari.Error the method returns:
//
//	var pe *resources.ParamError
//	if errors.As(err, &pe) {
//		log.Printf("bad %s value %q: %s", pe.Param, pe.Value, pe.Reason)
//	}
type ParamError struct {
	// Param is the parameter's name on the wire, e.g. "appArgs".
	Param string
	// Value is the value refused: one value of a list, or the formatted
	// caller id's name or number.
	Value string
	// Reason says how Asterisk would misread it.
	Reason string
}

// Error formats e on one line.
func (e *ParamError) Error() string {
	return fmt.Sprintf("resources: parameter %s: value %q: %s", e.Param, e.Value, e.Reason)
}

// refused wraps err, found before sending r, in the *ari.Error the methods
// return.
func refused(r *ari.Request, err error) error {
	return &ari.Error{Op: r.Op.String(), Method: r.Op.Method, Path: r.Path, Err: err}
}

// maxStasisArgs is how many arguments Stasis() splits: app_stasis.c parses
// its data into the app name and at most 128 arguments, the last one being
// the unparsed rest of the data (MAX_ARGS).
const maxStasisArgs = 127

// noNUL refuses a value Asterisk would read as a C string cut at a NUL.
func noNUL(param, v string) error {
	if strings.IndexByte(v, 0) >= 0 {
		return &ParamError{Param: param, Value: v, Reason: "Asterisk reads it as a C string, which ends at the NUL"}
	}
	return nil
}

// addCallerID adds the caller id name, number (an ari.CallerID) in the
// syntax ast_callerid_parse reads: Name <Number>,
// or <Number> alone when the name is empty. ast_callerid_parse takes the
// number after the last '<' (so it must not hold one), strips blanks and
// one pair of surrounding quotes from the name, then removes backslashes
// (ast_unescape_quoted): a name holding '"' or '\', or blanks at either
// end, is written "Name" with '"' and '\' escaped. An empty name and
// number add nothing.
func addCallerID(q *ari.Query, param, name, number string) error {
	if name == "" && number == "" {
		return nil
	}
	s, err := formatCallerID(param, name, number)
	if err != nil {
		return err
	}
	q.Add(param, s)
	return nil
}

// formatCallerID writes a caller id as addCallerID sends it.
func formatCallerID(param, name, number string) (string, error) {
	if err := noNUL(param, name); err != nil {
		return "", err
	}
	if err := noNUL(param, number); err != nil {
		return "", err
	}
	if strings.IndexByte(number, '<') >= 0 {
		return "", &ParamError{Param: param, Value: number, Reason: "a caller id number cannot hold '<': Asterisk takes the last '<' as the start of the number"}
	}
	var b strings.Builder
	b.Grow(len(name) + len(number) + 8)
	switch {
	case name == "":
	case !nameNeedsQuotes(name):
		b.WriteString(name)
		b.WriteByte(' ')
	default:
		b.WriteByte('"')
		for i := 0; i < len(name); i++ {
			if c := name[i]; c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(name[i])
		}
		b.WriteString(`" `)
	}
	b.WriteByte('<')
	b.WriteString(number)
	b.WriteByte('>')
	return b.String(), nil
}

// nameNeedsQuotes reports a caller id name that ast_callerid_parse would
// change unquoted: one holding '"' or '\', or starting or ending with a
// byte it strips as a blank (below '!').
func nameNeedsQuotes(name string) bool {
	return strings.ContainsAny(name, `"\`) || name[0] < '!' || name[len(name)-1] < '!'
}

// addPlainList adds a list that Asterisk splits with strsep at every comma
// (stripping blanks): a value must hold no comma. An empty list adds
// nothing.
func addPlainList[T ~string](q *ari.Query, name string, vs []T) error {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		s := string(v)
		if err := noNUL(name, s); err != nil {
			return err
		}
		if strings.IndexByte(s, ',') >= 0 {
			return &ParamError{Param: name, Value: s, Reason: "Asterisk splits this list at every comma"}
		}
		out[i] = s
	}
	q.AddList(name, out)
	return nil
}

// addStrtokList adds a list that Asterisk splits with strtok_r at every
// comma, which skips empty values (channels.move's appArgs): a value must
// be non-empty and hold no comma. An empty list adds nothing.
func addStrtokList(q *ari.Query, name string, vs []string) error {
	if len(vs) == 0 {
		return nil
	}
	for _, v := range vs {
		if err := noNUL(name, v); err != nil {
			return err
		}
		switch {
		case v == "":
			return &ParamError{Param: name, Value: v, Reason: "Asterisk drops empty values of this list, which would shift the ones after it"}
		case strings.IndexByte(v, ',') >= 0:
			return &ParamError{Param: name, Value: v, Reason: "Asterisk splits this list at every comma"}
		}
	}
	q.AddList(name, vs)
	return nil
}

// addStasisArgs adds the arguments of the Stasis() application, which
// Asterisk appends to the application's data ("app,args") and parses with
// AST_STANDARD_APP_ARGS: a comma splits unless inside quotes, parentheses
// or brackets; quotes are removed and a backslash makes the next byte
// literal. Each value is escaped (escapeStasisArg) so that it arrives
// unchanged as one argument; an empty value is written as nothing between
// two commas (or after the last one), which the parser reads as an empty
// argument, so a list of one empty value cannot be sent. An empty list
// adds nothing.
func addStasisArgs(q *ari.Query, name string, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if len(args) == 1 && args[0] == "" {
		return &ParamError{Param: name, Value: "", Reason: "Stasis() cannot receive one empty argument: Asterisk passes no argument when appArgs is empty"}
	}
	if len(args) > maxStasisArgs {
		return &ParamError{Param: name, Value: args[maxStasisArgs], Reason: fmt.Sprintf("Stasis() splits at most %d arguments; this is argument %d", maxStasisArgs, maxStasisArgs+1)}
	}
	out := make([]string, len(args))
	for i, a := range args {
		if err := noNUL(name, a); err != nil {
			return err
		}
		out[i] = escapeStasisArg(a)
	}
	q.AddList(name, out)
	return nil
}

// escapeStasisArg escapes one argument of Stasis(): a backslash before
// each byte AST_STANDARD_APP_ARGS would act on ('\', '"', ',', '(', ')',
// '[', ']') and before '{', so that no "${" or "$[" reaches the variable
// substitution a snoop's data goes through first (a backslash after '$'
// stops it). An empty argument stays empty: "" would do in the middle of
// the list, but as the last argument the parser reads it as two.
func escapeStasisArg(a string) string {
	n := 0
	for i := 0; i < len(a); i++ {
		if stasisSpecial(a[i]) {
			n++
		}
	}
	if n == 0 {
		return a
	}
	b := make([]byte, 0, len(a)+n)
	for i := 0; i < len(a); i++ {
		if stasisSpecial(a[i]) {
			b = append(b, '\\')
		}
		b = append(b, a[i])
	}
	return string(b)
}

// stasisSpecial reports a byte escapeStasisArg escapes.
func stasisSpecial(c byte) bool {
	switch c {
	case '\\', '"', ',', '(', ')', '[', ']', '{':
		return true
	}
	return false
}
