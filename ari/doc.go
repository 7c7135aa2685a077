// Package ari is the core of the Asterisk REST Interface (ARI) client: the
// HTTP transport and its typed errors, the events websocket, Asterisk version
// handling, and the models Asterisk exchanges (Channel, Bridge, Playback, ...)
// generated from Asterisk's own API description.
//
// Typed REST clients for every operation live in package
// gostasis.dev/ari/resources; typed events in gostasis.dev/ari/events; the
// per-call runtime in gostasis.dev/stasis.
package ari
