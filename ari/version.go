package ari

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an Asterisk release version such as 22.10.1.
type Version struct {
	// Major is the release line, e.g. 22.
	Major int
	// Minor is the release within the line, e.g. 10.
	Minor int
	// Patch is the bug-fix release, e.g. 1.
	Patch int
}

// ParseVersion reads the version Asterisk reports in /asterisk/info
// (system.version): "22.10.1", "20.7-cert3", "22.0.0-rc1",
// "certified-20.7-cert3". Anything after the numeric part is ignored.
// Development builds ("GIT-master-abc123") have no number and give an error.
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "certified-")
	t = strings.TrimPrefix(t, "certified/")
	var parts [3]int
	n := 0
	for n < 3 {
		i := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == 0 {
			break
		}
		v, err := strconv.Atoi(t[:i])
		if err != nil {
			return Version{}, fmt.Errorf("ari: version %q: %w", s, err)
		}
		parts[n] = v
		n++
		t = t[i:]
		if len(t) == 0 || t[0] != '.' {
			break
		}
		t = t[1:]
	}
	if n == 0 {
		return Version{}, fmt.Errorf("ari: version %q has no release number", s)
	}
	return Version{parts[0], parts[1], parts[2]}, nil
}

// MustParseVersion is ParseVersion for constants; it panics on a bad version.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String formats v as "major.minor.patch".
func (v Version) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "." + strconv.Itoa(v.Patch)
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	switch {
	case v.Major != w.Major:
		return cmpInt(v.Major, w.Major)
	case v.Minor != w.Minor:
		return cmpInt(v.Minor, w.Minor)
	default:
		return cmpInt(v.Patch, w.Patch)
	}
}

// IsZero reports whether v is the zero Version (unknown).
func (v Version) IsZero() bool { return v == Version{} }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ReleaseSet is a set of the release lines this build knows (KnownReleases):
// bit i stands for KnownReleases()[i].
type ReleaseSet uint64

// Has reports whether the release at index i of KnownReleases is in s.
func (s ReleaseSet) Has(i int) bool { return i >= 0 && i < 64 && s&(1<<uint(i)) != 0 }

// Versions lists the known releases in s, oldest first.
func (s ReleaseSet) Versions() []Version {
	var out []Version
	for i, v := range knownReleases {
		if s.Has(i) {
			out = append(out, v)
		}
	}
	return out
}

// String lists the releases in s, e.g. "20.20.1, 22.10.1, 23.4.1".
func (s ReleaseSet) String() string {
	vs := s.Versions()
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	return strings.Join(names, ", ")
}

// KnownReleases lists the Asterisk releases whose API description this
// build was generated from, oldest first: the last release of each line.
func KnownReleases() []Version {
	out := make([]Version, len(knownReleases))
	copy(out, knownReleases[:])
	return out
}

// allReleases is the ReleaseSet holding every known release.
func allReleases() ReleaseSet { return ReleaseSet(1)<<uint(len(knownReleases)) - 1 }

// Availability records which Asterisk releases have an operation, a
// parameter, a model, a field or an event. Releases comes from comparing the
// API descriptions of the known releases; Since is what Asterisk's own
// description says (its "since" list), used to refine a release line.
type Availability struct {
	// Releases are the known releases whose description has the element.
	Releases ReleaseSet
	// Since is Asterisk's own "since" list for the element (operations
	// only), oldest first; empty when the description has none.
	Since []Version
}

// Universal reports whether every release from the oldest known line on has
// the element, so that no version check is needed.
func (a Availability) Universal() bool {
	if a.Releases != allReleases() {
		return false
	}
	oldest := knownReleases[0].Major
	for _, s := range a.Since {
		if s.Major >= oldest && (s.Minor != 0 || s.Patch != 0) {
			return false
		}
	}
	return true
}

// In reports whether an Asterisk of version v has the element.
//
// A version of a known line is judged by that line's description, refined
// by Asterisk's "since" entry for the same line when there is one (a feature
// added in 20.16 is not in 20.15). A line this build does not know is judged
// by the closest older known line (nothing is ever removed from ARI), and a
// line older than every known one by the oldest. The zero Version (unknown)
// has everything.
func (a Availability) In(v Version) bool {
	if v.IsZero() {
		return true
	}
	idx := 0
	for i, r := range knownReleases {
		if r.Major <= v.Major {
			idx = i
		}
	}
	if !a.Releases.Has(idx) {
		return false
	}
	for _, s := range a.Since {
		if s.Major == v.Major && v.Compare(s) < 0 {
			return false
		}
	}
	return true
}

// Describe says in words which releases have the element, for errors and
// documentation: "Asterisk 20.20.1, 22.10.1, 23.4.1 (since 20.17.0, 22.7.0)".
func (a Availability) Describe() string {
	s := "Asterisk " + a.Releases.String()
	if len(a.Since) > 0 {
		names := make([]string, len(a.Since))
		for i, v := range a.Since {
			names[i] = v.String()
		}
		s += " (since " + strings.Join(names, ", ") + ")"
	}
	return s
}
