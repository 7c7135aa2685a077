package configurator_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/configurator"
)

// theError returns the only *configurator.Error in err.
func theError(t *testing.T, err error) *configurator.Error {
	t.Helper()
	var all []*configurator.Error
	var walk func(error)
	walk = func(err error) {
		if ce, ok := err.(*configurator.Error); ok {
			all = append(all, ce)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	require.Len(t, all, 1, "%v", err)
	return all[0]
}

func TestRejectedField(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})

	t.Run("creation: one field", func(t *testing.T) {
		require.NoError(t, c.Set(configurator.Endpoint{ID: "one", DTMFMode: "smoke-signals"}))
		_, err := c.Reconcile(ctx(t))
		ce := theError(t, err)
		assert.Equal(t, &configurator.Error{Class: "res_pjsip", Type: "endpoint", ID: "one", Op: "create", Field: "dtmf_mode",
			Kind: configurator.ErrRejected, Err: ce.Err}, ce)
		assert.ErrorIs(t, err, configurator.ErrRejected)
		assert.ErrorIs(t, err, ari.ErrBadRequest)
		var ae *ari.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "Creation of object 'one' failed field value validation", ae.Message)
		assert.Equal(t, "configurator: create res_pjsip/endpoint/one: field dtmf_mode: Asterisk rejected the object's fields: "+
			"ari: asterisk.updateObject PUT /asterisk/config/dynamic/res_pjsip/endpoint/one: 400 Bad Request: Creation of object 'one' failed field value validation",
			ce.Error())
	})

	t.Run("creation: several fields", func(t *testing.T) {
		require.NoError(t, c.Set(configurator.Endpoint{ID: "two", Context: "x", Extra: []configurator.Field{{Name: "contxt", Value: "y"}}}))
		_, err := c.Reconcile(ctx(t))
		ce := theError(t, err)
		assert.Equal(t, "create", ce.Op)
		assert.Empty(t, ce.Field, "Asterisk does not say which; creating the object field by field could leave it half configured")
		assert.Equal(t, []string{"context", "contxt"}, ce.Fields)
		assert.Contains(t, ce.Error(), "create res_pjsip/endpoint/two: one of the fields context, contxt: ")
		e.rec.take()
	})

	t.Run("update: the refused field is found", func(t *testing.T) {
		require.NoError(t, c.Set(configurator.Endpoint{ID: "three", Context: "a", DTMFMode: "info"}))
		_, err := c.Reconcile(ctx(t))
		require.NoError(t, err)
		e.rec.take()
		require.NoError(t, c.Set(configurator.Endpoint{ID: "three", Context: "b", DTMFMode: "smoke-signals", RTPSymmetric: configurator.Ptr(true)}))
		rep, err := c.Reconcile(ctx(t))
		e.expect(
			"GET "+dyn+"res_pjsip/endpoint/three",
			"PUT "+dyn+`res_pjsip/endpoint/three {"fields":[{"attribute":"context","value":"b"},{"attribute":"dtmf_mode","value":"smoke-signals"},{"attribute":"rtp_symmetric","value":"yes"}]}`,
			"PUT "+dyn+`res_pjsip/endpoint/three {"fields":[{"attribute":"context","value":"b"}]}`,
			"PUT "+dyn+`res_pjsip/endpoint/three {"fields":[{"attribute":"dtmf_mode","value":"smoke-signals"}]}`,
			"PUT "+dyn+`res_pjsip/endpoint/three {"fields":[{"attribute":"rtp_symmetric","value":"yes"}]}`,
		)
		ce := theError(t, err)
		assert.Equal(t, "update", ce.Op)
		assert.Equal(t, "dtmf_mode", ce.Field)
		ref := configurator.Ref{Class: "res_pjsip", Type: "endpoint", ID: "three"}
		assert.Equal(t, configurator.Report{
			Updated: []configurator.Update{{Ref: ref, Changes: []configurator.Change{
				{Field: "context", Old: "a", New: "b"},
				{Field: "rtp_symmetric", Old: "false", New: "true"},
			}}},
			Failed: []configurator.Ref{ref},
		}, rep)
		assert.Equal(t, "info", e.object("res_pjsip", "endpoint", "three")["dtmf_mode"])
	})
}

func TestClassErrors(t *testing.T) {
	e := newEnv(t)
	c := e.configurator(configurator.Config{})
	good := configurator.AOR{ID: "good", MaxContacts: configurator.Ptr(1)}

	t.Run("class not loaded", func(t *testing.T) {
		require.NoError(t, c.Set(configurator.Object{Class: "res_nosuch", Type: "thing", ID: "x", Fields: []configurator.Field{{Name: "a", Value: "b"}}}, good))
		rep, err := c.Reconcile(ctx(t))
		ce := theError(t, err)
		assert.Equal(t, "get", ce.Op)
		assert.ErrorIs(t, err, configurator.ErrNotLoaded)
		assert.ErrorIs(t, err, ari.ErrNotFound)
		assert.Contains(t, err.Error(), "configClass 'res_nosuch' not found")
		// The others are reconciled.
		assert.Equal(t, []configurator.Ref{{Class: "res_pjsip", Type: "aor", ID: "good"}}, rep.Created)
		assert.Equal(t, []configurator.Ref{{Class: "res_nosuch", Type: "thing", ID: "x"}}, rep.Failed)
	})

	t.Run("type not loaded", func(t *testing.T) {
		require.NoError(t, c.Set(configurator.Object{Class: "res_pjsip", Type: "registration", ID: "x"}, good))
		rep, err := c.Reconcile(ctx(t))
		assert.ErrorIs(t, err, configurator.ErrNotLoaded)
		assert.Contains(t, err.Error(), "objectType 'registration' not found")
		assert.Equal(t, []configurator.Ref{{Class: "res_pjsip", Type: "aor", ID: "good"}}, rep.Unchanged)
	})

	t.Run("type not dynamic", func(t *testing.T) {
		reg := e.srv.DynamicConfig()
		typ, ok := reg.Type("res_pjsip", "identify")
		require.True(t, ok)
		typ.Static = true
		reg.Register(typ)
		require.NoError(t, c.Set(configurator.Identify{ID: "i", Endpoint: "e", Match: []string{"192.0.2.1"}}))
		_, err := c.Reconcile(ctx(t))
		ce := theError(t, err)
		assert.Equal(t, "create", ce.Op)
		assert.ErrorIs(t, err, configurator.ErrNotDynamic)
		assert.ErrorIs(t, err, ari.ErrForbidden)
		assert.Contains(t, err.Error(), "Cannot create sorcery objects of type 'identify'")

		// An object from pjsip.conf cannot be changed over ARI.
		require.NoError(t, reg.Load("res_pjsip", "endpoint", "conf", nil))
		require.NoError(t, c.Set(configurator.Endpoint{ID: "conf", Context: "other"}))
		_, err = c.Reconcile(ctx(t))
		ce = theError(t, err)
		assert.Equal(t, "update", ce.Op)
		assert.ErrorIs(t, err, configurator.ErrNotDynamic)
		assert.Contains(t, err.Error(), "Could not update sorcery object 'conf'")
	})
}

func TestReadOnlyUser(t *testing.T) {
	e := newEnv(t, aritest.User{Name: "viewer", Password: "viewer", ReadOnly: true})
	c := e.configurator(configurator.Config{})
	require.NoError(t, c.Declare(alice()...))
	rep, err := c.Reconcile(ctx(t))
	require.Error(t, err)
	assert.ErrorIs(t, err, configurator.ErrWriteDenied)
	assert.ErrorIs(t, err, ari.ErrForbidden)
	assert.Len(t, rep.Failed, 4)
	var n int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *configurator.Error
		require.True(t, errors.As(e, &ce))
		assert.Equal(t, "create", ce.Op)
		assert.Contains(t, ce.Error(), "ARI user is read-only")
		assert.Contains(t, ce.Error(), "Write access denied")
		n++
	}
	assert.Equal(t, 4, n)
}
