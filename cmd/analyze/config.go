package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
)

// configUsage is the help of --config, on every subcommand that takes it.
const configUsage = "a TOML file of flag values (keys are long flag names with _ for -, fail_on = [...] for repeats; a key of another subcommand's flag is left alone); flags given override it, but add to the lists of fail_on, client_limit, field and exclude; default $ANALYZE_CONFIG"

// applyConfig reads a TOML config (--config FILE, else $ANALYZE_CONFIG) and
// sets the flags of the subcommand sub (its flag set fs) it names, before
// the command line is parsed, so flags given there override it. Keys are
// long flag names with '_' for '-' (fail_on, retry_window...); a list sets
// a repeatable flag once per item.
//
// One file serves every subcommand. A top-level key sets the flag of that
// name in each subcommand that has it, and is left alone by the others
// (limit for export); a table named for a subcommand ([export]) holds keys
// for it alone, over the top-level ones: where a name means two things
// (out, state for report and export), the table keeps them apart. A key
// no subcommand knows, a key of a table its subcommand does not have, or a
// value a flag refuses, is an error.
func applyConfig(fs *pflag.FlagSet, sub string, args []string, known, isSub func(name string) bool) error {
	path, err := configPath(args)
	if err != nil || path == "" {
		return err
	}
	var doc map[string]any
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		return fmt.Errorf("cannot read config %s: %w", path, err)
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("cannot read config %s: "+format, append([]any{path}, a...)...)
	}
	values, own := map[string]any{}, map[string]bool{}
	for k, v := range doc {
		if table, ok := v.(map[string]any); ok {
			if !isSub(k) {
				return fail("unknown key %q", k)
			}
			if k == sub {
				for tk, tv := range table {
					values[tk], own[tk] = tv, true
				}
			}
			continue
		}
		if _, ok := values[k]; !ok {
			values[k] = v
		}
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := longName(fs, strings.ReplaceAll(k, "_", "-"))
		switch {
		case name == "config" || fs.Lookup(name) == nil && (own[k] || !known(name)):
			if own[k] {
				return fail("unknown key %q in [%s]", k, sub)
			}
			return fail("unknown key %q", k)
		case fs.Lookup(name) == nil:
			continue
		}
		items := []any{values[k]}
		if list, ok := values[k].([]any); ok {
			items = list
		}
		for _, v := range items {
			if err := fs.Set(name, fmt.Sprint(v)); err != nil {
				return fail("%s: %w", k, err)
			}
		}
		if c, ok := fs.Lookup(name).Value.(interface{ fromConfig() }); ok {
			c.fromConfig()
		}
		// Changed is left to say what the command line gives; the
		// annotation says the file gave it (fromConfig).
		fs.Lookup(name).Changed = false
		if err := fs.SetAnnotation(name, configAnnotation, []string{path}); err != nil {
			return fail("%s: %w", k, err)
		}
	}
	return nil
}

// configAnnotation marks, on a flag, that the config file set it.
const configAnnotation = "analyze-config"

// givenBy reports, for a flag of fs, whether the command line gave it
// (cli) and whether the command line or the config file did (any).
func givenBy(fs *pflag.FlagSet, name string) (cli, any bool) {
	f := fs.Lookup(name)
	if f == nil {
		return false, false
	}
	return f.Changed, f.Changed || f.Annotations[configAnnotation] != nil
}

// longName is the long name of the flag whose shorthand is name (o,
// r), else name.
func longName(fs *pflag.FlagSet, name string) string {
	if len(name) == 1 && fs.ShorthandLookup(name) != nil {
		return fs.ShorthandLookup(name).Name
	}
	return name
}

// configPath finds --config FILE (or --config=FILE) among the arguments,
// else $ANALYZE_CONFIG. Given twice, it is an error: which file should win
// is not obvious, and a silent choice would hide the other.
func configPath(args []string) (string, error) {
	var paths []string
	for i, a := range args {
		if a == "--config" && i+1 < len(args) {
			paths = append(paths, args[i+1])
		}
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			paths = append(paths, v)
		}
		if a == "--" {
			break
		}
	}
	switch len(paths) {
	case 0:
		return os.Getenv("ANALYZE_CONFIG"), nil
	case 1:
		return paths[0], nil
	}
	return "", fmt.Errorf("--config is given twice (%s, %s): give one file", safe(paths[0]), safe(paths[1]))
}
