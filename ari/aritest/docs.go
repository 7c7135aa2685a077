package aritest

import (
	"bytes"
	"embed"
	"encoding/json"
	"path"
	"strings"
)

// schemaFS holds Asterisk 22.10.1's API description, copied unchanged from
// schemas/asterisk-22.10.1.
//
//go:embed schema/asterisk-22.10.1/resources.json schema/asterisk-22.10.1/api-docs/*.json
var schemaFS embed.FS

const schemaDir = "schema/asterisk-22.10.1"

// apiDocs serves /ari/api-docs as Asterisk does: the declaration files,
// compacted, with basePath pointing at the server the client reached.
type apiDocs struct {
	files map[string][]byte // "resources.json", "channels.json", ... compacted
}

// basePathTemplate is the basePath of the files as shipped.
var basePathTemplate = []byte(`"basePath":"http://localhost:8088/ari"`)

func loadAPIDocs() *apiDocs {
	d := &apiDocs{files: map[string][]byte{}}
	add := func(name, file string) {
		raw, err := schemaFS.ReadFile(file)
		if err != nil {
			panic("aritest: embedded schema: " + err.Error())
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			panic("aritest: embedded schema " + file + ": " + err.Error())
		}
		d.files[name] = b.Bytes()
	}
	add("resources.json", schemaDir+"/resources.json")
	entries, _ := schemaFS.ReadDir(schemaDir + "/api-docs")
	for _, e := range entries {
		add(e.Name(), path.Join(schemaDir, "api-docs", e.Name()))
	}
	return d
}

// serve answers GET /ari/api-docs/<name>; host is the Host header of the
// request, which Asterisk puts in basePath.
func (d *apiDocs) serve(name, host string) reply {
	data, ok := d.files[name]
	if !ok || strings.Contains(name, "/") {
		return errReply(404, "Resource not found")
	}
	if host == "" {
		host = "localhost:8088"
	}
	base := []byte(`"basePath":"http://` + host + `/ari"`)
	return reply{status: 200, body: bytes.Replace(data, basePathTemplate, base, 1)}
}
