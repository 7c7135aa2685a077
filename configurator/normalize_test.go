package configurator_test

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"gostasis.dev/configurator"
)

// v4Mask computes an IPv4 netmask with shifts, independently of the
// package.
func v4Mask(n int) uint32 {
	if n == 0 {
		return 0
	}
	return ^uint32(0) << (32 - n)
}

func quad(m uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&255, m>>8&255, m&255)
}

func TestMatchEveryIPv4Prefix(t *testing.T) {
	const addr = 0xCB00719F // 203.0.113.159: bits set on both sides of every byte boundary
	for n := 0; n <= 32; n++ {
		mask := v4Mask(n)
		want := quad(addr&mask) + "/" + quad(mask)
		assert.Equal(t, want, configurator.NormalizeMatch(fmt.Sprintf("%s/%d", quad(addr), n)), "/%d", n)
		// The dotted form Asterisk returns normalises to itself.
		assert.Equal(t, want, configurator.NormalizeMatch(want), "/%d dotted", n)
		// Against the standard library too.
		assert.Equal(t, net.IP(net.CIDRMask(n, 32)).String(), configurator.PrefixNetmask(n, false).String(), "/%d", n)
		p, ok := configurator.NetmaskPrefix(configurator.PrefixNetmask(n, false))
		assert.True(t, ok)
		assert.Equal(t, n, p)
	}
	// The ones ex_ari got wrong, spelt out.
	for in, want := range map[string]string{
		"10.1.2.3/1":      "0.0.0.0/128.0.0.0",
		"10.1.2.3/7":      "10.0.0.0/254.0.0.0",
		"10.1.2.3/9":      "10.0.0.0/255.128.0.0",
		"172.31.200.1/12": "172.16.0.0/255.240.0.0",
		"10.1.255.3/17":   "10.1.128.0/255.255.128.0",
		"192.168.1.77/23": "192.168.0.0/255.255.254.0",
		"192.0.2.200/25":  "192.0.2.128/255.255.255.128",
		"192.0.2.201/31":  "192.0.2.200/255.255.255.254",
		"192.0.2.201/30":  "192.0.2.200/255.255.255.252",
		"0.0.0.0/0":       "0.0.0.0/0.0.0.0",
		"192.0.2.1/32":    "192.0.2.1/255.255.255.255",
	} {
		assert.Equal(t, want, configurator.NormalizeMatch(in), in)
	}
}

func TestMatchIPv6Prefixes(t *testing.T) {
	addr := netip.MustParseAddr("2001:db8:abcd:1234:5678:9abc:def0:ffff")
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 96, 100, 112, 120, 127, 128} {
		mask := net.IP(net.CIDRMask(n, 128))
		masked := netip.PrefixFrom(addr, n).Masked().Addr()
		want := masked.String() + "/" + mask.String()
		assert.Equal(t, want, configurator.NormalizeMatch(fmt.Sprintf("%s/%d", addr, n)), "/%d", n)
		assert.Equal(t, want, configurator.NormalizeMatch(want), "/%d netmask form", n)
		p, ok := configurator.NetmaskPrefix(configurator.PrefixNetmask(n, true))
		assert.True(t, ok)
		assert.Equal(t, n, p)
	}
	for in, want := range map[string]string{
		"2001:db8::1":            "2001:db8::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:DB8:0:0::/32":      "2001:db8::/ffff:ffff::",
		"::/0":                   "::/::",
		"fe80::1/10":             "fe80::/ffc0::",
		"::ffff:192.0.2.1":       "192.0.2.1/255.255.255.255",
		"[2001:db8::9]:5060":     "2001:db8::9/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:db8::/ffff:ff00::": "2001:d00::/ffff:ff00::",
	} {
		assert.Equal(t, want, configurator.NormalizeMatch(in), in)
	}
	_, ok := configurator.NetmaskPrefix(netip.MustParseAddr("255.0.255.0"))
	assert.False(t, ok)
}

func TestMatchLists(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"10.0.0.0/8", "10.0.0.0/255.0.0.0"},
		{"192.0.2.5", "192.0.2.5/255.255.255.255"},
		{"192.0.2.5/255.255.255.0", "192.0.2.0/255.255.255.0"},
		{"192.0.2.5:5060", "192.0.2.5/255.255.255.255"},
		{"!198.51.100.0/24", "!198.51.100.0/255.255.255.0"},
		// Several, reordered, spaced, duplicated: one sorted set.
		{" 10.0.0.0/8 ,192.0.2.5, ,10.9.9.9/8", "10.0.0.0/255.0.0.0,192.0.2.5/255.255.255.255"},
		{"192.0.2.5/255.255.255.255,10.0.0.0/255.0.0.0", "10.0.0.0/255.0.0.0,192.0.2.5/255.255.255.255"},
		// Not addresses: compared as they are.
		{"pbx.example.com", "pbx.example.com"},
		{"10.0.0.0/33", "10.0.0.0/33"},
		{"10.0.0.0/ffff::", "10.0.0.0/ffff::"},
		{"", ""},
	} {
		assert.Equal(t, c.want, configurator.NormalizeMatch(c.in), c.in)
	}
}

func TestNormalizers(t *testing.T) {
	for _, c := range []struct {
		name string
		f    configurator.Normalizer
		in   []string
		want string
	}{
		{"true words", configurator.NormalizeBool, []string{"yes", "YES", "true", "True", "on", "1", "y", "t", " yes "}, "true"},
		{"false words", configurator.NormalizeBool, []string{"no", "false", "off", "0", "n", "f", "", "banana"}, "false"},
		{"uint", configurator.NormalizeUint, []string{"8", "010", "0x8", "0X8", "+8", " 8 ", "0010"}, "8"},
		{"uint zero", configurator.NormalizeUint, []string{"0", "00", "0x0"}, "0"},
		{"uint invalid", configurator.NormalizeUint, []string{"-1", " -1 "}, "-1"},
		{"uint not octal", configurator.NormalizeUint, []string{"08"}, "08"},
		{"float", configurator.NormalizeFloat, []string{"3", "3.0", "3.000000", " 3e0"}, "3.000000"},
		{"lower", configurator.NormalizeLower, []string{"RFC4733", " rfc4733", "Rfc4733"}, "rfc4733"},
		{"list", configurator.NormalizeList, []string{"a,b", " a , b ", "a,,b,", "a, b"}, "a,b"},
		{"list order kept", configurator.NormalizeList, []string{"b,a", "b , a"}, "b,a"},
		{"lower list", configurator.NormalizeLowerList, []string{"IP,Username", "ip, username"}, "ip,username"},
		{"set", configurator.NormalizeSet, []string{"sip:b@x,sip:a@x", "sip:a@x, sip:b@x,sip:a@x"}, "sip:a@x,sip:b@x"},
		{"codecs", configurator.NormalizeCodecs, []string{"ulaw,alaw", "!all,ulaw,alaw", "ULAW, alaw", "ulaw|alaw", "(ulaw|alaw)",
			"ulaw:20,alaw", "ulaw,alaw,ulaw", "g722,ulaw,!g722,alaw", "!all,ulaw,alaw,!gsm"}, "(ulaw|alaw)"},
		{"codec order is preference", configurator.NormalizeCodecs, []string{"alaw,ulaw", "!all,alaw,ulaw"}, "(alaw|ulaw)"},
		{"no codec", configurator.NormalizeCodecs, []string{"", "!all", "(nothing)", "ulaw,!ulaw"}, "(nothing)"},
		{"all is kept as is", configurator.NormalizeCodecs, []string{"all", " all"}, "all"},
		{"caller id name and number", configurator.NormalizeCallerID, []string{`Alice <1001>`, `"Alice" <1001>`, `Alice<1001>`,
			` "Alice"  <1001> `, `Alice <10-01>`, `"Alice <1001>"`}, `"Alice" <1001>`},
		{"caller id number", configurator.NormalizeCallerID, []string{"1001", " 1001", "(10) 01", "<1001>"}, "1001"},
		{"caller id name", configurator.NormalizeCallerID, []string{"Alice", `"Alice"`, ` Alice `}, "Alice"},
		{"caller id quoted number is a name", configurator.NormalizeCallerID, []string{`"1001"`}, "1001"},
		{"caller id escapes", configurator.NormalizeCallerID, []string{`"Say \"hi\"" <1>`}, `"Say \"hi\"" <1>`},
		{"caller id unknown", configurator.NormalizeCallerID, []string{"", "<>", " "}, "<unknown>"},
		{"trim", configurator.NormalizeTrim, []string{"x", " x ", "\tx\n"}, "x"},
	} {
		for _, in := range c.in {
			assert.Equal(t, c.want, c.f(in), "%s: %q", c.name, in)
		}
	}
}

func TestDefaultRules(t *testing.T) {
	n := configurator.DefaultNormalizers()
	for _, c := range []struct {
		class, typ, field, in, want string
	}{
		{"res_pjsip", "endpoint", "direct_media", "no", "false"},
		{"res_pjsip", "endpoint", "rtp_symmetric", "On", "true"},
		{"res_pjsip", "endpoint", "dtmf_mode", "AUTO_INFO", "auto_info"},
		{"res_pjsip", "endpoint", "direct_media_method", "reinvite", "invite"},
		{"res_pjsip", "endpoint", "100rel", "true", "yes"},
		{"res_pjsip", "endpoint", "100rel", "0", "no"},
		{"res_pjsip", "endpoint", "100rel", "Required", "required"},
		{"res_pjsip", "endpoint", "timers", "forced", "always"},
		{"res_pjsip", "endpoint", "auth", "a , b", "a,b"},
		{"res_pjsip", "endpoint", "allow", "!all,G722,ulaw", "(g722|ulaw)"},
		{"res_pjsip", "endpoint", "callerid", "Bob <1002>", `"Bob" <1002>`},
		{"res_pjsip", "endpoint", "identify_by", "IP", "ip"},
		{"res_pjsip", "endpoint", "context", " from-phones ", "from-phones"},
		{"res_pjsip", "endpoint", "device_state_busy_at", "02", "2"},
		{"res_pjsip", "aor", "qualify_timeout", "2.5", "2.500000"},
		{"res_pjsip", "aor", "max_contacts", "0x1", "1"},
		{"res_pjsip", "aor", "remove_existing", "yes", "true"},
		{"res_pjsip", "aor", "contact", "sip:b@x , sip:a@x", "sip:a@x,sip:b@x"},
		{"res_pjsip", "auth", "auth_type", "UserPass", "userpass"},
		{"res_pjsip", "identify", "match", "10.0.0.0/8", "10.0.0.0/255.0.0.0"},
		{"res_pjsip", "identify", "srv_lookups", "no", "false"},
		{"res_mwi_external", "mailboxes", "msgs_new", "007", "7"},
		{"res_other", "thing", "direct_media", " no ", "no"}, // unknown: trimmed only
	} {
		assert.Equal(t, c.want, n.Normalize(c.class, c.typ, c.field, c.in), "%s/%s %s=%q", c.class, c.typ, c.field, c.in)
	}
	assert.True(t, n.Rule("res_pjsip", "identify", "match").Accumulate)
	assert.True(t, n.Rule("res_pjsip", "aor", "contact").Accumulate)
	assert.True(t, n.Rule("res_pjsip", "endpoint", "disallow").WriteOnly)
	assert.True(t, n.Rule("res_pjsip", "registration", "type").WriteOnly, "type of every res_pjsip type")
	assert.True(t, n.Rule("res_pjsip", "auth", "password").Secret)
	replace := n.Rule("res_pjsip", "endpoint", "allow").Replace
	assert.Equal(t, "!all,ulaw", replace("ulaw"))
	assert.Equal(t, "!all,ulaw", replace("!all,ulaw"))
	assert.Equal(t, "(ulaw)", replace("(ulaw)"))

	// Lookup order: exact, then any type of the class, then any class.
	n.Set("", "", "colour", configurator.Rule{Normalize: configurator.NormalizeLower})
	n.Set("res_paint", "", "colour", configurator.Rule{Normalize: configurator.NormalizeBool})
	n.Set("res_paint", "wall", "colour", configurator.Rule{Normalize: func(v string) string { return "wall:" + v }})
	assert.Equal(t, "wall:Red", n.Normalize("res_paint", "wall", "colour", "Red"))
	assert.Equal(t, "false", n.Normalize("res_paint", "door", "colour", "Red"))
	assert.Equal(t, "red", n.Normalize("res_other", "door", "colour", "Red"))
}
