// Package gate builds the availability records of the generated tables of
// packages resources and events (which Asterisk releases have each
// operation, parameter and event, for version gating and documentation)
// from the compact form the generator writes.
//
// It is plumbing for generated code: the release sets it reads are bit
// sets over the releases of this build, which mean nothing outside it.
// Users see the result as ari.Availability, a list of versions.
package gate

import "gostasis.dev/ari"

// Avail returns the availability of an element that the known releases in
// releases have, bit i standing for ari.KnownReleases()[i] (the generator
// numbers the releases of schemas/ alike, oldest first), and that
// Asterisk's own description says came in the versions of since
// ("20.16.0"). Bits beyond the known releases are ignored.
//
// since holds constants written by the generator: a malformed one panics,
// as ari.MustParseVersion does.
func Avail(releases uint64, since ...string) ari.Availability {
	var a ari.Availability
	for i, r := range ari.KnownReleases() {
		if i < 64 && releases&(1<<uint(i)) != 0 {
			a.Releases = append(a.Releases, r)
		}
	}
	if len(since) > 0 {
		a.Since = make([]ari.Version, len(since))
		for i, s := range since {
			a.Since[i] = ari.MustParseVersion(s)
		}
	}
	return a
}
