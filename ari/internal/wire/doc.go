// Package wire is the JSON reader and writer that the generated ARI
// decoders and encoders call. It is small, reflection-free and fast: a
// generated decoder for an event walks the input once, field by field, with
// a Decoder, and a generated encoder appends fields to a byte slice with an
// Encoder.
//
// # Rules
//
// Strings are substrings. A Decoder reads a JSON document held in a string.
// Callers convert their input once (s := string(data)) and every string the
// Decoder returns (keys, string values, Raw) is a substring of s, so reading
// it allocates nothing. Only a string that holds escapes (or invalid UTF-8,
// which is replaced by U+FFFD as encoding/json does) is copied.
//
// Errors are sticky. The first error is recorded with its byte offset and the
// object key being decoded; from then on every method is a no-op returning a
// zero value, and Err reports that first error. Generated code therefore
// checks Err once, at the end.
//
// Everything is validated. Skip and Raw check the value they pass over, the
// nesting depth is capped (MaxDepth), and no input makes the Decoder panic.
// Numbers, string escapes, \u surrogate pairs and literals follow RFC 8259
// and decode to the same values as encoding/json.
//
// The Encoder writes exactly what encoding/json writes for strings and
// numbers (HTML-safe escaping, the same float formatting) and inserts commas
// itself.
//
// Dates use Asterisk's layout, 2006-01-02T15:04:05.000-0700 (see ParseTime
// and AppendTime), not RFC 3339.
package wire
