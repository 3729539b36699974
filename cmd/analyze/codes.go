package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"analyze/ingest"
	"analyze/report"
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
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output: text, markdown or json")
	cmd.Flags().IntVar(&width, "width", 0, widthUsage)
	var configFile string
	cmd.Flags().StringVar(&configFile, "config", "", configUsage)
	completeValues(cmd, "output", "text", "markdown", "json")
	return cmd
}

func runCodes(output string, width int, stdout, stderr io.Writer) int {
	if output != "text" && output != "markdown" && output != "json" {
		fmt.Fprintf(stderr, "analyze codes: unknown output %q (want text, markdown or json)\n", output)
		return exitUsage
	}
	if err := report.WriteCodes(stdout, output, width); err != nil {
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
				fmt.Fprintln(stdout, report.WrapText(f.Description, width, fmt.Sprintf("%-15s ", f.Name), strings.Repeat(" ", 16)))
			}
		},
	}
}

// completeValues makes the shells complete the flag name with values.
func completeValues(cmd *cobra.Command, name string, values ...string) {
	if err := cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)); err != nil {
		panic(err) // a flag the command does not define
	}
}
