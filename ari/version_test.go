package ari

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		err  bool
	}{
		{"22.10.1", Version{22, 10, 1}, false},
		{" 22.10.1\n", Version{22, 10, 1}, false},
		{"20.7-cert3", Version{20, 7, 0}, false},
		{"certified-20.7-cert3", Version{20, 7, 0}, false},
		{"certified/18.9-cert11", Version{18, 9, 0}, false},
		{"22.0.0-rc1", Version{22, 0, 0}, false},
		{"23", Version{23, 0, 0}, false},
		{"21.1", Version{21, 1, 0}, false},
		{"1.2.3.4", Version{1, 2, 3}, false},
		{"GIT-master-abc123", Version{}, true},
		{"", Version{}, true},
		{"v22.1.0", Version{}, true},
		{"99999999999999999999.1", Version{}, true},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	assert.Panics(t, func() { MustParseVersion("GIT-master") })
	assert.Equal(t, "22.10.1", MustParseVersion("22.10.1").String())
}

func TestVersionCompare(t *testing.T) {
	vs := []Version{{16, 30, 1}, {18, 0, 0}, {20, 9, 9}, {20, 10, 0}, {20, 10, 1}, {22, 0, 0}}
	for i, a := range vs {
		for j, b := range vs {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%s vs %s", a, b)
		}
	}
	assert.True(t, Version{}.IsZero())
	assert.False(t, Version{0, 0, 1}.IsZero())
}

func TestReleaseSet(t *testing.T) {
	kr := KnownReleases()
	require.Len(t, kr, len(knownReleases))
	kr[0] = Version{1, 2, 3}
	assert.NotEqual(t, kr[0], KnownReleases()[0], "KnownReleases returns a copy")

	all := allReleases()
	for i := range knownReleases {
		assert.True(t, all.Has(i))
	}
	assert.False(t, all.Has(len(knownReleases)))
	assert.False(t, all.Has(-1))
	assert.False(t, all.Has(64))
	assert.Equal(t, KnownReleases(), all.Versions())
	assert.Equal(t, "", ReleaseSet(0).String())
	assert.Empty(t, ReleaseSet(0).Versions())
	assert.Equal(t, knownReleases[0].String()+", "+knownReleases[2].String(), ReleaseSet(0b101).String())
}

// The tests below assume the releases of releases_gen.go: 16.30.1,
// 18.26.4, 20.20.1, 21.12.3, 22.10.1, 23.4.1.
func releaseIndex(t *testing.T, major int) int {
	t.Helper()
	for i, r := range knownReleases {
		if r.Major == major {
			return i
		}
	}
	t.Skipf("release line %d is not known to this build", major)
	return -1
}

func setOf(t *testing.T, majors ...int) ReleaseSet {
	t.Helper()
	var s ReleaseSet
	for _, m := range majors {
		s |= 1 << uint(releaseIndex(t, m))
	}
	return s
}

func TestAvailabilityUniversal(t *testing.T) {
	all := allReleases()
	tests := []struct {
		name string
		a    Availability
		want bool
	}{
		{"all releases", Availability{Releases: all}, true},
		{"since an older line", Availability{Releases: all, Since: []Version{{12, 0, 0}, {13, 26, 0}}}, true},
		{"since the start of the oldest line", Availability{Releases: all, Since: []Version{{16, 0, 0}}}, true},
		{"since a patch of the oldest line", Availability{Releases: all, Since: []Version{{13, 26, 0}, {16, 3, 0}}}, false},
		{"missing in one line", Availability{Releases: all &^ 1}, false},
		{"none", Availability{}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.a.Universal(), tt.name)
	}
}

func TestAvailabilityIn(t *testing.T) {
	// Like channels.progress: 20.16, 21.11, 22.6, and every 23.
	progress := Availability{
		Releases: setOf(t, 20, 21, 22, 23),
		Since:    []Version{{20, 16, 0}, {21, 11, 0}, {22, 6, 0}},
	}
	// Like the filter: since 16.3 in every release.
	filter := Availability{Releases: allReleases(), Since: []Version{{13, 26, 0}, {16, 3, 0}}}
	// Only in 18 and later, no since.
	since18 := Availability{Releases: setOf(t, 18, 20, 21, 22, 23)}

	tests := []struct {
		a    Availability
		v    string
		want bool
	}{
		{progress, "22.10.1", true},
		{progress, "22.6.0", true},
		{progress, "22.5.9", false},
		{progress, "22.0.0", false},
		{progress, "20.16.0", true},
		{progress, "20.15.2", false},
		{progress, "21.12.3", true},
		{progress, "23.0.0", true},
		{progress, "24.1.0", true},  // newer line: judged by 23
		{progress, "19.0.0", false}, // unknown older line: judged by 18
		{progress, "18.26.4", false},
		{progress, "16.30.1", false},
		{progress, "13.0.0", false}, // older than every line: judged by 16
		{filter, "16.3.0", true},
		{filter, "16.2.0", false},
		{filter, "13.38.0", true},
		{filter, "22.0.0", true},
		{since18, "18.0.0", true},
		{since18, "17.1.0", false},
		{since18, "16.30.1", false},
		{since18, "19.5.0", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.a.In(MustParseVersion(tt.v)), "%v in %s", tt.a.Describe(), tt.v)
	}
	// The zero version (unknown) has everything.
	assert.True(t, Availability{}.In(Version{}))
	assert.True(t, progress.In(Version{}))
}

func TestAvailabilityDescribe(t *testing.T) {
	a := Availability{Releases: setOf(t, 20, 22), Since: []Version{{20, 17, 0}, {22, 7, 0}}}
	assert.Equal(t, "Asterisk 20.20.1, 22.10.1 (since 20.17.0, 22.7.0)", a.Describe())
	assert.Equal(t, "Asterisk 16.30.1", Availability{Releases: 1}.Describe())
}
