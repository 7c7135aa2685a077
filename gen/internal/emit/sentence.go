package emit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"gostasis.dev/gen/internal/ir"
)

// Doc comments of the generated methods are Go sentences that start with
// the method's name: Asterisk's summaries are imperative ("Answer a
// channel."), so the first verb is turned into the third person ("Answer
// answers a channel"). A summary that does not start with a known verb
// is a noun phrase ("Channel details."): a GET then "returns" it, and any
// other operation "calls" its method and path.

// verbs are the imperative verbs Asterisk's summaries start with (and a
// few more that new summaries are likely to use), lower case. A summary
// starting with a verb missing here still gives a correct sentence, only a
// plainer one; add the verb when a new release brings one.
var verbs = map[string]bool{
	"add": true, "answer": true, "change": true, "claim": true, "continue": true,
	"control": true, "copy": true, "create": true, "delete": true, "destroy": true,
	"dial": true, "disable": true, "discard": true, "enable": true, "exit": true,
	"fetch": true, "filter": true, "generate": true, "get": true, "hold": true,
	"indicate": true, "inform": true, "kick": true, "list": true, "load": true,
	"move": true, "mute": true, "pause": true, "play": true, "record": true,
	"redirect": true, "refer": true, "register": true, "reload": true, "remove": true,
	"replace": true, "reset": true, "resume": true, "retrieve": true, "ring": true,
	"rotate": true, "send": true, "set": true, "shut": true, "specify": true,
	"start": true, "stop": true, "store": true, "subscribe": true, "transfer": true,
	"unhold": true, "unload": true, "unmute": true, "unpause": true, "unregister": true,
	"unsubscribe": true, "update": true, "upload": true,
}

// methodSentence returns the first sentence of an operation's method doc,
// "Answer answers a channel: POST /channels/{channelId}/answer
// (channels.answer).", and what follows the summary's first sentence, if
// anything.
func methodSentence(o *ir.Operation) (first, rest string) {
	summary := cleanText(o.Summary)
	// A summary of several paragraphs keeps its first one here.
	summary, more, _ := strings.Cut(summary, "\n\n")
	summary, rest = firstSentence(summary)
	if more != "" {
		rest = strings.TrimSpace(rest + "\n\n" + more)
	}
	where := o.Method + " " + o.Path + " (" + o.Resource.Name + "." + o.Nickname + ")"
	summary = strings.TrimRight(summary, ". ")
	if summary == "" {
		return o.GoName + " calls " + where + ".", rest
	}
	if pred, ok := predicate(summary); ok {
		return o.GoName + " " + pred + ": " + where + ".", rest
	}
	if o.Method == "GET" {
		return o.GoName + " returns " + lowerFirst(summary) + ": " + where + ".", rest
	}
	return o.GoName + " calls " + where + ": " + summary + ".", rest
}

// firstSentence splits s after its first sentence: a full stop followed by
// a space and an upper-case letter or an opening parenthesis ("Change the
// state of a device. (Note - ...)"), not one inside "i.e. hangup".
func firstSentence(s string) (first, rest string) {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '.' || s[i+1] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(s[i+2:])
		if unicode.IsUpper(next) || next == '(' {
			return s[:i+1], strings.TrimSpace(s[i+2:])
		}
	}
	return s, ""
}

// predicate turns an imperative summary into the predicate of a sentence
// whose subject is the method: "Answer a channel" -> "answers a channel",
// "Exit application; continue execution" -> "exits application; continues
// execution". It reports false when the summary does not start with a
// known verb.
func predicate(summary string) (string, bool) {
	words := strings.Split(summary, " ")
	head := strings.ToLower(words[0])
	switch {
	case verbs[head]:
		words[0] = thirdPerson(head)
	case isThirdPerson(head):
		words[0] = head // "Gets Asterisk system information."
	default:
		return "", false
	}
	// Verbs joined to the first one: "Stop a recording and store it",
	// "Create or update", "Exit application; continue execution".
	for i := 1; i+1 < len(words); i++ {
		joiner := words[i] == "and" || words[i] == "or" || strings.HasSuffix(words[i], ";")
		if joiner && verbs[words[i+1]] {
			words[i+1] = thirdPerson(words[i+1])
		}
	}
	return strings.Join(words, " "), true
}

// thirdPerson conjugates a lower-case verb for "it": add -> adds, copy ->
// copies, fetch -> fetches.
func thirdPerson(verb string) string {
	switch {
	case strings.HasSuffix(verb, "s"), strings.HasSuffix(verb, "x"), strings.HasSuffix(verb, "z"),
		strings.HasSuffix(verb, "ch"), strings.HasSuffix(verb, "sh"), verb == "go", verb == "do":
		return verb + "es"
	case len(verb) > 1 && verb[len(verb)-1] == 'y' && !strings.ContainsRune("aeiou", rune(verb[len(verb)-2])):
		return verb[:len(verb)-1] + "ies"
	}
	return verb + "s"
}

// isThirdPerson reports a known verb already in the third person ("gets",
// "deletes", "copies").
func isThirdPerson(word string) bool {
	for verb := range verbs {
		if thirdPerson(verb) == word {
			return true
		}
	}
	return false
}

// lowerFirst lowers the first letter of s unless its first word is an
// initialism or a name in capitals ("RTP stats", "WebSocket connection").
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	r, n := utf8.DecodeRuneInString(word)
	for _, c := range word[n:] {
		if unicode.IsUpper(c) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}
