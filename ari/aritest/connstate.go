package aritest

import (
	"context"
	"net"
)

// connState is what Asterisk keeps per HTTP connection, which one thread
// of its HTTP server serves: the error of the last failed channel
// allocation (ast_channel_errno, thread-local and never cleared).
type connState struct {
	// idConflict: a channel id conflicted on this connection. A later
	// channel request that fails for another reason (an unknown
	// technology or endpoint) answers 409 "Channel with given unique ID
	// already exists" instead of 500.
	idConflict bool
}

type connKey struct{}

// withConnState gives each HTTP connection its connState
// (http.Server.ConnContext).
func withConnState(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}

// idConflict answers a channel id conflict, and remembers it for the
// connection.
func (c *reqCtx) idConflict() reply {
	if c.conn != nil {
		c.conn.idConflict = true
	}
	return errReply(409, msgIDExists)
}

// allocFailed answers a channel request that failed for another reason
// than an id conflict: 500 "Allocation failed", or 409 after an id
// conflict on the same connection, since Asterisk reports the last error
// the thread recorded.
func (c *reqCtx) allocFailed() reply {
	if c.conn != nil && c.conn.idConflict {
		return errReply(409, msgIDExists)
	}
	return errReply(500, msgAllocFailed)
}
