// Package resources holds typed clients for every ARI operation of every
// Asterisk release this build knows, generated from Asterisk's own API
// description.
//
// New(c) returns a Client with one service per resource (Channels,
// Bridges, Playbacks, ...), each behind an interface (ChannelsAPI, ...)
// that tests and apps may substitute. Methods take a context first, path
// parameters as arguments, and everything else in a params struct where
// only the fields set are sent. Results are typed models; errors are
// *ari.Error values that work with errors.Is (ari.ErrNotFound, ...) and
// keep Asterisk's own message.
//
// Calls are checked against the server's Asterisk version: an operation,
// or a parameter, that the release does not have fails with
// ari.ErrUnsupported before anything is sent. Operations lists what each
// operation needs.
package resources
