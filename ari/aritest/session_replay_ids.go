package aritest

import (
	"net/http"
	"reflect"
	"strings"
)

// DefaultGeneratedIDs returns the ReplayOptions.GeneratedIDs used when it
// is nil: the parameters in which applications send ids they make up
// themselves, so that a replay meets other values than the recorded ones
// (package stasis, for one, gives each playback a random playbackId).
func DefaultGeneratedIDs() []string {
	return []string{"playbackId", "channelId", "otherChannelId", "bridgeId", "snoopId", "recordingName"}
}

// idAliases are the ids an application made up in a replay, paired with
// the recorded ones they stand for. Guarded by the server's mu.
type idAliases struct {
	gen  map[string]bool   // the parameters that carry generated ids
	out  map[string]string // recorded id -> the application's
	back map[string]string // the application's id -> recorded
}

func newIDAliases(params []string) *idAliases {
	a := &idAliases{gen: map[string]bool{}, out: map[string]string{}, back: map[string]string{}}
	for _, p := range params {
		a.gen[p] = true
	}
	return a
}

// isIDByte reports whether b may be part of an id that aliases replace:
// ids are made of letters, digits, '.', '-' and '_'.
func isIDByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_'
}

// isID reports whether s can be aliased: a non-empty run of id bytes.
func isID(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isIDByte(s[i]) {
			return false
		}
	}
	return true
}

// replace returns data with every whole id of m (a run of id bytes
// equal to a key) replaced by its value, in one pass; data itself when
// nothing is replaced.
func replace(data []byte, m map[string]string) []byte {
	if len(m) == 0 {
		return data
	}
	var out []byte
	last := 0
	for i := 0; i < len(data); {
		if !isIDByte(data[i]) {
			i++
			continue
		}
		j := i
		for j < len(data) && isIDByte(data[j]) {
			j++
		}
		if to, ok := m[string(data[i:j])]; ok {
			if out == nil {
				out = make([]byte, 0, len(data)+16)
			}
			out = append(out, data[last:i]...)
			out = append(out, to...)
			last = j
		}
		i = j
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// replaceString is replace for a string.
func replaceString(s string, m map[string]string) string {
	if len(m) == 0 {
		return s
	}
	return string(replace([]byte(s), m))
}

// recorded maps a request's path segments, query and body back to the
// recorded ids.
func (a *idAliases) recorded(segs []string, q map[string]string, body []byte) ([]string, map[string]string, []byte) {
	if len(a.back) == 0 {
		return segs, q, body
	}
	segs2 := make([]string, len(segs))
	for i, s := range segs {
		segs2[i] = replaceString(s, a.back)
	}
	q2 := make(map[string]string, len(q))
	for k, v := range q {
		q2[k] = replaceString(v, a.back)
	}
	return segs2, q2, replace(body, a.back)
}

// learn looks for the first recorded POST not answered yet that the
// request (method, its path segments, query and decoded body, already
// mapped back to recorded ids) matches once generated ids are set
// aside: the last path segment when it is a generated-id parameter of
// the route (lastParam), query parameters and top-level body members
// named in gen. It pairs each differing id with the recorded one and
// returns the exchange, or -1.
func (a *idAliases) learn(r *replayState, method string, segs []string, lastParam string, q map[string]string, body any) int {
	if method != http.MethodPost || len(a.gen) == 0 {
		return -1
	}
	path := replayPath(segs)
	for i, x := range r.sess.Exchanges {
		if r.asked[i] || x.Method != method {
			continue
		}
		pairs := map[string]string{} // recorded -> the application's
		if !a.samePath(r.paths[i], path, lastParam, pairs) ||
			!a.sameQuery(r.queries[i], q, pairs) ||
			!a.sameBody(r.reqs[i], body, pairs) || len(pairs) == 0 {
			continue
		}
		for rec, app := range pairs {
			a.out[rec], a.back[app] = app, rec
		}
		return i
	}
	return -1
}

// pair notes that the application sent app where rec was recorded, if
// both are ids neither paired yet.
func (a *idAliases) pair(rec, app string, pairs map[string]string) bool {
	if !isID(rec) || !isID(app) {
		return false
	}
	if _, ok := a.out[rec]; ok {
		return false
	}
	if _, ok := a.back[app]; ok {
		return false
	}
	if p, ok := pairs[rec]; ok {
		return p == app
	}
	pairs[rec] = app
	return true
}

func (a *idAliases) samePath(rec, app, lastParam string, pairs map[string]string) bool {
	if rec == app {
		return true
	}
	rs, as := strings.Split(rec, "/"), strings.Split(app, "/")
	if len(rs) != len(as) || !a.gen[lastParam] {
		return false
	}
	n := len(rs) - 1
	for i := range n {
		if rs[i] != as[i] {
			return false
		}
	}
	return a.pair(rs[n], as[n], pairs)
}

func (a *idAliases) sameQuery(rec, app map[string]string, pairs map[string]string) bool {
	if len(rec) != len(app) {
		return false
	}
	for k, rv := range rec {
		av, ok := app[k]
		switch {
		case !ok:
			return false
		case rv == av:
		case !a.gen[k] || !a.pair(rv, av, pairs):
			return false
		}
	}
	return true
}

// sameBody compares a recorded body (nil: not compared) with the
// request's, setting aside the generated ids of top-level members.
func (a *idAliases) sameBody(rec, app any, pairs map[string]string) bool {
	if rec == nil || reflect.DeepEqual(rec, app) {
		return true
	}
	rm, ok1 := rec.(map[string]any)
	am, ok2 := app.(map[string]any)
	if !ok1 || !ok2 || len(rm) != len(am) {
		return false
	}
	for k, rv := range rm {
		av, ok := am[k]
		if !ok {
			return false
		}
		if reflect.DeepEqual(rv, av) {
			continue
		}
		rs, ok1 := rv.(string)
		as, ok2 := av.(string)
		if !ok1 || !ok2 || !a.gen[k] || !a.pair(rs, as, pairs) {
			return false
		}
	}
	return true
}

// lastParam is the name of the path parameter that ends the route of
// segs (POST /channels/{channelId}/play/{playbackId}: "playbackId"), or
// "" when the route ends with a fixed segment or there is none.
func (s *Server) lastParam(segs []string) string {
	rt, _ := s.rt.match(segs)
	if rt == nil || len(rt.segs) == 0 {
		return ""
	}
	if t := rt.segs[len(rt.segs)-1]; isParam(t) {
		return t[1 : len(t)-1]
	}
	return ""
}
