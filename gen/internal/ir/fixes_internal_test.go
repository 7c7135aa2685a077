package ir

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveRerouteFailsClosed: a reroute whose sibling cannot take every
// parameter of the operation stops generation instead of dropping one.
func TestResolveRerouteFailsClosed(t *testing.T) {
	str := func(name, in string) *Param {
		return &Param{Name: name, GoName: GoName(name), In: in, Type: &Type{Kind: String}}
	}
	vars := &Param{Name: "variables", GoName: "Variables", In: "body", Body: BodyVars}
	bridge := &Model{Name: "Bridge"}
	op := &Operation{Nickname: "create", Path: "/bridges", Response: &Type{Kind: ModelRef, Model: bridge},
		Params: []*Param{str("type", "query"), str("bridgeId", "query"), vars}}
	via := &Operation{Nickname: "createWithId", Path: "/bridges/{bridgeId}", Response: &Type{Kind: ModelRef, Model: bridge},
		Params: []*Param{str("bridgeId", "path"), str("type", "query"), {Name: "variables", GoName: "Variables", In: "body", Body: BodyVars}}}

	rr, err := resolveReroute(op, vars, via, "bridgeId")
	require.NoError(t, err)
	assert.Len(t, rr.Args, 2)

	op.Params = append(op.Params, str("name", "query"))
	_, err = resolveReroute(op, vars, via, "bridgeId")
	assert.ErrorContains(t, err, "parameter name has no counterpart")

	op.Params = op.Params[:3]
	via.Params[1] = &Param{Name: "type", GoName: "Type", In: "query", Multiple: true, Type: &Type{Kind: String}}
	_, err = resolveReroute(op, vars, via, "bridgeId")
	assert.ErrorContains(t, err, "parameter type has no counterpart of the same type")

	via.Params[1] = str("type", "query")
	via.Response = nil
	_, err = resolveReroute(op, vars, via, "bridgeId")
	assert.ErrorContains(t, err, "result")

	via.Response = op.Response
	_, err = resolveReroute(op, str("type", "query"), via, "bridgeId")
	assert.ErrorContains(t, err, "not a body parameter")
	_, err = resolveReroute(op, vars, via, "type")
	assert.ErrorContains(t, err, "path parameters are not just type")
}
