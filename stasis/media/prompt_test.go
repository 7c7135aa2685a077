package media_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// prompting is a flow that runs one prompt with p, reports it, and hangs
// up when it completed.
func prompting(p media.PromptParams, out chan<- outcome[media.PromptResult]) flow {
	return func(ctx context.Context, call *stasis.Call) error {
		res, err := media.Prompt(ctx, call, media.Primary, p)
		out <- outcome[media.PromptResult]{res, err}
		if err != nil {
			return err
		}
		return call.Hangup(ctx, resources.HangupReasonNormal)
	}
}

var menu = media.PromptParams{
	Media:   []string{"sound:menu"},
	Invalid: []string{"sound:option-is-invalid"},
	NoInput: []string{"sound:no-input"},
	Match:   []string{"1", "2"},
}

func TestPromptDigit(t *testing.T) {
	out := make(chan outcome[media.PromptResult], 1)
	srv, rec := serve(t, timing(time.Second), prompting(menu, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:menu")
	require.NoError(t, phone.SendDTMF("2"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "2", Status: media.StatusComplete, Attempts: 1}, res)
	require.NoError(t, phone.WaitEnd(t.Context()))
	rec.waitEnd(t)
	assert.Equal(t, []string{"sound:menu"}, phone.MediaHeard())
	// The prompt's playback events and its digit were the prompt's.
	assert.Empty(t, rec.mediaEvents())
}

func TestPromptNoDigitTimesOut(t *testing.T) {
	p := menu
	p.FirstDigitTimeout = 100 * time.Millisecond
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), prompting(p, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	finished(t, cur, "sound:menu")
	start := time.Now()

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Status: media.StatusTimeout, Attempts: 1}, res)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond, "the first-digit timeout runs from the prompt's end")
	assert.Equal(t, []string{"sound:menu"}, phone.MediaHeard())
}

func TestPromptNoDigitReplaysAfterNoInput(t *testing.T) {
	p := menu
	p.FirstDigitTimeout = 50 * time.Millisecond
	p.Replays = 2
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), prompting(p, out))
	phone := dial(t, srv)

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Status: media.StatusTimeout, Attempts: 3}, res)
	assert.Equal(t, []string{"sound:menu", "sound:no-input", "sound:menu", "sound:no-input", "sound:menu"}, phone.MediaHeard())
}

func TestPromptTerminator(t *testing.T) {
	for _, tc := range []struct {
		name, keys string
		valid      func(string) bool
		want       media.PromptResult
	}{
		{"digits", "123#9", nil, media.PromptResult{Digits: "123", Status: media.StatusComplete, Attempts: 1}},
		{"alone", "#", nil, media.PromptResult{Status: media.StatusInvalid, Attempts: 1}},
		{"alone and accepted", "#", func(string) bool { return true }, media.PromptResult{Status: media.StatusComplete, Attempts: 1}},
		{"rejected", "42#", func(d string) bool { return len(d) == 4 }, media.PromptResult{Digits: "42", Status: media.StatusInvalid, Attempts: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := media.PromptParams{Media: []string{"sound:enter-number"}, Terminator: "#", Valid: tc.valid, InterDigitTimeout: 5 * time.Second}
			out := make(chan outcome[media.PromptResult], 1)
			srv, rec := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
				res, err := media.Prompt(ctx, call, media.Primary, p)
				out <- outcome[media.PromptResult]{res, err}
				return err
			})
			cur := srv.Cursor()
			phone := dial(t, srv)
			require.NoError(t, phone.SendDTMF(tc.keys))

			res, err := get(t, out)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res)
			// Digits after the terminator were not the prompt's.
			_, after, _ := strings.Cut(tc.keys, "#")
			if after != "" {
				received(t, cur, phone.ID(), after)
			}
			require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
			rec.waitEnd(t)
			assert.Equal(t, after, rec.digits(phone.ID()))
		})
	}
}

func TestPromptMaxDigits(t *testing.T) {
	p := media.PromptParams{Media: []string{"sound:enter-number"}, MaxDigits: 3, InterDigitTimeout: 5 * time.Second}
	out := make(chan outcome[media.PromptResult], 1)
	next := make(chan string, 1)
	srv, rec := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		res, err := media.Prompt(ctx, call, media.Primary, p)
		out <- outcome[media.PromptResult]{res, err}
		// The digits after the entry are there for the next wait.
		d, err := call.WaitDTMF(ctx)
		next <- d
		return err
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	require.NoError(t, phone.SendDTMF("12345"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "123", Status: media.StatusComplete, Attempts: 1}, res)
	assert.Equal(t, "4", <-next)
	received(t, cur, phone.ID(), "5")
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	rec.waitEnd(t)
	assert.Equal(t, "5", rec.digits(phone.ID()), "no digit is lost")
}

func TestPromptWrongThenRight(t *testing.T) {
	p := menu
	p.Replays = 1
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(time.Second), prompting(p, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:menu")
	require.NoError(t, phone.SendDTMF("3")) // invalid at once: no entry starts with 3
	started(t, cur, "sound:option-is-invalid")
	require.NoError(t, phone.SendDTMF("1"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "1", Status: media.StatusComplete, Attempts: 2}, res)
	require.NoError(t, phone.WaitEnd(t.Context()))
	assert.Equal(t, []string{"sound:menu", "sound:option-is-invalid"}, phone.MediaHeard())
}

func TestPromptWrongTwice(t *testing.T) {
	p := menu
	p.Replays = 1
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		res, err := media.Prompt(ctx, call, media.Primary, p)
		out <- outcome[media.PromptResult]{res, err}
		return err
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	require.NoError(t, phone.SendDTMF("9"))
	finished(t, cur, "sound:menu")
	require.NoError(t, phone.SendDTMF("7"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "7", Status: media.StatusInvalid, Attempts: 2}, res)
}

func TestPromptMatchWaitsWhenAmbiguous(t *testing.T) {
	// "1" is valid, but "10" starts with it: the entry waits for the next
	// digit, and the inter-digit timeout ends it.
	p := media.PromptParams{Match: []string{"1", "10"}, InterDigitTimeout: 100 * time.Millisecond}
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), prompting(p, out))
	phone := dial(t, srv)
	require.NoError(t, phone.SendDTMF("1"))
	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "1", Status: media.StatusComplete, Attempts: 1}, res)
}

func TestPromptInterDigitTimeout(t *testing.T) {
	p := media.PromptParams{InterDigitTimeout: 150 * time.Millisecond}
	out := make(chan outcome[media.PromptResult], 1)
	srv, rec := serve(t, timing(20*time.Millisecond), prompting(p, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	require.NoError(t, phone.SendDTMF("12"))
	received(t, cur, phone.ID(), "2")
	start := time.Now()

	res, err := get(t, out)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	assert.Equal(t, media.PromptResult{Digits: "12", Status: media.StatusComplete, Attempts: 1}, res)
	require.NoError(t, phone.WaitEnd(t.Context()))
	rec.waitEnd(t)
}

func TestPromptOverallTimeout(t *testing.T) {
	p := media.PromptParams{InterDigitTimeout: 5 * time.Second, OverallTimeout: 300 * time.Millisecond}
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), prompting(p, out))
	phone := dial(t, srv)
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// A digit every 50ms, for 3s.
		for range 60 {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				_ = phone.SendDTMF("5")
			}
		}
	}()

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, media.StatusComplete, res.Status)
	assert.NotEmpty(t, res.Digits)
	assert.Less(t, len(res.Digits), 30)
}

func TestPromptNegativeFirstDigitTimeoutWaitsNot(t *testing.T) {
	p := media.PromptParams{Media: []string{"sound:menu"}, FirstDigitTimeout: -1}
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), prompting(p, out))
	dial(t, srv)
	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Status: media.StatusTimeout, Attempts: 1}, res)
}

func TestPromptDefaultFirstDigitTimeout(t *testing.T) {
	// Without a FirstDigitTimeout a digit 300ms after the prompt counts.
	p := media.PromptParams{Media: []string{"sound:menu"}, MaxDigits: 1}
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(20*time.Millisecond), prompting(p, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	finished(t, cur, "sound:menu")
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, phone.SendDTMF("8"))
	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "8", Status: media.StatusComplete, Attempts: 1}, res)
}

func TestPromptBargeInStopsThePlayback(t *testing.T) {
	p := media.PromptParams{Media: []string{"sound:menu", "sound:hello-world"}, MaxDigits: 1}
	out := make(chan outcome[media.PromptResult], 1)
	srv, rec := serve(t, timing(5*time.Second), prompting(p, out))
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:menu")
	start := time.Now()
	require.NoError(t, phone.SendDTMF("1"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, media.PromptResult{Digits: "1", Status: media.StatusComplete, Attempts: 1}, res)
	pb := finished(t, cur, "sound:menu")
	assert.Equal(t, "done", string(pb.State))
	assert.Empty(t, srv.Playbacks())
	require.NoError(t, phone.WaitEnd(t.Context()))
	rec.waitEnd(t)
	assert.Equal(t, []string{"sound:menu"}, phone.MediaHeard())
	// The stopped playback's PlaybackFinished was the prompt's too.
	assert.Empty(t, rec.mediaEvents())
}

func TestPromptTypedAhead(t *testing.T) {
	// A digit pressed during a Play that precedes the prompt is the
	// prompt's first: the prompt is not played.
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(300*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		if err := media.Play(ctx, call, media.Primary, "sound:hello-world"); err != nil {
			return err
		}
		res, err := media.Prompt(ctx, call, media.Primary, menu)
		out <- outcome[media.PromptResult]{res, err}
		return err
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	started(t, cur, "sound:hello-world")
	require.NoError(t, phone.SendDTMF("2"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "2", Status: media.StatusComplete, Attempts: 1}, res)
	assert.Equal(t, []string{"sound:hello-world"}, phone.MediaHeard())
}

func TestPromptHangupEndsIt(t *testing.T) {
	for _, tc := range []struct {
		name string
		// during waits for the moment to hang up.
		during func(t *testing.T, cur *aritest.EventCursor)
		tm     aritest.Timing
	}{
		{"during the prompt", func(t *testing.T, cur *aritest.EventCursor) { started(t, cur, "sound:menu") }, timing(5 * time.Second)},
		{"waiting for a digit", func(t *testing.T, cur *aritest.EventCursor) { finished(t, cur, "sound:menu") }, timing(20 * time.Millisecond)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := menu
			p.FirstDigitTimeout = 5 * time.Second
			out := make(chan outcome[media.PromptResult], 1)
			srv, rec := serve(t, tc.tm, prompting(p, out))
			cur := srv.Cursor()
			phone := dial(t, srv)
			tc.during(t, cur)
			start := time.Now()
			require.NoError(t, phone.Hangup(resources.HangupReasonNormal))

			_, err := get(t, out)
			require.ErrorIs(t, err, stasis.ErrCallEnded)
			assert.Less(t, time.Since(start), 2*time.Second)
			// The handler returned the error as is: the call ended normally.
			assert.Equal(t, stasis.EndStasisEnd, rec.waitEnd(t).Reason)
		})
	}
}

func TestPromptCtxEndStopsThePrompt(t *testing.T) {
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, timing(5*time.Second), func(ctx context.Context, call *stasis.Call) error {
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		res, err := media.Prompt(ctx, call, media.Primary, menu)
		out <- outcome[media.PromptResult]{res, err}
		return nil
	})
	cur := srv.Cursor()
	dial(t, srv)
	started(t, cur, "sound:menu")
	_, err := get(t, out)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	finished(t, cur, "sound:menu")
	assert.Empty(t, srv.Playbacks())
}

func TestPromptCountsOnlyItsChannelsDigits(t *testing.T) {
	// The caller and an agent in a bridge; the prompt plays to the bridge
	// and counts the caller's digits only.
	tm := timing(20 * time.Millisecond)
	tm.Ring = aritest.Never
	out := make(chan outcome[media.PromptResult], 1)
	var agentID string
	srv, rec := serve(t, tm, func(ctx context.Context, call *stasis.Call) error {
		agent, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Test/agent"})
		if err != nil {
			return err
		}
		agentID = agent.ID
		if _, err := call.WaitStasisStart(ctx, agent.ID); err != nil {
			return err
		}
		b, err := call.CreateBridge(ctx, nil)
		if err != nil {
			return err
		}
		if err := call.REST().Bridges.AddChannel(ctx, b.ID, &resources.BridgeAddChannelParams{Channel: []string{call.ChannelID, agent.ID}}); err != nil {
			return err
		}
		res, err := media.Prompt(ctx, call, media.Bridge(b.ID), media.PromptParams{Media: []string{"sound:menu"}, MaxDigits: 1, FirstDigitTimeout: 5 * time.Second})
		out <- outcome[media.PromptResult]{res, err}
		return err
	})
	cur := srv.Cursor()
	phone := dial(t, srv)
	agent, err := srv.WaitPhone(t.Context(), (*aritest.Phone).Outbound)
	require.NoError(t, err)
	require.NoError(t, agent.Answer())
	finished(t, cur, "sound:menu")
	require.NoError(t, agent.SendDTMF("9"))
	received(t, cur, agent.ID(), "9")
	require.NoError(t, phone.SendDTMF("1"))

	res, err := get(t, out)
	require.NoError(t, err)
	assert.Equal(t, media.PromptResult{Digits: "1", Status: media.StatusComplete, Attempts: 1}, res)
	assert.Contains(t, agent.MediaHeard(), "sound:menu")
	require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
	rec.waitEnd(t)
	assert.Equal(t, "9", rec.digits(agentID), "the agent's digit reached the handler")
}

func TestPromptDigitsFromGoneChannel(t *testing.T) {
	tm := timing(20 * time.Millisecond)
	tm.Ring = aritest.Never
	out := make(chan outcome[media.PromptResult], 1)
	srv, _ := serve(t, tm, func(ctx context.Context, call *stasis.Call) error {
		agent, err := call.Originate(ctx, &resources.ChannelOriginateParams{Endpoint: "Test/agent"})
		if err != nil {
			return err
		}
		if _, err := call.WaitStasisStart(ctx, agent.ID); err != nil {
			return err
		}
		res, err := media.Prompt(ctx, call, media.Channel(agent.ID), media.PromptParams{Media: []string{"sound:menu"}, FirstDigitTimeout: 5 * time.Second})
		out <- outcome[media.PromptResult]{res, err}
		return nil
	})
	cur := srv.Cursor()
	dial(t, srv)
	agent, err := srv.WaitPhone(t.Context(), (*aritest.Phone).Outbound)
	require.NoError(t, err)
	require.NoError(t, agent.Answer())
	finished(t, cur, "sound:menu")
	require.NoError(t, agent.Hangup(resources.HangupReasonNormal))

	_, err = get(t, out)
	var gone *stasis.GoneError
	require.ErrorAs(t, err, &gone)
	assert.Equal(t, agent.ID(), gone.ID)
	assert.Equal(t, 16, gone.Cause)
}

func TestPromptNotOnTheCallsGoroutine(t *testing.T) {
	calls := make(chan *stasis.Call, 1)
	srv, _ := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
		calls <- call
		return nil
	})
	phone := dial(t, srv)
	call := <-calls
	// The handler has returned: its goroutine goes idle.
	time.Sleep(200 * time.Millisecond)
	_, err := media.Prompt(t.Context(), call, media.Primary, menu)
	require.ErrorIs(t, err, stasis.ErrNotCallGoroutine)
	require.ErrorIs(t, media.Play(t.Context(), call, media.Primary, "sound:menu"), stasis.ErrNotCallGoroutine)
	_, err = media.Record(t.Context(), call, media.Primary, media.RecordParams{})
	require.ErrorIs(t, err, stasis.ErrNotCallGoroutine)
	assert.Empty(t, srv.Playbacks())
	assert.Empty(t, phone.MediaHeard())
}

func TestPromptParamErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     media.PromptParams
		param string
	}{
		{"negative replays", media.PromptParams{Replays: -1}, "PromptParams.Replays"},
		{"negative max digits", media.PromptParams{MaxDigits: -1}, "PromptParams.MaxDigits"},
		{"terminator", media.PromptParams{Terminator: "x"}, "PromptParams.Terminator"},
		{"lower case digit", media.PromptParams{Match: []string{"a"}}, "PromptParams.Match"},
		{"empty match entry", media.PromptParams{Match: []string{""}}, "PromptParams.Match"},
		{"no match entry", media.PromptParams{Match: []string{}}, "PromptParams.Match"},
		{"terminator in a match entry", media.PromptParams{Match: []string{"1#"}, Terminator: "#"}, "PromptParams.Match"},
		{"digits from a stranger", media.PromptParams{DigitsFrom: "someone"}, "PromptParams.DigitsFrom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := make(chan outcome[media.PromptResult], 1)
			srv, _ := serve(t, timing(20*time.Millisecond), prompting(tc.p, out))
			phone := dial(t, srv)
			_, err := get(t, out)
			var pe *media.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.param, pe.Param)
			assert.Empty(t, phone.MediaHeard())
		})
	}
}

func TestTargetErrors(t *testing.T) {
	for _, target := range []media.Target{"channel:", "bridge:nope", "channel:nope", "nope", media.Channel("x")} {
		t.Run(string(target), func(t *testing.T) {
			errs := make(chan error, 3)
			srv, _ := serve(t, timing(20*time.Millisecond), func(ctx context.Context, call *stasis.Call) error {
				_, err := media.Prompt(ctx, call, target, media.PromptParams{})
				errs <- err
				errs <- media.Play(ctx, call, target, "sound:menu")
				_, err = media.Record(ctx, call, target, media.RecordParams{})
				errs <- err
				return nil
			})
			dial(t, srv)
			for range 3 {
				var pe *media.ParamError
				require.ErrorAs(t, <-errs, &pe)
				assert.Equal(t, "target", pe.Param)
				assert.Equal(t, string(target), pe.Value)
			}
			assert.Empty(t, srv.Playbacks())
			assert.Empty(t, srv.Recordings())
		})
	}
}

func TestNilCall(t *testing.T) {
	var pe *media.ParamError
	_, err := media.Prompt(t.Context(), nil, media.Primary, media.PromptParams{})
	require.ErrorAs(t, err, &pe)
	require.ErrorAs(t, media.Play(t.Context(), nil, media.Primary, "sound:menu"), &pe)
	_, err = media.Record(t.Context(), nil, media.Primary, media.RecordParams{})
	require.ErrorAs(t, err, &pe)
}

func TestStatusString(t *testing.T) {
	assert.Equal(t, "complete", media.StatusComplete.String())
	assert.Equal(t, "timeout", media.StatusTimeout.String())
	assert.Equal(t, "invalid", media.StatusInvalid.String())
	assert.Equal(t, "unknown", media.Status(0).String())
}

// Compile-time check: the handler implements the interfaces it means to.
var (
	_ events.StasisStartHandler = (*flowHandler)(nil)
	_ events.EventHandler       = (*flowHandler)(nil)
	_ stasis.EndHandler         = (*flowHandler)(nil)
)
