package wire

// MaxDepth is the deepest nesting of objects and arrays a Decoder accepts,
// the same limit as encoding/json's.
const MaxDepth = 10000

// Decoder reads one JSON document held in a string. Errors are sticky: after
// the first error every method is a no-op returning zero values, and Err
// reports it.
//
// The zero Decoder reads an empty document; Reset points it at an input. A
// Decoder is meant to live on the stack:
//
//	var d wire.Decoder
//	d.Reset(s)
//
// To read an object, call Object and then Key until it reports false,
// reading (or skipping) each value after its key. To read an array, call
// Array and then More until it reports false, reading one element after each
// true.
type Decoder struct {
	s     string
	pos   int
	depth int    // open objects and arrays
	first bool   // just after '{' or '[': no ',' expected
	key   string // key context for errors
	err   *SyntaxError
}

// Reset makes d read data from its start, forgetting any error.
func (d *Decoder) Reset(data string) {
	*d = Decoder{s: data}
}

// Err returns the first error recorded, a *SyntaxError, or nil.
func (d *Decoder) Err() error {
	if d.err == nil {
		return nil
	}
	return d.err
}

// Offset returns the current byte offset in the input.
func (d *Decoder) Offset() int {
	return d.pos
}

// Fail records a semantic error (a value that is well-formed JSON but not
// acceptable) with message msg at the current offset, unless an error was
// already recorded.
func (d *Decoder) Fail(msg string) {
	d.fail(d.pos, msg)
}

// SetKeyContext sets the key that errors recorded from now on report. Key
// sets it too; generated code calls this when it knows better, e.g. after
// returning from a nested decoder.
func (d *Decoder) SetKeyContext(key string) {
	d.key = key
}

func (d *Decoder) fail(off int, msg string) {
	if d.err == nil {
		d.err = &SyntaxError{Offset: off, Key: d.key, Msg: msg}
	}
}

// failValue records why the byte at d.pos does not start the value wanted.
func (d *Decoder) failValue(want string) {
	switch {
	case d.pos >= len(d.s):
		d.fail(d.pos, msgEOF)
	case kindOf(d.s[d.pos]) == KindInvalid:
		d.fail(d.pos, "invalid character "+quoteChar(d.s[d.pos])+" looking for beginning of value")
	default:
		d.fail(d.pos, "expected "+want+", found "+describe(d.s[d.pos]))
	}
}

// failAt records an invalid character (or the end of input) at d.pos; ctx
// says where it was found, e.g. "after object key".
func (d *Decoder) failAt(ctx string) {
	if d.pos >= len(d.s) {
		d.fail(d.pos, msgEOF)
		return
	}
	d.fail(d.pos, "invalid character "+quoteChar(d.s[d.pos])+" "+ctx)
}

// next skips whitespace and returns the byte at the new offset without
// consuming it, or 0 at the end of the input.
func (d *Decoder) next() byte {
	if d.pos < len(d.s) {
		if c := d.s[d.pos]; c > ' ' {
			return c
		}
	}
	return d.nextSlow()
}

func (d *Decoder) nextSlow() byte {
	s, i := d.s, d.pos
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			d.pos = i
			return c
		}
	}
	d.pos = i
	return 0
}

// Peek reports the kind of the next value without consuming it (it does
// consume whitespace). It returns KindInvalid at the end of the input, on a
// byte that cannot start a value, and after an error.
func (d *Decoder) Peek() Kind {
	if d.err != nil {
		return KindInvalid
	}
	c := d.next()
	if d.pos >= len(d.s) {
		return KindInvalid
	}
	return kindOf(c)
}

// Null consumes the next value and returns true if it is null. Otherwise it
// consumes nothing and returns false.
func (d *Decoder) Null() bool {
	if d.err != nil || d.next() != 'n' {
		return false
	}
	return d.literal("null")
}

// Object consumes the '{' that starts an object and returns true. If the
// next value is null it consumes it and returns false; anything else is an
// error, and false.
func (d *Decoder) Object() bool {
	return d.open('{', "'{'")
}

// Array consumes the '[' that starts an array and returns true. If the next
// value is null it consumes it and returns false; anything else is an error,
// and false.
func (d *Decoder) Array() bool {
	return d.open('[', "'['")
}

func (d *Decoder) open(brace byte, want string) bool {
	if d.err != nil {
		return false
	}
	switch d.next() {
	case brace:
		if d.depth >= MaxDepth {
			d.fail(d.pos, "exceeded max depth")
			return false
		}
		d.pos++
		d.depth++
		d.first = true
		return true
	case 'n':
		d.literal("null")
	default:
		d.failValue(want)
	}
	return false
}

// close consumes the '}' or ']' at d.pos.
func (d *Decoder) close() {
	if d.depth == 0 {
		d.fail(d.pos, "invalid character "+quoteChar(d.s[d.pos])+" outside of an object or array")
		return
	}
	d.pos++
	d.depth--
	d.first = false
	if d.depth == 0 {
		d.key = ""
	}
}

// Key reads the next key of the object being read, with the ',' before it
// and the ':' after it, and returns it with true. At the '}' that ends the
// object it consumes it and returns false; on an error it returns false.
// The key is a substring of the input unless it holds escapes.
func (d *Decoder) Key() (string, bool) {
	if d.err != nil {
		return "", false
	}
	c := d.next()
	if c == '}' {
		d.close()
		return "", false
	}
	if !d.first {
		if c != ',' {
			d.failAt("after object key:value pair")
			return "", false
		}
		d.pos++
		c = d.next()
	}
	if c != '"' {
		d.failAt("looking for beginning of object key string")
		return "", false
	}
	d.first = false
	k := d.str()
	if d.err != nil {
		return "", false
	}
	if d.next() != ':' {
		d.failAt("after object key")
		return "", false
	}
	d.pos++
	d.key = k
	return k, true
}

// More reports whether another element of the array being read follows,
// consuming the ',' before it. At the ']' that ends the array it consumes
// it and returns false; on an error it returns false.
func (d *Decoder) More() bool {
	if d.err != nil {
		return false
	}
	c := d.next()
	if c == ']' {
		d.close()
		return false
	}
	if d.first {
		d.first = false
		return true
	}
	if c != ',' {
		d.failAt("after array element")
		return false
	}
	d.pos++
	return true
}

// End checks that nothing but whitespace follows the top-level value, and
// that every object and array opened was read to its end.
func (d *Decoder) End() {
	if d.err != nil {
		return
	}
	d.next()
	switch {
	case d.depth != 0:
		d.failAt("in unfinished object or array")
	case d.pos < len(d.s):
		d.failAt("after top-level value")
	}
}
