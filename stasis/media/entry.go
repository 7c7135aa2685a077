package media

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// dtmfDigits are the digits Asterisk reports in ChannelDTMFReceived.
const dtmfDigits = "0123456789ABCD*#"

// entryRules are a prompt's rules for an entry of digits, checked and
// with their defaults.
type entryRules struct {
	max   int
	term  string
	match []string
	valid func(string) bool
	// first, inter and overall are the timeouts; 0 waits for nothing.
	first, inter, overall time.Duration
}

// verdict judges an entry.
type verdict uint8

const (
	needMore verdict = iota // the entry goes on
	accept                  // the entry is over and valid
	reject                  // the entry is over and invalid
)

// rules checks p and returns its rules.
func (p *PromptParams) rules() (entryRules, error) {
	r := entryRules{max: p.MaxDigits, term: p.Terminator, match: p.Match, valid: p.Valid}
	switch {
	case p.Replays < 0:
		return r, &ParamError{Param: "PromptParams.Replays", Value: strconv.Itoa(p.Replays), Reason: "negative"}
	case p.MaxDigits < 0:
		return r, &ParamError{Param: "PromptParams.MaxDigits", Value: strconv.Itoa(p.MaxDigits), Reason: "negative"}
	}
	if err := onlyDTMF("PromptParams.Terminator", p.Terminator); err != nil {
		return r, err
	}
	if p.Match != nil && len(p.Match) == 0 {
		return r, &ParamError{Param: "PromptParams.Match", Value: "[]", Reason: "no valid entry: every entry would be invalid (leave it nil to accept any)"}
	}
	for _, m := range p.Match {
		if m == "" {
			return r, &ParamError{Param: "PromptParams.Match", Value: m, Reason: "an empty entry is never made"}
		}
		if err := onlyDTMF("PromptParams.Match", m); err != nil {
			return r, err
		}
		if i := strings.IndexAny(m, p.Terminator); i >= 0 {
			return r, &ParamError{Param: "PromptParams.Match", Value: m, Reason: "holds " + m[i:i+1] + ", a terminator: it can never be entered"}
		}
	}
	r.first = timeout(p.FirstDigitTimeout, DefaultFirstDigitTimeout)
	r.inter = timeout(p.InterDigitTimeout, DefaultInterDigitTimeout)
	r.overall = timeout(p.OverallTimeout, DefaultOverallTimeout)
	return r, nil
}

// timeout is d, or def when d is zero, or 0 when d is negative.
func timeout(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// onlyDTMF refuses a value holding anything but DTMF digits.
func onlyDTMF(param, v string) error {
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(dtmfDigits, v[i]) < 0 {
			return &ParamError{Param: param, Value: v, Reason: "holds " + strings.ToValidUTF8(v[i:i+1], "?") + ", not one of the DTMF digits " + dtmfDigits}
		}
	}
	return nil
}

// step judges entry after a digit (the terminator excluded): over when it
// is MaxDigits long, when it is an entry of Match that no longer entry
// starts with, or (invalid) when no entry of Match starts with it.
func (r *entryRules) step(entry string) verdict {
	if r.match != nil {
		exact, longer := false, false
		for _, m := range r.match {
			switch {
			case m == entry:
				exact = true
			case strings.HasPrefix(m, entry):
				longer = true
			}
		}
		switch {
		case !exact && !longer:
			return reject
		case exact && !longer:
			return r.final(entry)
		}
	}
	if r.max > 0 && len(entry) >= r.max {
		return r.final(entry)
	}
	return needMore
}

// final judges an entry that is over: valid when it is one of Match (if
// set) and Valid accepts it (if set); with neither, when it is not empty.
func (r *entryRules) final(entry string) verdict {
	ok := entry != ""
	if r.match != nil {
		ok = slices.Contains(r.match, entry)
	}
	if r.valid != nil {
		ok = (r.match == nil || ok) && r.valid(entry)
	}
	if ok {
		return accept
	}
	return reject
}

// deadline is when the entry ends by itself: the first-digit timeout
// after begun (the prompt's end), or the inter-digit timeout after the
// last digit, but no later than the overall timeout after begun.
func (r *entryRules) deadline(entry string, begun, last time.Time) time.Time {
	d := begun.Add(r.first)
	if entry != "" {
		d = last.Add(r.inter)
	}
	if o := begun.Add(r.overall); o.Before(d) {
		d = o
	}
	return d
}
