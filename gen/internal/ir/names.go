package ir

import (
	"go/token"
	"regexp"
	"strings"
	"unicode"
)

// The naming rule. Every exported Go name the generator derives from an
// Asterisk name (model and event types, handler interfaces and their On
// methods, fields, resources, methods, parameters, params structs, enum
// types and values) is spelled by GoName: the Asterisk name is split into
// words at underscores, other separators and case changes, each word is
// written as this table says, or capitalised when the table lacks it, and
// the words are joined. Go's initialisms stay upper case everywhere:
// ChannelDtmfReceived -> ChannelDTMFReceived (handler
// OnChannelDTMFReceived), ChannelCallerId -> ChannelCallerID, RTPstat ->
// RTPStat, SetId -> SetID. What goes over the wire (event types, JSON
// keys, query parameters) keeps Asterisk's spelling. The test
// TestGeneratedNamesFollowTheRule checks every exported name in the
// generated files against this rule.
//
// words maps a lower-case word (a piece between underscores or case
// changes) to its Go spelling: Go initialisms, and the run-together
// compounds Asterisk writes in lower case (channelvars, rtpstatistics).
// A word missing here is simply capitalised.
var words = map[string]string{
	"api": "API", "cep": "CEP", "cid": "CID", "dtmf": "DTMF", "http": "HTTP",
	"id": "ID", "ids": "IDs", "ip": "IP", "json": "JSON", "moh": "MOH",
	"rdnis": "RDNIS", "rtp": "RTP", "sip": "SIP", "ssrc": "SSRC", "tcp": "TCP",
	"udp": "UDP", "uri": "URI", "url": "URL", "usec": "Usec", "uuid": "UUID",
	"ms": "MS", "rtt": "RTT", "txt": "Txt", "sdp": "SDP", "sfu": "SFU",
	"rest": "REST", "ari": "ARI", "rx": "RX", "tx": "TX", "rxp": "RXP", "txp": "TXP",
	"accountcode":    "AccountCode",
	"bridgevars":     "BridgeVars",
	"channelvars":    "ChannelVars",
	"creationtime":   "CreationTime",
	"dialstatus":     "DialStatus",
	"dialstring":     "DialString",
	"eventname":      "EventName",
	"exten":          "Exten",
	"musicclass":     "MusicClass",
	"offsetms":       "OffsetMS",
	"rtpstatistics":  "RTPStatistics",
	"setid":          "SetID",
	"skipms":         "SkipMS",
	"tenantid":       "TenantID",
	"uniqueid":       "UniqueID",
	"userevent":      "UserEvent",
	"threeway":       "ThreeWay",
	"roundtrip":      "RoundTrip",
	"maxrtt":         "MaxRTT",
	"minrtt":         "MinRTT",
	"normdevrtt":     "NormDevRTT",
	"stdevrtt":       "StdevRTT",
	"rxcount":        "RXCount",
	"txcount":        "TXCount",
	"rxjitter":       "RXJitter",
	"txjitter":       "TXJitter",
	"rxploss":        "RXPLoss",
	"txploss":        "TXPLoss",
	"rxoctetcount":   "RXOctetCount",
	"txoctetcount":   "TXOctetCount",
	"maxjitter":      "MaxJitter",
	"minjitter":      "MinJitter",
	"normdevjitter":  "NormDevJitter",
	"stdevjitter":    "StdevJitter",
	"maxrxploss":     "MaxRXPLoss",
	"minrxploss":     "MinRXPLoss",
	"normdevrxploss": "NormDevRXPLoss",
	"stdevrxploss":   "StdevRXPLoss",
}

var wordRE = regexp.MustCompile(`[A-Z]+[a-z0-9]*|[a-z0-9]+`)

// splitWords splits snake_case, camelCase and other separators into
// lower-case words: "channelId" -> [channel id], "sendDTMF" -> [send dtmf].
func splitWords(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		for _, w := range wordRE.FindAllString(splitUpperRuns(part), -1) {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

// splitUpperRuns separates an upper-case run from the lower-case letters
// after it so the regexp sees both: normally the run's last capital starts
// the next word ("DTMFReceived" -> "DTMF Received"), but a run that is
// itself a known initialism keeps all its capitals ("RTPstat" -> "RTP stat").
func splitUpperRuns(s string) string {
	r := []rune(s)
	var b strings.Builder
	start := 0 // start of the current upper-case run
	for i, c := range r {
		if unicode.IsUpper(c) && (i == 0 || !unicode.IsUpper(r[i-1])) {
			start = i
		}
		if i > 0 && unicode.IsLower(c) && i-start >= 2 && unicode.IsUpper(r[i-1]) {
			end := i
			for end < len(r) && unicode.IsLower(r[end]) {
				end++
			}
			run := strings.ToLower(string(r[start:i]))
			_, whole := words[run]
			_, short := words[run[:len(run)-1]]
			_, joined := words[strings.ToLower(string(r[start:end]))] // "IDs"
			if whole && !short && !joined {
				b.WriteByte(' ')
			}
		}
		if i > 0 && i+1 < len(r) && unicode.IsUpper(c) && unicode.IsUpper(r[i-1]) && unicode.IsLower(r[i+1]) {
			run := strings.ToLower(string(r[start : i+1]))
			_, whole := words[run]
			_, short := words[run[:len(run)-1]]
			if !whole || short {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// GoName turns an Asterisk name (snake_case, camelCase or lower case) into
// an exported Go name: caller_rdnis -> CallerRDNIS, channelId -> ChannelID,
// sendDTMF -> SendDTMF, rtpstatistics -> RTPStatistics.
func GoName(s string) string {
	var b strings.Builder
	for _, w := range splitWords(s) {
		if g, ok := words[w]; ok {
			b.WriteString(g)
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	name := b.String()
	if name == "" {
		return "X"
	}
	if name[0] >= '0' && name[0] <= '9' {
		name = "N" + name
	}
	return name
}

// reservedArgs are names generated method bodies use for their own
// variables; arguments are renamed away from them and from Go keywords.
var reservedArgs = map[string]bool{
	"ctx": true, "p": true, "s": true, "r": true, "q": true, "out": true,
	"err": true, "ari": true, "context": true, "io": true, "body": true,
	"rc": true, "string": true, "int": true, "bool": true, "any": true,
}

// ArgName is the Go argument name for a parameter: lowerCamel, and never
// a keyword or a name the generated body uses (quirk: a parameter named
// "type" or "body").
func ArgName(s string) string {
	g := GoName(s)
	// Lower the leading initialism or word: ChannelID -> channelID, ID -> id.
	r := []rune(g)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	switch {
	case i == len(r):
		g = strings.ToLower(g)
	case i > 1:
		g = strings.ToLower(string(r[:i-1])) + string(r[i-1:])
	default:
		g = strings.ToLower(string(r[:1])) + string(r[1:])
	}
	if token.IsKeyword(g) || reservedArgs[g] {
		g += "Arg"
	}
	return g
}

// EnumValueName is the Go name of an enum value: "Dialing Offhook" ->
// DialingOffhook, "Pre-ring" -> PreRing, "*" -> Star, "#" -> Hash.
func EnumValueName(v string) string {
	switch v {
	case "*":
		return "Star"
	case "#":
		return "Hash"
	case "":
		return "Empty"
	}
	return GoName(v)
}

// singular is the singular of a resource's Go name: Channels -> Channel,
// Mailboxes -> Mailbox, Asterisk -> Asterisk.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// GoName is the model's Go type name: its Asterisk name spelled by the one
// naming rule (GoName), e.g. ChannelDtmfReceived -> ChannelDTMFReceived,
// RTPstat -> RTPStat. The wire keeps Asterisk's spelling (Name).
func (m *Model) GoName() string { return GoName(m.Name) }
