package aritest

import (
	"log/slog"
	"math"
	"net"
	"time"
)

// Config configures a simulated Asterisk. The zero value is ready to use:
// every field has a default that reproduces the Asterisk 22.10.1 server the
// fixtures of this repository were captured from.
type Config struct {
	// Users are the ARI users (ari.conf). Nil means two users:
	// "asterisk"/"asterisk" and the read-only "viewer"/"viewer".
	Users []User

	// AsteriskID is the entity id stamped on every event ("asterisk_id")
	// and reported by /asterisk/info. Default "02:fc:00:00:00:01". Give
	// each server of a test its own.
	AsteriskID string
	// SystemName is Asterisk's system name (asterisk.conf systemname),
	// reported by /asterisk/info and used as the prefix of generated
	// channel ids. Default "aritest". Servers of one test with different
	// system names never generate the same channel id.
	SystemName string
	// Version is the Asterisk version reported by /asterisk/info. Default
	// "22.10.1". The simulator always speaks the 22.10.1 API.
	Version string
	// Language is the default language of channels. Default "en".
	Language string

	// Dialplan is the dialplan Local channels, inbound calls and
	// continueInDialplan run. Nil means DefaultDialplan().
	Dialplan Dialplan

	// Endpoints names the endpoints that /endpoints lists: "alice" (or
	// "Test/alice") is a resource of the simulated Test technology;
	// "PJSIP/alice", "SIP/alice" and "IAX2/alice" are endpoints of those
	// technologies, which an application can dial (originate or create
	// to PJSIP/alice, SIP/alice, IAX2/alice/100, ...) and whose calls
	// simulated phones answer (Server.WaitPhone). Calls may be placed to
	// and from any Test resource, listed or not, and to any PJSIP
	// endpoint of the dynamic configuration (DynamicConfig).
	Endpoints []string

	// Sounds adds sound names to the built-in catalogue (hello-world,
	// tt-monkeys, beep, ...) that sound: media can play.
	Sounds []string

	// Timing sets every delay of the simulation; zero fields take the
	// defaults of DefaultTiming. FastTiming suits unit tests.
	Timing Timing

	// Now returns the time stamped on events and objects. Default
	// time.Now in UTC. Delays always run on the real clock.
	Now func() time.Time

	// Logger receives the simulator's debug logs. Nil discards them.
	Logger *slog.Logger

	// EventLogSize is how many sent events Server.Events keeps (the oldest
	// are forgotten first). Zero means 10000; negative means no limit.
	EventLogSize int

	// Listener, when set, is where the server serves, instead of a new
	// listener on a free port of 127.0.0.1: a fixed address, say, which
	// the caller opens with net.Listen and so gets its error rather than
	// NewServer's panic. The server's URL is "http://" and the listener's
	// address; Close closes the listener.
	Listener net.Listener

	// Outbound lists outbound websockets (ari.conf type=outbound_websocket
	// with its websocket_client.conf connection): the simulator dials the
	// application instead of waiting for its events websocket. See the
	// package documentation, "Outbound websockets".
	Outbound []OutboundWebsocket
}

// User is an ARI user.
type User struct {
	Name, Password string
	// ReadOnly users may only GET: anything else is refused with 403
	// "Write access denied", like Asterisk's read_only users.
	ReadOnly bool
}

// Timing holds the delays of the simulation. A zero field takes its default
// (see DefaultTiming); NoDelay means "at once"; Never (only for Ring and
// RecordingSilence) means "not by itself".
type Timing struct {
	// Playback is how long one media item of a playback lasts (tones play
	// until stopped). Default 1.4s (sound:hello-world).
	Playback time.Duration
	// DTMFDuration is the length of a DTMF digit sent by a test script, by
	// the dialplan's SendDTMF, or by channels.sendDTMF without a duration.
	// It is reported as duration_ms. Default 100ms.
	DTMFDuration time.Duration
	// DTMFGap is the pause between two DTMF digits (sendDTMF's "between").
	// Default 100ms.
	DTMFGap time.Duration
	// Ring is how long an outbound Test channel rings before it answers by
	// itself. Never leaves the answer (or the rejection) to the test script
	// (Phone.Answer, Phone.Reject). Default 2s.
	Ring time.Duration
	// AnswerDelay is the pause the dialplan's Answer() makes after
	// answering a channel (Asterisk waits 500ms). Default 500ms.
	AnswerDelay time.Duration
	// WaitUnit is the length of one second of the dialplan's Wait(n).
	// Default 1s.
	WaitUnit time.Duration
	// RecordingSilence is how long a live recording lasts when its channel
	// hears nothing: Asterisk ends a recording of a silent Local channel by
	// itself after about 4s. Never disables it. Default 4s.
	RecordingSilence time.Duration
	// WriteTimeout is how long writing one event to an events websocket may
	// take before the client is dropped (Asterisk's websocket_write_timeout,
	// 100ms by default). Default 100ms.
	WriteTimeout time.Duration
	// MediaStart is the delay between a play or record request and the
	// start of the media. Default 1ms.
	MediaStart time.Duration
	// OutboundPoll is how often a per-call outbound websocket's call
	// checks whether its connection is up: StasisStart follows the
	// connection at the next check (Asterisk checks every 500ms, counted
	// from Stasis()). NoDelay checks every millisecond. Default 500ms.
	OutboundPoll time.Duration
	// PerCallClose is how long a per-call outbound websocket stays open
	// after its call's StasisEnd before the simulator closes it (close
	// code 1000): 3s to 3.5s on Asterisk. Default 3s.
	PerCallClose time.Duration
}

// NoDelay in a Timing field means "no delay" (a zero field means "the
// default").
const NoDelay time.Duration = -1

// Never in Timing.Ring or Timing.RecordingSilence means that the event never
// happens by itself: the test script decides.
const Never time.Duration = math.MinInt64

// DefaultTiming returns the realistic delays a zero Timing stands for.
func DefaultTiming() Timing {
	return Timing{
		Playback:         1400 * time.Millisecond,
		DTMFDuration:     100 * time.Millisecond,
		DTMFGap:          100 * time.Millisecond,
		Ring:             2 * time.Second,
		AnswerDelay:      500 * time.Millisecond,
		WaitUnit:         time.Second,
		RecordingSilence: 4 * time.Second,
		WriteTimeout:     100 * time.Millisecond,
		MediaStart:       time.Millisecond,
		OutboundPoll:     500 * time.Millisecond,
		PerCallClose:     3 * time.Second,
	}
}

// FastTiming returns short delays for unit tests: events keep Asterisk's
// order, a hundred times faster or so. Its websocket write timeout is 1s
// rather than 100ms, so that a test process slowed down (by the race
// detector, say) does not get its own client dropped.
func FastTiming() Timing {
	return Timing{
		Playback:         20 * time.Millisecond,
		DTMFDuration:     5 * time.Millisecond,
		DTMFGap:          5 * time.Millisecond,
		Ring:             10 * time.Millisecond,
		AnswerDelay:      5 * time.Millisecond,
		WaitUnit:         10 * time.Millisecond,
		RecordingSilence: 200 * time.Millisecond,
		WriteTimeout:     time.Second,
		MediaStart:       NoDelay,
		OutboundPoll:     5 * time.Millisecond,
		PerCallClose:     30 * time.Millisecond,
	}
}

// withDefaults fills the zero fields of t and turns NoDelay (and other
// negative values except Never) into 0.
func (t Timing) withDefaults() Timing {
	d := DefaultTiming()
	fix := func(v *time.Duration, def time.Duration, allowNever bool) {
		switch {
		case *v == 0:
			*v = def
		case *v == Never && allowNever:
		case *v < 0:
			*v = 0
		}
	}
	fix(&t.Playback, d.Playback, false)
	fix(&t.DTMFDuration, d.DTMFDuration, false)
	fix(&t.DTMFGap, d.DTMFGap, false)
	fix(&t.Ring, d.Ring, true)
	fix(&t.AnswerDelay, d.AnswerDelay, false)
	fix(&t.WaitUnit, d.WaitUnit, false)
	fix(&t.RecordingSilence, d.RecordingSilence, true)
	fix(&t.WriteTimeout, d.WriteTimeout, false)
	fix(&t.MediaStart, d.MediaStart, false)
	fix(&t.OutboundPoll, d.OutboundPoll, false)
	fix(&t.PerCallClose, d.PerCallClose, false)
	return t
}

// withDefaults returns cfg with its defaults filled in.
func (cfg Config) withDefaults() Config {
	if cfg.Users == nil {
		cfg.Users = []User{{Name: "asterisk", Password: "asterisk"}, {Name: "viewer", Password: "viewer", ReadOnly: true}}
	}
	if cfg.AsteriskID == "" {
		cfg.AsteriskID = "02:fc:00:00:00:01"
	}
	if cfg.SystemName == "" {
		cfg.SystemName = "aritest"
	}
	if cfg.Version == "" {
		cfg.Version = "22.10.1"
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Dialplan == nil {
		cfg.Dialplan = DefaultDialplan()
	}
	cfg.Timing = cfg.Timing.withDefaults()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.EventLogSize == 0 {
		cfg.EventLogSize = 10000
	}
	cfg.Endpoints = append([]string(nil), cfg.Endpoints...)
	cfg.Outbound = outboundDefaults(cfg.Outbound)
	return cfg
}
