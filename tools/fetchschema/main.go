// Command fetchschema copies the ARI API description that a running
// Asterisk serves into the schemas folder, for the generator:
//
//	go run ./tools/fetchschema -url http://127.0.0.1:8088 -user asterisk -pass secret [-out schemas] [-force]
//
// It fetches /ari/api-docs/resources.json and every declaration file it
// lists, reads the Asterisk version from /ari/asterisk/info, and writes
// <out>/asterisk-<version>/resources.json and api-docs/<name>.json byte for
// byte as served. It refuses to replace an existing folder without -force.
// The password may also come from the environment variable ARI_PASSWORD,
// which keeps it out of the process list.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"gostasis.dev/ari"
)

func main() {
	var (
		url     = flag.String("url", "http://127.0.0.1:8088", "Asterisk HTTP server `URL`")
		user    = flag.String("user", "", "ARI user name")
		pass    = flag.String("pass", "", "ARI password (default $ARI_PASSWORD)")
		out     = flag.String("out", "schemas", "`folder` that receives asterisk-<version>/")
		force   = flag.Bool("force", false, "replace an existing asterisk-<version> folder")
		version = flag.String("version", "", "name the folder after this `version` instead of the server's")
		timeout = flag.Duration("timeout", time.Minute, "overall time limit")
	)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: fetchschema -url URL -user USER -pass PASS [-out schemas] [-force]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *pass == "" {
		*pass = os.Getenv("ARI_PASSWORD")
	}
	c, err := ari.NewClient(ari.Config{
		URL: *url, Username: *user, Password: *pass,
		UserAgent: "gostasis-fetchschema", DisableVersionCheck: true,
	})
	if err != nil {
		fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	res, err := fetch(ctx, c, options{Out: *out, Force: *force, Version: *version})
	if err != nil {
		fatal(err)
	}
	fmt.Printf("wrote %s (%d declaration files) from Asterisk %s\n", res.Dir, len(res.Files), res.Version)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fetchschema:", err)
	os.Exit(1)
}
