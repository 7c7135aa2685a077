package ari

// TestdataLines gives the package's external tests readLines (the
// non-blank lines of a testdata file).
var TestdataLines = readLines
