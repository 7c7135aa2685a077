package ari

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

// opAsteriskInfo is the request that learns the server's version.
var opAsteriskInfo = &Operation{
	Resource: "asterisk",
	Nickname: "getInfo",
	Method:   "GET",
	Path:     "/asterisk/info",
}

// Version returns the server's Asterisk version: Config.Version, or what
// the server reports in GET /ari/asterisk/info?only=system, asked once and
// remembered (a failure is not remembered: the next call asks again).
// Concurrent callers share one request.
//
// A server that reports no release number (a development build such as
// "GIT-master-abc123") gives the zero Version, which every Availability
// accepts, so version checks are off for it.
func (c *Client) Version(ctx context.Context) (Version, error) {
	sv, err := c.serverVersion(ctx)
	if err != nil {
		return Version{}, err
	}
	return sv.v, nil
}

// Supports reports whether the server's Asterisk version has op, learning
// the version if needed (see Version). Operations every known release has,
// and hand-built ones with a zero Availability, are supported without
// asking. The answer holds regardless of Config.DisableVersionCheck.
func (c *Client) Supports(ctx context.Context, op *Operation) (bool, error) {
	if op == nil || !checked(op.Availability) {
		return true, nil
	}
	v, err := c.Version(ctx)
	if err != nil {
		return false, err
	}
	return op.Availability.In(v), nil
}

// versionCache is what a client knows of its server's version, shared by
// the clients that talk to that server over other transports.
type versionCache struct {
	ver  atomic.Pointer[serverVersion] // known version, nil until learned
	mu   sync.Mutex
	call *versionCall // discovery in flight, guarded by mu
}

// preset records a configured version (Config.Version), if any.
func (vc *versionCache) preset(raw string, log *slog.Logger) {
	if raw == "" {
		return
	}
	sv := &serverVersion{raw: strings.TrimSpace(raw)}
	if v, err := ParseVersion(raw); err == nil {
		sv.v = v
	} else {
		log.Debug("ari: the configured version has no release number; version checks are off", "version", sv.raw)
	}
	vc.ver.Store(sv)
}

func (c *Client) serverVersion(ctx context.Context) (*serverVersion, error) {
	if c.discover != nil {
		// An outbound websocket's: it caches per Asterisk itself.
		return c.discover(ctx)
	}
	from := c
	if c.verFrom != nil {
		from = c.verFrom
	}
	return c.vc.get(ctx, from.discoverVersion)
}

// get returns the known version or learns it with discover; concurrent
// callers share one discovery, and a failure is not remembered.
func (vc *versionCache) get(ctx context.Context, discover func(context.Context) (*serverVersion, error)) (*serverVersion, error) {
	if sv := vc.ver.Load(); sv != nil {
		return sv, nil
	}
	for {
		vc.mu.Lock()
		if sv := vc.ver.Load(); sv != nil {
			vc.mu.Unlock()
			return sv, nil
		}
		if call := vc.call; call != nil {
			vc.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if call.err == nil {
				return call.sv, nil
			}
			// The discovery failed because its caller's context ended
			// while ours is alive: ask again.
			if ctx.Err() == nil && (errors.Is(call.err, context.Canceled) || errors.Is(call.err, context.DeadlineExceeded)) {
				continue
			}
			return nil, call.err
		}
		call := &versionCall{done: make(chan struct{})}
		vc.call = call
		vc.mu.Unlock()

		sv, err := discover(ctx)

		vc.mu.Lock()
		if err == nil {
			vc.ver.Store(sv)
		}
		vc.call = nil
		vc.mu.Unlock()
		call.sv, call.err = sv, err
		close(call.done)
		return sv, err
	}
}

// discoverVersion asks the server for its version.
func (c *Client) discoverVersion(ctx context.Context) (*serverVersion, error) {
	var info struct {
		System struct {
			Version string `json:"version"`
		} `json:"system"`
	}
	r := &Request{Op: opAsteriskInfo, Path: opAsteriskInfo.Path, Query: "only=system"}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	bp := getBuf()
	buf, err := readLimited(resp.Body, *bp, resp.ContentLength, c.maxReply)
	resp.Body.Close()
	if err == errTooLarge {
		err = fmt.Errorf("%w (%d bytes)", ErrReplyTooLarge, c.maxReply)
	}
	if err == nil {
		err = json.Unmarshal(buf, &info)
	}
	putBuf(bp, buf)
	if err != nil {
		return nil, c.replyError(r, resp.StatusCode, err)
	}
	sv := &serverVersion{raw: info.System.Version}
	if v, err := ParseVersion(sv.raw); err == nil {
		sv.v = v
		c.log.Debug("ari: server version", "version", sv.raw)
	} else {
		c.log.Debug("ari: server version has no release number; version checks are off", "version", sv.raw)
	}
	return sv, nil
}

// checked reports whether a needs a version check: not when every known
// release has the element, nor when a carries no information at all (the
// zero Availability of a hand-built Operation, or of a parameter that is
// wherever its operation is).
func checked(a Availability) bool { return !a.IsZero() && !a.Universal() }

// gatedParam returns the first parameter r sends that needs a version
// check and, when v is not the zero Version, that v lacks; nil if none.
func gatedParam(r *Request, v Version) *Param {
	for i := range r.Op.Params {
		p := &r.Op.Params[i]
		if checked(p.Availability) && (v.IsZero() || !p.Availability.In(v)) && r.sends(p) {
			return p
		}
	}
	return nil
}

// gate refuses r, before it is sent, when the server's version lacks its
// operation or a parameter r sends.
func (c *Client) gate(ctx context.Context, r *Request) error {
	if c.noGate {
		return nil
	}
	opChecked := checked(r.Op.Availability)
	if !opChecked && gatedParam(r, Version{}) == nil {
		return nil
	}
	sv, err := c.serverVersion(ctx)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status != 0 {
			// Asterisk answered, but not with its version (a user
			// without read access, a proxy...): let it judge the call.
			c.log.LogAttrs(ctx, slog.LevelDebug, "ari: cannot learn the Asterisk version; sending the call unchecked",
				slog.String("op", r.Op.String()), slog.String("error", err.Error()))
			return nil
		}
		return c.newError(r, 0, fmt.Errorf("learning the Asterisk version: %w", err))
	}
	v := sv.v
	if v.IsZero() {
		return nil
	}
	if opChecked && !r.Op.Availability.In(v) {
		e := c.newError(r, 0, ErrUnsupported)
		e.Version = v
		e.Message = "Asterisk " + v.String() + " does not have " + r.Op.String() + "; it is in " + r.Op.Availability.Describe()
		return e
	}
	if p := gatedParam(r, v); p != nil {
		e := c.newError(r, 0, ErrUnsupported)
		e.Version = v
		e.Message = fmt.Sprintf("Asterisk %s does not accept parameter %q of %s; it is in %s", v, p.Name, r.Op, p.Availability.Describe())
		return e
	}
	return nil
}
