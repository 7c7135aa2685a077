package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gostasis.dev/ari"
)

// options are fetch's settings.
type options struct {
	// Out is the folder that receives asterisk-<version>/.
	Out string
	// Force replaces an existing folder.
	Force bool
	// Version, when set, names the folder instead of the server's version.
	Version string
}

// result describes what fetch wrote.
type result struct {
	// Version is the version the folder is named after.
	Version string
	// Dir is the folder written.
	Dir string
	// Files lists the declaration files, e.g. "channels.json", in the
	// order resources.json lists them.
	Files []string
}

// The operations fetch calls; they exist in every Asterisk.
var (
	opInfo      = &ari.Operation{Resource: "asterisk", Nickname: "getInfo", Method: "GET", Path: "/asterisk/info"}
	opResources = &ari.Operation{Resource: "api-docs", Nickname: "resources", Method: "GET", Path: "/api-docs/resources.json"}
	opDecl      = &ari.Operation{Resource: "api-docs", Nickname: "declaration", Method: "GET", Path: "/api-docs/{name}.json"}
)

var (
	// declName is what a declaration file may be called.
	declName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	// versionName is what a version may look like in a folder name.
	versionName = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]*$`)
)

// fetch copies the API description c's server serves into
// opts.Out/asterisk-<version>/. The folder appears complete or not at all.
func fetch(ctx context.Context, c *ari.Client, opts options) (*result, error) {
	version := opts.Version
	if version == "" {
		var info struct {
			System struct {
				Version string `json:"version"`
			} `json:"system"`
		}
		if err := c.Do(ctx, &ari.Request{Op: opInfo, Path: opInfo.Path, Query: "only=system"}, &info); err != nil {
			return nil, fmt.Errorf("reading the Asterisk version: %w", err)
		}
		version = strings.TrimSpace(info.System.Version)
		if _, err := ari.ParseVersion(version); err != nil {
			return nil, fmt.Errorf("the server reports version %q, which the generator cannot order; name the folder with -version", version)
		}
	}
	if !versionName.MatchString(version) {
		return nil, fmt.Errorf("version %q cannot name a folder", version)
	}
	dir := filepath.Join(opts.Out, "asterisk-"+version)
	if _, err := os.Stat(dir); err == nil && !opts.Force {
		return nil, fmt.Errorf("%s exists; use -force to replace it", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	index, err := get(ctx, c, opResources, opResources.Path)
	if err != nil {
		return nil, err
	}
	var listing struct {
		APIs []struct {
			Path string `json:"path"`
		} `json:"apis"`
	}
	if err := json.Unmarshal(index, &listing); err != nil {
		return nil, fmt.Errorf("resources.json: %w", err)
	}
	if len(listing.APIs) == 0 {
		return nil, errors.New("resources.json lists no declaration files")
	}
	res := &result{Version: version, Dir: dir}
	files := map[string][]byte{}
	for _, api := range listing.APIs {
		// "/api-docs/channels.{format}"
		name, ok := strings.CutPrefix(api.Path, "/api-docs/")
		if ok {
			name, ok = strings.CutSuffix(name, ".{format}")
		}
		if !ok || !declName.MatchString(name) {
			return nil, fmt.Errorf("resources.json lists %q, not a /api-docs/<name>.{format} path", api.Path)
		}
		file := name + ".json"
		if _, dup := files[file]; dup {
			return nil, fmt.Errorf("resources.json lists %s twice", file)
		}
		// The name is plain ASCII letters and digits: no escaping needed
		// (Asterisk serves api-docs from the raw path).
		data, err := get(ctx, c, opDecl, "/api-docs/"+file)
		if err != nil {
			return nil, err
		}
		files[file] = data
		res.Files = append(res.Files, file)
	}

	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(opts.Out, ".fetchschema-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "resources.json"), index, 0o644); err != nil {
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(tmp, "api-docs"), 0o755); err != nil {
		return nil, err
	}
	for _, f := range res.Files {
		if err := os.WriteFile(filepath.Join(tmp, "api-docs", f), files[f], 0o644); err != nil {
			return nil, err
		}
	}
	if opts.Force {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	return res, nil
}

// get returns the body of GET path, exactly as served; it must be JSON.
func get(ctx context.Context, c *ari.Client, op *ari.Operation, path string) ([]byte, error) {
	body, err := c.Open(ctx, &ari.Request{Op: op, Path: path})
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%s is not JSON", path)
	}
	return data, nil
}
