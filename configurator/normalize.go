package configurator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A Normalizer returns a field's value in the form Asterisk stores and
// returns it, so that the value an app declares ("yes", "10.0.0.0/8") and
// the value Asterisk answers ("true", "10.0.0.0/255.0.0.0") compare equal
// when they mean the same. It never fails: a value it cannot read is
// returned trimmed, to be compared as it is (and refused by Asterisk if
// it is wrong).
type Normalizer func(value string) string

// Rule says how Asterisk stores one field.
type Rule struct {
	// Normalize returns the value the way Asterisk returns it. Nil means
	// NormalizeTrim.
	Normalize Normalizer
	// Accumulate marks a list field that an update of an existing object
	// adds to rather than replaces (identify's match, an aor's contact,
	// an endpoint's set_var): Normalize must return a comma-separated list,
	// compared as a set. Missing entries are added by sending just those;
	// an entry to remove can only go by recreating the object.
	Accumulate bool
	// Replace, if set, rewrites a value sent to update an existing object
	// so that it replaces the stored value instead of being merged into
	// it. An endpoint's allow uses it: Asterisk adds the codecs of an
	// update to the current ones unless the list starts with "!all".
	Replace func(value string) string
	// Send, if set, rewrites every value of the field the configurator
	// sends, when it creates an object and when it updates one (after
	// Replace). It is for a value that Asterisk prints with one meaning and
	// reads with another: callerid's "<unknown>" is how Asterisk prints no
	// caller id, but written it is the number "unknown", so it is sent as
	// "".
	Send func(value string) string
	// WriteOnly marks a field Asterisk accepts but never returns (an
	// endpoint's disallow, the "type" of res_pjsip objects): it is sent
	// when the object is created and never compared.
	WriteOnly bool
	// Secret marks a field whose values must not appear in reports and
	// logs (passwords); they are shown as "<redacted>".
	Secret bool
}

func (r Rule) normalize(v string) string {
	if r.Normalize == nil {
		return NormalizeTrim(v)
	}
	return r.Normalize(v)
}

// Normalizers is the table of Rules, keyed by (configuration class, object
// type, field). A lookup tries the exact key, then the class with any
// type, then any class and type; a field found nowhere is compared with
// NormalizeTrim. It is safe for concurrent use, so an app may add rules
// while a Configurator uses the table.
type Normalizers struct {
	mu    sync.RWMutex
	rules map[ruleKey]Rule
}

type ruleKey struct{ class, typ, field string }

// NewNormalizers returns an empty table: every field compares trimmed.
func NewNormalizers() *Normalizers {
	return &Normalizers{rules: make(map[ruleKey]Rule)}
}

// Set sets the rule for a field. An empty class or type stands for any.
func (n *Normalizers) Set(class, typ, field string, r Rule) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.rules[ruleKey{class, typ, field}] = r
}

// Rule returns the rule for a field of an object type.
func (n *Normalizers) Rule(class, typ, field string) Rule {
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, k := range []ruleKey{{class, typ, field}, {class, "", field}, {"", "", field}} {
		if r, ok := n.rules[k]; ok {
			return r
		}
	}
	return Rule{}
}

// Normalize normalises a value of a field of an object type.
func (n *Normalizers) Normalize(class, typ, field, value string) string {
	return n.Rule(class, typ, field).normalize(value)
}

// DefaultNormalizers returns a new table with the rules of the fields this
// package knows: res_pjsip's endpoint, aor, auth and identify, and
// res_mwi_external's mailboxes. Apps add their own with Set.
func DefaultNormalizers() *Normalizers {
	n := NewNormalizers()
	set := func(typ string, r Rule, fields ...string) {
		for _, f := range fields {
			n.Set(PJSIP, typ, f, r)
		}
	}
	boolean := Rule{Normalize: NormalizeBool}
	uint32 := Rule{Normalize: NormalizeUint}
	lower := Rule{Normalize: NormalizeLower}
	secret := Rule{Secret: true}

	// Every res_pjsip object has a no-op "type" field.
	n.Set(PJSIP, "", "type", Rule{WriteOnly: true})

	set("endpoint", boolean,
		"accept_multiple_sdp_answers", "aggregate_mwi", "allow_overlap", "allow_subscribe",
		"allow_transfer", "allow_unauthenticated_options", "asymmetric_rtp_codec",
		"bind_rtp_to_media_address", "bundle", "direct_media", "disable_direct_media_on_nat",
		"dtls_auto_generate_cert", "fax_detect", "follow_early_media_fork", "force_avp",
		"force_rport", "ice_support", "ignore_183_without_sdp", "inband_progress",
		"media_encryption_optimistic", "media_use_received_transport", "moh_passthrough",
		"mwi_subscribe_replaces_unsolicited", "notify_early_inuse_ringing", "one_touch_recording",
		"preferred_codec_only", "refer_blind_progress", "rewrite_contact", "rpid_immediate",
		"rtcp_mux", "rtp_ipv6", "rtp_symmetric", "send_aoc", "send_connected_line",
		"send_diversion", "send_history_info", "send_pai", "send_rpid", "srtp_tag_32",
		"suppress_moh_on_sendonly", "suppress_q850_reason_headers", "t38_udptl", "t38_udptl_ipv6",
		"t38_udptl_nat", "trust_connected_line", "trust_id_inbound", "trust_id_outbound",
		"use_avpf", "use_ptime", "user_eq_phone", "webrtc")
	set("endpoint", uint32,
		"cos_audio", "cos_video", "device_state_busy_at", "fax_detect_timeout", "max_audio_streams",
		"max_video_streams", "rtp_keepalive", "rtp_timeout", "rtp_timeout_hold", "sub_min_expiry",
		"t38_udptl_maxdatagram", "timers_min_se", "timers_sess_expires")
	set("endpoint", lower,
		"callerid_privacy", "direct_media_glare_mitigation", "dtls_setup", "dtmf_mode",
		"incoming_call_offer_pref", "media_encryption", "outgoing_call_offer_pref",
		"redirect_method", "t38_udptl_ec")
	set("endpoint", Rule{Normalize: normalizeMediaMethod}, "direct_media_method", "connected_line_method")
	set("endpoint", Rule{Normalize: yesNoOr("required", "peer_supported")}, "100rel")
	set("endpoint", Rule{Normalize: yesNoOr("required", "always", "forced=always")}, "timers")
	set("endpoint", Rule{Normalize: NormalizeList}, "auth", "outbound_auth")
	set("endpoint", Rule{Normalize: NormalizeLowerList}, "identify_by")
	set("endpoint", Rule{Normalize: NormalizeCallerID, Send: sendCallerID}, "callerid")
	set("endpoint", Rule{Normalize: NormalizeCodecs, Replace: replaceCodecs}, "allow")
	set("endpoint", Rule{WriteOnly: true}, "disallow")
	set("endpoint", Rule{Normalize: NormalizeSet, Accumulate: true}, "set_var")

	set("aor", boolean, "authenticate_qualify", "qualify_2xx_only", "remove_existing", "remove_unavailable", "support_path")
	set("aor", uint32, "default_expiration", "max_contacts", "maximum_expiration", "minimum_expiration", "qualify_frequency")
	set("aor", Rule{Normalize: NormalizeFloat}, "qualify_timeout")
	set("aor", Rule{Normalize: NormalizeSet, Accumulate: true}, "contact")

	set("auth", lower, "auth_type")
	set("auth", uint32, "nonce_lifetime")
	set("auth", secret, "password", "md5_cred", "oauth_secret", "refresh_token")

	set("identify", Rule{Normalize: NormalizeMatch, Accumulate: true}, "match")
	set("identify", boolean, "srv_lookups")

	n.Set(MWI, "mailboxes", "msgs_new", uint32)
	n.Set(MWI, "mailboxes", "msgs_old", uint32)
	return n
}

// NormalizeTrim removes leading and trailing white space: the comparison
// of a field without a known rule.
func NormalizeTrim(v string) string { return strings.TrimSpace(v) }

// NormalizeLower trims and lower-cases: for the enumerated values Asterisk
// reads case-insensitively and prints in lower case (dtmf_mode, auth_type,
// media_encryption, ...).
func NormalizeLower(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// NormalizeBool reads a boolean the way res_pjsip's sorcery booleans read
// it (ast_true: yes, true, y, t, 1 or on, in any case, is true; anything
// else is false) and returns "true" or "false", as Asterisk prints them.
func NormalizeBool(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "true", "y", "t", "1", "on":
		return "true"
	}
	return "false"
}

// isFalse reports ast_false's words.
func isFalse(v string) bool {
	switch strings.ToLower(v) {
	case "no", "false", "n", "f", "0", "off":
		return true
	}
	return false
}

// yesNoOr normalises the tri-state options (100rel, timers): a true word
// is "yes", a false word "no", and the other names, lower-cased, are
// themselves (or what "name=printed" says).
func yesNoOr(names ...string) Normalizer {
	alias := make(map[string]string, len(names))
	for _, n := range names {
		from, to, ok := strings.Cut(n, "=")
		if !ok {
			to = from
		}
		alias[from] = to
	}
	return func(v string) string {
		v = strings.TrimSpace(v)
		switch {
		case NormalizeBool(v) == "true":
			return "yes"
		case isFalse(v):
			return "no"
		}
		l := strings.ToLower(v)
		if a, ok := alias[l]; ok {
			return a
		}
		return l
	}
}

// normalizeMediaMethod: "invite" and "reinvite" are one method, printed
// "invite".
func normalizeMediaMethod(v string) string {
	v = NormalizeLower(v)
	if v == "reinvite" {
		return "invite"
	}
	return v
}

// NormalizeUint reads an unsigned integer the way sorcery's uint fields do
// (C's strtoul in base 0: "010" is 8, "0x10" is 16) and prints it in
// decimal. A value that is not one is returned trimmed.
func NormalizeUint(v string) string {
	t := strings.TrimSpace(v)
	s := strings.TrimPrefix(t, "+")
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	} else if len(s) > 1 && s[0] == '0' {
		base, s = 8, s[1:]
	}
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil {
		return t
	}
	return strconv.FormatUint(n, 10)
}

// NormalizeFloat reads a number and prints it with six decimals, as
// sorcery prints its double fields (qualify_timeout "3" is "3.000000").
func NormalizeFloat(v string) string {
	t := strings.TrimSpace(v)
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return t
	}
	return fmt.Sprintf("%.6f", f)
}

// splitList splits a comma-separated list, trims the items and drops the
// empty ones, as res_pjsip's list handlers do.
func splitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// NormalizeList trims the items of a comma-separated list, drops the empty
// ones and joins them with "," (an endpoint's auth and outbound_auth come
// back this way). The order is kept.
func NormalizeList(v string) string { return strings.Join(splitList(v), ",") }

// NormalizeLowerList is NormalizeList with the items lower-cased
// (identify_by).
func NormalizeLowerList(v string) string { return strings.ToLower(NormalizeList(v)) }

// NormalizeSet is NormalizeList sorted and without duplicates: for lists
// whose order Asterisk does not keep (an aor's permanent contacts are kept
// sorted by a hash of the URI).
func NormalizeSet(v string) string {
	items := splitList(v)
	slices.Sort(items)
	return strings.Join(slices.Compact(items), ",")
}
