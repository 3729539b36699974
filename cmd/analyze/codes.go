package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"analyze/ingest"
	"analyze/report/write"
)

// newCodesCmd is analyze codes: the status catalogue.
func newCodesCmd(stdout, stderr io.Writer) *cobra.Command {
	var output string
	var width int
	cmd := &cobra.Command{
		Use:   "codes",
		Short: "the status catalogue: each status's class, meaning, cause, action and retry policy",
		Long: `The status catalogue: for each HTTP status analyze knows, its class, title, meaning, usual
cause, the action it calls for and whether a client may retry it. The reports' diagnoses read
the same table.`,
		Example: `  analyze codes
  analyze codes -o markdown > codes.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkWidth(width); err != nil {
				fmt.Fprintf(stderr, "analyze codes: %v\n", err)
				return exitWith(exitUsage)
			}
			return exitWith(runCodes(output, textWidth(width, cmd.Flags().Changed("width"), stdout, os.Getenv), stdout, stderr))
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output: "+write.Or(write.Names(hasCodes)))
	cmd.Flags().IntVar(&width, "width", 0, widthUsage)
	var configFile string
	cmd.Flags().StringVar(&configFile, "config", "", configUsage)
	completeValues(cmd, "output", write.Names(hasCodes)...)
	return cmd
}

func runCodes(output string, width int, stdout, stderr io.Writer) int {
	format, ok := write.Lookup(output)
	if !ok || !hasCodes(format) {
		fmt.Fprintf(stderr, "analyze codes: unknown output %q (want %s)\n", output, write.Or(write.Names(hasCodes)))
		return exitUsage
	}
	if err := format.Codes(stdout, width); err != nil {
		fmt.Fprintf(stderr, "analyze codes: cannot write: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// newFormatsCmd is analyze formats: the log formats analyze reads.
func newFormatsCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "formats",
		Short: "the log formats analyze reads (the presets --format names)",
		Long: `The log formats analyze reads: the presets --format names, each with what it reads. With
--format auto (the default) each input's format is detected on its first lines.`,
		Example: `  analyze formats`,
		Args:    cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			width := textWidth(0, false, stdout, os.Getenv)
			for _, f := range ingest.Formats() {
				fmt.Fprintln(stdout, write.WrapText(f.Description, width, fmt.Sprintf("%-15s ", f.Name), strings.Repeat(" ", 16)))
			}
		},
	}
}

// hasCodes keeps the formats analyze codes writes.
func hasCodes(f write.Format) bool { return f.Codes != nil }

// completeValues makes the shells complete the flag name with values.
func completeValues(cmd *cobra.Command, name string, values ...string) {
	if err := cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)); err != nil {
		panic(err) // a flag the command does not define
	}
}
