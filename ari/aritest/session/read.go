package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"gostasis.dev/ari"
)

// MaxLineSize bounds one line of a session file, in bytes: an event as
// large as ari.DefaultMaxFrameSize (16 MiB) plus the line's other members.
// Read refuses a longer line with a *FormatError.
const MaxLineSize = ari.DefaultMaxFrameSize + 64<<10

// ErrFormat is matched (errors.Is) by every *FormatError.
var ErrFormat = errors.New("session: not a session file")

// FormatError reports a line of a session file that Read cannot use.
type FormatError struct {
	// Line is the line's number, from 1.
	Line int
	// Err says what is wrong.
	Err error
}

// Error implements error.
func (e *FormatError) Error() string {
	return fmt.Sprintf("session: line %d: %v", e.Line, e.Err)
}

// Unwrap returns Err.
func (e *FormatError) Unwrap() error { return e.Err }

// Is reports whether target is ErrFormat.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// Load reads the session file at path.
func Load(path string) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}

// Read reads a session: a header line, then event and exchange lines.
// Lines of a kind this version does not know are skipped.
func Read(r io.Reader) (*Session, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize)
	var s *Session
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, &FormatError{Line: n, Err: err}
		}
		if s == nil {
			if l.Kind != kindHeader || l.Header == nil {
				return nil, &FormatError{Line: n, Err: errors.New("the first line is not a header")}
			}
			if l.Header.Format != FormatVersion {
				return nil, &FormatError{Line: n, Err: fmt.Errorf("format %d, want %d", l.Header.Format, FormatVersion)}
			}
			s = &Session{Header: *l.Header}
			continue
		}
		switch l.Kind {
		case kindHeader:
			return nil, &FormatError{Line: n, Err: errors.New("a second header")}
		case kindEvent:
			e := Event{Time: l.Time, Conn: l.Conn}
			switch {
			case l.Raw != nil:
				e.Data = []byte(*l.Raw)
			case len(l.Event) > 0:
				e.Data = []byte(l.Event)
			default:
				return nil, &FormatError{Line: n, Err: errors.New("an event without data")}
			}
			s.Events = append(s.Events, e)
		case kindREST:
			x := Exchange{Time: l.Time, Transport: l.Transport, Method: l.Method, Path: l.Path, Query: l.Query,
				Request: text(l.Request, l.RequestText), Status: l.Status, Body: text(l.Body, l.Text), After: len(s.Events)}
			if x.Transport == "" {
				x.Transport = TransportHTTP
			}
			if x.Method == "" || x.Path == "" {
				return nil, &FormatError{Line: n, Err: errors.New("an exchange without method or path")}
			}
			s.Exchanges = append(s.Exchanges, x)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &FormatError{Line: n + 1, Err: fmt.Errorf("line longer than MaxLineSize (%d bytes): %w", MaxLineSize, err)}
		}
		return nil, err
	}
	if s == nil {
		return nil, &FormatError{Line: max(n, 1), Err: errors.New("empty: no header")}
	}
	return s, nil
}

// text is a body read from its JSON member or its text member.
func text(j json.RawMessage, t *string) []byte {
	switch {
	case t != nil:
		return []byte(*t)
	case len(j) > 0:
		return []byte(j)
	default:
		return nil
	}
}
