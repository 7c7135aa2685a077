// Package presence records which optional scalar members of a generated
// model were present in the JSON it was decoded from, so that a member
// Asterisk sent with its zero value ("duration": 0) is written back.
//
// Models in package ari embed a Set through an unexported alias: its
// methods are reachable by the generated codecs of package events, which
// decode ari models inline, yet are not part of any documented API.
package presence

// Set is a set of members, one bit each, numbered by the generator in the
// order of the model's optional scalar members.
type Set struct{ bits uint64 }

// MarkBit records the members of bit as present.
func (s *Set) MarkBit(bit uint64) { s.bits |= bit }

// HasBit reports whether any member of bit was recorded.
func (s *Set) HasBit(bit uint64) bool { return s.bits&bit != 0 }
