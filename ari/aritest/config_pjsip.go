package aritest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// This file gives the simulator res_pjsip's four most used sorcery types
// (endpoint, aor, auth, identify) as Asterisk 22 registers them: their
// main fields with Asterisk's defaults, and the handlers' storage rules,
// so that GET returns what a real Asterisk would return for the same PUT.
// The rules are written from Asterisk's sources (res_pjsip/
// pjsip_configuration.c, location.c, config_auth.c,
// res_pjsip_endpoint_identifier_ip.c, main/config_options.c, main/acl.c,
// main/format_cap.c, main/callerid.c), independently of any client's
// normalisation, so that tests catch a client that compares values the
// wrong way.

const pjsipClass = "res_pjsip"

// registerPJSIP registers res_pjsip's endpoint, aor, auth and identify.
func registerPJSIP(r *ConfigRegistry) {
	r.Register(ConfigType{Class: pjsipClass, Type: "endpoint", Fields: pjsipEndpointFields()})
	r.Register(ConfigType{Class: pjsipClass, Type: "aor", Fields: pjsipAORFields()})
	r.Register(ConfigType{Class: pjsipClass, Type: "auth", Fields: pjsipAuthFields(), Normalize: pjsipAuthApply})
	r.Register(ConfigType{Class: pjsipClass, Type: "identify", Fields: pjsipIdentifyFields(), Normalize: pjsipIdentifyApply})
}

// --- field kinds (main/config_options.c) ---

// noopField is an OPT_NOOP_T field such as "type": accepted, ignored, never
// returned.
func noopField(name string) ConfigField {
	return ConfigField{Name: name, WriteOnly: true, Apply: func(map[string]string, string) error { return nil }}
}

// strField is a string field: stored as given.
func strField(name, def string) ConfigField { return ConfigField{Name: name, Default: def} }

// boolField is an OPT_BOOL_T field registered with flags 1, as res_pjsip
// registers all of its booleans: ast_true(value) decides, anything else
// is false (never an error), and it prints back as "true" or "false".
func boolField(name string, def bool) ConfigField {
	return ConfigField{Name: name, Default: strconv.FormatBool(def), Check: func(v string) (string, error) {
		return strconv.FormatBool(astTrue(v)), nil
	}}
}

// uintField is an OPT_UINT_T field (see checkUint).
func uintField(name, def string) ConfigField {
	return ConfigField{Name: name, Default: def, Check: checkUint}
}

// doubleField is an OPT_DOUBLE_T field: strtod, printed with "%f".
func doubleField(name, def string) ConfigField {
	return ConfigField{Name: name, Default: def, Check: func(v string) (string, error) {
		f, err := strconv.ParseFloat(strings.TrimLeft(v, " \t"), 64)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%f", f), nil
	}}
}

// enumField is a custom handler choosing among names, case-insensitively
// (strcasecmp); aliases maps each accepted spelling, lower-cased, to the
// name printed back. An unknown value is an error.
func enumField(name, def string, aliases map[string]string) ConfigField {
	return ConfigField{Name: name, Default: def, Check: func(v string) (string, error) {
		if c, ok := aliases[strings.ToLower(v)]; ok {
			return c, nil
		}
		return "", fmt.Errorf("%s: unknown value %q", name, v)
	}}
}

// names returns an enum alias table in which each name stands for itself.
func names(list ...string) map[string]string {
	m := make(map[string]string, len(list))
	for _, n := range list {
		m[n] = n
	}
	return m
}

// yesNoEnumField is a custom handler that takes ast_true / ast_false
// words as "yes" / "no" and otherwise the extra names (100rel, timers).
func yesNoEnumField(name, def string, extra map[string]string) ConfigField {
	return ConfigField{Name: name, Default: def, Check: func(v string) (string, error) {
		switch {
		case astTrue(v):
			return "yes", nil
		case astFalse(v):
			return "no", nil
		}
		if c, ok := extra[strings.ToLower(v)]; ok {
			return c, nil
		}
		return "", fmt.Errorf("%s: unknown value %q", name, v)
	}}
}

// astTrue is main/utils.c's ast_true: no trimming.
func astTrue(s string) bool {
	for _, w := range []string{"yes", "true", "y", "t", "1", "on"} {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// astFalse is main/utils.c's ast_false.
func astFalse(s string) bool {
	for _, w := range []string{"no", "false", "n", "f", "0", "off"} {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// stripList splits a comma-separated value, strips each item and drops
// the empty ones (strsep + ast_strip + ast_strlen_zero, the loop of every
// res_pjsip list handler).
func stripList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// --- endpoint ---

// pjsipEndpointFields lists an endpoint's main fields in the order
// pjsip_configuration.c registers them, with Asterisk 22's defaults.
func pjsipEndpointFields() []ConfigField {
	methods := map[string]string{"invite": "invite", "reinvite": "invite", "update": "update"}
	return []ConfigField{
		noopField("type"),
		strField("context", "default"),
		{Name: "disallow", WriteOnly: true, Apply: func(obj map[string]string, v string) error {
			return applyCodecs(obj, v, false)
		}},
		{Name: "allow", Default: "(nothing)", Apply: func(obj map[string]string, v string) error {
			return applyCodecs(obj, v, true)
		}},
		enumField("dtmf_mode", "rfc4733", names("rfc4733", "inband", "info", "auto", "auto_info", "none")),
		boolField("rtp_ipv6", false),
		boolField("rtp_symmetric", false),
		boolField("ice_support", false),
		boolField("use_ptime", false),
		boolField("force_rport", true),
		boolField("rewrite_contact", false),
		strField("transport", ""),
		strField("outbound_proxy", ""),
		strField("moh_suggest", "default"),
		yesNoEnumField("100rel", "yes", names("required", "peer_supported")),
		yesNoEnumField("timers", "yes", map[string]string{"required": "required", "always": "always", "forced": "always"}),
		uintField("timers_min_se", "90"),
		uintField("timers_sess_expires", "1800"),
		{Name: "auth", Check: checkNameList},
		{Name: "outbound_auth", Check: checkNameList},
		strField("aors", ""),
		strField("media_address", ""),
		boolField("bind_rtp_to_media_address", false),
		{Name: "identify_by", Default: "username,ip", Check: checkIdentifyBy},
		boolField("direct_media", true),
		enumField("direct_media_method", "invite", methods),
		boolField("trust_connected_line", true),
		boolField("send_connected_line", true),
		enumField("connected_line_method", "invite", methods),
		enumField("direct_media_glare_mitigation", "none", names("none", "outgoing", "incoming")),
		boolField("disable_direct_media_on_nat", false),
		{Name: "callerid", Default: "<unknown>", Check: checkCallerID},
		enumField("callerid_privacy", "allowed_not_screened", names(
			"allowed_not_screened", "allowed_passed_screen", "allowed_failed_screen", "allowed",
			"prohib_not_screened", "prohib_passed_screen", "prohib_failed_screen", "prohib", "unavailable")),
		strField("callerid_tag", ""),
		boolField("trust_id_inbound", false),
		boolField("trust_id_outbound", false),
		boolField("send_pai", false),
		boolField("send_rpid", false),
		boolField("rpid_immediate", false),
		boolField("send_diversion", true),
		boolField("send_history_info", false),
		strField("mailboxes", ""),
		strField("voicemail_extension", ""),
		boolField("aggregate_mwi", true),
		boolField("mwi_subscribe_replaces_unsolicited", false),
		enumField("media_encryption", "no", names("no", "sdes", "dtls")),
		boolField("use_avpf", false),
		boolField("force_avp", false),
		boolField("media_use_received_transport", false),
		boolField("one_touch_recording", false),
		boolField("inband_progress", false),
		strField("call_group", ""),
		strField("pickup_group", ""),
		strField("named_call_group", ""),
		strField("named_pickup_group", ""),
		uintField("device_state_busy_at", "0"),
		boolField("t38_udptl", false),
		enumField("t38_udptl_ec", "none", names("none", "fec", "redundancy")),
		uintField("t38_udptl_maxdatagram", "0"),
		boolField("fax_detect", false),
		uintField("fax_detect_timeout", "0"),
		boolField("t38_udptl_nat", false),
		boolField("t38_udptl_ipv6", false),
		strField("tone_zone", ""),
		strField("language", ""),
		strField("record_on_feature", "automixmon"),
		strField("record_off_feature", "automixmon"),
		boolField("allow_transfer", true),
		boolField("user_eq_phone", false),
		boolField("moh_passthrough", false),
		strField("sdp_owner", "-"),
		strField("sdp_session", "Asterisk"),
		uintField("cos_audio", "0"),
		uintField("cos_video", "0"),
		boolField("allow_subscribe", true),
		uintField("sub_min_expiry", "0"),
		strField("from_user", ""),
		strField("mwi_from_user", ""),
		strField("from_domain", ""),
		boolField("dtls_auto_generate_cert", false),
		enumField("dtls_setup", "active", names("active", "passive", "actpass")),
		boolField("srtp_tag_32", false),
		boolField("media_encryption_optimistic", false),
		enumField("redirect_method", "user", names("user", "uri_core", "uri_pjsip")),
		strField("message_context", ""),
		strField("accountcode", ""),
		strField("subscribe_context", ""),
		strField("contact_user", ""),
		boolField("preferred_codec_only", false),
		boolField("asymmetric_rtp_codec", false),
		boolField("rtcp_mux", false),
		boolField("allow_overlap", true),
		boolField("refer_blind_progress", true),
		boolField("notify_early_inuse_ringing", false),
		uintField("max_audio_streams", "1"),
		uintField("max_video_streams", "1"),
		boolField("bundle", false),
		boolField("webrtc", false),
		strField("incoming_mwi_mailbox", ""),
		boolField("follow_early_media_fork", true),
		boolField("accept_multiple_sdp_answers", false),
		boolField("suppress_q850_reason_headers", false),
		boolField("ignore_183_without_sdp", false),
		enumField("incoming_call_offer_pref", "local", names("local", "local_first", "remote", "remote_first")),
		enumField("outgoing_call_offer_pref", "remote_merge", names("local", "local_merge", "local_first", "remote", "remote_merge", "remote_first")),
		uintField("rtp_keepalive", "0"),
		uintField("rtp_timeout", "0"),
		uintField("rtp_timeout_hold", "0"),
		boolField("allow_unauthenticated_options", false),
		boolField("send_aoc", false),
		strField("tenantid", ""),
		boolField("suppress_moh_on_sendonly", false),
	}
}

// checkNameList is ast_sip_auth_vector_init and its to-string handler:
// items stripped, empty ones dropped, joined with ",".
func checkNameList(v string) (string, error) {
	return strings.Join(stripList(v), ","), nil
}

// checkIdentifyBy is the endpoint's ident_handler: known methods,
// case-insensitive, in the order given, printed lower case.
func checkIdentifyBy(v string) (string, error) {
	var out []string
	for _, m := range stripList(v) {
		m = strings.ToLower(m)
		switch m {
		case "username", "auth_username", "ip", "header", "request_uri":
			out = append(out, m)
		default:
			return "", fmt.Errorf("unrecognized identification method %q", m)
		}
	}
	return strings.Join(out, ","), nil
}

// checkCallerID parses a caller id like ast_callerid_split and prints it
// back like ast_callerid_merge: `"name" <number>`, the name alone, the
// number alone, or "<unknown>".
func checkCallerID(v string) (string, error) {
	name, num := splitCallerID(v)
	switch {
	case name != "" && num != "":
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)
		return `"` + esc + `" <` + num + `>`, nil
	case name != "":
		return name, nil
	case num != "":
		return num, nil
	}
	return "<unknown>", nil
}

// splitCallerID is main/callerid.c's ast_callerid_parse followed by
// ast_callerid_split's shrinking of the number.
func splitCallerID(in string) (name, num string) {
	stripQuoted := func(s string) (string, bool) {
		s = strings.TrimSpace(s)
		if len(s) == 1 && s[0] == '"' {
			return "", true // ast_strip_quoted takes a lone quote for both
		}
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			return s[1 : len(s)-1], true
		}
		return s, false
	}
	instr, quoted := stripQuoted(in)
	if ls := strings.LastIndexByte(instr, '<'); ls >= 0 {
		loc := instr[ls+1:]
		if le := strings.LastIndexByte(loc, '>'); le >= 0 {
			loc = loc[:le]
		}
		n, _ := stripQuoted(instr[:ls])
		return unescapeQuoted(n), shrinkPhoneNumber(loc)
	}
	if tmp := shrinkPhoneNumber(instr); !quoted && tmp != "" && strings.Trim(tmp, "0123456789*#+") == "" {
		return "", tmp
	}
	n, _ := stripQuoted(instr)
	return unescapeQuoted(n), ""
}

// unescapeQuoted is ast_unescape_quoted: a backslash escapes the next
// character.
func unescapeQuoted(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// shrinkPhoneNumber is ast_shrink_phone_number: drops "( )", "-" outside
// brackets, and "." unless last.
func shrinkPhoneNumber(n string) string {
	var b strings.Builder
	bracketed := 0
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch c {
		case '[':
			bracketed++
		case ']':
			bracketed--
		case '-':
			if bracketed == 0 {
				continue
			}
		case '.':
			if i+1 < len(n) {
				continue
			}
		case '(', ' ', ')':
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pjsipFormats are the media formats the simulator knows, in the order
// Asterisk's codec_builtin registers them: "all" adds them in this order.
var pjsipFormats = []string{
	"codec2", "g723", "ulaw", "alaw", "gsm", "g726", "g726aal2", "adpcm",
	"slin", "slin12", "slin16", "slin24", "slin32", "slin44", "slin48", "slin96", "slin192",
	"lpc10", "g729", "speex", "speex16", "speex32", "ilbc", "g722", "siren7", "siren14",
	"testlaw", "g719", "opus", "jpeg", "png", "h261", "h263", "h263p", "h264", "h265",
	"mpeg4", "vp8", "vp9", "red", "t140",
}

// applyCodecs is ast_format_cap_update_by_allow_disallow applied to the
// endpoint's codecs (its allow field, printed like ast_format_cap_get_names:
// "(ulaw|alaw)", "(nothing)" when empty). Items are separated by "," or
// "|" and stripped; "!" inverts an item; "all" stands for every format; a
// ":<ms>" framing suffix is accepted and not printed; a value in
// parentheses (the printed form) replaces the list; an unknown format is
// an error. Allowing a format already there keeps its place.
func applyCodecs(obj map[string]string, value string, allowing bool) error {
	cur := strings.TrimSuffix(strings.TrimPrefix(obj["allow"], "("), ")")
	var codecs []string
	if cur != "nothing" && cur != "" {
		codecs = strings.Split(cur, "|")
	}
	if !allowing && value == "" {
		return nil
	}
	parse := value
	if len(parse) >= 2 && parse[0] == '(' && parse[len(parse)-1] == ')' {
		parse = parse[1 : len(parse)-1]
		if allowing {
			codecs = nil
		} else {
			codecs = append([]string(nil), pjsipFormats...)
		}
	}
	var bad error
	for _, item := range strings.FieldsFunc(parse, func(r rune) bool { return r == ',' || r == '|' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		add := allowing
		if item[0] == '!' {
			add, item = !add, item[1:]
		}
		if i := strings.LastIndexByte(item, ':'); i >= 0 {
			item = item[:i]
		}
		var list []string
		if strings.EqualFold(item, "all") {
			list = pjsipFormats
		} else {
			found := ""
			for _, f := range pjsipFormats {
				if strings.EqualFold(f, item) {
					found = f
				}
			}
			if found == "" {
				bad = fmt.Errorf("unknown format %q", item)
				continue
			}
			list = []string{found}
		}
		for _, f := range list {
			at := -1
			for i, c := range codecs {
				if c == f {
					at = i
				}
			}
			switch {
			case add && at < 0:
				codecs = append(codecs, f)
			case !add && at >= 0:
				codecs = append(codecs[:at], codecs[at+1:]...)
			}
		}
	}
	if len(codecs) == 0 {
		obj["allow"] = "(nothing)"
	} else {
		obj["allow"] = "(" + strings.Join(codecs, "|") + ")"
	}
	return bad
}

// --- aor ---

// pjsipAORFields lists an aor's fields (location.c) with their defaults.
func pjsipAORFields() []ConfigField {
	return []ConfigField{
		noopField("type"),
		uintField("minimum_expiration", "60"),
		uintField("maximum_expiration", "7200"),
		uintField("default_expiration", "3600"),
		uintField("qualify_frequency", "0"),
		doubleField("qualify_timeout", "3.000000"),
		boolField("authenticate_qualify", false),
		uintField("max_contacts", "0"),
		boolField("remove_existing", false),
		boolField("remove_unavailable", false),
		{Name: "contact", List: true, Apply: applyContacts},
		strField("mailboxes", ""),
		strField("voicemail_extension", ""),
		strField("outbound_proxy", ""),
		boolField("support_path", false),
		boolField("qualify_2xx_only", false),
	}
}

// applyContacts is the aor's permanent_uri_handler: each URI of the list is
// added to the permanent contacts unless already there (an empty value
// changes nothing). The contacts live in a container sorted by contact id,
// "<aor>@@<md5 of the URI>", which is the order GET lists them in, not the
// order they were given.
func applyContacts(obj map[string]string, value string) error {
	var uris []string
	if cur := obj["contact"]; cur != "" {
		uris = strings.Split(cur, ",")
	}
	for _, u := range stripList(value) {
		l := strings.ToLower(u)
		scheme, rest, _ := strings.Cut(l, ":")
		if (scheme != "sip" && scheme != "sips") || rest == "" {
			return fmt.Errorf("invalid contact URI %q", u)
		}
		dup := false
		for _, c := range uris {
			dup = dup || c == u
		}
		if !dup {
			uris = append(uris, u)
		}
	}
	hash := func(u string) string { h := md5.Sum([]byte(u)); return hex.EncodeToString(h[:]) }
	sort.Slice(uris, func(i, j int) bool { return hash(uris[i]) < hash(uris[j]) })
	obj["contact"] = strings.Join(uris, ",")
	return nil
}

// --- auth ---

// pjsipAuthFields lists an auth's fields (config_auth.c).
func pjsipAuthFields() []ConfigField {
	return []ConfigField{
		noopField("type"),
		strField("username", ""),
		strField("password", ""),
		strField("refresh_token", ""),
		strField("oauth_clientid", ""),
		strField("oauth_secret", ""),
		strField("md5_cred", ""),
		strField("realm", ""),
		uintField("nonce_lifetime", "32"),
		enumField("auth_type", "userpass", names("userpass", "md5", "google_oauth", "digest")),
	}
}

// pjsipAuthApply is the auth's apply handler: md5 needs a 32-character
// md5_cred.
func pjsipAuthApply(id string, f map[string]string) error {
	if f["auth_type"] == "md5" && len(f["md5_cred"]) != 32 {
		return fmt.Errorf("auth %s: md5 needs a 32-character md5_cred", id)
	}
	return nil
}

// --- identify ---

// pjsipIdentifyFields lists an identify's fields
// (res_pjsip_endpoint_identifier_ip.c).
func pjsipIdentifyFields() []ConfigField {
	return []ConfigField{
		noopField("type"),
		strField("endpoint", ""),
		{Name: "match", List: true, Apply: applyMatch},
		boolField("srv_lookups", true),
		strField("match_header", ""),
		strField("match_request_uri", ""),
	}
}

// pjsipIdentifyApply is ip_identify_apply: an identify needs an endpoint
// and something to match.
func pjsipIdentifyApply(id string, f map[string]string) error {
	if f["endpoint"] == "" {
		return fmt.Errorf("identify %s: missing required endpoint name", id)
	}
	if f["match"] == "" && f["match_header"] == "" && f["match_request_uri"] == "" {
		return fmt.Errorf("identify %s: not configured to match anything", id)
	}
	return nil
}

// applyMatch is ip_identify_match_handler: each item of the list is added
// to the identify's ACL with ast_append_ha ("d" sense), which keeps the
// address with the netmask applied, and the list handler prints each
// entry as "[!]address/netmask" with ast_sockaddr_stringify_addr (no
// port). An empty value changes nothing. Host names, which Asterisk
// resolves with DNS, are refused by the simulator.
func applyMatch(obj map[string]string, value string) error {
	var entries []string
	if cur := obj["match"]; cur != "" {
		entries = strings.Split(cur, ",")
	}
	for _, item := range stripList(value) {
		e, err := haEntry(item)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	obj["match"] = strings.Join(entries, ",")
	return nil
}

// haEntry parses one ACL item like main/acl.c's ast_append_ha_with_port.
func haEntry(item string) (string, error) {
	neg := ""
	if strings.HasPrefix(item, "!") {
		neg, item = "!", item[1:]
	}
	addrPart, maskPart, hasMask := strings.Cut(item, "/")
	ip := parseHAAddress(addrPart)
	if ip == nil {
		return "", fmt.Errorf("invalid address %q", addrPart)
	}
	v4 := ip.To4() != nil // an IPv4-mapped IPv6 address becomes IPv4
	if v4 {
		ip = ip.To4()
	}
	bits := 8 * len(ip)
	var mask net.IPMask
	switch {
	case !hasMask:
		mask = net.CIDRMask(bits, bits)
	case strings.ContainsAny(maskPart, ".:"):
		m := net.ParseIP(maskPart)
		if m == nil || (m.To4() != nil) != v4 {
			return "", fmt.Errorf("invalid netmask %q", maskPart)
		}
		if v4 {
			m = m.To4()
		}
		mask = net.IPMask(m)
	default:
		n, err := strconv.Atoi(maskPart)
		if err != nil || n < 0 || n > bits {
			return "", fmt.Errorf("invalid netmask %q", maskPart)
		}
		mask = net.CIDRMask(n, bits)
	}
	return neg + ip.Mask(mask).String() + "/" + net.IP(mask).String(), nil
}

// parseHAAddress parses an address with an optional port ("1.2.3.4:5060",
// "[2001:db8::1]:5060"), which ast_sockaddr_parse accepts and the ACL
// ignores.
func parseHAAddress(s string) net.IP {
	if ip := net.ParseIP(s); ip != nil {
		return ip
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return nil
	}
	return net.ParseIP(host)
}
