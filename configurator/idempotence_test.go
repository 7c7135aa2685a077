package configurator_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/configurator"
)

// normalizer is one normaliser under test.
type normalizer struct {
	name string
	f    configurator.Normalizer
}

// allNormalizers lists every normaliser: the exported ones, and those of
// DefaultNormalizers that have no exported name.
func allNormalizers() []normalizer {
	n := configurator.DefaultNormalizers()
	field := func(typ, name string) configurator.Normalizer {
		return func(v string) string { return n.Normalize(configurator.PJSIP, typ, name, v) }
	}
	return []normalizer{
		{"Trim", configurator.NormalizeTrim},
		{"Lower", configurator.NormalizeLower},
		{"Bool", configurator.NormalizeBool},
		{"Uint", configurator.NormalizeUint},
		{"Float", configurator.NormalizeFloat},
		{"List", configurator.NormalizeList},
		{"LowerList", configurator.NormalizeLowerList},
		{"Set", configurator.NormalizeSet},
		{"Codecs", configurator.NormalizeCodecs},
		{"CallerID", configurator.NormalizeCallerID},
		{"Match", configurator.NormalizeMatch},
		{"100rel", field("endpoint", "100rel")},
		{"timers", field("endpoint", "timers")},
		{"direct_media_method", field("endpoint", "direct_media_method")},
	}
}

// idempotenceSeeds are values that once broke idempotence, and others
// close to the edges of each normaliser.
var idempotenceSeeds = []string{
	"", " ", "\t", "x", " X ",
	// caller ids
	"<unknown>", " <unknown> ", "<>", "unknown", `"<unknown>"`, `<unknown> <>`, `"`, `""`, `"""`,
	`a\\b`, `a\b`, `a\`, `"\"x\""`, `a<b <>`, `"a" <"1">`, `<"1">`, `"1 2"`, `<a b>`, "<\t1>",
	`Alice <1001>`, `"Say \"hi\"" <1>`, "1001", "+1 (555) 010-1234.", "[1-2]-3", "]-[", "a\x00b <1>", "\x01 <2>",
	strings.Repeat("9", 300) + "a", strings.Repeat(`\"`, 60) + " <1>",
	// codecs
	"::1/64", "(:)", "(nothing)", "nothing", "!all", "all", "ALL:20", "ulaw:20,alaw", "ulaw:", "ulaw:x", "ulaw:-20", "ulaw:-0",
	"ulaw:20:30", "!!ulaw", "(ulaw|alaw", "((ulaw))", "ul aw", "(ulaw|alaw)", "g722,ulaw,!g722,alaw", "İ", "\xff",
	// numbers
	"010", "0x10", "08", "+8", "-1", "4294967296", "3", "2.5", "1e400", "NaN", "-0", "0x1p-2", "1_000", "5e-7",
	// lists and matches
	"a,,b", " b , a ", "10.0.0.0/8,192.0.2.1", "[2001:db8::1]:5060", "!192.0.2.0/24", "!", "1.2.3.4/ 8",
	"::ffff:1.2.3.4/96", "fe80::1%eth0", "1.2.3.4/::ffff:255.0.0.0", "1.2.3.4:5060/8",
	// words
	"yes", "On", "forced", "Required", "reinvite", "\u0130", "\u212a",
}

// TestNormalizersAreIdempotent checks N(N(v)) == N(v) for every
// normaliser on the seeds (FuzzNormalizers explores further), and the
// values the issue reported: NormalizeCallerID("") was "<unknown>", then
// "unknown"; NormalizeCodecs("::1/64") was "(:)", then "(nothing)".
func TestNormalizersAreIdempotent(t *testing.T) {
	for _, n := range allNormalizers() {
		for _, v := range idempotenceSeeds {
			once := n.f(v)
			assert.Equal(t, once, n.f(once), "%s: %q -> %q", n.name, v, once)
		}
	}
	assert.Equal(t, "<unknown>", configurator.NormalizeCallerID(""))
	assert.Equal(t, "<unknown>", configurator.NormalizeCallerID("<unknown>"), "as Asterisk prints no caller id")
	assert.Equal(t, "<unknown>", configurator.NormalizeCallerID(" <unknown> "))
	assert.Equal(t, "unknown", configurator.NormalizeCallerID(`"<unknown>"`), "quoted, it is a name")
	assert.Equal(t, "::1/64", configurator.NormalizeCodecs("::1/64"), "not a codec list: compared as it is")
	assert.Equal(t, "(:)", configurator.NormalizeCodecs("(:)"))
}

// TestCallerIDReadBack checks values Asterisk prints in a form it reads
// back otherwise: each normalises to what Asterisk ends up holding.
func TestCallerIDReadBack(t *testing.T) {
	for in, want := range map[string]string{
		`a\\b`:           "ab", // stored as the name a\b, printed a\b, read back as ab
		`"\"x\""`:        "x",  // the name "x", printed "x", read back as x
		`a<b <>`:         `"a" <b>`,
		`"`:              "<unknown>", // ast_strip_quoted takes a lone quote for a pair
		`""`:             "<unknown>",
		`"1 2"`:          "12", // a quoted name that, printed alone, reads as a number
		`<"1">`:          "1",
		"a\x00b <1>":     "a", // C strings end at NUL
		"\x01Alice\x02":  "Alice",
		`"a\x01" <1>`:    `"ax01" <1>`,
		"\"a\x01\" <1>":  "\"a\\\x01\" <1>",
		`Alice <10-01>`:  `"Alice" <1001>`,
		`"Alice" <1001>`: `"Alice" <1001>`,
	} {
		assert.Equal(t, want, configurator.NormalizeCallerID(in), "%q", in)
	}
	long := strings.Repeat("n", 100) + " <" + strings.Repeat("1", 100) + ">"
	assert.Equal(t, `"`+strings.Repeat("n", 79)+`" <`+strings.Repeat("1", 79)+`>`, configurator.NormalizeCallerID(long), "cut at 79 bytes")
}

// TestCodecsUnreadable checks the allow values NormalizeCodecs compares as
// they are, and the framings it accepts as Asterisk does.
func TestCodecsUnreadable(t *testing.T) {
	for _, v := range []string{"::1/64", "ulaw:x", "ulaw:-20", "ulaw:20:30", "!!ulaw", "ul aw", "ulaw,(alaw)", "(ulaw|alaw", "!:20,alaw",
		"all", "ulaw,ALL", "\u00b5law"} {
		assert.Equal(t, v, configurator.NormalizeCodecs(" "+v+" "), v)
	}
	for in, want := range map[string]string{
		"ulaw:": "(ulaw)", "ulaw: 20": "(ulaw)", "ulaw:+20": "(ulaw)", "ulaw:-0": "(ulaw)", "ulaw:20ms": "(ulaw)",
		"g726aal2,slin16,h263p": "(g726aal2|slin16|h263p)",
	} {
		assert.Equal(t, want, configurator.NormalizeCodecs(in), in)
	}
}

// TestNoCallerIDIsStable reconciles endpoints declared without a caller
// id, as "" and as Asterisk prints it ("<unknown>"), twice: Asterisk
// holds them as declared, so the second Reconcile sends nothing, and
// "<unknown>" is sent as "" (sent as it is, Asterisk would store the
// number "unknown").
func TestNoCallerIDIsStable(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	ep := func(id, callerID string) configurator.Object {
		return configurator.Object{Class: configurator.PJSIP, Type: "endpoint", ID: id, Fields: []configurator.Field{{Name: "callerid", Value: callerID}}}
	}
	require.NoError(t, c.Declare(ep("empty", ""), ep("printed", "<unknown>"), ep("named", "Bob <200>")))
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Len(t, rep.Created, 3)
	assert.Equal(t, "<unknown>", e.object(configurator.PJSIP, "endpoint", "empty")["callerid"])
	assert.Equal(t, "<unknown>", e.object(configurator.PJSIP, "endpoint", "printed")["callerid"])
	var sent []string
	for _, r := range e.rec.take() {
		if r.Method == "PUT" {
			sent = append(sent, r.Body)
		}
	}
	assert.Equal(t, []string{
		`{"fields":[{"attribute":"callerid","value":""}]}`,
		`{"fields":[{"attribute":"callerid","value":""}]}`, // "<unknown>"
		`{"fields":[{"attribute":"callerid","value":"Bob <200>"}]}`,
	}, sent)
	assert.NotContains(t, e.logs.String(), "level=WARN", "Asterisk holds every field as declared")

	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.False(t, rep.Changed(), "%+v", rep)
	assert.Len(t, rep.Unchanged, 3)
}
