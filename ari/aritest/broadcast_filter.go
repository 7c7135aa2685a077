package aritest

import (
	"fmt"
	"regexp"
)

// Limits res_stasis_broadcast.c puts on a StasisBroadcast app_filter.
const (
	maxFilterLength       = 256 // MAX_REGEX_LENGTH
	maxFilterGroupDepth   = 10  // MAX_GROUP_DEPTH
	maxQuantifiedGroups   = 3   // MAX_NESTED_QUANTIFIERS
	maxQuantifierBound    = 100 // MAX_QUANTIFIER_BOUND
	maxAlternations       = 20  // MAX_ALTERNATIONS
	alternationDepthLimit = 2   // ALTERNATION_DEPTH_THRESHOLD
)

// broadcastFilter compiles the app_filter of StasisBroadcast() as
// Asterisk does (a POSIX extended regular expression, matched anywhere in
// the application's name). An empty filter, or one Asterisk rejects (too
// long, too complex, or invalid), gives nil: the broadcast goes to every
// application, with Asterisk's warnings on the logger.
func (s *Server) broadcastFilter(ch *channel, pattern string) *regexp.Regexp {
	if pattern == "" {
		return nil
	}
	var re *regexp.Regexp
	if !safeFilter(pattern) {
		s.log.Warn(fmt.Sprintf("Channel %s: rejecting app_filter regex as potentially dangerous: %s", ch.id, pattern))
	} else if r, err := regexp.CompilePOSIX(pattern); err != nil {
		s.log.Warn(fmt.Sprintf("Channel %s: failed to compile app_filter regex '%s'", ch.id, pattern))
	} else {
		re = r
	}
	if re == nil {
		s.log.Warn(fmt.Sprintf("Channel %s: proceeding without application filtering due to invalid regex", ch.id))
	}
	return re
}

// safeFilter is validate_regex_pattern of res_stasis_broadcast.c: a
// heuristic against patterns that could take long to match. It rejects
// patterns longer than 256 bytes, groups nested more than 10 deep, more
// than 3 quantified groups, {m,n} bounds above 100, and more than 20
// alternatives in a group nested deeper than 2.
func safeFilter(p string) bool {
	if len(p) > maxFilterLength {
		return false
	}
	at := func(i int) byte { // the byte at i, or NUL past the end as in C
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	depth, quantified := 0, 0
	inClass := false
	var alternations [maxFilterGroupDepth + 1]int
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !inClass && c == '[' && (i == 0 || p[i-1] != '\\') {
			inClass = true
			// ']' right after '[' or '[^' is a literal.
			if at(i+1) == '^' {
				i++
			}
			if at(i+1) == ']' {
				i++
			}
			continue
		} else if inClass {
			if c == '\\' {
				if at(i+1) != 0 {
					i++
				}
				continue
			}
			if c == ']' {
				inClass = false
			}
			continue
		}
		switch c {
		case '(':
			depth++
			if depth > maxFilterGroupDepth {
				return false
			}
			alternations[depth] = 0
		case ')':
			if depth > 0 {
				alternations[depth] = 0
				depth--
			}
		case '+', '*', '?':
			if i > 0 && p[i-1] == ')' {
				quantified++
			}
		case '{':
			q := i + 1
			m := 0
			valid, overflow := false, false
			if isDigit(at(q)) {
				for isDigit(at(q)) {
					m = m*10 + int(at(q)-'0')
					if m > maxQuantifierBound {
						overflow = true
						break
					}
					q++
				}
				if !overflow && at(q) == ',' {
					q++
					for n := 0; isDigit(at(q)); q++ { // an empty n: no upper bound
						n = n*10 + int(at(q)-'0')
						if n > maxQuantifierBound {
							overflow = true
							break
						}
					}
				}
				if !overflow && at(q) == '}' {
					valid = true
				}
			}
			if overflow {
				return false
			}
			if valid {
				if i > 0 && p[i-1] == ')' {
					quantified++
				}
				i = q // at '}'
			}
		case '|':
			if depth > 0 {
				alternations[depth]++
				if depth > alternationDepthLimit && alternations[depth] > maxAlternations {
					return false
				}
			}
		case '\\':
			if at(i+1) != 0 {
				i++
			}
		}
	}
	return quantified <= maxQuantifiedGroups
}
