package configurator

import (
	"fmt"
	"log/slog"
	"strings"
)

// Report says what one Reconcile did, object by object, in the order it
// wrote them. Objects whose reconciliation failed are in Failed (an update
// that was partly applied is also in Updated); the errors come with the
// report.
type Report struct {
	// Created are the objects that did not exist and were created.
	Created []Ref
	// Updated are the objects that existed and were changed.
	Updated []Update
	// Unchanged are the objects that were already as declared.
	Unchanged []Ref
	// Deleted are the objects pruned or retired, that existed and were
	// deleted.
	Deleted []Ref
	// Failed are the objects an error stopped.
	Failed []Ref
}

// Update is an object that was changed.
type Update struct {
	Ref
	// Changes are the fields changed with their values as Asterisk
	// returned them before and after.
	Changes []Change
	// Recreated is set when the object was deleted and created again,
	// because a change could not be made by an update: an entry removed
	// from a list Asterisk only adds to (identify's match, an aor's
	// contact), or a field no longer declared, which only a new object
	// resets to its default.
	Recreated bool
}

// Change is one changed field. The values of secret fields (Rule.Secret)
// are "<redacted>".
type Change struct {
	Field    string
	Old, New string
}

// String returns "field: old -> new".
func (c Change) String() string { return fmt.Sprintf("%s: %q -> %q", c.Field, c.Old, c.New) }

// Changed reports whether the run wrote anything that took effect.
func (r Report) Changed() bool {
	return len(r.Created) > 0 || len(r.Updated) > 0 || len(r.Deleted) > 0
}

// String summarises the report on one line, e.g. "created 2
// (res_pjsip/aor/alice, ...), updated 1 (res_pjsip/endpoint/alice:
// direct_media: "true" -> "false"), unchanged 3, deleted 0, failed 0".
func (r Report) String() string {
	var b strings.Builder
	list := func(label string, n int, items []string) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", label, n)
		if len(items) > 0 {
			b.WriteString(" (")
			b.WriteString(strings.Join(items, "; "))
			b.WriteString(")")
		}
	}
	list("created", len(r.Created), refStrings(r.Created))
	var upd []string
	for _, u := range r.Updated {
		s := u.Ref.String()
		if u.Recreated {
			s += " recreated"
		}
		for i, c := range u.Changes {
			if i == 0 {
				s += ": "
			} else {
				s += ", "
			}
			s += c.String()
		}
		upd = append(upd, s)
	}
	list("updated", len(r.Updated), upd)
	list("unchanged", len(r.Unchanged), nil)
	list("deleted", len(r.Deleted), refStrings(r.Deleted))
	list("failed", len(r.Failed), refStrings(r.Failed))
	return b.String()
}

// LogValue makes a Report log as a group of counts and the summary.
func (r Report) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("created", len(r.Created)),
		slog.Int("updated", len(r.Updated)),
		slog.Int("unchanged", len(r.Unchanged)),
		slog.Int("deleted", len(r.Deleted)),
		slog.Int("failed", len(r.Failed)),
		slog.String("summary", r.String()),
	)
}

var _ slog.LogValuer = Report{}

func refStrings(refs []Ref) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}
