package ari

import "strconv"

// Query builds an encoded query string for Request.Query. The zero value
// is an empty query, ready to use:
//
//	var q ari.Query
//	q.Add("endpoint", "PJSIP/alice")
//	q.AddList("media", []string{"sound:hello-world", "sound:vm-goodbye"})
//	r := &ari.Request{Op: op, Path: "/channels", Query: q.Encode()}
//
// Names and values are percent-encoded (a space is %20); parameters appear
// in the order they were added.
type Query struct {
	b []byte
}

// sep starts a new name=value pair.
func (q *Query) sep(name string) {
	if len(q.b) > 0 {
		q.b = append(q.b, '&')
	} else if q.b == nil {
		q.b = make([]byte, 0, 64)
	}
	q.b = appendQueryEscape(q.b, name)
	q.b = append(q.b, '=')
}

// Add adds name=value.
func (q *Query) Add(name, value string) {
	q.sep(name)
	q.b = appendQueryEscape(q.b, value)
}

// AddInt adds name=v in decimal.
func (q *Query) AddInt(name string, v int64) {
	q.sep(name)
	q.b = strconv.AppendInt(q.b, v, 10)
}

// AddBool adds name=true or name=false.
func (q *Query) AddBool(name string, v bool) {
	q.sep(name)
	q.b = strconv.AppendBool(q.b, v)
}

// AddList adds a parameter that takes several values (allowMultiple in the
// API description) the way Asterisk reads it: one name with the values
// joined by literal commas, e.g. app=a,b. Each value is escaped, so a comma
// inside a value is sent as %2C; note that Asterisk splits the list after
// decoding, so it still reads such a comma as a separator. An empty list
// adds nothing.
func (q *Query) AddList(name string, vs []string) {
	if len(vs) == 0 {
		return
	}
	q.sep(name)
	for i, v := range vs {
		if i > 0 {
			q.b = append(q.b, ',')
		}
		q.b = appendQueryEscape(q.b, v)
	}
}

// Len returns the length of the encoded query in bytes.
func (q *Query) Len() int { return len(q.b) }

// Reset empties q, keeping its buffer.
func (q *Query) Reset() { q.b = q.b[:0] }

// Encode returns the encoded query, without a leading '?'.
func (q *Query) Encode() string { return string(q.b) }
