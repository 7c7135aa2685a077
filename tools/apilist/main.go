// Command apilist writes the listing of the module's exported API to api/:
// one file per importable package, one line per exported constant,
// variable, function, type, method, struct field and interface method,
// with signatures and without doc comments. The listing is committed, and
// a test fails when it is stale, so that every change to the public
// surface shows in review as a change to api/.
//
//	go run ./tools/apilist          # rewrite api/ (go generate ./... runs it)
//	go run ./tools/apilist -check   # fail if api/ is stale (what the test does)
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	root := flag.String("root", ".", "module root")
	check := flag.Bool("check", false, "report a stale listing instead of rewriting it")
	flag.Parse()
	listing, err := List(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apilist:", err)
		os.Exit(1)
	}
	if *check {
		stale, err := Stale(*root, listing)
		if err != nil {
			fmt.Fprintln(os.Stderr, "apilist:", err)
			os.Exit(1)
		}
		for _, name := range stale {
			fmt.Fprintf(os.Stderr, "apilist: %s is stale: run go run ./tools/apilist and review the change\n", name)
		}
		if len(stale) > 0 {
			os.Exit(1)
		}
		return
	}
	if err := Write(*root, listing); err != nil {
		fmt.Fprintln(os.Stderr, "apilist:", err)
		os.Exit(1)
	}
}
