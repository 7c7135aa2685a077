package demo

import (
	"slices"

	"gostasis.dev/stasis"
)

// perCallApps returns apps made ready for per-call outbound websockets:
// each router (an app made by stasis.Router) gets RouterConfig.PerCall,
// so that it sends its calls on through the dialplan (the context
// stasis-<app>) instead of moving them: Asterisk registers an app of a
// per-call websocket only as "<app>:<channel name>", for the call that
// opened it, so a move to it fails.
func perCallApps(apps []stasis.App) []stasis.App {
	out := slices.Clone(apps)
	for i, a := range out {
		if cfg, ok := a.Config.(stasis.RouterConfig); ok {
			cfg.PerCall = true
			out[i] = stasis.Router(cfg)
		}
	}
	return out
}
