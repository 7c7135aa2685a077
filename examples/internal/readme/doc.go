// Package readme runs, in its tests, the code of the README's "A Stasis
// app" section against the simulated Asterisk, and checks that the
// README shows that code unchanged.
package readme
