package aritest

import (
	"encoding/binary"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// liveRecording is a recording of a channel or a bridge.
type liveRecording struct {
	name, format, targetURI string
	ch                      *channel
	br                      *bridge
	q                       *mediaQueue // nil for bridges (a recorder channel each)
	state                   string
	maxDuration, maxSilence time.Duration
	terminateOn             string
	ifExists                string
	muted                   bool
	recorded                time.Duration // including base
	base                    time.Duration // length of the file appended to
	resumedAt               time.Time
	duration                int // seconds, once finished
	finished                bool
	cause                   string

	startTimer, maxTimer, silenceTimer *simTimer
}

func (*liveRecording) isMedia() {}

func (r *liveRecording) model() ari.LiveRecording {
	m := ari.LiveRecording{Name: r.name, Format: r.format, State: ari.LiveRecordingState(r.state), TargetURI: r.targetURI, Cause: r.cause}
	if r.finished {
		m.Duration = r.duration
		markPresent(&m, "duration")
		if r.maxSilence > 0 {
			m.SilenceDuration = r.duration
			markPresent(&m, "talking_duration", "silence_duration")
		}
	}
	return m
}

func (r *liveRecording) target() target {
	if r.br != nil {
		return target{br: r.br}
	}
	return target{ch: r.ch}
}

// terminatesOn reports whether DTMF digit ends the recording.
func (r *liveRecording) terminatesOn(d byte) bool {
	if r.state != "recording" && r.state != "paused" {
		return false
	}
	switch r.terminateOn {
	case "any":
		return true
	case "*", "#":
		return r.terminateOn[0] == d
	}
	return false
}

// storedRecording is a recording file.
type storedRecording struct {
	name, format string
	length       time.Duration
}

// recordingFormats are the formats Asterisk 22 can write.
var recordingFormats = map[string]bool{
	"wav": true, "WAV": true, "wav16": true, "gsm": true, "ulaw": true, "alaw": true,
	"sln": true, "sln16": true, "g722": true, "g726": true, "g729": true, "vox": true, "ilbc": true,
	"siren7": true, "siren14": true, "ogg": true, "h263": true, "h264": true,
}

// startRecording begins a queued recording: RecordingStarted, and the
// timers that end it by itself.
func (s *Server) startRecording(r *liveRecording) {
	if r.state != "queued" {
		return
	}
	r.state = "recording"
	base := time.Duration(0)
	if old := s.stored[r.name]; old != nil && r.ifExists == "append" {
		base = old.length
	}
	s.stored[r.name] = &storedRecording{name: r.name, format: r.format, length: base}
	r.recorded, r.base = base, base
	r.resumedAt = time.Now()
	s.send(&events.RecordingStarted{Recording: r.model()}, r.target())
	s.armRecordingTimers(r)
}

func (s *Server) armRecordingTimers(r *liveRecording) {
	if r.maxDuration > 0 {
		left := r.maxDuration - (r.recorded - r.base)
		if left < 0 {
			left = 0
		}
		r.maxTimer = s.after(left, func() { s.finishRecording(r, "done") })
	}
	s.armSilence(r)
}

// armSilence ends the recording after a silence: Timing.RecordingSilence
// (Asterisk ends a recording of a silent Local channel after about 4s), or
// maxSilenceSeconds when shorter.
func (s *Server) armSilence(r *liveRecording) {
	limit := s.cfg.Timing.RecordingSilence
	if r.maxSilence > 0 && (limit == Never || r.maxSilence < limit) {
		limit = r.maxSilence
	}
	if limit == Never {
		return
	}
	r.silenceTimer = s.after(limit, func() {
		if r.state != "recording" {
			return
		}
		if s.hearsMedia(r) {
			s.armSilence(r)
			return
		}
		s.finishRecording(r, "done")
	})
}

// hearsMedia reports whether the recorded channel (or bridge) hears
// something: a playback on the other half of its Local pair or on the
// bridge, the dialplan playing a file or music, or a test phone talking.
func (s *Server) hearsMedia(r *liveRecording) bool {
	now := time.Now()
	busy := func(ch *channel) bool {
		if ch == nil || ch.gone {
			return false
		}
		if pb, ok := ch.mq.cur.(*playback); ok && pb.state != "queued" {
			return true
		}
		return ch.inMOH || ch.moh || ch.dpPlaying.After(now)
	}
	if r.br != nil {
		if pb, ok := r.br.playQ.cur.(*playback); ok && pb.state != "queued" {
			return true
		}
		if r.br.moh {
			return true
		}
		for _, m := range r.br.members {
			if m.phone != nil && m.phone.talkingUntil.After(now) {
				return true
			}
		}
		return false
	}
	ch := r.ch
	if ch.phone != nil && ch.phone.talkingUntil.After(now) {
		return true
	}
	if ch.tech == "Local" && busy(ch.peer) {
		return true
	}
	if ch.bridge != nil {
		for _, m := range ch.bridge.members {
			if m != ch && (busy(m) || m.phone != nil && m.phone.talkingUntil.After(now)) {
				return true
			}
		}
	}
	return false
}

// finishRecording ends a live recording with state done, failed or
// canceled.
func (s *Server) finishRecording(r *liveRecording, state string) {
	if r.finished {
		return
	}
	r.startTimer.stop()
	r.maxTimer.stop()
	r.silenceTimer.stop()
	if _, ok := s.liveRecs[r.name]; !ok {
		return
	}
	delete(s.liveRecs, r.name)
	if r.state == "queued" {
		r.finished = true
		s.mediaDone(r.q, r)
		return
	}
	if r.state == "recording" {
		r.recorded += time.Since(r.resumedAt)
	}
	r.finished = true
	r.duration = int((r.recorded - r.base) / time.Second)
	r.state = state
	if st := s.stored[r.name]; st != nil {
		st.length = r.recorded
	}
	switch state {
	case "failed":
		s.send(&events.RecordingFailed{Recording: r.model()}, r.target())
	default:
		if state == "canceled" {
			delete(s.stored, r.name)
		}
		s.send(&events.RecordingFinished{Recording: r.model()}, r.target())
	}
	s.mediaDone(r.q, r)
}

// newRecording validates and queues a recording for channels.record and
// bridges.record.
func (s *Server) newRecording(c *reqCtx, targetURI string, ch *channel, br *bridge) reply {
	maxDur := c.int("maxDurationSeconds", 0)
	if maxDur < 0 {
		return errReply(400, "max_duration_seconds cannot be negative")
	}
	maxSil := c.int("maxSilenceSeconds", 0)
	if maxSil < 0 {
		return errReply(400, "max_silence_seconds cannot be negative")
	}
	ifExists := c.str("ifExists")
	if ifExists == "" {
		ifExists = "fail"
	}
	switch ifExists {
	case "fail", "overwrite", "append":
	default:
		return errReply(400, "ifExists invalid")
	}
	term := c.str("terminateOn")
	if term == "" {
		term = "none"
	}
	switch term {
	case "none", "any", "*", "#":
	default:
		return errReply(400, "terminateOn invalid")
	}
	format := c.str("format")
	if !recordingFormats[format] {
		return errReply(422, "specified format is unknown on this system")
	}
	name := c.str("name")
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return errReply(400, "Recording name invalid")
	}
	if _, live := s.liveRecs[name]; live || (ifExists == "fail" && s.stored[name] != nil) {
		return errReply(409, fmt.Sprintf("Recording '%s' already exists and can not be overwritten", name))
	}
	r := &liveRecording{
		name: name, format: format, targetURI: targetURI, ch: ch, br: br,
		state: "queued", maxDuration: time.Duration(maxDur) * time.Second,
		maxSilence: time.Duration(maxSil) * time.Second, terminateOn: term, ifExists: ifExists,
	}
	s.liveRecs[name] = r
	m := r.model()
	if ch != nil {
		r.q = &ch.mq
		s.enqueueMedia(r.q, r)
	} else {
		s.beginMedia(r)
	}
	rep := okJSON(m)
	rep.status = 201
	rep.location = "/recordings/live/" + url.PathEscape(name)
	return rep
}

func hChannelsRecord(s *Server, c *reqCtx) reply {
	ch, rep := s.findControlUp(c.path["channelId"])
	if ch == nil {
		return rep
	}
	return s.newRecording(c, "channel:"+ch.id, ch, nil)
}

func hBridgesRecord(s *Server, c *reqCtx) reply {
	br := s.bridges[c.path["bridgeId"]]
	if br == nil {
		return errReply(404, msgBridgeNotFound)
	}
	return s.newRecording(c, "bridge:"+br.id, nil, br)
}

// --- REST: live recordings ---

func (s *Server) recordingOp(c *reqCtx, op string) reply {
	r := s.liveRecs[c.path["recordingName"]]
	if r == nil {
		return errReply(404, "Recording not found")
	}
	notRecording := errReply(409, "Recording not in session")
	switch r.state {
	case "queued":
		if op == "cancel" {
			s.finishRecording(r, "canceled")
			return noContent()
		}
		return notRecording
	case "recording", "paused":
	default:
		return notRecording
	}
	switch op {
	case "stop":
		s.finishRecording(r, "done")
	case "cancel":
		s.finishRecording(r, "canceled")
	case "pause":
		if r.state == "recording" {
			r.recorded += time.Since(r.resumedAt)
			r.maxTimer.stop()
			r.silenceTimer.stop()
			r.state = "paused"
		}
	case "unpause":
		if r.state == "paused" {
			r.state = "recording"
			r.resumedAt = time.Now()
			s.send(&events.RecordingStarted{Recording: r.model()}, r.target())
			s.armRecordingTimers(r)
		}
	case "mute":
		r.muted = true
	case "unmute":
		r.muted = false
	}
	return noContent()
}

func hRecordingsGetLive(s *Server, c *reqCtx) reply {
	r := s.liveRecs[c.path["recordingName"]]
	if r == nil {
		return errReply(404, "Recording not found")
	}
	return okJSON(r.model())
}

func hRecordingsStop(s *Server, c *reqCtx) reply    { return s.recordingOp(c, "stop") }
func hRecordingsCancel(s *Server, c *reqCtx) reply  { return s.recordingOp(c, "cancel") }
func hRecordingsPause(s *Server, c *reqCtx) reply   { return s.recordingOp(c, "pause") }
func hRecordingsUnpause(s *Server, c *reqCtx) reply { return s.recordingOp(c, "unpause") }
func hRecordingsMute(s *Server, c *reqCtx) reply    { return s.recordingOp(c, "mute") }
func hRecordingsUnmute(s *Server, c *reqCtx) reply  { return s.recordingOp(c, "unmute") }

// --- REST: stored recordings ---

func (st *storedRecording) model() ari.StoredRecording {
	return ari.StoredRecording{Name: st.name, Format: st.format}
}

func (s *Server) storedList() []ari.StoredRecording {
	names := make([]string, 0, len(s.stored))
	for n := range s.stored {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]ari.StoredRecording, 0, len(names))
	for _, n := range names {
		out = append(out, s.stored[n].model())
	}
	return out
}

func hRecordingsListStored(s *Server, c *reqCtx) reply { return okJSON(s.storedList()) }

func hRecordingsGetStored(s *Server, c *reqCtx) reply {
	st := s.stored[c.path["recordingName"]]
	if st == nil {
		return errReply(404, "Recording not found")
	}
	return okJSON(st.model())
}

func hRecordingsDeleteStored(s *Server, c *reqCtx) reply {
	name := c.path["recordingName"]
	if s.stored[name] == nil {
		return errReply(404, "Recording not found")
	}
	delete(s.stored, name)
	return noContent()
}

func hRecordingsCopyStored(s *Server, c *reqCtx) reply {
	src := s.stored[c.path["recordingName"]]
	if src == nil {
		return errReply(404, "Recording not found")
	}
	dst := c.str("destinationRecordingName")
	if s.stored[dst] != nil {
		return errReply(409, "A recording with the same name already exists on the system")
	}
	if dst == "" || strings.HasPrefix(dst, "/") || strings.Contains(dst, "..") {
		return errReply(400, "Invalid destination recording name")
	}
	cp := &storedRecording{name: dst, format: src.format, length: src.length}
	s.stored[dst] = cp
	return okJSON(cp.model())
}

func hRecordingsGetStoredFile(s *Server, c *reqCtx) reply {
	st := s.stored[c.path["recordingName"]]
	if st == nil {
		return errReply(404, "Recording not found")
	}
	return reply{status: 200, body: st.file(), ctype: "audio/" + strings.ToLower(st.format)}
}

// file returns the recording's audio: for wav, a valid WAV file of silence
// (8 kHz, 16-bit, mono) as long as the recording (at most 10s); for other
// formats, silence bytes.
func (st *storedRecording) file() []byte {
	d := st.length
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	samples := int(d / (time.Second / 8000))
	if strings.EqualFold(st.format, "wav") {
		return silentWAV(samples)
	}
	return make([]byte, samples)
}

// silentWAV returns a RIFF/WAVE file of n samples of silence.
func silentWAV(n int) []byte {
	const rate, bits, chans = 8000, 16, 1
	dataLen := n * bits / 8 * chans
	b := make([]byte, 44+dataLen)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+dataLen))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], chans)
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*chans*bits/8)
	binary.LittleEndian.PutUint16(b[32:], chans*bits/8)
	binary.LittleEndian.PutUint16(b[34:], bits)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(dataLen))
	return b
}

// Recordings returns the live recordings.
func (s *Server) Recordings() []ari.LiveRecording {
	s.mu.Lock()
	defer s.runlock()
	out := make([]ari.LiveRecording, 0, len(s.liveRecs))
	for _, r := range s.liveRecs {
		out = append(out, r.model())
	}
	sortBy(out, func(r ari.LiveRecording) string { return r.Name })
	return out
}

// StoredRecordings returns the stored recordings, sorted by name.
func (s *Server) StoredRecordings() []ari.StoredRecording {
	s.mu.Lock()
	defer s.runlock()
	return s.storedList()
}

// AddStoredRecording adds a stored recording (as if a file had been put in
// Asterisk's recordings directory) of the given length; its audio is
// silence.
func (s *Server) AddStoredRecording(name, format string, length time.Duration) {
	s.mu.Lock()
	defer s.unlock()
	s.stored[name] = &storedRecording{name: name, format: format, length: length}
}

func sortBy[T any](v []T, key func(T) string) {
	sort.Slice(v, func(i, j int) bool { return key(v[i]) < key(v[j]) })
}
