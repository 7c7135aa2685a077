package media

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEntryRulesDefaults(t *testing.T) {
	r, err := (&PromptParams{}).rules()
	require.NoError(t, err)
	assert.Equal(t, DefaultFirstDigitTimeout, r.first)
	assert.Equal(t, DefaultInterDigitTimeout, r.inter)
	assert.Equal(t, DefaultOverallTimeout, r.overall)

	r, err = (&PromptParams{FirstDigitTimeout: -1, InterDigitTimeout: -time.Second, OverallTimeout: time.Second}).rules()
	require.NoError(t, err)
	assert.Zero(t, r.first, "negative: no wait")
	assert.Zero(t, r.inter)
	assert.Equal(t, time.Second, r.overall)
}

func TestEntryRulesStep(t *testing.T) {
	menu := entryRules{match: []string{"1", "2", "10", "*9"}}
	for entry, want := range map[string]verdict{
		"1":  needMore, // "10" may follow
		"2":  accept,
		"3":  reject,
		"10": accept,
		"11": reject,
		"*":  needMore,
		"*9": accept,
	} {
		assert.Equal(t, want, menu.step(entry), entry)
	}
	withMax := entryRules{match: []string{"1", "10"}, max: 1}
	assert.Equal(t, accept, withMax.step("1"), "MaxDigits ends an ambiguous entry")

	vetoed := entryRules{match: []string{"1", "2"}, valid: func(d string) bool { return d != "2" }}
	assert.Equal(t, accept, vetoed.step("1"))
	assert.Equal(t, reject, vetoed.step("2"), "Valid vetoes an entry of Match")

	free := entryRules{max: 3}
	assert.Equal(t, needMore, free.step("12"))
	assert.Equal(t, accept, free.step("123"))
	assert.Equal(t, needMore, (&entryRules{}).step("123456789"), "no limit")
}

func TestEntryRulesFinal(t *testing.T) {
	assert.Equal(t, accept, (&entryRules{}).final("5"))
	assert.Equal(t, reject, (&entryRules{}).final(""), "an empty entry")
	assert.Equal(t, accept, (&entryRules{valid: func(string) bool { return true }}).final(""), "unless Valid accepts it")
	assert.Equal(t, accept, (&entryRules{match: []string{"1", "10"}}).final("1"))
	assert.Equal(t, reject, (&entryRules{match: []string{"10"}}).final("1"))
	assert.Equal(t, reject, (&entryRules{valid: func(d string) bool { return len(d) == 4 }}).final("123"))
}

func TestEntryRulesDeadline(t *testing.T) {
	r := entryRules{first: 4 * time.Second, inter: 3 * time.Second, overall: 10 * time.Second}
	begun := time.Unix(1000, 0)
	assert.Equal(t, begun.Add(4*time.Second), r.deadline("", begun, time.Time{}), "first digit")
	last := begun.Add(2 * time.Second)
	assert.Equal(t, last.Add(3*time.Second), r.deadline("1", begun, last), "inter-digit")
	last = begun.Add(9 * time.Second)
	assert.Equal(t, begun.Add(10*time.Second), r.deadline("1", begun, last), "overall")
}
