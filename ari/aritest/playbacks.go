package aritest

import (
	"net/url"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// mediaOp is a playback or a recording waiting for, or holding, a
// channel's media.
type mediaOp interface{ isMedia() }

// mediaQueue runs the media operations of a channel (or the playbacks of a
// bridge) one after the other, as Asterisk's control queue does.
type mediaQueue struct {
	cur     mediaOp
	waiting []mediaOp
}

// enqueue adds op; start is called (after Timing.MediaStart) when op's
// turn comes.
func (s *Server) enqueueMedia(q *mediaQueue, op mediaOp) {
	if q.cur == nil {
		q.cur = op
		s.beginMedia(op)
		return
	}
	q.waiting = append(q.waiting, op)
}

// mediaDone removes op from its queue and starts the next one.
func (s *Server) mediaDone(q *mediaQueue, op mediaOp) {
	if q == nil {
		return
	}
	if q.cur != op {
		for i, w := range q.waiting {
			if w == op {
				q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
				break
			}
		}
		return
	}
	q.cur = nil
	if len(q.waiting) > 0 {
		q.cur = q.waiting[0]
		q.waiting = q.waiting[1:]
		s.beginMedia(q.cur)
	}
}

func (s *Server) beginMedia(op mediaOp) {
	d := s.cfg.Timing.MediaStart
	switch op := op.(type) {
	case *playback:
		op.timer = s.after(d, func() { s.startPlayback(op) })
	case *liveRecording:
		op.startTimer = s.after(d, func() { s.startRecording(op) })
	}
}

// stopMedia ends the media of a channel that hangs up (failed playbacks)
// or leaves Stasis.
func (s *Server) stopMedia(ch *channel, hangup bool) {
	q := &ch.mq
	waiting := q.waiting
	q.waiting = nil
	for _, op := range waiting {
		switch op := op.(type) {
		case *playback:
			op.timer.stop()
			delete(s.playbacks, op.id)
		case *liveRecording:
			op.startTimer.stop()
			delete(s.liveRecs, op.name)
		}
	}
	switch op := q.cur.(type) {
	case *playback:
		state := "done"
		if hangup {
			state = "failed"
		}
		s.endPlayback(op, state)
	case *liveRecording:
		s.finishRecording(op, "done")
	}
	q.cur = nil
}

// playback is a playback on a channel or a bridge.
type playback struct {
	id        string
	targetURI string
	ch        *channel
	br        *bridge
	q         *mediaQueue
	media     []string
	idx       int
	lang      string
	state     string
	skip      time.Duration
	offset    time.Duration
	itemLen   time.Duration // length of the current item; <0 for tones
	remaining time.Duration
	resumedAt time.Time
	timer     *simTimer
}

func (*playback) isMedia() {}

func (pb *playback) model() ari.Playback {
	m := ari.Playback{
		ID:        pb.id,
		MediaURI:  pb.media[pb.idx],
		TargetURI: pb.targetURI,
		Language:  pb.lang,
		State:     ari.PlaybackState(pb.state),
	}
	if pb.idx+1 < len(pb.media) {
		m.NextMediaURI = pb.media[pb.idx+1]
	}
	markPresent(&m, "language")
	return m
}

func (pb *playback) target() target {
	if pb.br != nil {
		return target{br: pb.br}
	}
	return target{ch: pb.ch}
}

// soundExists reports whether a sound file name exists.
func (s *Server) soundExists(name string) bool {
	if soundIndex[name] != nil {
		return true
	}
	for _, x := range s.cfg.Sounds {
		if x == name {
			return true
		}
	}
	return false
}

// mediaLength returns how long a media URI plays (<0: until stopped) and
// whether it can be played at all.
func (s *Server) mediaLength(uri string) (time.Duration, bool) {
	scheme, rest, _ := strings.Cut(uri, ":")
	switch scheme {
	case "sound":
		return s.cfg.Timing.Playback, s.soundExists(rest)
	case "recording":
		_, ok := s.stored[rest]
		return s.cfg.Timing.Playback, ok
	case "digits", "number", "characters":
		return s.cfg.Timing.Playback, rest != ""
	case "tone":
		return -1, rest != ""
	}
	return 0, false
}

// startPlayback plays the first item.
func (s *Server) startPlayback(pb *playback) {
	if pb.state != "queued" {
		return
	}
	pb.idx = 0
	s.playItem(pb)
}

// playItem starts the current item: PlaybackStarted, then the item's end
// (or PlaybackFinished "failed" at once for a missing sound).
func (s *Server) playItem(pb *playback) {
	uri := pb.media[pb.idx]
	pb.state = "playing"
	s.send(&events.PlaybackStarted{Playback: pb.model()}, pb.target())
	d, ok := s.mediaLength(uri)
	if !ok {
		s.endPlayback(pb, "failed")
		return
	}
	for _, ch := range pb.listeners() {
		if ch.phone != nil {
			ch.phone.mediaHeard = append(ch.phone.mediaHeard, uri)
		}
	}
	pb.itemLen = d
	if pb.idx == 0 && pb.offset > 0 && d >= 0 {
		d -= pb.offset
		if d < 0 {
			d = 0
		}
	}
	pb.remaining = d
	pb.resumedAt = time.Now()
	if d >= 0 {
		pb.timer = s.after(d, func() { s.itemDone(pb) })
	}
}

// listeners returns the channels that hear the playback.
func (pb *playback) listeners() []*channel {
	if pb.br != nil {
		return pb.br.members
	}
	return []*channel{pb.ch}
}

// itemDone moves to the next item (PlaybackContinuing) or finishes.
func (s *Server) itemDone(pb *playback) {
	if pb.idx+1 < len(pb.media) {
		pb.state = "continuing"
		s.send(&events.PlaybackContinuing{Playback: pb.model()}, pb.target())
		pb.idx++
		s.playItem(pb)
		return
	}
	s.endPlayback(pb, "done")
}

// endPlayback finishes a started playback with PlaybackFinished.
func (s *Server) endPlayback(pb *playback, state string) {
	pb.timer.stop()
	if _, ok := s.playbacks[pb.id]; !ok {
		return
	}
	if pb.state == "queued" {
		// Never started: canceled, without an event.
		delete(s.playbacks, pb.id)
		s.mediaDone(pb.q, pb)
		return
	}
	pb.state = state
	s.send(&events.PlaybackFinished{Playback: pb.model()}, pb.target())
	delete(s.playbacks, pb.id)
	s.mediaDone(pb.q, pb)
}

// elapsed updates remaining for a running item.
func (pb *playback) settle() {
	if pb.remaining >= 0 && pb.state != "paused" {
		pb.remaining -= time.Since(pb.resumedAt)
		if pb.remaining < 0 {
			pb.remaining = 0
		}
	}
	pb.resumedAt = time.Now()
}

// rearm restarts the item timer with remaining.
func (s *Server) rearm(pb *playback) {
	pb.timer.stop()
	pb.resumedAt = time.Now()
	if pb.remaining >= 0 && pb.itemLen >= 0 {
		pb.timer = s.after(pb.remaining, func() { s.itemDone(pb) })
	}
}

// newPlayback validates and queues a playback for channels.play and
// bridges.play.
func (s *Server) newPlayback(c *reqCtx, id, targetURI, lang string, q *mediaQueue, ch *channel, br *bridge) reply {
	media, rep, ok := c.list("media")
	if !ok {
		return rep
	}
	if len(media) == 0 || media[0] == "" {
		return errReply(400, "Missing parameter media")
	}
	skip := c.int("skipms", 3000)
	if skip < 0 {
		return errReply(400, "skipms cannot be negative")
	}
	offset := c.int("offsetms", 0)
	if offset < 0 {
		return errReply(400, "offsetms cannot be negative")
	}
	if l := c.str("lang"); l != "" {
		lang = l
	}
	if id == "" {
		id = s.newUUID()
	}
	if _, dup := s.playbacks[id]; dup {
		return errReply(500, "Failed to queue media for playback")
	}
	pb := &playback{
		id: id, targetURI: targetURI, ch: ch, br: br, q: q,
		media: media, lang: lang, state: "queued",
		skip: time.Duration(skip) * time.Millisecond, offset: time.Duration(offset) * time.Millisecond,
	}
	s.playbacks[id] = pb
	m := pb.model()
	s.enqueueMedia(q, pb)
	r := okJSON(m)
	r.status = 201
	r.location = "/playbacks/" + url.PathEscape(id)
	return r
}

func hChannelsPlay(s *Server, c *reqCtx) reply { return s.channelPlay(c, c.str("playbackId")) }

func hChannelsPlayWithID(s *Server, c *reqCtx) reply {
	return s.channelPlay(c, c.path["playbackId"])
}

func (s *Server) channelPlay(c *reqCtx, id string) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	return s.newPlayback(c, id, "channel:"+ch.id, ch.language, &ch.mq, ch, nil)
}

func hBridgesPlay(s *Server, c *reqCtx) reply { return s.bridgePlay(c, c.str("playbackId")) }

func hBridgesPlayWithID(s *Server, c *reqCtx) reply {
	return s.bridgePlay(c, c.path["playbackId"])
}

func (s *Server) bridgePlay(c *reqCtx, id string) reply {
	br := s.bridges[c.path["bridgeId"]]
	if br == nil {
		return errReply(404, msgBridgeNotFound)
	}
	return s.newPlayback(c, id, "bridge:"+br.id, s.cfg.Language, &br.playQ, nil, br)
}

// --- REST: playbacks ---

func hPlaybacksGet(s *Server, c *reqCtx) reply {
	pb := s.playbacks[c.path["playbackId"]]
	if pb == nil {
		return errReply(404, "Playback not found")
	}
	return okJSON(pb.model())
}

func hPlaybacksStop(s *Server, c *reqCtx) reply {
	pb := s.playbacks[c.path["playbackId"]]
	if pb == nil {
		return errReply(404, "Playback not found")
	}
	s.endPlayback(pb, "done")
	return noContent()
}

func hPlaybacksControl(s *Server, c *reqCtx) reply {
	op := c.str("operation")
	if op == "" {
		return errReply(400, "Missing operation")
	}
	switch op {
	case "unpause", "pause", "restart", "reverse", "forward":
	default:
		return errReply(400, "Invalid operation "+op)
	}
	pb := s.playbacks[c.path["playbackId"]]
	if pb == nil {
		return errReply(404, "Playback not found")
	}
	notPlaying := errReply(409, "Can only "+op+" while media is playing")
	switch pb.state {
	case "queued":
		if op == "restart" {
			return noContent()
		}
		return notPlaying
	case "playing", "continuing":
		switch op {
		case "unpause":
		case "pause":
			pb.settle()
			pb.timer.stop()
			pb.state = "paused"
		case "restart":
			pb.remaining = pb.itemLen
			s.rearm(pb)
		case "forward":
			pb.settle()
			if pb.remaining >= 0 {
				pb.remaining -= pb.skip
				if pb.remaining < 0 {
					pb.remaining = 0
				}
				s.rearm(pb)
			}
		case "reverse":
			pb.settle()
			if pb.remaining >= 0 {
				pb.remaining += pb.skip
				if pb.remaining > pb.itemLen {
					pb.remaining = pb.itemLen
				}
				s.rearm(pb)
			}
		}
		return noContent()
	case "paused":
		switch op {
		case "pause":
			return noContent()
		case "unpause":
			pb.state = "playing"
			s.send(&events.PlaybackStarted{Playback: pb.model()}, pb.target())
			s.rearm(pb)
			return noContent()
		}
		return notPlaying
	}
	return notPlaying
}

// Playbacks returns the playbacks in progress or queued.
func (s *Server) Playbacks() []ari.Playback {
	s.mu.Lock()
	defer s.runlock()
	out := make([]ari.Playback, 0, len(s.playbacks))
	for _, pb := range s.playbacks {
		out = append(out, pb.model())
	}
	sortBy(out, func(p ari.Playback) string { return p.ID })
	return out
}
