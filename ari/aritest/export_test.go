package aritest

// SetWebsocketWriteBuffer sets the socket send buffer of the events
// websockets accepted from now on, so that a test can fill it quickly.
func SetWebsocketWriteBuffer(s *Server, n int) {
	s.mu.Lock()
	defer s.unlock()
	s.wsWriteBuf = n
}
