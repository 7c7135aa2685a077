// Package astparse holds Go ports of the parsers Asterisk applies to what
// ARI clients send, so that the simulated Asterisk reads requests as the
// real one does and tests can check what the SDK sends against them.
package astparse

import "strings"

// MaxAppArgs is Asterisk's MAX_ARGS: AST_STANDARD_APP_ARGS reads at most
// this many arguments, the application name among them.
const MaxAppArgs = 128

// StasisArgs is how Asterisk reads the arguments of Stasis(app,args...),
// whether the data comes from the dialplan or from an originate's,
// create's or snoop's appArgs appended to the app name:
// AST_STANDARD_APP_ARGS, that is __ast_app_separate_args(buf, ',', 1,
// argv, 1+MAX_ARGS) (main/app.c). It returns the app name and its args.
func StasisArgs(data string) (app string, args []string) {
	argv := SeparateArgs(data, 1+MaxAppArgs)
	if len(argv) == 0 {
		return "", []string{}
	}
	return argv[0], append([]string{}, argv[1:]...)
}

// OriginateArgs reads an originate's (or create's, or snoop's) appArgs as
// Asterisk does: appended to the app name and read as Stasis() data.
func OriginateArgs(appArgs string) []string {
	if appArgs == "" {
		return []string{}
	}
	_, args := StasisArgs("x," + appArgs)
	return args
}

// MoveArgs is how channels.move reads its appArgs (stasis/control.c,
// app_control_move: strtok_r at ','), which skips empty values.
func MoveArgs(appArgs string) []string {
	return strings.FieldsFunc(appArgs, func(r rune) bool { return r == ',' })
}

// SeparateArgs is __ast_app_separate_args with remove_chars set: commas
// outside quotes, parentheses and brackets separate arguments; quotes are
// removed and a backslash makes the next byte literal.
func SeparateArgs(s string, arraylen int) []string {
	buf := []byte(s)
	var array []string
	scan, wasdelim := 0, -1
	paren, bracket, quote := 0, 0, false
	for argc := 0; scan < len(buf) && argc < arraylen-1; argc++ {
		start, end := scan, -1
		for ; scan < len(buf) && end < 0; scan++ {
			switch c := buf[scan]; {
			case c == '(':
				paren++
			case c == ')':
				if paren > 0 {
					paren--
				}
			case c == '[':
				bracket++
			case c == ']':
				if bracket > 0 {
					bracket--
				}
			case c == '"':
				quote = !quote
				buf = append(buf[:scan], buf[scan+1:]...)
				scan--
			case c == '\\':
				// The next byte is literal: the loop skips it.
				buf = append(buf[:scan], buf[scan+1:]...)
			case c == ',' && paren == 0 && !quote && bracket == 0:
				wasdelim, end = scan, scan
			}
		}
		if end >= 0 {
			array = append(array, string(buf[start:end]))
		} else {
			array = append(array, string(buf[start:scan]))
		}
	}
	if scan < len(buf) || (scan > 0 && scan-1 == wasdelim) {
		array = append(array, string(buf[scan:]))
	}
	return array
}
