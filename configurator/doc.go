// Package configurator keeps Asterisk configuration objects as an app
// declares them, through ARI's dynamic configuration
// (/asterisk/config/dynamic/{configClass}/{objectType}/{id}): PJSIP
// endpoints, aors, auths and identifies, res_mwi_external mailboxes, or
// any other sorcery object a module exposes. It is ex_ari's Configurator,
// made to converge: it reads before it writes and writes only what
// differs, runs again when Asterisk restarts, removes what the app no
// longer wants, and compares values the way Asterisk stores them.
//
//	cfg, _ := configurator.New(configurator.Config{Client: client, Prune: true})
//	_ = cfg.Declare(
//		configurator.AOR{ID: "alice", MaxContacts: configurator.Ptr(1)},
//		configurator.Auth{ID: "alice", AuthType: "userpass", Username: "alice", Password: secret},
//		configurator.Endpoint{ID: "alice", Context: "from-phones", AORs: []string{"alice"}, Auth: []string{"alice"}, Allow: []string{"ulaw"}},
//		configurator.Identify{ID: "alice", Endpoint: "alice", Match: []string{"192.0.2.0/24"}},
//	)
//	rt, _ := stasis.New(stasis.Config{Client: client, Apps: apps, OnConnect: cfg.OnConnect})
//
// # Declaring
//
// An Object is a class, a type, an id and ordered fields (attribute/value
// pairs); the typed builders Endpoint, AOR, Auth and Identify produce the
// res_pjsip ones. Declare adds or replaces objects, Set replaces the whole
// declaration, Remove takes objects out of it, Retire asks for objects to
// be deleted; all may be called while the app runs, followed by Reconcile.
// Fields not declared keep Asterisk's values (its defaults for a new
// object).
//
// Asterisk must let the types be written: in sorcery.conf, e.g.
//
//	[res_pjsip]
//	endpoint=memory
//	aor=memory
//	auth=memory
//	[res_pjsip_endpoint_identifier_ip]
//	identify=memory
//
// Objects in the memory wizard are lost when Asterisk restarts, which is
// why OnConnect reconciles again after a restart.
//
// # Reconciling
//
// Reconcile reads each declared object, compares field by field and writes
// only the differences: a PUT with every declared field for an object that
// does not exist (Asterisk creates it with its defaults for the rest), a
// PUT with only the differing fields for one that exists (Asterisk
// changes only the fields given), nothing when nothing differs, so that a
// second run writes nothing. Writes go in dependency order: auths and
// aors, then the endpoints that name them, then the identifies that name
// endpoints; other types in declaration order. The Report lists what was
// created, updated (each field's old and new value), left alone, deleted
// and what failed; it also goes to Config.OnReport and the log.
//
// Two changes cannot be made by an update, and Reconcile recreates the
// object (DELETE, then PUT of every field) for them: removing an entry
// from a list Asterisk only ever adds to (identify's match, an aor's
// contact, an endpoint's set_var: a PUT appends its entries to the stored
// ones), and a field declared at the previous run but no longer, whose
// default only a new object gets back (the previous declaration is known
// from memory, since the process started). The new values are first checked
// with an update, so that a value Asterisk refuses does not leave the
// object deleted.
//
// # Pruning: which objects are the configurator's
//
// ARI cannot list the objects of a type, so the configurator cannot
// discover objects it was not told about, and it never deletes one it
// was not told about. It manages the objects declared to it since the
// process started, kept in memory, like Asterisk's memory wizard keeps
// them. With Config.Prune, an object removed from the declaration (Set,
// Remove) is deleted at the next Reconcile, and only if it was declared
// before; without it, the object is left in Asterisk and forgotten.
// Objects defined in Asterisk's configuration files, or created by others,
// are never touched unless declared. Since that memory does not survive a
// restart of the app, an app that drops an object from its code while
// Asterisk keeps running names it with Retire: a retired object is
// deleted if it exists, whatever Prune says. Deletions run after the
// writes, in reverse dependency order (identifies first).
//
// # Normalisation
//
// Asterisk does not return values as they were written: it parses them
// into its own structures and prints those back. Comparing the text
// would find differences that are not there and write forever, or miss
// real ones, so both sides of a comparison go through the field's
// Normalizer, a Rule of the Normalizers table keyed by class, type and
// field (with wildcards), which the app may extend. DefaultNormalizers
// knows:
//
//   - booleans (res_pjsip's direct_media, rtp_symmetric, force_rport,
//     ...): yes/no, true/false, on/off, 1/0, y/n, t/f in any case, printed
//     "true"/"false" as sorcery prints them (a word that is not true is
//     false, as in Asterisk);
//   - identify's match: Asterisk keeps each entry as an address and a
//     netmask, the address masked, and prints "address/netmask", so
//     "10.1.2.3/8" comes back as "10.0.0.0/255.0.0.0" and a bare
//     "203.0.113.5" as "203.0.113.5/255.255.255.255"; every prefix length
//     0 to 32 and 0 to 128 (IPv6, printed in short form) is converted
//     bit by bit; entries are compared as a set (Asterisk lists one
//     tuple per entry; order and spacing do not matter);
//   - an endpoint's allow: the codec list it yields, printed as Asterisk
//     prints codecs, "(ulaw|alaw)" for "!all,ulaw,alaw"; order is kept
//     (it is the preference). As Asterisk adds the codecs of an update
//     to the current ones, an allow value sent to an existing endpoint
//     is prefixed with "!all," so that it replaces them;
//   - lists Asterisk keeps in order (auth, outbound_auth, identify_by):
//     items trimmed, empty ones dropped; lists it does not (an aor's
//     contact): compared as sets;
//   - numbers: unsigned integers read like C's strtoul in base 0 ("010"
//     is 8) and printed in decimal; qualify_timeout printed with six
//     decimals ("3.000000");
//   - enumerations (dtmf_mode, auth_type, media_encryption, ...): case
//     does not matter; 100rel and timers take boolean words as yes/no;
//     direct_media_method's "reinvite" is "invite";
//   - callerid: `Alice <1001>` comes back as `"Alice" <1001>`; no
//     caller id comes back as "<unknown>", and a declared "<unknown>" is
//     sent as "" (written, Asterisk would read it as the number
//     "unknown");
//   - fields Asterisk accepts but never returns (disallow, type) are not
//     compared;
//   - res_mwi_external mailboxes' msgs_new and msgs_old are numbers;
//   - any other field compares after trimming white space.
//
// Every normaliser is idempotent (normalising a normalised value changes
// nothing), so a value Asterisk prints compares equal to itself at the
// next Reconcile; a value a normaliser cannot read (an allow list naming
// "::1/64") is compared as it is.
//
// After each write the configurator checks Asterisk's answer against the
// declaration with the same rules and logs a warning for a field that
// would differ again, the sign of a missing or wrong rule.
//
// # Errors
//
// Each failure is an *Error naming the object, the operation and, when it
// can be told, the field, wrapping the *ari.Error (errors.Is(err,
// ari.ErrForbidden) works) and classified: ErrRejected (400: an unknown
// field or a value the field's handler refused), ErrNotLoaded (404: the
// class or type does not exist), ErrNotDynamic (403: sorcery.conf gives
// the type no writable wizard), ErrWriteDenied (403: a read-only ARI
// user). Reconcile goes on with the other objects and returns the errors
// joined with the partial report.
package configurator
