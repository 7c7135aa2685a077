package main

import (
	"flag"
	"fmt"

	"gostasis.dev/ari"
)

// defaultARIURL is where Asterisk's HTTP server listens by default.
const defaultARIURL = "http://127.0.0.1:8088"

// clientFlags are the connection settings every command takes.
type clientFlags struct {
	url, user, password string
}

// register adds -url, -user and -password to fs, with the values given
// before the command's name as defaults.
func (c *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", c.url, "Asterisk's HTTP URL (default $ARI_URL, else "+defaultARIURL+")")
	fs.StringVar(&c.user, "user", c.user, "ARI user name (default $ARI_USERNAME)")
	fs.StringVar(&c.password, "password", c.password, "ARI password (default $ARI_PASSWORD; prefer the variable)")
}

// config returns the client configuration: the flags, else env, else
// the defaults.
func (c *clientFlags) config(env func(string) string) ari.Config {
	cfg := ari.Config{URL: c.url, Username: c.user, Password: c.password}
	if cfg.URL == "" {
		cfg.URL = env("ARI_URL")
	}
	if cfg.URL == "" {
		cfg.URL = defaultARIURL
	}
	if cfg.Username == "" {
		cfg.Username = env("ARI_USERNAME")
	}
	if cfg.Password == "" {
		cfg.Password = env("ARI_PASSWORD")
	}
	return cfg
}

// client returns a client of the configured server.
func (c *clientFlags) client(env func(string) string, mod func(*ari.Config)) (*ari.Client, ari.Config, error) {
	cfg := c.config(env)
	if mod != nil {
		mod(&cfg)
	}
	cl, err := ari.NewClient(cfg)
	if err != nil {
		return nil, cfg, fmt.Errorf("connection settings: %w", err)
	}
	return cl, cfg, nil
}
