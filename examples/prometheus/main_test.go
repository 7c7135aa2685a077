package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestRun runs the example in-process and checks that /metrics served
// every gostasis metric the calls make, with the calls' counts.
func TestRun(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, Options{Calls: 2}))
	text := out.String()
	for _, want := range []string{
		`gostasis_calls_started_total{ari_app="greeter"} 2`,
		`gostasis_calls_ended_total{ari_app="greeter",ari_call_end_reason="stasis-end"} 2`,
		`gostasis_calls_live{ari_app="greeter"} 0`,
		`gostasis_events_received_total{ari_event_type="StasisStart"} 2`,
		`gostasis_events_routed_total{ari_event_type="ChannelDtmfReceived"} 4`,
		`gostasis_mailbox_high_water `,
		`gostasis_rest_duration_seconds_count{ari_operation="channels.answer",http_request_method="POST",http_response_status_code="204"} 2`,
		`gostasis_rest_duration_seconds_count{ari_operation="channels.play",http_request_method="POST",http_response_status_code="201"} 4`,
	} {
		assert.Contains(t, text, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		assert.True(t, strings.HasPrefix(line, "gostasis_"), "only gostasis metrics are printed: %q", line)
		assert.NotContains(t, line, "_bucket{")
	}
}
