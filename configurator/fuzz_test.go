package configurator_test

import (
	"testing"

	"gostasis.dev/configurator"
)

// fuzzIdempotent fuzzes N(N(v)) == N(v): a normalised value must compare
// equal to itself, or a reconcile would rewrite it at every run.
func fuzzIdempotent(f *testing.F, n configurator.Normalizer) {
	for _, v := range idempotenceSeeds {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		once := n(v)
		if twice := n(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", v, once, twice)
		}
	})
}

func FuzzNormalizeTrim(f *testing.F)      { fuzzIdempotent(f, configurator.NormalizeTrim) }
func FuzzNormalizeLower(f *testing.F)     { fuzzIdempotent(f, configurator.NormalizeLower) }
func FuzzNormalizeBool(f *testing.F)      { fuzzIdempotent(f, configurator.NormalizeBool) }
func FuzzNormalizeUint(f *testing.F)      { fuzzIdempotent(f, configurator.NormalizeUint) }
func FuzzNormalizeFloat(f *testing.F)     { fuzzIdempotent(f, configurator.NormalizeFloat) }
func FuzzNormalizeList(f *testing.F)      { fuzzIdempotent(f, configurator.NormalizeList) }
func FuzzNormalizeLowerList(f *testing.F) { fuzzIdempotent(f, configurator.NormalizeLowerList) }
func FuzzNormalizeSet(f *testing.F)       { fuzzIdempotent(f, configurator.NormalizeSet) }
func FuzzNormalizeCodecs(f *testing.F)    { fuzzIdempotent(f, configurator.NormalizeCodecs) }
func FuzzNormalizeCallerID(f *testing.F)  { fuzzIdempotent(f, configurator.NormalizeCallerID) }
func FuzzNormalizeMatch(f *testing.F)     { fuzzIdempotent(f, configurator.NormalizeMatch) }

// FuzzDefaultRules fuzzes the rules of DefaultNormalizers that have no
// exported normaliser (100rel, timers, direct_media_method), all on each
// input.
func FuzzDefaultRules(f *testing.F) {
	n := configurator.DefaultNormalizers()
	for _, v := range idempotenceSeeds {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, field := range []string{"100rel", "timers", "direct_media_method"} {
			once := n.Normalize(configurator.PJSIP, "endpoint", field, v)
			if twice := n.Normalize(configurator.PJSIP, "endpoint", field, once); twice != once {
				t.Fatalf("%s not idempotent: %q -> %q -> %q", field, v, once, twice)
			}
		}
	})
}
