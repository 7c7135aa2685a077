package ari

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchChannel is a Channel reply of about 1 KB: a real 22.10.1 channel
// with channel variables added.
const benchChannel = `{"id":"c1-1795635659","name":"Local/100@default-00000012;1","state":"Up","protocol_id":"","caller":{"name":"Alice","number":"1001"},"connected":{"name":"Alice","number":"1001"},"accountcode":"","dialplan":{"context":"default","exten":"100","priority":1,"app_name":"Stasis","app_data":"testapp"},"creationtime":"2026-11-25T19:41:00.885+0000","language":"en","caller_rdnis":"","tenantid":"","channelvars":{"CALLERID(name)":"Alice","CALLERID(num)":"1001","CHANNEL(language)":"en","CHANNEL(accountcode)":"","Call_State":"WaitingForAgent","QUEUE":"support-tier-1","CUSTOMER_ID":"8a0c1c4e-5d7e-4b53-9d38-0f6f3e1c2a77","TICKET":"INC-20261125-000412","ROUTE":"inbound/main/business-hours/support","RECORDING":"/var/spool/asterisk/monitor/2026/11/25/c1-1795635659.wav","PRIORITY":"normal","SKILLS":"english,billing,technical","NOTE":"customer called twice about the same invoice; escalate if needed"}}`

// benchChannelModel is shaped like a generated model: a struct with a
// hand-written UnmarshalJSON that decodes an alias type.
type benchChannelModel struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	State        string            `json:"state"`
	ProtocolID   string            `json:"protocol_id"`
	Caller       benchCallerID     `json:"caller"`
	Connected    benchCallerID     `json:"connected"`
	Accountcode  string            `json:"accountcode"`
	Dialplan     benchDialplan     `json:"dialplan"`
	Creationtime string            `json:"creationtime"`
	Language     string            `json:"language"`
	CallerRDNIS  string            `json:"caller_rdnis"`
	TenantID     string            `json:"tenantid"`
	Channelvars  map[string]string `json:"channelvars"`
}

type benchCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type benchDialplan struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int64  `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

func (c *benchChannelModel) UnmarshalJSON(b []byte) error {
	type alias benchChannelModel
	return json.Unmarshal(b, (*alias)(c))
}

// BenchmarkClientDo compares a typed GET through Client.Do with the same
// request made with plain net/http and encoding/json. The target is a
// ratio within 1.2 for time and allocations (both include the in-process
// server's work).
func BenchmarkClientDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchChannel)
	}))
	defer srv.Close()
	ctx := context.Background()
	op := testOp("GET", "channels", "get", "/channels/{channelId}")

	b.Run("ari", func(b *testing.B) {
		c, err := NewClient(Config{URL: srv.URL, Username: "asterisk", Password: "asterisk"})
		if err != nil {
			b.Fatal(err)
		}
		defer c.hc.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			var ch benchChannelModel
			r := Request{Op: op, Path: "/channels/" + PathEscape("c1-1795635659")}
			if err := c.Do(ctx, &r, &ch); err != nil {
				b.Fatal(err)
			}
			if ch.ID != "c1-1795635659" {
				b.Fatal(ch.ID)
			}
		}
	})

	// The same call decoded into the generated Channel model.
	b.Run("ari_generated_model", func(b *testing.B) {
		c, err := NewClient(Config{URL: srv.URL, Username: "asterisk", Password: "asterisk"})
		if err != nil {
			b.Fatal(err)
		}
		defer c.hc.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			var ch Channel
			r := Request{Op: op, Path: "/channels/" + PathEscape("c1-1795635659")}
			if err := c.Do(ctx, &r, &ch); err != nil {
				b.Fatal(err)
			}
			if ch.ID != "c1-1795635659" {
				b.Fatal(ch.ID)
			}
		}
	})

	b.Run("net_http", func(b *testing.B) {
		hc := newDefaultHTTPClient()
		defer hc.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			var ch benchChannelModel
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/ari/channels/c1-1795635659", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.SetBasicAuth("asterisk", "asterisk")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				b.Fatal(resp.Status)
			}
			if err := json.Unmarshal(data, &ch); err != nil {
				b.Fatal(err)
			}
			if ch.ID != "c1-1795635659" {
				b.Fatal(ch.ID)
			}
		}
	})
}

// BenchmarkGate measures the version check of a gated call once the
// version is known.
func BenchmarkGate(b *testing.B) {
	c, err := NewClient(Config{URL: "http://127.0.0.1:1", Version: "22.10.1"})
	if err != nil {
		b.Fatal(err)
	}
	op := &Operation{Resource: "channels", Nickname: "progress", Method: "POST", Path: "/channels/{channelId}/progress",
		Availability: Availability{Releases: KnownReleases()[2:], Since: []Version{{20, 16, 0}, {21, 11, 0}, {22, 6, 0}}}}
	r := &Request{Op: op, Path: "/channels/x/progress"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.gate(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
