package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"gostasis.dev/internal/syncbuf"
)

// TestMain fails the package's tests if any goroutine is left: the demo
// stops every server, instance, proxy and connection it started.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runDemo runs the demo in-process with opts, and returns its report, its
// output and the runtimes' logs.
func runDemo(t *testing.T, opts options) (*report, string, string) {
	t.Helper()
	var out bytes.Buffer
	logs := &syncbuf.Buffer{}
	opts.Log = slog.NewTextHandler(logs, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	rep, err := run(ctx, &out, opts)
	require.NoError(t, err, "output:\n%s\nlogs:\n%s", out.String(), logs.String())
	if logs.String() != "" {
		t.Logf("the runtimes' warnings:\n%s", logs.String())
	}
	assert.NotContains(t, logs.String(), "level=ERROR")
	return rep, out.String(), logs.String()
}

// Instance 2 is killed mid-way: every call is handled exactly once, the
// calls it held are adopted once each by a survivor, and the report says
// so.
func TestKilledInstanceCallsAreAdopted(t *testing.T) {
	const calls = 30
	rep, out, _ := runDemo(t, options{Calls: calls, Kill: 2})

	assert.Empty(t, rep.Problems, "every call handled exactly once, or adopted once")
	assert.Equal(t, 2, rep.Killed)
	assert.Positive(t, rep.KilledLive, "killed while it held calls")
	assert.Positive(t, rep.TakenOver, "the calls it held were adopted")
	assert.Equal(t, rep.KilledStarted, rep.total(2)+rep.TakenOver,
		"each call it started was finished by it or by the survivor that adopted it")
	adopted := rep.Adopted[1] + rep.Adopted[3]
	assert.GreaterOrEqual(t, adopted, rep.TakenOver)
	assert.Equal(t, uint64(adopted), rep.Moved, "each channel moved started one handler")
	assert.Zero(t, rep.Adopted[2])
	// A call claimed by instance 2 in its last instant goes back to the
	// dialplan: at most the few in flight at the kill.
	assert.LessOrEqual(t, len(rep.Returned), 3, rep.Returned)
	// The calls alternate over the servers: 10 each.
	for _, node := range rep.Nodes {
		n := 0
		for inst := 1; inst <= instances; inst++ {
			n += rep.Finished[inst][node]
		}
		for _, name := range rep.Returned {
			if strings.HasPrefix(name, node+"/") {
				n++
			}
		}
		assert.Equal(t, calls/servers, n, node)
	}

	assert.Regexp(t, `(?m)^killed instance 2 after \d+ calls, with \d+ calls up: its connections cut, nothing cleaned up$`, out)
	assert.Regexp(t, `(?m)^  instance 2 +\d+ +\d+ +\d+ +\d+ +-  killed with \d+ calls up$`, out)
	assert.Regexp(t, `(?m)^  total +10 +10 +10 +30 +\d+$`, out)
	assert.Regexp(t, `(?m)^instance 2 had started \d+ calls when it died and finished \d+; the survivors adopted [1-9]\d* of the others`, out)
	if len(rep.Returned) == 0 {
		assert.Contains(t, out, "\nevery call was handled exactly once (30 calls)\n")
	} else {
		assert.Contains(t, out, "(STASISSTATUS=FAILED): "+strings.Join(rep.Returned, ", ")+"\n")
	}
}

// With -kill=0 every call is handled once by the instance that claimed
// it, and ClaimFewest spreads them over the three.
func TestNoKillSpreadsTheCalls(t *testing.T) {
	rep, out, _ := runDemo(t, options{Calls: 15})
	assert.True(t, rep.ExactlyOnce(), "problems %v, returned %v", rep.Problems, rep.Returned)
	sum := 0
	for n := 1; n <= instances; n++ {
		assert.Positive(t, rep.total(n), "instance %d claimed calls", n)
		assert.Zero(t, rep.Adopted[n])
		sum += rep.total(n)
	}
	assert.Equal(t, 15, sum)
	assert.Zero(t, rep.Moved)
	assert.NotContains(t, out, "killed")
	assert.Contains(t, out, "\nevery call was handled exactly once (15 calls)\n")
}

// buildReport tells every outcome apart from what the handlers recorded.
func TestReportChecksEachCall(t *testing.T) {
	l := newLedger()
	l.kill(2, 3)
	killAt := l.killAt
	at := killAt.Add(1200 * time.Millisecond)
	l.calls = map[callKey]*callRecord{
		{"ast1", "once"}:       {starts: []handlerStart{{instance: 1}}, hungUpBy: []int{1}},
		{"ast1", "adopted"}:    {starts: []handlerStart{{instance: 2}, {instance: 3, from: "worker-2", at: at}}, hungUpBy: []int{3}},
		{"ast2", "claimed"}:    {starts: []handlerStart{{instance: 1, from: "worker-2", at: killAt}}, hungUpBy: []int{1}},
		{"ast2", "died-done"}:  {starts: []handlerStart{{instance: 2}}},
		{"ast3", "twice"}:      {starts: []handlerStart{{instance: 1}, {instance: 3}}, hungUpBy: []int{3}},
		{"ast3", "stolen"}:     {starts: []handlerStart{{instance: 1, from: "worker-3"}}, hungUpBy: []int{1}},
		{"ast3", "orphan"}:     {starts: []handlerStart{{instance: 2}}},
		{"ast3", "unfinished"}: {starts: []handlerStart{{instance: 3}}},
	}
	calls := []endedCall{
		{"ast1", "once", 16}, {"ast1", "adopted", 16}, {"ast2", "claimed", 16}, {"ast2", "died-done", 16},
		{"ast2", "returned", causeFailed}, {"ast3", "twice", 16}, {"ast3", "stolen", 16},
		{"ast3", "orphan", 127}, {"ast3", "unfinished", 16}, {"ast3", "nobody", causeTimeout},
	}
	r := buildReport(calls, []string{"ast1", "ast2", "ast3"}, instances, l)

	assert.Equal(t, map[int]map[string]int{1: {"ast1": 1, "ast2": 1}, 2: {"ast2": 1}, 3: {"ast1": 1}}, r.Finished)
	assert.Equal(t, map[int]int{1: 1, 3: 1}, r.Adopted)
	assert.Equal(t, 3, r.KilledStarted)
	assert.Equal(t, 1, r.TakenOver)
	assert.Equal(t, 1200*time.Millisecond, r.TakeoverTime)
	assert.Equal(t, []string{"ast2/returned"}, r.Returned)
	assert.Equal(t, []string{
		"ast3/twice: handled by instances 1 and 3",
		"ast3/stolen: adopted by instance 1 from worker-3, whose instance was alive",
		"ast3/orphan: instance 2 died with it and nobody adopted it (hangup cause 127)",
		"ast3/unfinished: instance 3's handler did not hang it up (hangup cause 16)",
		"ast3/nobody: nobody claimed it (STASISSTATUS=TIMEOUT)",
	}, r.Problems)
	assert.False(t, r.ExactlyOnce())

	var out bytes.Buffer
	r.print(&out)
	assert.Equal(t, `calls finished, by instance and server:
                ast1  ast2  ast3  total  adopted
  instance 1       1     1     0      2        1
  instance 2       0     1     0      1        -  killed with 3 calls up
  instance 3       1     0     0      1        1
  returned         0     1     0      1
  total            2     3     0      5        2
instance 2 had started 3 calls when it died and finished 1; the survivors adopted 1 of the others and 1 it had claimed but not started, at most 1.2s after the kill
5 of 10 calls were NOT handled exactly once:
  ast3/twice: handled by instances 1 and 3
  ast3/stolen: adopted by instance 1 from worker-3, whose instance was alive
  ast3/orphan: instance 2 died with it and nobody adopted it (hangup cause 127)
  ast3/unfinished: instance 3's handler did not hang it up (hangup cause 16)
  ast3/nobody: nobody claimed it (STASISSTATUS=TIMEOUT)
`, out.String())
}

func TestParseArgs(t *testing.T) {
	opts, err := parseArgs(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{Calls: defaultCalls, Kill: defaultKill}, opts)

	opts, err = parseArgs([]string{"-calls=9", "-kill=0", "-v"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{Calls: 9, Kill: 0, Verbose: true}, opts)

	_, err = parseArgs([]string{"-h"}, io.Discard)
	assert.ErrorIs(t, err, flag.ErrHelp)

	for _, args := range [][]string{
		{"-calls=0"}, {"-calls=10001"}, {"-kill=-1"}, {"-kill=4"}, {"extra"},
	} {
		var stderr bytes.Buffer
		_, err := parseArgs(args, &stderr)
		assert.ErrorIs(t, err, errInvalidOption, "%v", args)
		assert.Contains(t, stderr.String(), "invalid option", "%v", args)
	}
	_, err = run(t.Context(), io.Discard, options{Calls: maxCalls + 1})
	assert.ErrorIs(t, err, errInvalidOption, "run checks its options too")
}
