// Package generr holds the generator's one error type: every stage (load,
// ir) reports bad input as an *Error naming the file and the element at
// fault, so that a broken schema is fixed from the message alone.
package generr

import "fmt"

// Error is a generation error about one element of one file.
type Error struct {
	// File is the file or release folder at fault.
	File string
	// Element names the element within File, e.g. "model Channel property
	// id" or "GET /channels/{channelId} (get)"; empty for the whole file.
	Element string
	// Err says what is wrong.
	Err error
}

// New returns an error about element of file; format and args are as for
// fmt.Errorf, %w included.
func New(file, element, format string, args ...any) *Error {
	return &Error{File: file, Element: element, Err: fmt.Errorf(format, args...)}
}

// Wrap returns err as an error about element of file.
func Wrap(file, element string, err error) *Error {
	return &Error{File: file, Element: element, Err: err}
}

// Error returns "file: element: what is wrong", without the element when
// there is none.
func (e *Error) Error() string {
	msg := e.File
	if e.Element != "" {
		msg += ": " + e.Element
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }
