package configurator

import (
	"strconv"
	"strings"
)

// The typed builders below produce the generic Object of res_pjsip's most
// used types with the fields apps set most. Only the fields set are
// declared (a non-empty string, a non-nil pointer or slice); the others
// keep Asterisk's value, its default for a new object. Booleans and
// numbers are pointers so that "false" and "0" can be declared:
// DirectMedia: Ptr(false) (or, with Go 1.26, new(false)). Extra appends
// any other field of the type, in order, after the typed ones.

// Ptr returns a pointer to v, for the pointer fields of the typed
// builders: MaxContacts: Ptr(1), DirectMedia: Ptr(false). (Go 1.26's
// new(1) does the same; the module supports Go 1.25.)
func Ptr[T any](v T) *T { return &v }

// Endpoint is a res_pjsip endpoint.
type Endpoint struct {
	ID string

	// Context is the dialplan context of inbound calls (default
	// "default").
	Context string
	// Transport names the transport to use.
	Transport string
	// AORs names the endpoint's aors (usually one, named like it).
	AORs []string
	// Auth names the auths that inbound requests must pass.
	Auth []string
	// OutboundAuth names the auths for requests the endpoint sends.
	OutboundAuth []string
	// Allow lists the codecs in order of preference. They replace the
	// endpoint's codecs: the value is sent as "!all,<codecs>". A non-nil
	// empty list allows none.
	Allow []string
	// DTMFMode is rfc4733 (default), inband, info, auto, auto_info or none.
	DTMFMode string
	// DirectMedia lets media flow between the endpoints directly (default
	// true).
	DirectMedia *bool
	// RTPSymmetric, ForceRport and RewriteContact are the usual NAT
	// settings (defaults false, true, false).
	RTPSymmetric, ForceRport, RewriteContact *bool
	// ICESupport enables ICE (default false).
	ICESupport *bool
	// WebRTC sets the defaults for WebRTC clients (default false).
	WebRTC *bool
	// MediaEncryption is no (default), sdes or dtls.
	MediaEncryption string
	// CallerID is the caller id of calls from the endpoint, e.g.
	// `"Alice" <1001>`.
	CallerID string
	// TrustIDInbound and SendPAI govern identity headers.
	TrustIDInbound, SendPAI *bool
	// FromUser and FromDomain set the From header of outbound requests.
	FromUser, FromDomain string
	// Language is the channels' language.
	Language string
	// Mailboxes are the mailboxes whose MWI the endpoint receives.
	Mailboxes string
	// DeviceStateBusyAt is the number of calls after which the device is
	// busy (default 0: never).
	DeviceStateBusyAt *int

	Extra []Field
}

// Object returns the endpoint's generic form.
func (e Endpoint) Object() Object {
	var f fields
	f.str("context", e.Context)
	f.str("transport", e.Transport)
	f.list("aors", e.AORs)
	f.list("auth", e.Auth)
	f.list("outbound_auth", e.OutboundAuth)
	if e.Allow != nil {
		f.add("allow", strings.Join(append([]string{"!all"}, e.Allow...), ","))
	}
	f.str("dtmf_mode", e.DTMFMode)
	f.boolean("direct_media", e.DirectMedia)
	f.boolean("rtp_symmetric", e.RTPSymmetric)
	f.boolean("force_rport", e.ForceRport)
	f.boolean("rewrite_contact", e.RewriteContact)
	f.boolean("ice_support", e.ICESupport)
	f.boolean("webrtc", e.WebRTC)
	f.str("media_encryption", e.MediaEncryption)
	f.str("callerid", e.CallerID)
	f.boolean("trust_id_inbound", e.TrustIDInbound)
	f.boolean("send_pai", e.SendPAI)
	f.str("from_user", e.FromUser)
	f.str("from_domain", e.FromDomain)
	f.str("language", e.Language)
	f.str("mailboxes", e.Mailboxes)
	f.num("device_state_busy_at", e.DeviceStateBusyAt)
	return Object{Class: PJSIP, Type: "endpoint", ID: e.ID, Fields: append(f, e.Extra...)}
}

// AOR is a res_pjsip aor: where an endpoint can be reached.
type AOR struct {
	ID string

	// Contact lists permanent contacts (SIP URIs).
	Contact []string
	// MaxContacts is how many contacts may register (default 0: none).
	MaxContacts *int
	// RemoveExisting replaces the oldest contact when MaxContacts is
	// reached (default false); RemoveUnavailable removes unreachable ones
	// first (default false).
	RemoveExisting, RemoveUnavailable *bool
	// QualifyFrequency is the interval of OPTIONS qualifies in seconds
	// (default 0: off); QualifyTimeout their timeout in seconds (default
	// 3.0).
	QualifyFrequency *int
	QualifyTimeout   *float64
	// AuthenticateQualify authenticates qualify requests (default false).
	AuthenticateQualify *bool
	// DefaultExpiration, MinimumExpiration and MaximumExpiration bound
	// registrations, in seconds (defaults 3600, 60, 7200).
	DefaultExpiration, MinimumExpiration, MaximumExpiration *int
	// SupportPath enables the Path header (default false).
	SupportPath *bool
	// Mailboxes are the mailboxes whose MWI is sent to the contacts.
	Mailboxes string
	// OutboundProxy is the proxy for requests to the contacts.
	OutboundProxy string

	Extra []Field
}

// Object returns the aor's generic form.
func (a AOR) Object() Object {
	var f fields
	f.list("contact", a.Contact)
	f.num("max_contacts", a.MaxContacts)
	f.boolean("remove_existing", a.RemoveExisting)
	f.boolean("remove_unavailable", a.RemoveUnavailable)
	f.num("qualify_frequency", a.QualifyFrequency)
	if a.QualifyTimeout != nil {
		f.add("qualify_timeout", strconv.FormatFloat(*a.QualifyTimeout, 'f', -1, 64))
	}
	f.boolean("authenticate_qualify", a.AuthenticateQualify)
	f.num("default_expiration", a.DefaultExpiration)
	f.num("minimum_expiration", a.MinimumExpiration)
	f.num("maximum_expiration", a.MaximumExpiration)
	f.boolean("support_path", a.SupportPath)
	f.str("mailboxes", a.Mailboxes)
	f.str("outbound_proxy", a.OutboundProxy)
	return Object{Class: PJSIP, Type: "aor", ID: a.ID, Fields: append(f, a.Extra...)}
}

// Auth is a res_pjsip auth: credentials.
type Auth struct {
	ID string

	// AuthType is userpass (default), md5, digest or google_oauth.
	AuthType string
	// Username and Password are the credentials (Password never appears
	// in reports or logs).
	Username, Password string
	// MD5Cred is the md5 hash for AuthType md5.
	MD5Cred string
	// Realm is the realm (default: the global default_realm).
	Realm string
	// NonceLifetime is the lifetime of a nonce in seconds (default 32).
	NonceLifetime *int

	Extra []Field
}

// Object returns the auth's generic form.
func (a Auth) Object() Object {
	var f fields
	f.str("auth_type", a.AuthType)
	f.str("username", a.Username)
	f.str("password", a.Password)
	f.str("md5_cred", a.MD5Cred)
	f.str("realm", a.Realm)
	f.num("nonce_lifetime", a.NonceLifetime)
	return Object{Class: PJSIP, Type: "auth", ID: a.ID, Fields: append(f, a.Extra...)}
}

// Identify is a res_pjsip identify: which requests belong to an endpoint,
// by source address.
type Identify struct {
	ID string

	// Endpoint names the endpoint (required by Asterisk).
	Endpoint string
	// Match lists addresses and networks: "203.0.113.5", "10.0.0.0/8",
	// "192.168.1.0/255.255.255.0", "2001:db8::/32".
	Match []string
	// SRVLookups resolves host names in Match with SRV records (default
	// true).
	SRVLookups *bool
	// MatchHeader matches a header instead, e.g. "X-Tenant: acme".
	MatchHeader string

	Extra []Field
}

// Object returns the identify's generic form.
func (i Identify) Object() Object {
	var f fields
	f.str("endpoint", i.Endpoint)
	f.list("match", i.Match)
	f.boolean("srv_lookups", i.SRVLookups)
	f.str("match_header", i.MatchHeader)
	return Object{Class: PJSIP, Type: "identify", ID: i.ID, Fields: append(f, i.Extra...)}
}

// fields accumulates the fields a builder sets.
type fields []Field

func (f *fields) add(name, value string) { *f = append(*f, Field{name, value}) }

func (f *fields) str(name, v string) {
	if v != "" {
		f.add(name, v)
	}
}

func (f *fields) list(name string, v []string) {
	if v != nil {
		f.add(name, strings.Join(v, ","))
	}
}

func (f *fields) boolean(name string, v *bool) {
	if v != nil {
		s := "no"
		if *v {
			s = "yes"
		}
		f.add(name, s)
	}
}

func (f *fields) num(name string, v *int) {
	if v != nil {
		f.add(name, strconv.Itoa(*v))
	}
}

var (
	_ Declarable = Endpoint{}
	_ Declarable = AOR{}
	_ Declarable = Auth{}
	_ Declarable = Identify{}
)
