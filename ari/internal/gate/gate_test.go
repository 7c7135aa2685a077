package gate

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"gostasis.dev/ari"
)

func TestAvail(t *testing.T) {
	known := ari.KnownReleases()
	all := uint64(1)<<uint(len(known)) - 1

	a := Avail(all)
	assert.Equal(t, known, a.Releases)
	assert.Nil(t, a.Since)
	assert.True(t, a.Universal())

	a = Avail(all, "13.26.0", "16.3.0")
	assert.Equal(t, []ari.Version{{Major: 13, Minor: 26}, {Major: 16, Minor: 3}}, a.Since)

	assert.True(t, Avail(0).IsZero())
	assert.True(t, Avail(^all).IsZero(), "bits beyond the known releases are ignored")
	assert.Panics(t, func() { Avail(all, "GIT-master") })

	// Each bit is one known release, oldest first.
	for i, v := range known {
		assert.Equal(t, []ari.Version{v}, Avail(1<<uint(i)).Releases)
	}
	if len(known) >= 3 {
		assert.Equal(t, []ari.Version{known[0], known[2]}, Avail(0b101).Releases)
	}
}

// TestAvailFresh checks that two records share nothing: a caller may
// change one.
func TestAvailFresh(t *testing.T) {
	a, b := Avail(1, "16.3.0"), Avail(1, "16.3.0")
	a.Releases[0].Major, a.Since[0].Major = 99, 99
	assert.NotEqual(t, 99, b.Releases[0].Major)
	assert.NotEqual(t, 99, b.Since[0].Major)
}
