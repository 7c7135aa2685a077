package resources_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// plainChannel mirrors ari.Channel with plain json tags: what a hand-written
// client would decode into.
type plainChannel struct {
	ID         string `json:"id"`
	ProtocolID string `json:"protocol_id"`
	Name       string `json:"name"`
	State      string `json:"state"`
	Caller     struct {
		Name   string `json:"name"`
		Number string `json:"number"`
	} `json:"caller"`
	Connected struct {
		Name   string `json:"name"`
		Number string `json:"number"`
	} `json:"connected"`
	AccountCode string `json:"accountcode"`
	Dialplan    struct {
		Context  string `json:"context"`
		Exten    string `json:"exten"`
		Priority int64  `json:"priority"`
		AppName  string `json:"app_name"`
		AppData  string `json:"app_data"`
	} `json:"dialplan"`
	CreationTime string            `json:"creationtime"`
	Language     string            `json:"language"`
	ChannelVars  map[string]string `json:"channelvars,omitempty"`
	CallerRDNIS  string            `json:"caller_rdnis,omitempty"`
	TenantID     string            `json:"tenantid,omitempty"`
}

// benchReply returns the body of a real reply from responses.jsonl.
func benchReply(b *testing.B, request string) []byte {
	b.Helper()
	for _, fx := range loadFixtures(b) {
		if fx.Request == request {
			return []byte(fx.Body)
		}
	}
	b.Fatalf("no reply for %q in responses.jsonl", request)
	return nil
}

// benchServer answers every request with body.
func benchServer(b *testing.B, body []byte) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// baselineClient is what the typed client is measured against: net/http
// with a transport like the typed client's.
func baselineClient(b *testing.B) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// baselineDo sends req with basic auth and decodes the JSON reply into out.
func baselineDo(hc *http.Client, req *http.Request, out any) error {
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	err = json.NewDecoder(resp.Body).Decode(out)
	io.Copy(io.Discard, resp.Body)
	return err
}

var benchSink any

func BenchmarkChannelsGet(b *testing.B) {
	const id = "c1-1795635659"
	srv := benchServer(b, benchReply(b, "GET /channels/"+id+" (user asterisk:asterisk)"))
	ctx := context.Background()

	b.Run("typed", func(b *testing.B) {
		c := newClient(b, srv.URL, "22.10.1")
		b.ReportAllocs()
		for b.Loop() {
			ch, err := c.Channels.Get(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			benchSink = ch
		}
	})
	b.Run("baseline", func(b *testing.B) {
		hc := baselineClient(b)
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/ari/channels/"+url.PathEscape(id), nil)
			if err != nil {
				b.Fatal(err)
			}
			var ch plainChannel
			if err := baselineDo(hc, req, &ch); err != nil {
				b.Fatal(err)
			}
			benchSink = &ch
		}
	})
}

func BenchmarkChannelsOriginate(b *testing.B) {
	const request = "POST /channels?endpoint=Local/100@default&app=testapp&channelId=c1-1795635659&otherChannelId=c1b-1795635659&callerId=Alice%20%3C1001%3E (user asterisk:asterisk)"
	srv := benchServer(b, benchReply(b, request))
	ctx := context.Background()

	b.Run("typed", func(b *testing.B) {
		c := newClient(b, srv.URL, "22.10.1")
		b.ReportAllocs()
		for b.Loop() {
			ch, err := c.Channels.Originate(ctx, &resources.ChannelOriginateParams{
				Endpoint:       "Local/100@default",
				App:            "testapp",
				ChannelID:      "c1-1795635659",
				OtherChannelID: "c1b-1795635659",
				CallerID:       ari.CallerID{Name: "Alice", Number: "1001"},
			})
			if err != nil {
				b.Fatal(err)
			}
			benchSink = ch
		}
	})
	b.Run("baseline", func(b *testing.B) {
		hc := baselineClient(b)
		b.ReportAllocs()
		for b.Loop() {
			v := url.Values{}
			v.Set("endpoint", "Local/100@default")
			v.Set("app", "testapp")
			v.Set("channelId", "c1-1795635659")
			v.Set("otherChannelId", "c1b-1795635659")
			v.Set("callerId", "Alice <1001>")
			req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/ari/channels?"+v.Encode(), nil)
			if err != nil {
				b.Fatal(err)
			}
			var ch plainChannel
			if err := baselineDo(hc, req, &ch); err != nil {
				b.Fatal(err)
			}
			benchSink = &ch
		}
	})
}

// TestBaselineMirrorsChannel keeps plainChannel in step with ari.Channel.
func TestBaselineMirrorsChannel(t *testing.T) {
	body := `{"id":"c1","name":"n","state":"Up","protocol_id":"p","caller":{"name":"A","number":"1"},"connected":{"name":"B","number":"2"},"accountcode":"ac","dialplan":{"context":"default","exten":"100","priority":3,"app_name":"Stasis","app_data":"testapp"},"creationtime":"2026-11-25T19:41:00.885+0000","language":"en","channelvars":{"X":"1"},"caller_rdnis":"r","tenantid":"t"}`
	var pc plainChannel
	if err := json.Unmarshal([]byte(body), &pc); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(pc)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	json.Unmarshal([]byte(body), &a)
	json.Unmarshal(data, &b)
	if fmt.Sprint(a) != fmt.Sprint(b) || !strings.Contains(string(data), `"tenantid":"t"`) {
		t.Fatalf("plainChannel lost fields:\n%s\n%s", body, data)
	}
}
