package stasis

// The bookkeeping of what a call owns: the channels and bridges the
// registrar (appState) has tied to it, and which of them the call created
// and must clean up when it ends. Each Call guards its own sets with c.mu.

// addChannel records channel id; created marks one the call made.
func (c *Call) addChannel(id string, created bool) {
	c.mu.Lock()
	if c.channels == nil {
		c.channels = map[string]bool{}
	}
	c.channels[id] = c.channels[id] || created
	c.mu.Unlock()
}

func (c *Call) removeChannel(id string) {
	c.mu.Lock()
	delete(c.channels, id)
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
	for id := range c.channels {
		if id != c.ChannelID {
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
	for id, own := range c.channels {
		if own && id != c.ChannelID {
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
