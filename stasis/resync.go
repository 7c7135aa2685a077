package stasis

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
	"gostasis.dev/ari/resources"
)

// ResyncReport says what a re-sync after a reconnect did; Config.OnResync
// gets one after every re-sync.
type ResyncReport struct {
	// Apps are the applications of the connection that reconnected.
	Apps []string
	// Node is the connection's node (Config.Nodes); empty with a single
	// server.
	Node string
	// Err is why the re-sync failed: the calls were then kept as they
	// were, apart from what the counts below report.
	Err error
	// Ended counts calls whose channel ended while the websocket was
	// down: they got a synthetic StasisEnd. (So did the channels a live
	// call created that are gone; Stats.SyntheticEnds counts both.)
	Ended int
	// Resumed counts channels that entered an app while the websocket was
	// down: they got a handler as if StasisStart had arrived.
	Resumed int
	// Survived counts calls still live: they were told events may have
	// been missed (ResyncHandler).
	Survived int
}

// resync reconciles the calls of this connection's apps with Asterisk
// after a reconnect (Asterisk does not replay the events it sent while the
// websocket was down):
//
//   - a live call whose channel is gone gets a synthetic StasisEnd and its
//     handler finishes; a channel it created that is gone gets one too;
//   - a channel that entered an app meanwhile gets a handler, with a
//     synthetic StasisStart (Call.Resumed);
//   - every surviving call is told events may have been missed (Resync).
//
// Calls registered on the new connection and channels whose StasisEnd
// arrived on it are left alone, so events racing the re-sync win.
func (c *conn) resync(ctx context.Context, gen uint64) {
	targets := make([]resyncTarget, len(c.apps))
	for i, a := range c.apps {
		targets[i] = resyncTarget{a: a, appID: a.name}
	}
	c.rt.resync(ctx, &c.resyncMu, c.log, c.node.name, c.names, c.link.client(c.rt), targets, gen)
}

// resyncTarget is one app a re-sync reconciles: Asterisk's name for it on
// the connection, and the link of the calls to reconcile (nil: all of the
// app's calls).
type resyncTarget struct {
	a     *appState
	appID string
	link  *callLink
}

// resync reconciles targets through rest after connection gen came up;
// mu serialises the re-syncs of one connection.
func (rt *Runtime) resync(ctx context.Context, mu *sync.Mutex, log *slog.Logger, node string, names []string, rest *resources.Client, targets []resyncTarget, gen uint64) {
	mu.Lock()
	defer mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, rt.cfg.cleanupTimeout())
	defer cancel()
	report := ResyncReport{Apps: names, Node: node}
	report.Err = rt.reconcile(ctx, log, rest, targets, gen, &report)
	if report.Err != nil {
		log.Error("stasis: re-sync failed; calls are kept as they were", "err", report.Err)
		// Nothing reads the ended channels of this reconnect any more.
		for _, t := range targets {
			t.a.mu.Lock()
			t.a.dropEnded(gen)
			t.a.mu.Unlock()
		}
	} else {
		rt.stats.resyncs.Add(1)
		log.Info("stasis: re-synced", "ended", report.Ended, "resumed", report.Resumed, "survived", report.Survived)
	}
	if rt.cfg.OnResync != nil {
		rt.cfg.OnResync(report)
	}
}

// reconcile lists the channels of the targets' apps and reconciles each
// app's calls with them, counting what it does in report.
func (rt *Runtime) reconcile(ctx context.Context, log *slog.Logger, rest *resources.Client, targets []resyncTarget, gen uint64, report *ResyncReport) error {
	channels, err := rest.Channels.List(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]*ari.Channel, len(channels))
	for i := range channels {
		byID[channels[i].ID] = &channels[i]
	}
	for _, t := range targets {
		info, err := rest.Applications.Get(ctx, t.appID)
		if err != nil {
			return err
		}
		inApp := make(map[string]*ari.Channel, len(info.ChannelIDs))
		for _, id := range info.ChannelIDs {
			if id == "" {
				rt.stats.protocolErrs.Add(1)
				log.Warn("stasis: protocol error: the app lists a channel without an id; ignored", "app", t.appID)
				continue
			}
			if ch := byID[id]; ch != nil {
				inApp[id] = ch
			}
		}
		rt.reconcileApp(t, inApp, gen, report)
	}
	return nil
}

// reconcileApp reconciles the calls of t with live, the channels Asterisk
// lists in t's app.
func (rt *Runtime) reconcileApp(t resyncTarget, live map[string]*ari.Channel, gen uint64, report *ResyncReport) {
	a, link := t.a, t.link
	now := time.Now()
	type ending struct {
		call *Call
		ev   *events.StasisEnd
	}
	var ends []ending
	var survivors []*Call
	var resumed []*Call

	a.mu.Lock()
	seen := map[*Call]bool{}
	for _, call := range a.channels {
		if seen[call] || call.gen >= gen || call.ending.Load() || link != nil && call.link != link {
			continue
		}
		seen[call] = true
		primaryGone := false
		for _, id := range call.channelIDs() {
			if live[id] != nil || a.ended.has(id) {
				continue
			}
			ev := syntheticEnd(call.AppID, call, id, now)
			ends = append(ends, ending{call, ev})
			if id == call.ChannelID {
				primaryGone = true
				call.markEnding()
				a.forgetLocked(call)
				break
			}
			delete(a.channels, id)
			call.channelGone(id)
		}
		if !primaryGone {
			survivors = append(survivors, call)
		}
	}
	for id, ch := range live {
		if a.channels[id] != nil || a.ended.has(id) || !inStasis(ch) {
			continue
		}
		if !rt.reserveCall() {
			break
		}
		start := syntheticStart(t.appID, ch, now)
		call := rt.newCall(a, start, gen, link, true)
		a.channels[id] = call
		call.addChannel(id, LegPrimary)
		resumed = append(resumed, call)
	}
	a.dropEnded(gen)
	a.mu.Unlock()

	for _, e := range ends {
		rt.stats.syntheticEnds.Add(1)
		if e.ev.Channel.ID == e.call.ChannelID {
			report.Ended++
		}
		e.call.deliver(delivery{ev: e.ev, synthetic: true})
	}
	for _, call := range survivors {
		report.Survived++
		call.mb.push(delivery{note: &notice{resync: &Resync{Reason: ResyncReconnect, At: now}}})
	}
	for _, call := range resumed {
		report.Resumed++
		rt.stats.resumed.Add(1)
		call.log.Info("stasis: call resumed by re-sync")
		rt.startCall(call, delivery{ev: call.Start, synthetic: true})
	}
}

// dropEnded stops recording ended channels once the re-sync of connection
// gen has run, unless a newer reconnect's re-sync still needs them. a.mu
// must be held.
func (a *appState) dropEnded(gen uint64) {
	if a.ended != nil && a.ended.conn <= gen {
		a.ended = nil
	}
}

// inStasis reports a channel executing a Stasis application.
func inStasis(ch *ari.Channel) bool { return strings.HasPrefix(ch.Dialplan.AppName, "Stasis") }

// syntheticStart makes the StasisStart a channel would have produced. Its
// args come from the dialplan's Stasis(app,args...) when it names app.
func syntheticStart(app string, ch *ari.Channel, now time.Time) *events.StasisStart {
	e := &events.StasisStart{Channel: *ch, Args: []string{}}
	e.Type = "StasisStart"
	e.Application = app
	e.Timestamp = ari.Time{Time: now}
	// On a per-call outbound websocket app is "<name>:<channel name>" and
	// the dialplan says Stasis(<name>,...).
	if parts := strings.Split(ch.Dialplan.AppData, ","); len(parts) > 0 && (parts[0] == app || strings.HasPrefix(app, parts[0]+":")) {
		e.Args = append(e.Args, parts[1:]...)
	}
	return e
}

// syntheticEnd makes the StasisEnd of a channel a re-sync found gone,
// from the last snapshot the call has of it.
func syntheticEnd(app string, call *Call, id string, now time.Time) *events.StasisEnd {
	e := &events.StasisEnd{}
	e.Type = "StasisEnd"
	e.Application = app
	e.Timestamp = ari.Time{Time: now}
	if id == call.ChannelID && call.Start != nil {
		e.Channel = call.Start.Channel
	} else {
		e.Channel.ID = id
	}
	return e
}
