package stasis

// The bookkeeping of what a call owns: the channels and bridges the
// registrar (appState) has tied to it, and which of them the call created
// and must clean up when it ends. Each Call guards its own sets with c.mu.

// addChannel records channel id as a leg of the given kind; a channel the
// call already has keeps its kind.
func (c *Call) addChannel(id string, kind LegKind) {
	c.mu.Lock()
	if c.channels == nil {
		c.channels = map[string]legState{}
	}
	if s, ok := c.channels[id]; !ok || s.gone {
		c.channels[id] = legState{kind: kind}
	}
	c.mu.Unlock()
}

// removeChannel forgets channel id (released or unregistered).
func (c *Call) removeChannel(id string) {
	c.mu.Lock()
	delete(c.channels, id)
	c.mu.Unlock()
}

// channelGone marks channel id destroyed: no longer owned, still a leg
// for Leg.
func (c *Call) channelGone(id string) {
	c.mu.Lock()
	if s, ok := c.channels[id]; ok {
		s.gone = true
		c.channels[id] = s
	}
	c.mu.Unlock()
}

// addBridge records bridge id; created marks one the call made.
func (c *Call) addBridge(id string, created bool) {
	c.mu.Lock()
	if c.bridges == nil {
		c.bridges = map[string]bool{}
	}
	c.bridges[id] = c.bridges[id] || created
	c.mu.Unlock()
}

func (c *Call) removeBridge(id string) {
	c.mu.Lock()
	delete(c.bridges, id)
	c.mu.Unlock()
}

func (c *Call) channelIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []string{c.ChannelID}
	for id, s := range c.channels {
		if id != c.ChannelID && !s.gone {
			out = append(out, id)
		}
	}
	return out
}

func (c *Call) bridgeIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.bridges))
	for id := range c.bridges {
		out = append(out, id)
	}
	return out
}

// owned returns the channels and bridges the call created and still owns.
func (c *Call) owned() (channels, bridges []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, s := range c.channels {
		if s.kind.created() && !s.gone && id != c.ChannelID {
			channels = append(channels, id)
		}
	}
	for id, own := range c.bridges {
		if own {
			bridges = append(bridges, id)
		}
	}
	return channels, bridges
}
