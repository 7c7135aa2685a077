package readme

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"gostasis.dev/ari"
	"gostasis.dev/ari/aritest"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
	"gostasis.dev/stasis"
	"gostasis.dev/stasis/media"
)

// README begin

// menu is the handler of one call. Its methods run in the call's own
// goroutine and may wait there for the call's next events.
type menu struct{ call *stasis.Call }

func (m *menu) OnStasisStart(ctx context.Context, e *events.StasisStart) error {
	if err := m.call.Answer(ctx); err != nil {
		return err
	}
	choice, err := media.Prompt(ctx, m.call, media.Primary, media.PromptParams{
		Media:             []string{"sound:press-1-for-sales-2-for-support"}, // a key stops it
		Match:             []string{"1", "2"},
		FirstDigitTimeout: 5 * time.Second,
		Replays:           1, // once more after a wrong key or none
	})
	if err != nil {
		return err // stasis.ErrCallEnded if the caller hung up: the call just ends
	}
	if choice.Status == media.StatusComplete {
		if err := media.Play(ctx, m.call, media.Primary, "sound:you-entered", "digits:"+choice.Digits); err != nil {
			return err
		}
	}
	return m.call.Hangup(ctx, resources.HangupReasonNormal)
}

func serve(ctx context.Context, client *ari.Client) error {
	rt, err := stasis.New(stasis.Config{
		Client: client,
		Apps: []stasis.App{
			stasis.Router(stasis.RouterConfig{Routes: map[string]string{"100": "menu"}}),
			{Name: "menu", New: func(ctx context.Context, call *stasis.Call) (any, error) {
				return &menu{call: call}, nil
			}},
		},
	})
	if err != nil {
		return err
	}
	return rt.Run(ctx) // until ctx ends or rt.Shutdown
}

// README end

func TestTheREADMEApp(t *testing.T) {
	srv := aritest.Start(t, aritest.Config{
		Timing: aritest.FastTiming(),
		Sounds: []string{"press-1-for-sales-2-for-support", "you-entered"},
		Dialplan: aritest.Dialplan{"from-phones": aritest.Extensions{
			"_X.": aritest.Exten("Stasis(router,${EXTEN})"),
		}},
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, srv.Client()) }()
	require.NoError(t, srv.WaitApp(ctx, "router", "menu"))

	for _, keys := range []string{"2", "3"} {
		phone, err := srv.PlaceCall(aritest.PlaceCallParams{Context: "from-phones", Extension: "100"})
		require.NoError(t, err)
		require.NoError(t, srv.WaitUntil(ctx, func() bool { return len(phone.MediaHeard()) > 0 }))
		require.NoError(t, phone.SendDTMF(keys))
		if keys == "3" {
			// A wrong key: the menu again, and no key this time.
			require.NoError(t, srv.WaitUntil(ctx, func() bool { return len(phone.MediaHeard()) > 1 }))
			require.NoError(t, phone.Hangup(resources.HangupReasonNormal))
		}
		require.NoError(t, phone.WaitEnd(ctx))
		want := []string{"sound:press-1-for-sales-2-for-support", "sound:you-entered", "digits:2"}
		if keys == "3" {
			want = []string{"sound:press-1-for-sales-2-for-support", "sound:press-1-for-sales-2-for-support"}
		}
		assert.Equal(t, want, phone.MediaHeard())
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// TestTheREADMEShowsThisCode checks that the first Go block of the
// README's "A Stasis app" section is the code between the README markers
// of this file.
func TestTheREADMEShowsThisCode(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n## A Stasis app\n")
	require.True(t, ok, "the README has an \"A Stasis app\" section")
	_, block, ok := strings.Cut(section, "```go\n")
	require.True(t, ok, "the section has a Go block")
	block, _, _ = strings.Cut(block, "```")

	self, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	_, code, _ := strings.Cut(string(self), "// README begin\n\n")
	code, _, _ = strings.Cut(code, "\n// README end")
	assert.Equal(t, code, block, "README.md's \"A Stasis app\" code differs from readme_test.go's")
}
