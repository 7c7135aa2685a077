package stasis

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gostasis.dev/internal/editdist"

	"gostasis.dev/ari/events"
)

// A handler is an `any`, so a misspelt method compiles and is never
// called. The runtime checks each handler type once, when a factory first
// returns it, and fails the calls of a type that cannot work as written.

// HandlerTypeError reports a handler whose type cannot get events as
// written: a method named On<Something> that matches no handler method
// (a typo, or Asterisk's casing such as OnChannelDtmfReceived for
// OnChannelDTMFReceived), a handler method with the wrong signature or a
// pointer receiver on a handler returned by value, or a handler with no
// event method at all. The calls whose factory returns such a handler
// end with EndError and this error; it is logged once per type.
type HandlerTypeError struct {
	// Type is the handler's type, e.g. "*main.ivr".
	Type string
	// Method is the method at fault; "" when the handler has no event
	// method at all.
	Method string
	// Suggestion is the closest method name a handler may have, for a
	// method name that matches none.
	Suggestion string
	// Problem says what is wrong, in words.
	Problem string
}

// Error names the handler type and the problem.
func (e *HandlerTypeError) Error() string {
	return "stasis: handler " + e.Type + ": " + e.Problem
}

// handlerChecks checks handler types, once each; the Runtime keeps it.
type handlerChecks struct {
	once sync.Once
	// want maps each method name a handler may have to the method's
	// signature (without receiver); events marks those that take events.
	want   map[string]reflect.Type
	events map[string]bool
	names  []string // sorted, for suggestions

	done sync.Map // reflect.Type -> checked
}

type checked struct{ err error }

// check returns the check of h's type, running it the first time and
// logging a failure then.
func (hc *handlerChecks) check(c *Call, h any) error {
	t := reflect.TypeOf(h)
	if v, ok := hc.done.Load(t); ok {
		return v.(checked).err
	}
	hc.once.Do(hc.init)
	err := hc.checkType(t)
	if _, loaded := hc.done.LoadOrStore(t, checked{err}); !loaded && err != nil {
		c.app.log.Error("stasis: the factory returns a handler that cannot work: its calls fail", "type", t.String(), "err", err)
	}
	return err
}

// init lists the methods a handler may have, from package events itself:
// On<Type> for each event type this build knows (Go's spelling of the
// type's name), OnEvent, OnUnknown, and the runtime's own OnResync and
// OnEnd.
func (hc *handlerChecks) init() {
	ctxT := reflect.TypeFor[context.Context]()
	errT := reflect.TypeFor[error]()
	method := func(arg reflect.Type, out ...reflect.Type) reflect.Type {
		return reflect.FuncOf([]reflect.Type{ctxT, arg}, out, false)
	}
	hc.want = map[string]reflect.Type{}
	hc.events = map[string]bool{}
	add := func(name string, sig reflect.Type, event bool) {
		hc.want[name] = sig
		hc.events[name] = event
	}
	for _, ti := range events.Types() {
		e := events.New(ti.Name)
		if e == nil {
			continue
		}
		t := reflect.TypeOf(e)
		add("On"+t.Elem().Name(), method(t, errT), true)
	}
	add("OnUnknown", method(reflect.TypeFor[*events.Unknown](), errT), true)
	add("OnEvent", method(reflect.TypeFor[events.Event](), errT), true)
	add("OnResync", method(reflect.TypeFor[Resync](), errT), false)
	add("OnEnd", method(reflect.TypeFor[End]()), false)
	for name := range hc.want {
		hc.names = append(hc.names, name)
	}
	sort.Strings(hc.names)
}

// checkType checks one handler type.
func (hc *handlerChecks) checkType(t reflect.Type) error {
	fail := func(method, suggestion, format string, args ...any) error {
		return &HandlerTypeError{Type: t.String(), Method: method, Suggestion: suggestion, Problem: fmt.Sprintf(format, args...)}
	}
	handles := 0
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		if !isOnName(m.Name) {
			continue
		}
		want, ok := hc.want[m.Name]
		if !ok {
			s := hc.closest(m.Name)
			return fail(m.Name, s, "method %s matches no event or handler method, so it is never called; did you mean %s?", m.Name, s)
		}
		if got := withoutReceiver(m.Type); got != want {
			return fail(m.Name, "", "method %s has signature %s, so it is never called; a handler's %s is %s", m.Name, got, m.Name, want)
		}
		if hc.events[m.Name] {
			handles++
		}
	}
	if t.Kind() != reflect.Pointer {
		pt := reflect.PointerTo(t)
		for i := 0; i < pt.NumMethod(); i++ {
			m := pt.Method(i)
			if _, ok := t.MethodByName(m.Name); ok || !isOnName(m.Name) {
				continue
			}
			return fail(m.Name, "", "method %s has a pointer receiver but the factory returned a %s value, so it is never called; return a pointer (%s)", m.Name, t, pt)
		}
	}
	if handles == 0 {
		return fail("", "", "it has no event method (On<Event>, OnEvent or OnUnknown), so it never gets an event")
	}
	return nil
}

// isOnName reports a name of the form On<Something>.
func isOnName(name string) bool {
	rest, ok := strings.CutPrefix(name, "On")
	if !ok || rest == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return unicode.IsUpper(r)
}

// withoutReceiver returns a method's signature without its receiver.
func withoutReceiver(m reflect.Type) reflect.Type {
	in := make([]reflect.Type, 0, m.NumIn()-1)
	for i := 1; i < m.NumIn(); i++ {
		in = append(in, m.In(i))
	}
	out := make([]reflect.Type, 0, m.NumOut())
	for i := 0; i < m.NumOut(); i++ {
		out = append(out, m.Out(i))
	}
	return reflect.FuncOf(in, out, m.IsVariadic())
}

// closest returns the valid method name nearest to name: the smallest
// edit distance ignoring case (so that a casing slip is always near),
// then with case.
func (hc *handlerChecks) closest(name string) string {
	best, bestFold, bestExact := "", -1, -1
	lower := strings.ToLower(name)
	for _, n := range hc.names {
		fold := editdist.Distance(lower, strings.ToLower(n))
		exact := editdist.Distance(name, n)
		if bestFold < 0 || fold < bestFold || fold == bestFold && exact < bestExact {
			best, bestFold, bestExact = n, fold, exact
		}
	}
	return best
}
