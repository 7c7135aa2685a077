package aritest

import (
	"fmt"
	"sort"
	"strings"
)

// Dialplan maps context names to their extensions, like extensions.conf.
type Dialplan map[string]Extensions

// Extensions maps an extension to the steps it runs from priority 1. A key
// starting with "_" is a pattern as in Asterisk: X is a digit, Z 1-9, N 2-9,
// [a-c] a set, "." one or more characters, "!" zero or more. An exact
// extension wins over a pattern; the "h" extension runs when a channel of
// the context hangs up.
type Extensions map[string][]Step

// Step is one dialplan application call, e.g. {App: "Stasis", Data:
// "testapp,arg1"}.
//
// The simulator runs these applications: Answer, Wait(seconds),
// Playback(sound[&sound...]), SendDTMF(digits), Echo, MusicOnHold,
// Stasis(app[,args...]), Hangup([cause]), Ringing, Progress,
// Set(VAR=value), Goto([[context,]exten,]priority), NoOp and
// StasisBroadcast(timeout,app_filter,args,notify_claimed) (see
// BroadcastParams; the timeout is in real milliseconds). Data may use
// ${EXTEN}, ${CONTEXT}, ${CHANNEL}, ${UNIQUEID}, ${CALLERID(num)},
// ${CALLERID(name)} and channel variables. Any other application hangs the
// channel up, as Asterisk does for an application it does not have.
type Step struct {
	App  string
	Data string
}

// String formats s as "App(Data)".
func (s Step) String() string { return s.App + "(" + s.Data + ")" }

// Exten parses steps written as in extensions.conf, e.g.
// Exten("Answer()", "Stasis(myapp,arg1)"). An entry without parentheses is
// an application without data.
func Exten(steps ...string) []Step {
	out := make([]Step, 0, len(steps))
	for _, s := range steps {
		s = strings.TrimSpace(s)
		app, data := s, ""
		if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
			app, data = s[:i], s[i+1:len(s)-1]
		}
		out = append(out, Step{App: strings.TrimSpace(app), Data: data})
	}
	return out
}

// DefaultDialplan returns the dialplan of context "default" the fixtures
// were captured with:
//
//	100  Answer, Stasis(testapp)
//	200  Answer, Stasis(testapp,arg1,arg2)
//	300  Answer, Echo
//	400  Answer, Wait(60), Hangup
//	500  Answer, Playback(hello-world), Hangup
//	600  Answer, Wait(1), SendDTMF(123), Wait(30), Hangup
//	700  Answer, MusicOnHold
//	800  Stasis(testapp,noanswer)            (no Answer)
//	900  Answer, StasisBroadcast(5000,,bc1:bc2,yes),
//	     Set(BCAST=${STASISSTATUS}), Wait(1), Hangup
//	_X.  Answer, Stasis(router,${EXTEN})
//	h    NoOp(hangup ${CHANNEL})
//
// The returned value is a fresh copy that the caller may change.
func DefaultDialplan() Dialplan {
	return Dialplan{
		"default": Extensions{
			"100": Exten("Answer()", "Stasis(testapp)"),
			"200": Exten("Answer()", "Stasis(testapp,arg1,arg2)"),
			"300": Exten("Answer()", "Echo()"),
			"400": Exten("Answer()", "Wait(60)", "Hangup()"),
			"500": Exten("Answer()", "Playback(hello-world)", "Hangup()"),
			"600": Exten("Answer()", "Wait(1)", "SendDTMF(123)", "Wait(30)", "Hangup()"),
			"700": Exten("Answer()", "MusicOnHold()"),
			"800": Exten("Stasis(testapp,noanswer)"),
			"900": Exten("Answer()", "StasisBroadcast(5000,,bc1:bc2,yes)", "Set(BCAST=${STASISSTATUS})", "Wait(1)", "Hangup()"),
			"_X.": Exten("Answer()", "Stasis(router,${EXTEN})"),
			"h":   Exten("NoOp(hangup ${CHANNEL})"),
		},
	}
}

// compiledDialplan is a Dialplan ready for lookups.
type compiledDialplan struct {
	contexts map[string]*compiledContext
}

type compiledContext struct {
	exact    map[string][]Step
	patterns []compiledPattern // most specific first
}

type compiledPattern struct {
	raw   string
	elems []patElem
	steps []Step
}

// patElem is one element of a pattern: a set of allowed bytes, or a
// wildcard.
type patElem struct {
	set      [256]bool
	size     int
	wildcard byte // '.' or '!' or 0
}

func compileDialplan(dp Dialplan) (*compiledDialplan, error) {
	c := &compiledDialplan{contexts: make(map[string]*compiledContext, len(dp))}
	for name, exts := range dp {
		cc := &compiledContext{exact: make(map[string][]Step)}
		for ext, steps := range exts {
			if strings.HasPrefix(ext, "_") {
				elems, err := parsePattern(ext[1:])
				if err != nil {
					return nil, fmt.Errorf("aritest: dialplan context %q: pattern %q: %w", name, ext, err)
				}
				cc.patterns = append(cc.patterns, compiledPattern{raw: ext, elems: elems, steps: steps})
				continue
			}
			cc.exact[ext] = steps
		}
		sort.SliceStable(cc.patterns, func(i, j int) bool {
			return morePrecise(cc.patterns[i], cc.patterns[j])
		})
		c.contexts[name] = cc
	}
	return c, nil
}

// morePrecise orders patterns as Asterisk does, roughly: position by
// position, the element matching fewer characters first; wildcards last.
func morePrecise(a, b compiledPattern) bool {
	for i := 0; i < len(a.elems) && i < len(b.elems); i++ {
		sa, sb := a.elems[i].rank(), b.elems[i].rank()
		if sa != sb {
			return sa < sb
		}
	}
	if len(a.elems) != len(b.elems) {
		return len(a.elems) > len(b.elems)
	}
	return a.raw < b.raw
}

func (e patElem) rank() int {
	switch e.wildcard {
	case '.':
		return 1000
	case '!':
		return 1001
	}
	return e.size
}

func parsePattern(p string) ([]patElem, error) {
	var out []patElem
	for i := 0; i < len(p); i++ {
		var e patElem
		c := p[i]
		switch c {
		case 'X', 'x':
			e.addRange('0', '9')
		case 'Z', 'z':
			e.addRange('1', '9')
		case 'N', 'n':
			e.addRange('2', '9')
		case '.', '!':
			e.wildcard = c
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated [")
			}
			set := p[i+1 : i+end]
			for j := 0; j < len(set); j++ {
				if j+2 < len(set) && set[j+1] == '-' {
					e.addRange(set[j], set[j+2])
					j += 2
					continue
				}
				e.addRange(set[j], set[j])
			}
			i += end
		default:
			e.addRange(c, c)
		}
		out = append(out, e)
	}
	return out, nil
}

func (e *patElem) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		if !e.set[c] {
			e.set[c] = true
			e.size++
		}
	}
}

// matchPattern reports whether ext matches elems.
func matchPattern(elems []patElem, ext string) bool {
	if len(elems) == 0 {
		return ext == ""
	}
	e := elems[0]
	switch e.wildcard {
	case '.':
		return len(ext) >= 1
	case '!':
		return true
	}
	if ext == "" || !e.set[ext[0]] {
		return false
	}
	return matchPattern(elems[1:], ext[1:])
}

// lookup returns the steps of exten in context, and whether the context
// exists.
func (c *compiledDialplan) lookup(context, exten string) (steps []Step, contextExists bool) {
	cc := c.contexts[context]
	if cc == nil {
		return nil, false
	}
	if s, ok := cc.exact[exten]; ok {
		return s, true
	}
	if exten == "h" || exten == "" {
		return nil, true
	}
	for _, p := range cc.patterns {
		if matchPattern(p.elems, exten) {
			return p.steps, true
		}
	}
	return nil, true
}
