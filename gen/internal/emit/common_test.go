package emit

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestArticle(t *testing.T) {
	for in, want := range map[string]string{
		"Channel":         "a Channel",
		"AdditionalParam": "an AdditionalParam",
		"AsteriskInfo":    "an AsteriskInfo",
		"RTPStat":         "an RTPStat",
		"SIPHeader":       "an SIPHeader",
		"URIEvent":        "a URIEvent",
		"DTMFTone":        "a DTMFTone",
		"Endpoint":        "an Endpoint",
		"":                "",
	} {
		assert.Equal(t, want, article(in), in)
	}
}

func TestGroupImports(t *testing.T) {
	in := "package p\n\nimport (\n\t\"context\"\n\t\"gostasis.dev/ari\"\n\twire \"gostasis.dev/ari/internal/wire\"\n\t\"strconv\"\n)\n\nvar x = 1\n"
	want := "package p\n\nimport (\n\t\"context\"\n\t\"strconv\"\n\n\t\"gostasis.dev/ari\"\n\twire \"gostasis.dev/ari/internal/wire\"\n)\n\nvar x = 1\n"
	assert.Equal(t, want, string(groupImports([]byte(in))))

	only := "package p\n\nimport (\n\t\"context\"\n\t\"strconv\"\n)\n"
	assert.Equal(t, only, string(groupImports([]byte(only))))
	single := "package p\n\nimport \"context\"\n"
	assert.Equal(t, single, string(groupImports([]byte(single))))
}
