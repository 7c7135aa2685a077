package aritest

import (
	"hash/fnv"

	"gostasis.dev/ari"
)

// rtpTechs are the technologies that register RTP glue
// (ast_rtp_instance_get_glue) in Asterisk 22.10.1, among the simulated
// ones: chan_pjsip and chan_rtp (UnicastRTP, externalMedia).
var rtpTechs = map[string]bool{"PJSIP": true, "UnicastRTP": true}

// hChannelsRTPStatistics is channels.rtpstatistics
// (ast_ari_channels_rtpstatistics): 404 without the channel, 403
// "Unsupported channel type" for a technology without RTP glue (Local,
// Snoop, AudioSocket, WebSocket, IAX2, the Test phones), 404 "RTP info not
// found" without an RTP session (an externalMedia channel, as captured, or
// a PJSIP call before it is answered), else zero statistics: the simulator
// sends no media.
func hChannelsRTPStatistics(s *Server, c *reqCtx) reply {
	ch := s.channels[c.path["channelId"]]
	if ch == nil {
		return errReply(404, msgChannelNotFound)
	}
	if !rtpTechs[ch.tech] {
		return errReply(403, "Unsupported channel type")
	}
	if ch.tech != "PJSIP" || ch.state != stateUp {
		return errReply(404, "RTP info not found")
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(ch.id))
	ssrc := int(h.Sum32() >> 1)
	return okJSON(ari.RTPStat{ChannelUniqueID: ch.id, LocalSSRC: ssrc, RemoteSSRC: ssrc ^ 0x5a5a5a5a})
}
