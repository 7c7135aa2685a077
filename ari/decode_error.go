package ari

import "gostasis.dev/ari/internal/wire"

// DecodeError reports JSON from Asterisk that could not be decoded into
// the type it claims to be: malformed JSON, or a value of the wrong JSON
// type. Err is a *wire.SyntaxError-style error giving the byte offset and
// the key being decoded.
type DecodeError struct {
	// Type is the model or event type being decoded, e.g. "Channel".
	Type string
	// Err says what went wrong and where.
	Err error
}

func (e *DecodeError) Error() string { return "ari: decoding " + e.Type + ": " + e.Err.Error() }

func (e *DecodeError) Unwrap() error { return e.Err }

// decodeDone checks that d consumed its whole input and wraps its error.
func decodeDone(d *wire.Decoder, typ string) error {
	d.End()
	if err := d.Err(); err != nil {
		return &DecodeError{Type: typ, Err: err}
	}
	return nil
}
