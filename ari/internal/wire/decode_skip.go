package wire

// Raw validates the next value and returns its exact text, a substring of
// the input; null reads as "null". It returns "" after an error.
func (d *Decoder) Raw() string {
	if d.err != nil {
		return ""
	}
	d.next()
	start := d.pos
	d.skip(d.depth)
	if d.err != nil {
		return ""
	}
	return d.s[start:d.pos]
}

// Skip validates the next value, of any kind, and moves past it.
func (d *Decoder) Skip() {
	if d.err == nil {
		d.skip(d.depth)
	}
}

// skip validates the value at the next non-space byte and moves past it;
// depth is the number of objects and arrays around it.
func (d *Decoder) skip(depth int) {
	switch c := d.next(); c {
	case '"':
		d.skipString()
	case '{':
		d.skipObject(depth)
	case '[':
		d.skipArray(depth)
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		if c == '-' || isDigit(c) {
			if end, _ := d.scanNumber(); d.err == nil {
				d.pos = end
			}
			return
		}
		d.failValue("value")
	}
}

func (d *Decoder) skipObject(depth int) {
	if depth >= MaxDepth {
		d.fail(d.pos, "exceeded max depth")
		return
	}
	d.pos++
	if d.next() == '}' {
		d.pos++
		return
	}
	for {
		if d.next() != '"' {
			d.failAt("looking for beginning of object key string")
			return
		}
		d.skipString()
		if d.err != nil {
			return
		}
		if d.next() != ':' {
			d.failAt("after object key")
			return
		}
		d.pos++
		d.skip(depth + 1)
		if d.err != nil {
			return
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return
		default:
			d.failAt("after object key:value pair")
			return
		}
	}
}

func (d *Decoder) skipArray(depth int) {
	if depth >= MaxDepth {
		d.fail(d.pos, "exceeded max depth")
		return
	}
	d.pos++
	if d.next() == ']' {
		d.pos++
		return
	}
	for {
		d.skip(depth + 1)
		if d.err != nil {
			return
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return
		default:
			d.failAt("after array element")
			return
		}
	}
}
