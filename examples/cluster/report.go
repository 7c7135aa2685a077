package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// report is who handled what, checked call by call.
type report struct {
	// Calls is the number of calls placed; Nodes the servers' names.
	Calls int
	Nodes []string
	// Killed is the instance killed mid-way (0: none), KilledLive the
	// calls it held then.
	Killed     int
	KilledLive int64
	// Finished counts, by instance and server, the calls the instance's
	// handler hung up after playing hello-world.
	Finished map[int]map[string]int
	// Adopted counts, by instance, the calls it adopted from the killed
	// instance and finished.
	Adopted map[int]int
	// KilledStarted counts the calls the killed instance had started a
	// handler for; TakenOver those of them a survivor adopted and
	// finished.
	KilledStarted, TakenOver int
	// Moved counts the channels the survivors moved into their apps
	// (stasis.Stats.Adopted): one per adopted call.
	Moved uint64
	// TakeoverTime is from the kill to the last adoption's start.
	TakeoverTime time.Duration
	// Returned lists the calls ("server/channel") whose claim the killed
	// instance won as it died: they entered its app after its websocket
	// was gone, and Asterisk returned them to the dialplan
	// (STASISSTATUS=FAILED), handled by nobody.
	Returned []string
	// Problems lists the calls not handled exactly once, and why.
	Problems []string
}

// ExactlyOnce reports whether every call was handled exactly once (an
// adopted call counts once: the killed instance's handler never ran
// again).
func (r *report) ExactlyOnce() bool { return len(r.Problems) == 0 && len(r.Returned) == 0 }

// total is the calls instance n finished on every server.
func (r *report) total(n int) int {
	t := 0
	for _, c := range r.Finished[n] {
		t += c
	}
	return t
}

// endedCall is a placed call once it ended: its server, channel and
// hangup cause.
type endedCall struct {
	node, channel string
	cause         int
}

// buildReport checks each call against what the handlers recorded:
// handled by one live instance, which hung it up; or started by the
// killed instance (or claimed by it) and adopted by exactly one survivor,
// which hung it up; or finished by the killed instance before it died.
func buildReport(calls []endedCall, nodes []string, instances int, l *ledger) *report {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := &report{Calls: len(calls), Nodes: nodes, Killed: l.killed, KilledLive: l.live,
		Finished: map[int]map[string]int{}, Adopted: map[int]int{}}
	for n := 1; n <= instances; n++ {
		r.Finished[n] = map[string]int{}
	}
	for _, c := range calls {
		r.check(c, l.calls[callKey{c.node, c.channel}], l.killAt)
	}
	return r
}

// check checks one call and counts it.
func (r *report) check(c endedCall, rec *callRecord, killAt time.Time) {
	name := c.node + "/" + c.channel
	problem := func(format string, args ...any) {
		r.Problems = append(r.Problems, name+": "+fmt.Sprintf(format, args...))
	}
	if rec == nil || len(rec.starts) == 0 {
		switch {
		case r.Killed > 0 && c.cause == causeFailed:
			r.Returned = append(r.Returned, name)
		case c.cause == causeTimeout:
			problem("nobody claimed it (STASISSTATUS=TIMEOUT)")
		default:
			problem("handled by nobody (hangup cause %d)", c.cause)
		}
		return
	}
	var live []handlerStart
	byKilled := false
	for _, s := range rec.starts {
		if s.instance != r.Killed {
			live = append(live, s)
			continue
		}
		byKilled = true
		if len(live) > 0 {
			problem("started by instance %d after instance %d", s.instance, live[0].instance)
			return
		}
	}
	if byKilled {
		r.KilledStarted++
	}
	switch {
	case len(live) > 1:
		problem("handled by instances %s", startedBy(live))
	case len(rec.hungUpBy) > 1:
		problem("hung up by instances %v", rec.hungUpBy)
	case len(live) == 1:
		s := live[0]
		switch {
		case s.from != "" && (r.Killed == 0 || s.from != appName(r.Killed)):
			problem("adopted by instance %d from %s, whose instance was alive", s.instance, s.from)
		case byKilled && s.from == "":
			problem("claimed by instance %d while instance %d handled it", s.instance, r.Killed)
		case len(rec.hungUpBy) != 1 || rec.hungUpBy[0] != s.instance:
			problem("instance %d's handler did not hang it up (hangup cause %d)", s.instance, c.cause)
		default:
			r.Finished[s.instance][c.node]++
			if s.from != "" {
				r.Adopted[s.instance]++
				r.TakeoverTime = max(r.TakeoverTime, s.at.Sub(killAt))
				if byKilled {
					r.TakenOver++
				}
			}
		}
	case len(rec.hungUpBy) == 1 || c.cause == 16:
		// Only the killed instance handled it, and hung it up before it
		// died (with cause 16 and no reply: as it died).
		r.Finished[r.Killed][c.node]++
	default:
		problem("instance %d died with it and nobody adopted it (hangup cause %d)", r.Killed, c.cause)
	}
}

// startedBy lists the instances of starts.
func startedBy(starts []handlerStart) string {
	names := make([]string, len(starts))
	for i, s := range starts {
		names[i] = fmt.Sprint(s.instance)
	}
	return strings.Join(names, " and ")
}

// print writes the report: a table of the calls finished by instance
// and server, what became of the killed instance's calls, and the check.
func (r *report) print(w io.Writer) {
	fmt.Fprintln(w, "calls finished, by instance and server:")
	head := fmt.Sprintf("  %-12s", "")
	for _, node := range r.Nodes {
		head += fmt.Sprintf("%6s", node)
	}
	fmt.Fprintln(w, head+fmt.Sprintf("%7s%9s", "total", "adopted"))
	perNode := map[string]int{}
	adopted := 0
	for n := 1; n <= len(r.Finished); n++ {
		line := fmt.Sprintf("  %-12s", fmt.Sprintf("instance %d", n))
		for _, node := range r.Nodes {
			line += fmt.Sprintf("%6d", r.Finished[n][node])
			perNode[node] += r.Finished[n][node]
		}
		line += fmt.Sprintf("%7d", r.total(n))
		if n == r.Killed {
			line += fmt.Sprintf("%9s  killed with %d calls up", "-", r.KilledLive)
		} else {
			line += fmt.Sprintf("%9d", r.Adopted[n])
			adopted += r.Adopted[n]
		}
		fmt.Fprintln(w, line)
	}
	if len(r.Returned) > 0 {
		line := fmt.Sprintf("  %-12s", "returned")
		for _, node := range r.Nodes {
			k := 0
			for _, name := range r.Returned {
				if strings.HasPrefix(name, node+"/") {
					k++
				}
			}
			line += fmt.Sprintf("%6d", k)
			perNode[node] += k
		}
		fmt.Fprintln(w, line+fmt.Sprintf("%7d", len(r.Returned)))
	}
	line := fmt.Sprintf("  %-12s", "total")
	sum := 0
	for _, node := range r.Nodes {
		line += fmt.Sprintf("%6d", perNode[node])
		sum += perNode[node]
	}
	fmt.Fprintln(w, line+fmt.Sprintf("%7d%9d", sum, adopted))

	if r.Killed > 0 {
		fmt.Fprintf(w, "instance %d had started %d calls when it died and finished %d; the survivors adopted %d of the others",
			r.Killed, r.KilledStarted, r.total(r.Killed), r.TakenOver)
		if extra := adopted - r.TakenOver; extra > 0 {
			fmt.Fprintf(w, " and %d it had claimed but not started", extra)
		}
		if adopted > 0 {
			fmt.Fprintf(w, ", at most %v after the kill", r.TakeoverTime.Round(100*time.Millisecond))
		}
		fmt.Fprintln(w)
	}
	switch {
	case len(r.Problems) > 0:
		fmt.Fprintf(w, "%d of %d calls were NOT handled exactly once:\n", len(r.Problems), r.Calls)
		for _, p := range r.Problems {
			fmt.Fprintln(w, "  "+p)
		}
	case len(r.Returned) > 0:
		fmt.Fprintf(w, "every call was handled exactly once, but for %d that instance %d claimed in its last instant: Asterisk returned them to the dialplan (STASISSTATUS=FAILED): %s\n",
			len(r.Returned), r.Killed, strings.Join(r.Returned, ", "))
	default:
		fmt.Fprintf(w, "every call was handled exactly once (%d calls)\n", r.Calls)
	}
}
