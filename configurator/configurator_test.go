package configurator_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
	"gostasis.dev/configurator"
)

const dyn = "/asterisk/config/dynamic/"

// alice is a phone: an aor, an auth, an endpoint and an identify.
func alice() []configurator.Declarable {
	// Declared in the "wrong" order: the configurator writes in
	// dependency order.
	return []configurator.Declarable{
		configurator.Identify{ID: "alice", Endpoint: "alice", Match: []string{"192.0.2.17/28", " 10.1.2.3/8", "2001:db8::1/48"}},
		configurator.Endpoint{ID: "alice", Context: "from-phones", AORs: []string{"alice"}, Auth: []string{"alice"},
			Allow: []string{"ulaw", "alaw"}, DirectMedia: configurator.Ptr(false), RTPSymmetric: configurator.Ptr(true), DTMFMode: "RFC4733",
			CallerID: "Alice <1001>"},
		configurator.Auth{ID: "alice", AuthType: "userpass", Username: "alice", Password: "s3cret"},
		configurator.AOR{ID: "alice", MaxContacts: configurator.Ptr(1), RemoveExisting: configurator.Ptr(true), QualifyTimeout: configurator.Ptr(2.5)},
	}
}

func TestCreateUpdateNoOpPrune(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{Prune: true})
	require.NoError(t, c.Declare(alice()...))

	// Create: read each object (404), then PUT every declared field.
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_pjsip/auth/alice",
		"PUT "+dyn+`res_pjsip/auth/alice {"fields":[{"attribute":"auth_type","value":"userpass"},{"attribute":"username","value":"alice"},{"attribute":"password","value":"s3cret"}]}`,
		"GET "+dyn+"res_pjsip/aor/alice",
		"PUT "+dyn+`res_pjsip/aor/alice {"fields":[{"attribute":"max_contacts","value":"1"},{"attribute":"remove_existing","value":"yes"},{"attribute":"qualify_timeout","value":"2.5"}]}`,
		"GET "+dyn+"res_pjsip/endpoint/alice",
		"PUT "+dyn+`res_pjsip/endpoint/alice {"fields":[{"attribute":"context","value":"from-phones"},{"attribute":"aors","value":"alice"},{"attribute":"auth","value":"alice"},{"attribute":"allow","value":"!all,ulaw,alaw"},{"attribute":"dtmf_mode","value":"RFC4733"},{"attribute":"direct_media","value":"no"},{"attribute":"rtp_symmetric","value":"yes"},{"attribute":"callerid","value":"Alice <1001>"}]}`,
		"GET "+dyn+"res_pjsip/identify/alice",
		"PUT "+dyn+`res_pjsip/identify/alice {"fields":[{"attribute":"endpoint","value":"alice"},{"attribute":"match","value":"192.0.2.17/28, 10.1.2.3/8,2001:db8::1/48"}]}`,
	)
	ref := func(typ string) configurator.Ref { return configurator.Ref{Class: "res_pjsip", Type: typ, ID: "alice"} }
	assert.Equal(t, configurator.Report{Created: []configurator.Ref{ref("auth"), ref("aor"), ref("endpoint"), ref("identify")}}, rep)
	ep := e.object("res_pjsip", "endpoint", "alice")
	assert.Equal(t, "(ulaw|alaw)", ep["allow"])
	assert.Equal(t, "false", ep["direct_media"])
	assert.Equal(t, `"Alice" <1001>`, ep["callerid"])
	assert.Equal(t, "192.0.2.16/255.255.255.240,10.0.0.0/255.0.0.0,2001:db8::/ffff:ffff:ffff::", e.object("res_pjsip", "identify", "alice")["match"])
	assert.NotContains(t, e.logs.String(), "level=WARN", "Asterisk holds every field as declared")

	// No-op: Asterisk returns "false", "(ulaw|alaw)", "10.0.0.0/255.0.0.0",
	// "2.500000"...: all equal to the declaration once normalised.
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_pjsip/auth/alice",
		"GET "+dyn+"res_pjsip/aor/alice",
		"GET "+dyn+"res_pjsip/endpoint/alice",
		"GET "+dyn+"res_pjsip/identify/alice",
	)
	assert.Equal(t, configurator.Report{Unchanged: []configurator.Ref{ref("auth"), ref("aor"), ref("endpoint"), ref("identify")}}, rep)
	assert.False(t, rep.Changed())

	// Update: only the fields that differ are sent; allow is sent so that
	// it replaces the codecs.
	decl := alice()
	ed := decl[1].(configurator.Endpoint)
	ed.DirectMedia = configurator.Ptr(true)
	ed.Allow = []string{"g722", "ulaw"}
	ed.CallerID = `"Alice" <1001>` // the same as before, written otherwise
	ed.DTMFMode = "rfc4733"
	decl[1] = ed
	aor := decl[3].(configurator.AOR)
	aor.MaxContacts = configurator.Ptr(2)
	decl[3] = aor
	require.NoError(t, c.Declare(decl...))
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_pjsip/auth/alice",
		"GET "+dyn+"res_pjsip/aor/alice",
		"PUT "+dyn+`res_pjsip/aor/alice {"fields":[{"attribute":"max_contacts","value":"2"}]}`,
		"GET "+dyn+"res_pjsip/endpoint/alice",
		"PUT "+dyn+`res_pjsip/endpoint/alice {"fields":[{"attribute":"allow","value":"!all,g722,ulaw"},{"attribute":"direct_media","value":"yes"}]}`,
		"GET "+dyn+"res_pjsip/identify/alice",
	)
	assert.Equal(t, configurator.Report{
		Updated: []configurator.Update{
			{Ref: ref("aor"), Changes: []configurator.Change{{Field: "max_contacts", Old: "1", New: "2"}}},
			{Ref: ref("endpoint"), Changes: []configurator.Change{
				{Field: "allow", Old: "(ulaw|alaw)", New: "(g722|ulaw)"},
				{Field: "direct_media", Old: "false", New: "true"},
			}},
		},
		Unchanged: []configurator.Ref{ref("auth"), ref("identify")},
	}, rep)
	assert.Equal(t, "(g722|ulaw)", e.object("res_pjsip", "endpoint", "alice")["allow"])

	// Prune: the identify is no longer declared; it is deleted after the
	// writes. Something nobody declared stays.
	_, err = e.srv.Resources().Asterisk.UpdateObject(ctx(t), "res_pjsip", "identify", "bob",
		&resources.AsteriskUpdateObjectParams{Fields: []ari.ConfigTuple{{Attribute: "endpoint", Value: "bob"}, {Attribute: "match", Value: "198.51.100.1"}}})
	require.NoError(t, err)
	require.NoError(t, c.Set(decl[1:]...))
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_pjsip/auth/alice",
		"GET "+dyn+"res_pjsip/aor/alice",
		"GET "+dyn+"res_pjsip/endpoint/alice",
		"DELETE "+dyn+"res_pjsip/identify/alice",
	)
	assert.Equal(t, []configurator.Ref{ref("identify")}, rep.Deleted)
	assert.Len(t, rep.Unchanged, 3)
	assert.Equal(t, []string{"bob"}, e.srv.DynamicConfig().IDs("res_pjsip", "identify"))

	// Pruned once: forgotten.
	_, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Len(t, e.rec.take(), 3)
}

func TestPruneOnlyWhatItManages(t *testing.T) {
	e := newEnv(t)
	rc := e.srv.Resources()
	reg := e.srv.DynamicConfig()
	// An endpoint from pjsip.conf and one another client created.
	require.NoError(t, reg.Load("res_pjsip", "endpoint", "from-conf", []ari.ConfigTuple{{Attribute: "context", Value: "x"}}))
	_, err := rc.Asterisk.UpdateObject(ctx(t), "res_pjsip", "endpoint", "other", &resources.AsteriskUpdateObjectParams{Fields: []ari.ConfigTuple{}})
	require.NoError(t, err)

	mine := func(id string) configurator.Endpoint { return configurator.Endpoint{ID: id, Context: "mine"} }
	ref := func(id string) configurator.Ref {
		return configurator.Ref{Class: "res_pjsip", Type: "endpoint", ID: id}
	}

	t.Run("prune deletes what it declared, nothing else", func(t *testing.T) {
		c := e.configurator(configurator.Config{Prune: true})
		require.NoError(t, c.Set(mine("a"), mine("b")))
		_, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.rec.take()
		require.NoError(t, c.Set(mine("a")))
		c.Remove(ref("from-conf"), ref("other")) // never declared: ignored
		rep, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.expect("GET "+dyn+"res_pjsip/endpoint/a", "DELETE "+dyn+"res_pjsip/endpoint/b")
		assert.Equal(t, []configurator.Ref{ref("b")}, rep.Deleted)
		assert.Equal(t, []string{"a", "from-conf", "other"}, reg.IDs("res_pjsip", "endpoint"))
	})

	t.Run("without prune, removed objects are left alone", func(t *testing.T) {
		c := e.configurator(configurator.Config{})
		require.NoError(t, c.Set(mine("c")))
		_, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.rec.take()
		require.NoError(t, c.Set())
		rep, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.expect()
		assert.Equal(t, configurator.Report{}, rep)
		assert.Contains(t, reg.IDs("res_pjsip", "endpoint"), "c")
	})

	t.Run("retire deletes objects named explicitly", func(t *testing.T) {
		c := e.configurator(configurator.Config{})
		c.Retire(ref("c"), ref("gone-already"))
		rep, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.expect("DELETE "+dyn+"res_pjsip/endpoint/c", "DELETE "+dyn+"res_pjsip/endpoint/gone-already")
		assert.Equal(t, []configurator.Ref{ref("c")}, rep.Deleted)
		_, err = c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.expect() // retired objects, once gone, are forgotten

		// Retiring an object from a configuration file fails (403) and is
		// tried again at the next run.
		c.Retire(ref("from-conf"))
		_, err = c.Reconcile(ctx(t))
		assert.ErrorIs(t, err, configurator.ErrNotDynamic)
		_, err = c.Reconcile(ctx(t))
		assert.ErrorIs(t, err, configurator.ErrNotDynamic)
		e.rec.take()
	})

	t.Run("deletions in reverse dependency order", func(t *testing.T) {
		c := e.configurator(configurator.Config{Prune: true})
		require.NoError(t, c.Set(alice()...))
		_, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.rec.take()
		require.NoError(t, c.Set())
		_, err = c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.expect(
			"DELETE "+dyn+"res_pjsip/identify/alice",
			"DELETE "+dyn+"res_pjsip/endpoint/alice",
			"DELETE "+dyn+"res_pjsip/aor/alice",
			"DELETE "+dyn+"res_pjsip/auth/alice",
		)
	})
}

func TestListFields(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	id := func(match ...string) configurator.Identify {
		return configurator.Identify{ID: "pbx", Endpoint: "pbx", Match: match}
	}
	require.NoError(t, c.Declare(id("203.0.113.0/24", "198.51.100.7")))
	_, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.rec.take()

	// Reordered, respaced, written as netmasks: the same set.
	require.NoError(t, c.Declare(id(" 198.51.100.7/32", "203.0.113.99/255.255.255.0 ")))
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect("GET " + dyn + "res_pjsip/identify/pbx")
	assert.Len(t, rep.Unchanged, 1)

	// An entry added: only it is sent (Asterisk adds it to the others).
	require.NoError(t, c.Declare(id("203.0.113.0/24", "198.51.100.7", "192.0.2.0/25")))
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect("GET "+dyn+"res_pjsip/identify/pbx", "PUT "+dyn+`res_pjsip/identify/pbx {"fields":[{"attribute":"match","value":"192.0.2.0/25"}]}`)
	require.Len(t, rep.Updated, 1)
	assert.Equal(t, []configurator.Change{{Field: "match",
		Old: "203.0.113.0/255.255.255.0,198.51.100.7/255.255.255.255",
		New: "203.0.113.0/255.255.255.0,198.51.100.7/255.255.255.255,192.0.2.0/255.255.255.128"}}, rep.Updated[0].Changes)

	// An entry removed: an update cannot; the identify is recreated.
	require.NoError(t, c.Declare(id("203.0.113.0/24", "192.0.2.0/25")))
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_pjsip/identify/pbx",
		"DELETE "+dyn+"res_pjsip/identify/pbx",
		"PUT "+dyn+`res_pjsip/identify/pbx {"fields":[{"attribute":"endpoint","value":"pbx"},{"attribute":"match","value":"203.0.113.0/24,192.0.2.0/25"}]}`,
	)
	require.Len(t, rep.Updated, 1)
	assert.True(t, rep.Updated[0].Recreated)
	assert.Equal(t, "203.0.113.0/255.255.255.0,192.0.2.0/255.255.255.128", e.object("res_pjsip", "identify", "pbx")["match"])

	// One added and one removed: the new entry is checked with an update
	// first, so a bad one leaves the identify as it was.
	require.NoError(t, c.Declare(id("203.0.113.0/24", "not-an-address!")))
	_, err = c.Reconcile(ctx(t))
	var ce *configurator.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "match", ce.Field)
	assert.Equal(t, "update", ce.Op)
	e.expect("GET "+dyn+"res_pjsip/identify/pbx", "PUT "+dyn+`res_pjsip/identify/pbx {"fields":[{"attribute":"match","value":"not-an-address!"}]}`)
	assert.Equal(t, "203.0.113.0/255.255.255.0,192.0.2.0/255.255.255.128", e.object("res_pjsip", "identify", "pbx")["match"])

	// Contacts of an aor: kept by Asterisk in hash order, compared as a set.
	aor := configurator.AOR{ID: "trunk", Contact: []string{"sip:pbx@192.0.2.1", "sip:pbx@192.0.2.2", "sip:pbx@192.0.2.3"}}
	require.NoError(t, c.Set(aor))
	_, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Len(t, rep.Unchanged, 1)
}

func TestDroppedFieldIsReset(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	require.NoError(t, c.Declare(configurator.Endpoint{ID: "e", Context: "a", RTPSymmetric: configurator.Ptr(true)}))
	_, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.rec.take()
	// rtp_symmetric is no longer declared: only a new endpoint has its
	// default back.
	require.NoError(t, c.Declare(configurator.Endpoint{ID: "e", Context: "a"}))
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_pjsip/endpoint/e",
		"DELETE "+dyn+"res_pjsip/endpoint/e",
		"PUT "+dyn+`res_pjsip/endpoint/e {"fields":[{"attribute":"context","value":"a"}]}`,
	)
	assert.Equal(t, []configurator.Update{{
		Ref:       configurator.Ref{Class: "res_pjsip", Type: "endpoint", ID: "e"},
		Changes:   []configurator.Change{{Field: "rtp_symmetric", Old: "true", New: "false"}},
		Recreated: true,
	}}, rep.Updated)
	assert.Equal(t, "false", e.object("res_pjsip", "endpoint", "e")["rtp_symmetric"])
	_, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect("GET " + dyn + "res_pjsip/endpoint/e")
}

func TestGenericObjects(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	mb := configurator.Object{Class: configurator.MWI, Type: "mailboxes", ID: "1001@default",
		Fields: []configurator.Field{{Name: "msgs_new", Value: "02"}, {Name: "msgs_old", Value: " 1"}}}
	other := configurator.Object{Class: "res_pjsip", Type: "auth", ID: "x",
		Fields: []configurator.Field{{Name: "username", Value: "x"}, {Name: "type", Value: "auth"}}}
	require.NoError(t, c.Declare(mb, other))
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	e.expect(
		"GET "+dyn+"res_mwi_external/mailboxes/1001%40default",
		"PUT "+dyn+`res_mwi_external/mailboxes/1001%40default {"fields":[{"attribute":"msgs_new","value":"02"},{"attribute":"msgs_old","value":" 1"}]}`,
		"GET "+dyn+"res_pjsip/auth/x",
		"PUT "+dyn+`res_pjsip/auth/x {"fields":[{"attribute":"username","value":"x"},{"attribute":"type","value":"auth"}]}`,
	)
	assert.Len(t, rep.Created, 2)
	box, err := e.srv.Resources().Mailboxes.Get(ctx(t), "1001@default")
	require.NoError(t, err)
	assert.Equal(t, 2, box.NewMessages)
	assert.Equal(t, 1, box.OldMessages)
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Len(t, rep.Unchanged, 2, "02 is 2; type is never returned")
	assert.Len(t, e.rec.take(), 2)
}

func TestSecretsAreRedacted(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	require.NoError(t, c.Declare(configurator.Auth{ID: "a", Username: "a", Password: "one"}))
	_, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	require.NoError(t, c.Declare(configurator.Auth{ID: "a", Username: "a", Password: "two"}))
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	require.Len(t, rep.Updated, 1)
	assert.Equal(t, []configurator.Change{{Field: "password", Old: "<redacted>", New: "<redacted>"}}, rep.Updated[0].Changes)
	assert.NotContains(t, e.logs.String(), "two")
	assert.Equal(t, "two", e.object("res_pjsip", "auth", "a")["password"])
}

func TestNormalisationMismatchIsLogged(t *testing.T) {
	e := newEnv(t)
	// Without rules, "yes" and "true" differ: the configurator warns that
	// the field will be written again and again.
	c := e.configurator(configurator.Config{Normalizers: configurator.NewNormalizers()})
	require.NoError(t, c.Declare(configurator.Endpoint{ID: "e", RTPSymmetric: configurator.Ptr(true)}))
	_, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Contains(t, e.logs.String(), `level=WARN msg="configurator: Asterisk holds a field differently than declared`)
	assert.Contains(t, e.logs.String(), `field=rtp_symmetric declared=yes stored=true`)
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Len(t, rep.Updated, 1, "written again")

	// An app rule fixes it.
	n := configurator.NewNormalizers()
	n.Set(configurator.PJSIP, "endpoint", "rtp_symmetric", configurator.Rule{Normalize: configurator.NormalizeBool})
	c = e.configurator(configurator.Config{Normalizers: n})
	require.NoError(t, c.Declare(configurator.Endpoint{ID: "e", RTPSymmetric: configurator.Ptr(true)}))
	rep, err = c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.Len(t, rep.Unchanged, 1)
}

func TestDeclarationErrors(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	assert.Error(t, c.Declare(configurator.Endpoint{}))
	assert.Error(t, c.Declare(configurator.Object{Class: "res_pjsip", Type: "endpoint", ID: "x",
		Fields: []configurator.Field{{Name: "allow", Value: "ulaw"}, {Name: "allow", Value: "alaw"}}}))
	assert.Error(t, c.Declare(configurator.Object{Class: "c", Type: "t", ID: "x", Fields: []configurator.Field{{Value: "v"}}}))
	assert.Error(t, c.Declare(configurator.AOR{ID: "x"}, configurator.AOR{ID: "x"}))
	assert.Error(t, c.Declare(nil))
	assert.Empty(t, c.Declared())
	_, err := configurator.New(configurator.Config{})
	assert.Error(t, err)

	require.NoError(t, c.Declare(configurator.AOR{ID: "b"}, configurator.AOR{ID: "a"}))
	require.NoError(t, c.Declare(configurator.AOR{ID: "b", MaxContacts: configurator.Ptr(3)}))
	got := c.Declared()
	require.Len(t, got, 2)
	assert.Equal(t, "b", got[0].ID, "a replaced object keeps its place")
	assert.Equal(t, []configurator.Field{{Name: "max_contacts", Value: "3"}}, got[0].Fields)
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{Prune: true})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				id := fmt.Sprintf("g%d-%d", g, i%3)
				assert.NoError(t, c.Declare(configurator.AOR{ID: id, MaxContacts: configurator.Ptr(i)}))
				if i%4 == 3 {
					c.Remove(configurator.Ref{Class: "res_pjsip", Type: "aor", ID: id})
				}
				_, err := c.Reconcile(context.Background())
				assert.NoError(t, err)
				_ = c.Declared()
			}
		})
	}
	wg.Wait()
	rep, err := c.Reconcile(ctx(t))
	require.NoError(t, err)
	assert.False(t, rep.Changed(), "the last runs converged: %v", rep)
	var want []string
	for _, o := range c.Declared() {
		want = append(want, o.ID)
	}
	assert.ElementsMatch(t, want, e.srv.DynamicConfig().IDs("res_pjsip", "aor"))
}

func TestContextCancelled(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	require.NoError(t, c.Declare(alice()...))
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := c.Reconcile(cctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, configurator.Report{}, rep)
	assert.False(t, errors.Is(err, configurator.ErrRejected))
}

func ptr[T any](v T) *T { return &v }
