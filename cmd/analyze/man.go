package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"analyze/outfile"
)

// newManCmd is analyze man DIR: the man pages of root and its
// subcommands, from the same definitions as their help.
func newManCmd(root *cobra.Command, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "write the man pages (analyze.1, analyze-report.1...) to DIR",
		Long: `Write a man page for analyze and for each subcommand to DIR (created when missing), from
the same definitions as --help: analyze.1, analyze-report.1, analyze-export.1...`,
		Example: `  analyze man /usr/local/share/man/man1 && man analyze-report
  analyze man /tmp/man && man -l /tmp/man/analyze-quota.1`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			err := os.MkdirAll(args[0], 0o755)
			n := 0
			if err == nil {
				n, err = writeManPages(root, args[0])
			}
			if err != nil {
				fmt.Fprintf(stderr, "analyze: cannot write the man pages: %s\n", safe(err))
				return exitWith(exitUsage)
			}
			fmt.Fprintf(stdout, "wrote %d man pages in %s\n", n, safe(args[0]))
			return nil
		},
	}
}

// writeManPages writes the page of cmd and those of its available
// subcommands to dir, each as outfile writes a file (a link followed, a
// regular file replaced atomically); it returns how many it wrote.
func writeManPages(cmd *cobra.Command, dir string) (int, error) {
	n := 0
	for _, c := range cmd.Commands() {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		m, err := writeManPages(c, dir)
		n += m
		if err != nil {
			return n, err
		}
	}
	cmd.DisableAutoGenTag = true
	header := &doc.GenManHeader{Section: "1", Source: "analyze " + version, Manual: "analyze manual"}
	path := filepath.Join(dir, strings.ReplaceAll(cmd.CommandPath(), " ", "-")+".1")
	if err := outfile.Write(path, func(f *os.File) error { return doc.GenMan(cmd, header, f) }); err != nil {
		return n, err
	}
	return n + 1, nil
}
