package main

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// muteHandler passes records to h until mute is set.
type muteHandler struct {
	h    slog.Handler
	mute *atomic.Bool
}

func (m *muteHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return !m.mute.Load() && m.h.Enabled(ctx, l)
}

func (m *muteHandler) Handle(ctx context.Context, r slog.Record) error {
	if m.mute.Load() {
		return nil
	}
	return m.h.Handle(ctx, r)
}

func (m *muteHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &muteHandler{h: m.h.WithAttrs(attrs), mute: m.mute}
}

func (m *muteHandler) WithGroup(name string) slog.Handler {
	return &muteHandler{h: m.h.WithGroup(name), mute: m.mute}
}

// levelHandler passes h the records at min or above.
type levelHandler struct {
	h   slog.Handler
	min slog.Level
}

func (l *levelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.min && l.h.Enabled(ctx, level)
}

func (l *levelHandler) Handle(ctx context.Context, r slog.Record) error { return l.h.Handle(ctx, r) }

func (l *levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &levelHandler{h: l.h.WithAttrs(attrs), min: l.min}
}

func (l *levelHandler) WithGroup(name string) slog.Handler {
	return &levelHandler{h: l.h.WithGroup(name), min: l.min}
}
