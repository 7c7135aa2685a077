package resources_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/internal/astparse"
	"gostasis.dev/ari/resources"
)

// The functions below port how Asterisk reads the parameters the client
// formats, from its sources (the same in 16.30.1 and 22.10.1), so that the
// tests can check what Asterisk makes of what the client sends.

// astStrip is ast_strip: blanks are the bytes below '!'.
func astStrip(s string) string {
	for s != "" && s[0] < '!' {
		s = s[1:]
	}
	for s != "" && s[len(s)-1] < '!' {
		s = s[:len(s)-1]
	}
	return s
}

// astStripQuoted is ast_strip_quoted(s, "\"", "\"").
func astStripQuoted(s string) string {
	s = astStrip(s)
	if s != "" && s[0] == '"' && s[len(s)-1] == '"' {
		if len(s) == 1 {
			return ""
		}
		return s[1 : len(s)-1]
	}
	return s
}

// astUnescapeQuoted is ast_unescape_quoted: a backslash makes the next byte
// literal; a trailing one is dropped.
func astUnescapeQuoted(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i >= len(s) {
				break
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

func astIsValidString(s, valid string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(valid, s[i]) < 0 {
			return false
		}
	}
	return true
}

// astShrinkPhoneNumber is ast_shrink_phone_number.
func astShrinkPhoneNumber(n string) string {
	var b []byte
	bracketed := 0
	for i := 0; i < len(n); i++ {
		switch c := n[i]; c {
		case '[':
			bracketed++
			b = append(b, c)
		case ']':
			bracketed--
			b = append(b, c)
		case '-':
			if bracketed > 0 {
				b = append(b, c)
			}
		case '.':
			if i == len(n)-1 {
				b = append(b, c)
			}
		default:
			if strings.IndexByte("( )", c) < 0 {
				b = append(b, c)
			}
		}
	}
	return string(b)
}

// astCallerIDParse is ast_callerid_parse (main/callerid.c) followed by
// what channels.originate does with the result (resource_channels.c):
// the number is shrunk when it is a shrinkable phone number.
func astCallerIDParse(input string) ari.CallerID {
	input = astStrip(input)
	instr := astStripQuoted(input)
	quotesStripped := len(instr) != len(input)
	var name, number string
	if ls := strings.LastIndexByte(instr, '<'); ls >= 0 {
		number = instr[ls+1:]
		if le := strings.LastIndexByte(number, '>'); le >= 0 {
			number = number[:le]
		}
		name = astUnescapeQuoted(astStripQuoted(instr[:ls]))
	} else {
		tmp := instr
		if len(tmp) > 255 {
			tmp = tmp[:255]
		}
		tmp = astShrinkPhoneNumber(tmp)
		if !quotesStripped && astIsValidString(tmp, "0123456789*#+") {
			number = tmp
		} else {
			name = astUnescapeQuoted(astStripQuoted(instr))
		}
	}
	if astIsValidString(number, "0123456789*#+()-.") {
		number = astShrinkPhoneNumber(number)
	}
	return ari.CallerID{Name: name, Number: number}
}

// astStasisArgs is how Asterisk reads an originate's appArgs: appended
// to the app name as Stasis() data (see package astparse).
func astStasisArgs(app, appArgs string) []string {
	data := app
	if appArgs != "" {
		data += "," + appArgs
	}
	_, args := astparse.StasisArgs(data)
	return args
}

// astStrtok is how channels.move splits its appArgs.
func astStrtok(s string) []string { return astparse.MoveArgs(s) }

// sentQuery calls call on a recorder and returns the decoded query of the
// one request sent.
func sentQuery(t *testing.T, call func(ctx context.Context, c *resources.Client) error) url.Values {
	t.Helper()
	rec := newRecorder(t)
	rec.setReply(reply{status: 200, body: []byte(`{"id":"x"}`)})
	c := newClient(t, rec.srv.URL, "22.10.1")
	require.NoError(t, call(context.Background(), c))
	reqs := rec.take()
	require.Len(t, reqs, 1)
	v, err := url.ParseQuery(reqs[0].RawQuery)
	require.NoError(t, err)
	return v
}

// refusedParam calls call on a recorder, checks that it failed with a
// *ParamError for param inside an *ari.Error naming op, and that nothing
// was sent.
func refusedParam(t *testing.T, op, param string, call func(ctx context.Context, c *resources.Client) error) *resources.ParamError {
	t.Helper()
	rec := newRecorder(t)
	c := newClient(t, rec.srv.URL, "22.10.1")
	err := call(context.Background(), c)
	require.Error(t, err)
	var ae *ari.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, op, ae.Op)
	assert.Zero(t, ae.Status)
	var pe *resources.ParamError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, param, pe.Param)
	assert.Contains(t, err.Error(), param)
	assert.Empty(t, rec.take(), "a refused request must not be sent")
	return pe
}

func originateCallerID(id ari.CallerID) func(ctx context.Context, c *resources.Client) error {
	return func(ctx context.Context, c *resources.Client) error {
		_, err := c.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "PJSIP/alice", App: "app", CallerID: id})
		return err
	}
}

// TestCallerIDWireFormat pins what Originate sends for a caller id and
// checks that Asterisk's parser reads it back.
func TestCallerIDWireFormat(t *testing.T) {
	tests := []struct {
		id   ari.CallerID
		want string // the decoded callerId value
	}{
		// As a real Asterisk 22.10.1 accepted it (responses.jsonl).
		{ari.CallerID{Name: "Alice", Number: "1001"}, "Alice <1001>"},
		{ari.CallerID{Name: "Bob Smith", Number: "+15550100"}, "Bob Smith <+15550100>"},
		{ari.CallerID{Number: "200"}, "<200>"},
		{ari.CallerID{Name: "Carol"}, "Carol <>"},
		{ari.CallerID{Name: "1234"}, "1234 <>"}, // a name that looks like a number stays a name
		{ari.CallerID{Name: `Bob "The Builder"`, Number: "200"}, `"Bob \"The Builder\"" <200>`},
		{ari.CallerID{Name: `C:\calls`, Number: "1"}, `"C:\\calls" <1>`},
		{ari.CallerID{Name: "  padded  ", Number: "1"}, `"  padded  " <1>`},
		{ari.CallerID{Name: "A <B> C", Number: "1"}, "A <B> C <1>"},
		{ari.CallerID{Name: "Zoë, Ltd.", Number: "anonymous"}, "Zoë, Ltd. <anonymous>"},
		{ari.CallerID{Number: "1>2"}, "<1>2>"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := sentQuery(t, originateCallerID(tt.id))
			assert.Equal(t, []string{tt.want}, got["callerId"])
			assert.Equal(t, tt.id, astCallerIDParse(got.Get("callerId")), "what Asterisk reads")
		})
	}
	t.Run("zero value sends nothing", func(t *testing.T) {
		got := sentQuery(t, originateCallerID(ari.CallerID{}))
		assert.NotContains(t, got, "callerId")
	})
}

// TestCallerIDShrink documents the one change Asterisk makes: the
// punctuation of a phone number goes.
func TestCallerIDShrink(t *testing.T) {
	got := sentQuery(t, originateCallerID(ari.CallerID{Name: "Dan", Number: "555-0100"}))
	assert.Equal(t, "Dan <555-0100>", got.Get("callerId"))
	assert.Equal(t, ari.CallerID{Name: "Dan", Number: "5550100"}, astCallerIDParse(got.Get("callerId")))
}

// TestCallerIDRoundTrip formats random caller ids, with every byte the
// parser acts on, and checks that Asterisk's parser reads each back
// unchanged (numbers are kept unshrinkable here: see TestCallerIDShrink).
func TestCallerIDRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const alphabet = "ab 1\t\"\\<>,()[]-.*#+é"
	word := func() string {
		n := rng.Intn(8)
		var b strings.Builder
		for range n {
			r := []rune(alphabet)
			b.WriteRune(r[rng.Intn(len(r))])
		}
		return b.String()
	}
	rec := newRecorder(t)
	rec.setReply(reply{status: 200, body: []byte(`{"id":"x"}`)})
	c := newClient(t, rec.srv.URL, "22.10.1")
	for range 2000 {
		id := ari.CallerID{Name: word(), Number: strings.ReplaceAll(word(), "<", "") + "x"}
		_, err := c.Channels.Originate(context.Background(), &resources.ChannelOriginateParams{Endpoint: "PJSIP/a", CallerID: id})
		require.NoError(t, err, "%+v", id)
		reqs := rec.take()
		require.Len(t, reqs, 1)
		v, err := url.ParseQuery(reqs[0].RawQuery)
		require.NoError(t, err)
		require.Equal(t, id, astCallerIDParse(v.Get("callerId")), "sent %q", v.Get("callerId"))
	}
}

// TestCallerIDRefused checks the values Asterisk cannot read back.
func TestCallerIDRefused(t *testing.T) {
	pe := refusedParam(t, "channels.originate", "callerId", originateCallerID(ari.CallerID{Name: "x", Number: "1<2"}))
	assert.Equal(t, "1<2", pe.Value)
	refusedParam(t, "channels.originate", "callerId", originateCallerID(ari.CallerID{Name: "a\x00b", Number: "1"}))
	refusedParam(t, "channels.originateWithId", "callerId", func(ctx context.Context, c *resources.Client) error {
		_, err := c.Channels.OriginateWithID(ctx, "id1", &resources.ChannelOriginateWithIDParams{Endpoint: "PJSIP/a", CallerID: ari.CallerID{Number: "\x00"}})
		return err
	})
}

// stasisArgsOps are the operations whose appArgs become the arguments of
// Stasis().
var stasisArgsOps = map[string]func(args []string) func(ctx context.Context, c *resources.Client) error{
	"channels.originate": func(args []string) func(ctx context.Context, c *resources.Client) error {
		return func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "PJSIP/a", App: "app", AppArgs: args})
			return err
		}
	},
	"channels.originateWithId": func(args []string) func(ctx context.Context, c *resources.Client) error {
		return func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.OriginateWithID(ctx, "id1", &resources.ChannelOriginateWithIDParams{Endpoint: "PJSIP/a", App: "app", AppArgs: args})
			return err
		}
	},
	"channels.create": func(args []string) func(ctx context.Context, c *resources.Client) error {
		return func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.Create(ctx, &resources.ChannelCreateParams{Endpoint: "PJSIP/a", App: "app", AppArgs: args})
			return err
		}
	},
	"channels.snoopChannel": func(args []string) func(ctx context.Context, c *resources.Client) error {
		return func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.SnoopChannel(ctx, "ch1", &resources.ChannelSnoopChannelParams{App: "app", AppArgs: args})
			return err
		}
	},
	"channels.snoopChannelWithId": func(args []string) func(ctx context.Context, c *resources.Client) error {
		return func(ctx context.Context, c *resources.Client) error {
			_, err := c.Channels.SnoopChannelWithID(ctx, "ch1", "sn1", &resources.ChannelSnoopChannelWithIDParams{App: "app", AppArgs: args})
			return err
		}
	},
}

// TestStasisArgsWireFormat checks that each value of AppArgs reaches
// Stasis() as one argument, unchanged, whatever it holds.
func TestStasisArgsWireFormat(t *testing.T) {
	tests := []struct {
		args []string
		want string // the decoded appArgs value
	}{
		// As a real Asterisk 22.10.1 accepted it (responses.jsonl), which
		// started the call with args ["x","y"].
		{[]string{"x", "y"}, "x,y"},
		{[]string{"inbound", "vip", "a b"}, "inbound,vip,a b"},
		{[]string{"a,b", "c"}, `a\,b,c`},
		{[]string{`say "hi"`}, `say \"hi\"`},
		{[]string{`C:\dir`}, `C:\\dir`},
		{[]string{"f(x", "y)"}, `f\(x,y\)`},
		{[]string{"[", "]"}, `\[,\]`},
		{[]string{"", "b"}, ",b"},
		{[]string{"a", ""}, "a,"},
		{[]string{"a", "", "b"}, "a,,b"},
		{[]string{"", ""}, ","},
		{[]string{"${EXTEN}", "$[1+1]", "$5"}, `$\{EXTEN},$\[1+1\],$5`},
	}
	for op, call := range stasisArgsOps {
		for _, tt := range tests {
			t.Run(op+" "+tt.want, func(t *testing.T) {
				got := sentQuery(t, call(tt.args))
				raw := got.Get("appArgs")
				assert.Equal(t, tt.want, raw)
				assert.Equal(t, tt.args, astStasisArgs("app", raw), "what Stasis() receives")
				// A snoop's data goes through variable substitution first.
				assert.NotContains(t, raw, "${")
				assert.NotContains(t, raw, "$[")
			})
		}
		t.Run(op+" empty list sends nothing", func(t *testing.T) {
			assert.NotContains(t, sentQuery(t, call(nil)), "appArgs")
			assert.NotContains(t, sentQuery(t, call([]string{})), "appArgs")
		})
	}
}

// TestStasisArgsRoundTrip sends random arguments and checks that Stasis()
// would receive them unchanged.
func TestStasisArgsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	alphabet := []rune("a ,\"\\()[]{}$é\t")
	rec := newRecorder(t)
	rec.setReply(reply{status: 200, body: []byte(`{"id":"x"}`)})
	c := newClient(t, rec.srv.URL, "22.10.1")
	for range 2000 {
		args := make([]string, 1+rng.Intn(5))
		for i := range args {
			var b strings.Builder
			for range rng.Intn(6) {
				b.WriteRune(alphabet[rng.Intn(len(alphabet))])
			}
			args[i] = b.String()
		}
		if len(args) == 1 && args[0] == "" {
			continue // refused: TestStasisArgsRefused
		}
		_, err := c.Channels.Originate(context.Background(), &resources.ChannelOriginateParams{Endpoint: "PJSIP/a", App: "app", AppArgs: args})
		require.NoError(t, err)
		reqs := rec.take()
		require.Len(t, reqs, 1)
		v, err := url.ParseQuery(reqs[0].RawQuery)
		require.NoError(t, err)
		require.Equal(t, args, astStasisArgs("app", v.Get("appArgs")), "sent %q", v.Get("appArgs"))
	}
}

// TestStasisArgsLimit checks Stasis()'s limit: 127 arguments arrive,
// the 128th would not be parsed.
func TestStasisArgsLimit(t *testing.T) {
	args := make([]string, 127)
	for i := range args {
		args[i] = "a,b"
	}
	got := sentQuery(t, stasisArgsOps["channels.originate"](args))
	assert.Equal(t, args, astStasisArgs("app", got.Get("appArgs")))

	pe := refusedParam(t, "channels.originate", "appArgs", stasisArgsOps["channels.originate"](append(args, "x")))
	assert.Equal(t, "x", pe.Value)
	// Why: with 128 escaped arguments the last one is not unescaped.
	assert.NotEqual(t, append(args, "a,b"), astStasisArgs("app", strings.Repeat(`a\,b,`, 127)+`a\,b`))
}

// TestStasisArgsRefused checks the lists Stasis() cannot receive.
func TestStasisArgsRefused(t *testing.T) {
	refusedParam(t, "channels.create", "appArgs", stasisArgsOps["channels.create"]([]string{"a\x00"}))
	// An empty appArgs is no argument at all, and "" as the last argument
	// is read as two.
	refusedParam(t, "channels.originate", "appArgs", stasisArgsOps["channels.originate"]([]string{""}))
	assert.Empty(t, astStasisArgs("app", ""))
	assert.Equal(t, []string{"", ""}, astStasisArgs("app", `""`))
}

// TestCapturedArgsMatchThePorts checks the ports above against what a real
// Asterisk 22.10.1 did with the requests of responses.jsonl: the channel
// originated with appArgs=x,y entered the app with args ["x","y"], the one
// originated with callerId "Alice <1001>" had that caller id.
func TestCapturedArgsMatchThePorts(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "events", "testdata", "streams", "testapp.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	starts := map[string]struct {
		Args    []string
		Channel struct {
			ID     string       `json:"id"`
			Caller ari.CallerID `json:"caller"`
		}
	}{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			Type    string   `json:"type"`
			Args    []string `json:"args"`
			Channel struct {
				ID     string       `json:"id"`
				Caller ari.CallerID `json:"caller"`
			} `json:"channel"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Type == "StasisStart" {
			s := starts[e.Channel.ID]
			s.Args, s.Channel.ID, s.Channel.Caller = e.Args, e.Channel.ID, e.Channel.Caller
			starts[e.Channel.ID] = s
		}
	}
	require.NoError(t, sc.Err())
	require.Contains(t, starts, "c2-1795635659")
	require.Contains(t, starts, "c1-1795635659")
	assert.Equal(t, starts["c2-1795635659"].Args, astStasisArgs("testapp", "x,y"))
	assert.Equal(t, starts["c1-1795635659"].Channel.Caller, astCallerIDParse("Alice <1001>"))
}

// TestMoveArgs checks channels.move's appArgs, which Asterisk splits at
// every comma, dropping empty values.
func TestMoveArgs(t *testing.T) {
	move := func(args []string) func(ctx context.Context, c *resources.Client) error {
		return func(ctx context.Context, c *resources.Client) error {
			return c.Channels.Move(ctx, "ch1", &resources.ChannelMoveParams{App: "next", AppArgs: args})
		}
	}
	got := sentQuery(t, move([]string{"moved", "a b", `"q"`}))
	assert.Equal(t, "moved,a b,\"q\"", got.Get("appArgs"))
	assert.Equal(t, []string{"moved", "a b", `"q"`}, astStrtok(got.Get("appArgs")))
	assert.NotContains(t, sentQuery(t, move(nil)), "appArgs")

	pe := refusedParam(t, "channels.move", "appArgs", move([]string{"a,b"}))
	assert.Equal(t, "a,b", pe.Value)
	pe = refusedParam(t, "channels.move", "appArgs", move([]string{"a", "", "b"}))
	assert.Equal(t, "", pe.Value)
}

// TestPlainLists checks the lists Asterisk splits with strsep: formats
// and the bridge type.
func TestPlainLists(t *testing.T) {
	got := sentQuery(t, func(ctx context.Context, c *resources.Client) error {
		_, err := c.Channels.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "PJSIP/a", Formats: []string{"ulaw", "slin16"}})
		return err
	})
	assert.Equal(t, []string{"ulaw,slin16"}, got["formats"])

	got = sentQuery(t, func(ctx context.Context, c *resources.Client) error {
		_, err := c.Bridges.Create(ctx, &resources.BridgeCreateParams{Type: []resources.BridgeCreateType{resources.BridgeCreateTypeMixing, resources.BridgeCreateTypeDTMFEvents, "video_sfu"}})
		return err
	})
	assert.Equal(t, []string{"mixing,dtmf_events,video_sfu"}, got["type"])

	refusedParam(t, "channels.create", "formats", func(ctx context.Context, c *resources.Client) error {
		_, err := c.Channels.Create(ctx, &resources.ChannelCreateParams{Endpoint: "PJSIP/a", App: "a", Formats: []string{"ulaw,alaw"}})
		return err
	})
	refusedParam(t, "bridges.createWithId", "type", func(ctx context.Context, c *resources.Client) error {
		_, err := c.Bridges.CreateWithID(ctx, "b1", &resources.BridgeCreateWithIDParams{Type: []resources.BridgeCreateType{"mixing,holding"}})
		return err
	})
}

// TestParamErrorIsNotAStatus checks that a refused parameter matches no
// status sentinel: nothing was sent, so Asterisk said nothing.
func TestParamErrorIsNotAStatus(t *testing.T) {
	rec := newRecorder(t)
	c := newClient(t, rec.srv.URL, "22.10.1")
	err := c.Channels.Move(context.Background(), "ch1", &resources.ChannelMoveParams{App: "a", AppArgs: []string{""}})
	require.Error(t, err)
	for _, s := range []error{ari.ErrBadRequest, ari.ErrUnsupported, ari.ErrNotFound} {
		assert.False(t, errors.Is(err, s), "%v", s)
	}
	assert.Equal(t, 0, ari.StatusCode(err))
}
