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

// testKnown is a fixed list of known releases for the tests of the
// availability rules, so that they do not depend on the folders of
// schemas/.
var testKnown = []Version{{16, 30, 1}, {18, 26, 4}, {20, 20, 1}, {21, 12, 3}, {22, 10, 1}, {23, 4, 1}}

// lines returns the releases of testKnown of the given lines.
func lines(majors ...int) []Version {
	var out []Version
	for _, r := range testKnown {
		for _, m := range majors {
			if r.Major == m {
				out = append(out, r)
			}
		}
	}
	return out
}

func TestKnownReleases(t *testing.T) {
	kr := KnownReleases()
	require.NotEmpty(t, kr)
	require.Len(t, kr, len(knownReleases))
	for i := 1; i < len(kr); i++ {
		assert.Less(t, kr[i-1].Major, kr[i].Major, "one release per line, oldest first: %v", kr)
	}
	kr[0] = Version{1, 2, 3}
	assert.NotEqual(t, kr[0], KnownReleases()[0], "KnownReleases returns a copy")
}

func TestAvailabilityUniversal(t *testing.T) {
	all := testKnown
	tests := []struct {
		name string
		a    Availability
		want bool
	}{
		{"all releases", Availability{Releases: all}, true},
		{"all lines, other patches", Availability{Releases: []Version{{16, 0, 0}, {18, 1, 0}, {20, 2, 0}, {21, 3, 0}, {22, 4, 0}, {23, 5, 0}}}, true},
		{"since an older line", Availability{Releases: all, Since: []Version{{12, 0, 0}, {13, 26, 0}}}, true},
		{"since the start of the oldest line", Availability{Releases: all, Since: []Version{{16, 0, 0}}}, true},
		{"since a patch of the oldest line", Availability{Releases: all, Since: []Version{{13, 26, 0}, {16, 3, 0}}}, false},
		{"missing in the oldest line", Availability{Releases: all[1:]}, false},
		{"missing in a middle line", Availability{Releases: lines(16, 18, 20, 22, 23)}, false},
		{"none", Availability{}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.a.universal(testKnown), tt.name)
	}
	assert.False(t, Availability{Releases: all}.universal(nil), "no known release")
}

func TestAvailabilityIn(t *testing.T) {
	// Like channels.progress: 20.16, 21.11, 22.6, and every 23.
	progress := Availability{
		Releases: lines(20, 21, 22, 23),
		Since:    []Version{{20, 16, 0}, {21, 11, 0}, {22, 6, 0}},
	}
	// Like the filter: since 16.3 in every release.
	filter := Availability{Releases: testKnown, Since: []Version{{13, 26, 0}, {16, 3, 0}}}
	// Only in 18 and later, no since.
	since18 := Availability{Releases: lines(18, 20, 21, 22, 23)}
	// Like channels.getChannelVars: not in 21, which ended before it came.
	not21 := Availability{Releases: lines(20, 22, 23)}

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
		{not21, "20.1.0", true},
		{not21, "21.12.3", false},
		{not21, "22.0.0", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.a.in(MustParseVersion(tt.v), testKnown), "%v in %s", tt.a.Describe(), tt.v)
	}
	// The zero version (unknown) has everything, and so does any version
	// when no release is known.
	assert.True(t, Availability{}.in(Version{}, testKnown))
	assert.True(t, progress.in(Version{}, testKnown))
	assert.True(t, progress.in(Version{16, 0, 0}, nil))
}

// TestAvailabilityKnownReleases checks the rules against the releases this
// build knows, whatever they are.
func TestAvailabilityKnownReleases(t *testing.T) {
	known := KnownReleases()
	newest := known[len(known)-1]
	all := Availability{Releases: known}
	assert.True(t, all.Universal())
	for _, v := range known {
		assert.True(t, all.In(v), "%s", v)
	}
	assert.True(t, all.In(Version{newest.Major + 1, 0, 0}), "a newer line is judged by the newest")
	assert.False(t, Availability{}.Universal())
	if len(known) < 2 {
		return
	}
	newer := Availability{Releases: known[1:]}
	assert.False(t, newer.Universal())
	assert.False(t, newer.In(known[0]))
	assert.True(t, newer.In(known[1]))
	assert.True(t, newer.In(Version{newest.Major + 1, 0, 0}))
}

func TestAvailabilityDescribe(t *testing.T) {
	a := Availability{Releases: []Version{{20, 20, 1}, {22, 10, 1}}, Since: []Version{{20, 17, 0}, {22, 7, 0}}}
	assert.Equal(t, "Asterisk 20.20.1, 22.10.1 (since 20.17.0, 22.7.0)", a.Describe())
	assert.Equal(t, "Asterisk 16.30.1", Availability{Releases: []Version{{16, 30, 1}}}.Describe())
	assert.Equal(t, "no known Asterisk release", Availability{}.Describe())
	assert.True(t, Availability{}.IsZero())
	assert.False(t, a.IsZero())
}
