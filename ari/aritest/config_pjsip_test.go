package aritest_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// tuples builds a field list from attribute/value pairs.
func tuples(kv ...string) []ari.ConfigTuple {
	out := make([]ari.ConfigTuple, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ari.ConfigTuple{Attribute: kv[i], Value: kv[i+1]})
	}
	return out
}

// fieldValues returns every value of attribute, in order.
func fieldValues(fields []ari.ConfigTuple, attribute string) []string {
	var out []string
	for _, f := range fields {
		if f.Attribute == attribute {
			out = append(out, f.Value)
		}
	}
	return out
}

// field returns the single value of attribute, failing when it is not
// exactly once in fields.
func field(t *testing.T, fields []ari.ConfigTuple, attribute string) string {
	t.Helper()
	v := fieldValues(fields, attribute)
	require.Len(t, v, 1, "attribute %s", attribute)
	return v[0]
}

type pjsip struct {
	t   *testing.T
	rc  *resources.Client
	ctx context.Context
}

func (p pjsip) put(typ, id string, kv ...string) ([]ari.ConfigTuple, error) {
	return p.rc.Asterisk.UpdateObject(p.ctx, "res_pjsip", typ, id, &resources.AsteriskUpdateObjectParams{Fields: tuples(kv...)})
}

func (p pjsip) mustPut(typ, id string, kv ...string) []ari.ConfigTuple {
	p.t.Helper()
	out, err := p.put(typ, id, kv...)
	require.NoError(p.t, err)
	got, err := p.rc.Asterisk.GetObject(p.ctx, "res_pjsip", typ, id)
	require.NoError(p.t, err)
	require.Equal(p.t, out, got, "GET returns what PUT returned")
	return out
}

// asteriskMessage returns the status and message of an *ari.Error.
func asteriskMessage(t *testing.T, err error) (int, string) {
	t.Helper()
	var ae *ari.Error
	require.ErrorAs(t, err, &ae)
	return ae.Status, ae.Message
}

func TestPJSIPEndpointStorage(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	p := pjsip{t, srv.Resources(), ctx(t)}

	ep := p.mustPut("endpoint", "alice",
		"type", "endpoint",
		"context", "from-phones",
		"disallow", "all",
		"allow", "ULAW, alaw:20",
		"direct_media", "no",
		"rtp_symmetric", "yes",
		"force_rport", "on",
		"rewrite_contact", "1",
		"dtmf_mode", "RFC4733",
		"callerid", `Alice Liddell <(555) 010-1234>`,
		"auth", " alice-auth , other ",
		"identify_by", "IP, username",
		"100rel", "off",
	)
	assert.Equal(t, "from-phones", field(t, ep, "context"))
	assert.Equal(t, "(ulaw|alaw)", field(t, ep, "allow"))
	assert.Empty(t, fieldValues(ep, "disallow"), "disallow has no to-string handler")
	assert.Empty(t, fieldValues(ep, "type"), "type is a no-op field")
	assert.Equal(t, "false", field(t, ep, "direct_media"))
	assert.Equal(t, "true", field(t, ep, "rtp_symmetric"))
	assert.Equal(t, "true", field(t, ep, "force_rport"))
	assert.Equal(t, "true", field(t, ep, "rewrite_contact"))
	assert.Equal(t, "rfc4733", field(t, ep, "dtmf_mode"))
	assert.Equal(t, `"Alice Liddell" <5550101234>`, field(t, ep, "callerid"))
	assert.Equal(t, "alice-auth,other", field(t, ep, "auth"))
	assert.Equal(t, "ip,username", field(t, ep, "identify_by"))
	assert.Equal(t, "no", field(t, ep, "100rel"))
	// Defaults of the fields not given.
	assert.Equal(t, "", field(t, ep, "transport"))
	assert.Equal(t, "false", field(t, ep, "ice_support"))
	assert.Equal(t, "invite", field(t, ep, "direct_media_method"))
	assert.Equal(t, "yes", field(t, ep, "timers"))
	assert.Greater(t, len(ep), 90, "every field of the type is returned")

	// An update applies only the fields given; allow adds to the codecs.
	ep = p.mustPut("endpoint", "alice", "allow", "g722", "direct_media", "banana")
	assert.Equal(t, "(ulaw|alaw|g722)", field(t, ep, "allow"))
	assert.Equal(t, "false", field(t, ep, "direct_media"), "a boolean is false unless ast_true")
	assert.Equal(t, "from-phones", field(t, ep, "context"))
	ep = p.mustPut("endpoint", "alice", "allow", "!all,opus,ulaw")
	assert.Equal(t, "(opus|ulaw)", field(t, ep, "allow"))
	ep = p.mustPut("endpoint", "alice", "allow", "(g722|alaw)")
	assert.Equal(t, "(g722|alaw)", field(t, ep, "allow"), "the printed form replaces the list")
	ep = p.mustPut("endpoint", "alice", "disallow", "all")
	assert.Equal(t, "(nothing)", field(t, ep, "allow"))

	for _, cid := range []struct{ in, want string }{
		{`"Bob" <1002>`, `"Bob" <1002>`},
		{`Bob<1002>`, `"Bob" <1002>`},
		{`1002`, `1002`},
		{`Bob`, `Bob`},
		{`"1002"`, `1002`},
		{`"Say \"hi\"" <1>`, `"Say \"hi\"" <1>`},
	} {
		ep = p.mustPut("endpoint", "alice", "callerid", cid.in)
		assert.Equal(t, cid.want, field(t, ep, "callerid"), cid.in)
	}
}

func TestPJSIPIdentifyMatch(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	p := pjsip{t, srv.Resources(), ctx(t)}

	id := p.mustPut("identify", "alice", "endpoint", "alice",
		"match", "10.0.0.0/8, 192.168.1.77/23,203.0.113.5, 2001:db8::1/64,!198.51.100.0/255.255.255.128,[2001:db8::9]:5060")
	assert.Equal(t, []string{
		"10.0.0.0/255.0.0.0",
		"192.168.0.0/255.255.254.0",
		"203.0.113.5/255.255.255.255",
		"2001:db8::/ffff:ffff:ffff:ffff::",
		"!198.51.100.0/255.255.255.128",
		"2001:db8::9/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	}, fieldValues(id, "match"), "one tuple per entry, address/netmask")
	assert.Equal(t, "true", field(t, id, "srv_lookups"))

	// An update adds to the matches; an empty match changes nothing.
	id = p.mustPut("identify", "alice", "match", "172.16.0.1/12")
	assert.Equal(t, "172.16.0.0/255.240.0.0", fieldValues(id, "match")[6])
	id = p.mustPut("identify", "alice", "match", "")
	assert.Len(t, fieldValues(id, "match"), 7)

	// Every prefix length.
	for n := 0; n <= 32; n++ {
		out := p.mustPut("identify", "v4", "endpoint", "x", "match", "255.255.255.255/"+strconv.Itoa(n))
		got := fieldValues(out, "match")
		mask := uint32(0)
		if n > 0 {
			mask = ^uint32(0) << (32 - n)
		}
		want := dotted(mask) + "/" + dotted(mask)
		assert.Equal(t, want, got[len(got)-1], "/%d", n)
	}

	_, err := p.put("identify", "bad", "endpoint", "x", "match", "pbx.example.com")
	status, msg := asteriskMessage(t, err)
	assert.Equal(t, 400, status)
	assert.Equal(t, "Creation of object 'bad' failed field value validation", msg)
	_, err = p.put("identify", "bad", "endpoint", "x", "match", "10.0.0.0/33")
	status, _ = asteriskMessage(t, err)
	assert.Equal(t, 400, status)
	_, err = p.put("identify", "bad", "match", "10.0.0.0/8")
	status, _ = asteriskMessage(t, err)
	assert.Equal(t, 400, status, "an identify needs an endpoint")
	_, err = p.put("identify", "bad", "endpoint", "x")
	status, _ = asteriskMessage(t, err)
	assert.Equal(t, 400, status, "an identify needs something to match")
}

// dotted prints a 32-bit mask as a dotted quad.
func dotted(m uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&255, m>>8&255, m&255)
}

func TestPJSIPAORAndAuth(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	p := pjsip{t, srv.Resources(), ctx(t)}

	aor := p.mustPut("aor", "alice", "max_contacts", "010", "qualify_timeout", "2.5", "remove_existing", "yes",
		"contact", "sip:alice@192.0.2.10:5060, sip:alice@192.0.2.11:5060")
	assert.Equal(t, "8", field(t, aor, "max_contacts"), "strtoul base 0: 010 is octal")
	assert.Equal(t, "2.500000", field(t, aor, "qualify_timeout"))
	assert.Equal(t, "true", field(t, aor, "remove_existing"))
	assert.Equal(t, "3600", field(t, aor, "default_expiration"))
	assert.ElementsMatch(t, []string{"sip:alice@192.0.2.10:5060", "sip:alice@192.0.2.11:5060"}, fieldValues(aor, "contact"))
	aor = p.mustPut("aor", "alice", "contact", "sip:alice@192.0.2.10:5060,sip:alice@192.0.2.12")
	assert.Len(t, fieldValues(aor, "contact"), 3, "contacts accumulate, without duplicates")

	empty := p.mustPut("aor", "bob", "max_contacts", "1")
	assert.Empty(t, fieldValues(empty, "contact"), "no contact, no tuple")

	_, err := p.put("aor", "bob", "max_contacts", "-1")
	status, msg := asteriskMessage(t, err)
	assert.Equal(t, 400, status)
	assert.Equal(t, "Update of object 'bob' failed field value validation", msg)
	_, err = p.put("aor", "bob", "contact", "alice@192.0.2.1")
	status, _ = asteriskMessage(t, err)
	assert.Equal(t, 400, status)

	auth := p.mustPut("auth", "alice", "auth_type", "UserPass", "username", "alice", "password", "s3cret")
	assert.Equal(t, "userpass", field(t, auth, "auth_type"))
	assert.Equal(t, "s3cret", field(t, auth, "password"))
	assert.Equal(t, "32", field(t, auth, "nonce_lifetime"))
	_, err = p.put("auth", "md5", "auth_type", "md5", "username", "u")
	status, _ = asteriskMessage(t, err)
	assert.Equal(t, 400, status, "md5 needs md5_cred")
}

func TestDynamicConfigErrors(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	p := pjsip{t, srv.Resources(), ctx(t)}
	reg := srv.DynamicConfig()

	// An unknown field fails the whole request and changes nothing.
	p.mustPut("endpoint", "alice", "context", "a")
	_, err := p.put("endpoint", "alice", "context", "b", "no_such_field", "x")
	status, msg := asteriskMessage(t, err)
	assert.Equal(t, 400, status)
	assert.Equal(t, "Update of object 'alice' failed field value validation", msg)
	got, err := p.rc.Asterisk.GetObject(p.ctx, "res_pjsip", "endpoint", "alice")
	require.NoError(t, err)
	assert.Equal(t, "a", field(t, got, "context"))
	_, err = p.put("endpoint", "bob", "dtmf_mode", "smoke-signals")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 400, status)
	assert.Equal(t, "Creation of object 'bob' failed field value validation", msg)

	// Not loaded.
	_, err = p.rc.Asterisk.GetObject(p.ctx, "res_nosuch", "thing", "x")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "configClass 'res_nosuch' not found", msg)
	_, err = p.put("registration", "x", "a", "b")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "objectType 'registration' not found", msg)
	_, err = p.rc.Asterisk.GetObject(p.ctx, "res_pjsip", "endpoint", "nobody")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 404, status)
	assert.Equal(t, "Object with id 'nobody' not found", msg)

	// Static: backed by pjsip.conf only.
	require.NoError(t, reg.Load("res_pjsip", "endpoint", "static", tuples("context", "from-conf", "direct_media", "no")))
	got, err = p.rc.Asterisk.GetObject(p.ctx, "res_pjsip", "endpoint", "static")
	require.NoError(t, err)
	assert.Equal(t, "false", field(t, got, "direct_media"))
	_, err = p.put("endpoint", "static", "context", "x")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 403, status)
	assert.Equal(t, "Could not update sorcery object 'static'", msg)
	err = p.rc.Asterisk.DeleteObject(p.ctx, "res_pjsip", "endpoint", "static")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 403, status)
	assert.Equal(t, "Could not delete object 'static'", msg)

	typ, ok := reg.Type("res_pjsip", "aor")
	require.True(t, ok)
	typ.Static = true
	reg.Register(typ)
	_, err = p.put("aor", "new", "max_contacts", "1")
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 403, status)
	assert.Equal(t, "Cannot create sorcery objects of type 'aor'", msg)
	_, err = p.put("aor", "new", "max_contacts", "x")
	status, _ = asteriskMessage(t, err)
	assert.Equal(t, 400, status, "fields are validated before the wizard refuses")

	// A read-only ARI user.
	viewer, err := ari.NewClient(ari.Config{URL: srv.URL, Username: "viewer", Password: "viewer", Version: "22.10.1"})
	require.NoError(t, err)
	vrc := resources.New(viewer)
	_, err = vrc.Asterisk.GetObject(p.ctx, "res_pjsip", "endpoint", "alice")
	require.NoError(t, err)
	_, err = vrc.Asterisk.UpdateObject(p.ctx, "res_pjsip", "endpoint", "alice", &resources.AsteriskUpdateObjectParams{Fields: tuples("context", "c")})
	status, msg = asteriskMessage(t, err)
	assert.Equal(t, 403, status)
	assert.Equal(t, "Write access denied", msg)

	// A restart loses what was created over ARI, not what was loaded.
	srv.Restart()
	_, err = p.rc.Asterisk.GetObject(p.ctx, "res_pjsip", "endpoint", "alice")
	assert.ErrorIs(t, err, ari.ErrNotFound)
	_, err = p.rc.Asterisk.GetObject(p.ctx, "res_pjsip", "endpoint", "static")
	assert.NoError(t, err)
	assert.Equal(t, []string{"static"}, reg.IDs("res_pjsip", "endpoint"))
}
