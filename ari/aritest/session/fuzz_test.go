package session_test

import (
	"bytes"
	"errors"
	"testing"

	"gostasis.dev/ari/aritest/session"
)

// FuzzRead feeds Read arbitrary files: it returns a session or an error
// (a *FormatError for a file it cannot use), never panics, and a session
// it returns writes back to a file that reads as the same session.
func FuzzRead(f *testing.F) {
	header := `{"kind":"header","format":1,"apps":["a"]}` + "\n"
	for _, seed := range []string{
		"",
		header,
		header + `{"kind":"event","time":"2026-12-01T10:00:00Z","conn":1,"event":{"type":"StasisStart","application":"a"}}` + "\n",
		header + `{"kind":"event","raw":"not json"}` + "\n",
		header + `{"kind":"rest","method":"POST","path":"/ari/channels","query":"a=1","request":{"x":1},"status":200,"body":[1,2]}` + "\n",
		header + `{"kind":"rest","transport":"websocket","method":"GET","path":"/ari/x","requestText":"t","text":"b"}` + "\n",
		header + `{"kind":"future"}` + "\n",
		`{"kind":"event"}` + "\n",
		header + header,
		header + `{"kind":"rest","method":"","path":""}` + "\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := session.Read(bytes.NewReader(data))
		if err != nil {
			var fe *session.FormatError
			if errors.As(err, &fe) && !errors.Is(err, session.ErrFormat) {
				t.Fatalf("a FormatError that is not ErrFormat: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		w, err := session.NewWriter(&buf, s.Header)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range s.Events {
			if err := w.WriteEvent(e); err != nil {
				t.Fatal(err)
			}
		}
		for _, x := range s.Exchanges {
			if err := w.WriteExchange(x); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		again, err := session.Read(&buf)
		if err != nil {
			t.Fatalf("a session written back does not read: %v\n%s", err, buf.Bytes())
		}
		if len(again.Events) != len(s.Events) || len(again.Exchanges) != len(s.Exchanges) {
			t.Fatalf("written back: %d events, %d exchanges; read: %d, %d", len(again.Events), len(again.Exchanges), len(s.Events), len(s.Exchanges))
		}
	})
}
