package load

import "flag"

// The golden files live in gen/internal/generator, but "go test ./gen/... -run Golden
// -update" passes -update to every test binary of gen/: accept it here too.
var _ = flag.Bool("update", false, "rewrite golden files (used by gen/internal/generator)")
