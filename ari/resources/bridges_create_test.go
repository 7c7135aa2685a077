package resources_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/resources"
)

// TestBridgesCreateWithVariables: Asterisk 22.10.1 reads the whole body of
// POST /bridges as the variables, so the documented body fails with 400
// after the bridge is created, which leaks. The simulated Asterisk answers
// that raw request as the real one does; Bridges.Create with Variables
// creates the bridge with its variables and leaves nothing behind.
func TestBridgesCreateWithVariables(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{Timing: aritest.FastTiming()})
	rc := srv.Resources()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The documented request, as the description has it.
	user := srv.Config().Users[0]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/ari/bridges?bridgeId=leaked",
		strings.NewReader(`{"variables": {"A": {"value": "1"}}}`))
	require.NoError(t, err)
	req.SetBasicAuth(user.Name, user.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"message": "Each object value in 'variables' must include string field 'value'"}`, string(body))
	_, err = rc.Bridges.Get(ctx, "leaked")
	require.NoError(t, err, "Asterisk created the bridge anyway")
	require.NoError(t, rc.Bridges.Destroy(ctx, "leaked"))

	vars := ari.Vars{"A": {Value: "1"}, "B": {Value: "2", ReportEvents: true}}
	br, err := rc.Bridges.Create(ctx, &resources.BridgeCreateParams{Name: "n", Variables: vars})
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), br.ID, "a new id, as Asterisk would choose")
	assert.Equal(t, "n", br.Name)
	for name, v := range vars {
		got, err := rc.Bridges.GetBridgeVar(ctx, br.ID, &resources.BridgeGetBridgeVarParams{Variable: name})
		require.NoError(t, err)
		assert.Equal(t, v.Value, got.Value, name)
	}

	mine, err := rc.Bridges.Create(ctx, &resources.BridgeCreateParams{
		BridgeID: "mine", Type: []resources.BridgeCreateType{resources.BridgeCreateTypeHolding}, Variables: ari.Vars{},
	})
	require.NoError(t, err)
	assert.Equal(t, "mine", mine.ID)
	assert.EqualValues(t, "holding", mine.BridgeType)

	_, err = rc.Bridges.Create(ctx, &resources.BridgeCreateParams{BridgeID: "mine", Variables: vars})
	assert.ErrorIs(t, err, ari.ErrConflict, "the id is taken, as for create")

	var ids []string
	for _, b := range srv.Bridges() {
		ids = append(ids, b.ID)
	}
	assert.ElementsMatch(t, []string{br.ID, "mine"}, ids, "no bridge left behind")
}

// TestBridgesCreateWithVariablesRequest checks the request Create sends
// with Variables and no BridgeID: createWithId with a new id, the
// documented body and the other parameters.
func TestBridgesCreateWithVariablesRequest(t *testing.T) {
	rec := newRecorder(t)
	rec.setReply(reply{status: 200, body: []byte(`{"id":"x"}`)})
	c := newClient(t, rec.srv.URL, "22.10.1")
	_, err := c.Bridges.Create(context.Background(), &resources.BridgeCreateParams{Name: "n", Variables: testVars})
	require.NoError(t, err)
	_, err = c.Bridges.Create(context.Background(), &resources.BridgeCreateParams{Name: "m"})
	require.NoError(t, err)
	reqs := rec.take()
	require.Len(t, reqs, 2)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Regexp(t, `^/ari/bridges/[0-9a-f-]{36}$`, reqs[0].EscapedPath)
	assert.Equal(t, "name=n", reqs[0].RawQuery)
	assert.JSONEq(t, testVarsJSON, string(reqs[0].Body))

	assert.Equal(t, "/ari/bridges", reqs[1].EscapedPath, "without Variables, create as described")
	assert.Equal(t, "name=m", reqs[1].RawQuery)
	assert.Empty(t, reqs[1].Body)
}
