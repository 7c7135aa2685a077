package aritest

import (
	_ "embed"
	"encoding/json"
	"path"
	"sort"
	"strings"

	"gostasis.dev/ari"
	"gostasis.dev/ari/events"
)

// modulesJSON is the reply of GET /asterisk/modules on the captured server.
//
//go:embed data/modules.json
var modulesJSON []byte

func defaultModules() []ari.Module {
	var mods []ari.Module
	if err := json.Unmarshal(modulesJSON, &mods); err != nil {
		panic("aritest: data/modules.json: " + err.Error())
	}
	return mods
}

// reloadable lists the modules that support reloading; reloading another
// running module answers 409 "Module does not support reloading".
var reloadable = map[string]bool{
	"res_musiconhold.so": true, "pbx_config.so": true, "res_ari.so": true,
	"res_http_websocket.so": true, "res_rtp_asterisk.so": true, "res_pjsip.so": true,
	"chan_pjsip.so": true, "res_stasis.so": true, "cdr": true, "cel": true,
	"features": true, "http": true, "logger": true, "manager": true, "dnsmgr": true,
	"enum": true, "extconfig": true, "indications": true, "acl": true, "ccss": true,
	"dsp": true, "plc": true, "udptl": true, "res_sorcery_memory_cache.so": true,
}

func defaultLogChannels() []ari.LogChannel {
	return []ari.LogChannel{
		{Channel: "/var/log/asterisk/messages.log", Type: "File", Status: "Enabled", Configuration: "NOTICE WARNING ERROR VERBOSE "},
		{Channel: "", Type: "Console", Status: "Enabled", Configuration: "NOTICE WARNING ERROR VERBOSE "},
	}
}

func hAsteriskGetInfo(s *Server, c *reqCtx) reply {
	only, rep, ok := c.list("only")
	if !ok {
		return rep
	}
	all := len(only) == 0
	want := map[string]bool{}
	for _, o := range only {
		switch o {
		case "build", "system", "config", "status":
			want[o] = true
		default:
			return errReply(400, "Unrecognized info section '"+o+"'")
		}
	}
	info := ari.AsteriskInfo{}
	if all || want["build"] {
		info.Build = &ari.BuildInfo{Os: "Linux", Kernel: "6.1.0", Machine: "x86_64", Options: "OPTIONAL_API",
			Date: s.startup.UTC().Format("2006-01-02 15:04:05 UTC"), User: "root"}
	}
	if all || want["system"] {
		info.System = &ari.SystemInfo{Version: s.cfg.Version, EntityID: s.cfg.AsteriskID}
	}
	if all || want["config"] {
		info.Config = &ari.ConfigInfo{Name: s.cfg.SystemName, DefaultLanguage: s.cfg.Language}
	}
	if all || want["status"] {
		info.Status = &ari.StatusInfo{StartupTime: ari.Time{Time: s.startup}, LastReloadTime: ari.Time{Time: s.lastReload}}
	}
	return okJSON(info)
}

func hAsteriskPing(s *Server, c *reqCtx) reply {
	return okJSON(ari.AsteriskPing{AsteriskID: s.cfg.AsteriskID, Ping: "pong", Timestamp: ari.Time{Time: s.now()}.String()})
}

func (s *Server) findModule(name string) int {
	for i, m := range s.modules {
		if m.Name == name {
			return i
		}
	}
	return -1
}

func hAsteriskListModules(s *Server, c *reqCtx) reply {
	return okJSON(append([]ari.Module{}, s.modules...))
}

func hAsteriskGetModule(s *Server, c *reqCtx) reply {
	i := s.findModule(c.path["moduleName"])
	if i < 0 {
		return errReply(404, "Module could not be found in running modules")
	}
	return okJSON(s.modules[i])
}

func hAsteriskLoadModule(s *Server, c *reqCtx) reply {
	name := c.path["moduleName"]
	if s.findModule(name) >= 0 {
		return errReply(409, "Module is already loaded")
	}
	for _, m := range defaultModules() {
		if m.Name == name {
			m.UseCount = 0
			s.modules = append(s.modules, m)
			sort.Slice(s.modules, func(i, j int) bool { return s.modules[i].Name < s.modules[j].Name })
			return noContent()
		}
	}
	return errReply(409, "Module could not be loaded")
}

func hAsteriskUnloadModule(s *Server, c *reqCtx) reply {
	i := s.findModule(c.path["moduleName"])
	if i < 0 {
		return errReply(404, "Module not found in running modules")
	}
	s.modules = append(s.modules[:i], s.modules[i+1:]...)
	return noContent()
}

func hAsteriskReloadModule(s *Server, c *reqCtx) reply {
	name := c.path["moduleName"]
	if s.findModule(name) < 0 {
		return errReply(404, "Module not found in running modules")
	}
	if !reloadable[name] {
		return errReply(409, "Module does not support reloading")
	}
	s.lastReload = s.now()
	return noContent()
}

func hAsteriskListLogChannels(s *Server, c *reqCtx) reply {
	return okJSON(append([]ari.LogChannel{}, s.logChannels...))
}

// Log channels added over ARI are "dynamic": Asterisk does not list them
// (GET /asterisk/logging shows the configured ones only) but deletes and
// rotates them, until a rotation drops them all.

func hAsteriskAddLog(s *Server, c *reqCtx) reply {
	name := c.path["logChannelName"]
	conf := c.str("configuration")
	if strings.TrimSpace(conf) == "" {
		return errReply(400, "Configuration levels are required")
	}
	if _, ok := s.dynLogs[name]; ok {
		return errReply(409, "Log channel already exists")
	}
	s.dynLogs[name] = conf
	return noContent()
}

func hAsteriskDeleteLog(s *Server, c *reqCtx) reply {
	name := c.path["logChannelName"]
	if _, ok := s.dynLogs[name]; !ok {
		return errReply(404, "Log channel does not exist")
	}
	delete(s.dynLogs, name)
	return noContent()
}

// hAsteriskRotateLog rotates a log channel: main/logger.c
// ast_logger_rotate_channel, which then rebuilds the channels from
// logger.conf (init_logger_chain), so every channel added over ARI is gone
// afterwards, whether the rotation found its channel or not: deleting one
// then answers 404.
func hAsteriskRotateLog(s *Server, c *reqCtx) reply {
	name := c.path["logChannelName"]
	_, found := s.dynLogs[name]
	for _, l := range s.logChannels {
		found = found || l.Type == "File" && (l.Channel == name || path.Base(l.Channel) == name)
	}
	clear(s.dynLogs)
	if !found {
		return errReply(404, "Log channel does not exist")
	}
	return noContent()
}

func hAsteriskGetGlobalVar(s *Server, c *reqCtx) reply {
	name := c.str("variable")
	if name == "" {
		return errReply(400, "Variable name is required")
	}
	return okJSON(ari.Variable{Value: s.globals[name]})
}

func hAsteriskSetGlobalVar(s *Server, c *reqCtx) reply {
	name := c.str("variable")
	if name == "" {
		return errReply(400, "Variable name is required")
	}
	s.globals[name] = c.str("value")
	// A global variable is a ChannelVarset without a channel, seen by the
	// applications subscribed to all channels.
	s.send(&events.ChannelVarset{Variable: name, Value: c.str("value")}, target{global: true})
	return noContent()
}

// Globals returns a copy of the global variables.
func (s *Server) Globals() map[string]string {
	s.mu.Lock()
	defer s.runlock()
	out := make(map[string]string, len(s.globals))
	for k, v := range s.globals {
		out[k] = v
	}
	return out
}
