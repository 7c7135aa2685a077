// Package deploy holds no code: it is the Asterisk configuration the
// examples run against (asterisk/*.conf), a Docker Compose setup that
// mounts it (compose.yaml, compose.outbound.yaml), and mksounds, which
// writes stand-in prompts. docs/asterisk.md walks through them. Its tests
// check the files offline: every app the examples serve has its Stasis()
// line, the outbound sections point at each other, and compose mounts every
// file.
package deploy
