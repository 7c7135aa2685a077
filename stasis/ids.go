package stasis

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns a random id for a channel, bridge, playback or recording
// the app names itself (so that it can register it before asking Asterisk
// to create it): 32 hex digits.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
