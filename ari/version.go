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

// KnownReleases lists the Asterisk releases whose API description this
// build was generated from, oldest first: the last release of each line.
func KnownReleases() []Version {
	out := make([]Version, len(knownReleases))
	copy(out, knownReleases[:])
	return out
}

// Availability records which Asterisk releases have an operation, a
// parameter or an event. Releases comes from comparing the API
// descriptions of the known releases; Since is what Asterisk's own
// description says (its "since" list), used to refine a release line.
//
// The zero Availability carries no information: version checks accept it.
type Availability struct {
	// Releases lists the known releases (see KnownReleases) whose API
	// description has the element, oldest first. Only each release's line
	// (its Major number) counts.
	Releases []Version
	// Since is Asterisk's own "since" list for the element, oldest first;
	// empty when the description has none.
	Since []Version
}

// IsZero reports whether a is the zero Availability, which carries no
// information.
func (a Availability) IsZero() bool { return len(a.Releases) == 0 && len(a.Since) == 0 }

// Universal reports whether every release from the oldest known line on has
// the element, so that no version check is needed.
func (a Availability) Universal() bool { return a.universal(knownReleases[:]) }

func (a Availability) universal(known []Version) bool {
	if len(known) == 0 {
		return false
	}
	for _, r := range known {
		if !a.hasLine(r.Major) {
			return false
		}
	}
	oldest := known[0].Major
	for _, s := range a.Since {
		if s.Major >= oldest && (s.Minor != 0 || s.Patch != 0) {
			return false
		}
	}
	return true
}

// hasLine reports whether a release of line major is in a.Releases.
func (a Availability) hasLine(major int) bool {
	for _, r := range a.Releases {
		if r.Major == major {
			return true
		}
	}
	return false
}

// In reports whether an Asterisk of version v has the element.
//
// A version of a known line is judged by that line's description, refined
// by Asterisk's "since" entry for the same line when there is one (a feature
// added in 20.16 is not in 20.15). A line this build does not know is judged
// by the closest older known line (nothing is ever removed from ARI), and a
// line older than every known one by the oldest. The zero Version (unknown)
// has everything.
func (a Availability) In(v Version) bool { return a.in(v, knownReleases[:]) }

func (a Availability) in(v Version, known []Version) bool {
	if v.IsZero() || len(known) == 0 {
		return true
	}
	line := known[0].Major
	for _, r := range known {
		if r.Major <= v.Major {
			line = r.Major
		}
	}
	if !a.hasLine(line) {
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
	s := "no known Asterisk release"
	if len(a.Releases) > 0 {
		s = "Asterisk " + joinVersions(a.Releases)
	}
	if len(a.Since) > 0 {
		s += " (since " + joinVersions(a.Since) + ")"
	}
	return s
}

// joinVersions lists vs as "20.20.1, 22.10.1".
func joinVersions(vs []Version) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	return strings.Join(names, ", ")
}
