package configurator_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
	"gostasis.dev/configurator"
)

// TestNormalizersAgreeWithSimulator writes values into the simulated
// Asterisk, whose storage rules are written independently from Asterisk's
// sources, and checks that the configurator's rules see what Asterisk
// stored as equal to what was written, and that Asterisk's own output is
// already normal (so that the next run compares equal).
func TestNormalizersAgreeWithSimulator(t *testing.T) {
	srv := newEnv(t).srv
	rc := srv.Resources()
	n := configurator.DefaultNormalizers()
	type tc struct{ typ, field, value string }
	var cases []tc
	add := func(typ, field string, values ...string) {
		for _, v := range values {
			cases = append(cases, tc{typ, field, v})
		}
	}
	add("endpoint", "direct_media", "yes", "no", "YES", "On", "off", "1", "0", "true", "False", "y", "t", "maybe")
	add("endpoint", "rtp_symmetric", "yes", "no")
	add("endpoint", "allow", "ulaw", "ulaw,alaw", "!all,ulaw,alaw", "ULAW, ALAW", "g722|opus", "(ulaw|alaw)",
		"ulaw:20,alaw:30", "ulaw,ulaw", "ulaw,!ulaw", "!all", "opus,ulaw,!opus,alaw")
	add("endpoint", "dtmf_mode", "RFC4733", "info", "Auto_Info", "none")
	add("endpoint", "callerid", `Alice <1001>`, `"Alice" <1001>`, `1001`, `Alice`, `"1001"`, `Alice Liddell <+1 (555) 010-1234>`, `"Say \"hi\"" <1>`, "", `"`, `""`, `"Alice <1001>"`)
	add("endpoint", "auth", "a", "a,b", " a , b ", "a,,b")
	add("endpoint", "identify_by", "username,ip", "IP", "ip, username")
	add("endpoint", "100rel", "yes", "no", "required", "PEER_SUPPORTED", "on")
	add("endpoint", "timers", "yes", "no", "required", "always", "forced")
	add("endpoint", "direct_media_method", "invite", "reinvite", "UPDATE")
	add("endpoint", "media_encryption", "no", "SDES", "dtls")
	add("endpoint", "device_state_busy_at", "0", "3", "010", "0x10")
	add("endpoint", "context", "from-phones", " from-phones ")
	add("aor", "max_contacts", "1", "01", "010", "0x1F")
	add("aor", "qualify_timeout", "3", "2.5", "0.125", "10")
	add("aor", "remove_existing", "yes", "no")
	add("aor", "contact", "sip:a@192.0.2.1", "sip:a@192.0.2.1,sip:b@192.0.2.2,sip:c@192.0.2.3", " sip:c@x , sip:a@x ")
	add("auth", "auth_type", "userpass", "MD5", "Digest")
	add("auth", "nonce_lifetime", "32", "064")
	for p := 0; p <= 32; p++ {
		add("identify", "match", fmt.Sprintf("203.0.113.159/%d", p))
	}
	for _, p := range []int{0, 1, 10, 31, 32, 33, 48, 63, 64, 65, 96, 127, 128} {
		add("identify", "match", fmt.Sprintf("2001:db8:abcd:1234:5678:9abc:def0:ffff/%d", p))
	}
	add("identify", "match", "192.0.2.1", "192.0.2.1/255.255.255.0", "!192.0.2.0/24", "2001:db8::1",
		" 10.0.0.0/8 , 192.0.2.7,2001:db8::/32", "192.0.2.9:5060", "[2001:db8::9]:5060", "::ffff:192.0.2.1",
		"10.0.0.0/8,10.0.0.0/8")
	add("identify", "srv_lookups", "no", "yes")

	for i, c := range cases {
		id := fmt.Sprintf("case%d", i)
		fields := []ari.ConfigTuple{{Attribute: c.field, Value: c.value}}
		if c.typ == "identify" && c.field != "match" {
			fields = append(fields, ari.ConfigTuple{Attribute: "match", Value: "192.0.2.1"})
		}
		if c.typ == "identify" {
			fields = append(fields, ari.ConfigTuple{Attribute: "endpoint", Value: "e"})
		}
		if c.typ == "auth" && strings.EqualFold(c.value, "md5") {
			fields = append(fields, ari.ConfigTuple{Attribute: "md5_cred", Value: strings.Repeat("0", 32)})
		}
		out, err := rc.Asterisk.UpdateObject(ctx(t), "res_pjsip", c.typ, id, &resources.AsteriskUpdateObjectParams{Fields: fields})
		require.NoError(t, err, "%s %s=%q", c.typ, c.field, c.value)
		var stored []string
		for _, f := range out {
			if f.Attribute == c.field {
				stored = append(stored, f.Value)
			}
		}
		got := strings.Join(stored, ",")
		rule := n.Rule("res_pjsip", c.typ, c.field)
		norm := func(v string) string {
			if rule.Accumulate {
				return configurator.NormalizeSet(rule.Normalize(v)) // compared as sets
			}
			return n.Normalize("res_pjsip", c.typ, c.field, v)
		}
		assert.Equal(t, norm(c.value), norm(got), "%s %s=%q stored as %q", c.typ, c.field, c.value, got)
		if !rule.Accumulate && c.field != "context" {
			assert.Equal(t, got, norm(got), "%s %s: Asterisk's output %q is normal", c.typ, c.field, got)
		}
	}
}
