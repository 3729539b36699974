package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// applyConfig reads a TOML config (--config FILE, else $ANALYZE_CONFIG) and
// sets the flags it names, before the command line is parsed, so flags
// given there override it. Keys are flag names with '_' for '-'
// (fail_on, retry_window...); a list sets a repeatable flag once per item.
// An unknown key, or a value a flag refuses, is an error.
func applyConfig(fs *flag.FlagSet, args []string) error {
	path := configPath(args)
	if path == "" {
		return nil
	}
	var doc map[string]any
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		return fmt.Errorf("cannot read config %s: %w", path, err)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", "-")
		if name == "config" || fs.Lookup(name) == nil {
			return fmt.Errorf("cannot read config %s: unknown key %q", path, k)
		}
		values := []any{doc[k]}
		if list, ok := doc[k].([]any); ok {
			values = list
		}
		for _, v := range values {
			if err := fs.Set(name, fmt.Sprint(v)); err != nil {
				return fmt.Errorf("cannot read config %s: %s: %w", path, k, err)
			}
		}
	}
	return nil
}

// configPath finds --config FILE (or --config=FILE) among the arguments,
// else $ANALYZE_CONFIG.
func configPath(args []string) string {
	for i, a := range args {
		for _, p := range []string{"--config", "-config"} {
			if a == p && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, p+"="); ok {
				return v
			}
		}
		if a == "--" {
			break
		}
	}
	return os.Getenv("ANALYZE_CONFIG")
}
