package stasis

import (
	"context"
	"log/slog"
)

// defaultLogger is the runtime's logger when Config.Logger is nil: the
// warnings and errors, to slog.Default()'s handler.
func defaultLogger() *slog.Logger {
	return slog.New(minLevel{h: slog.Default().Handler(), min: slog.LevelWarn})
}

// minLevel passes to h the records at min and above.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

func (m minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(attrs), min: m.min}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}
