// Package ari is the client core of the Asterisk REST Interface (ARI): a
// Client that sends REST requests and opens the events websocket, the
// errors it returns, Asterisk versions, and the models Asterisk exchanges
// (Channel, Bridge, Playback, ...), generated from Asterisk's own API
// description.
//
// Most apps create one Client and use it through the typed operations of
// package resources and the per-call runtime of package stasis:
//
//	client, err := ari.NewClient(ari.Config{
//		URL:      "http://127.0.0.1:8088",
//		Username: "asterisk",
//		Password: "secret",
//	})
//	if err != nil {
//		return err // a bad URL; nothing is sent yet
//	}
//	rc := resources.New(client)
//	ch, err := rc.Channels.Get(ctx, "1700000000.42")
//	var ariErr *ari.Error
//	switch {
//	case err == nil:
//		fmt.Println(ch.Name, ch.State)
//	case errors.Is(err, ari.ErrNotFound): // Asterisk answered 404
//	case errors.As(err, &ariErr): // ariErr.Status, ariErr.Message (Asterisk's own words)
//	}
//
// # The client
//
// Client (NewClient, Config) sends each request with the context its caller
// gives, authenticates with the ARI user's credentials, and never prints
// them. A call that fails returns an *Error: it keeps Asterisk's status and
// message and matches ErrNotFound, ErrConflict, ErrInvalidState, ... with
// errors.Is. Before sending, the client checks the server's Asterisk
// version (discovered once, or Config.Version) and refuses an operation or
// parameter that release lacks with ErrUnsupported, so nothing half-works.
//
// The client distrusts what it receives: a successful reply longer than
// Config.MaxReplySize (64 MiB by default) fails with ErrReplyTooLarge, an
// empty or null reply where a result is expected fails with ErrEmptyReply,
// and a redirect is refused with ErrRedirect rather than followed. An
// error reply cut short (by the context's deadline...) keeps that cause
// for errors.Is instead of passing its fragment off as Asterisk's message.
// Config.APIKey authenticates with Asterisk's api_key parameter instead of
// (or besides) basic authentication; no credentials, and no part of a
// Config.URL's user information or query, ever appear in an error or a log.
//
// # Events
//
// Client.EventStream opens Asterisk's events websocket and keeps it open:
// it reconnects with backoff (Backoff), pings, and reports its state
// (StateChange). It delivers raw frames; package events decodes them into
// typed events, and package stasis routes them to calls. A message larger
// than EventStreamConfig.MaxFrameSize (16 MiB by default) is refused
// unread: the connection closes and the stream reconnects, reporting
// ErrFrameTooLarge.
//
// # REST over the events websocket
//
// Asterisk 20.14, 21.9, 22.4 and later also take REST calls on the events
// websocket. EventStream.RESTClient returns a *Client whose calls go
// there, for resources.New: the same typed API and errors over one
// connection. Its calls need the stream running and connected; when the
// connection drops they fail at once with ErrConnectionLost, and an older
// Asterisk is refused before sending (ErrUnsupported).
//
// # Models
//
// The models mirror Asterisk's JSON member by member, decode in one pass
// without reflection, and encode back as Asterisk wrote them. Enums
// (ChannelState, BridgeType, ...) are open: a value a newer Asterisk sends
// is kept, and Known reports whether this build knows it. Has tells an
// optional member Asterisk sent as zero from one it left out.
//
// # Where to go next
//
//   - gostasis.dev/ari/resources: a typed method for every operation.
//   - gostasis.dev/ari/events: typed events, Decode and handler interfaces.
//   - gostasis.dev/stasis: one handler goroutine per call.
//   - gostasis.dev/ari/aritest: a simulated Asterisk for tests.
package ari
