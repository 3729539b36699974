package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// root.go holds the command tree (github.com/spf13/cobra): each subcommand
// in its own file with its flags, help, examples and exit codes; here the
// rule that makes "analyze PATH..." a report, and the mapping of what a
// command returns to an exit code.

// exitError carries a run function's exit code to run; the run function
// has said why on stderr already.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitWith turns an exit code into what a cobra command returns.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code}
}

// run runs the command line args and returns the exit code. A usage error
// cobra finds (an unknown command or flag, a flag value that does not
// parse, a wrong number of arguments) is two lines on stderr, "analyze:
// <message>" and the help to read, and exit 2.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "analyze: no input: give log files, folders, glob patterns or - for stdin, or a subcommand")
		fmt.Fprintln(stderr, "Run 'analyze --help' for usage.")
		return exitUsage
	}
	root := newRoot(stdin, stdout, stderr)
	args = withDefaultCommand(root, args)
	if cmd, _, err := root.Find(args); err == nil && cmd.Flags().Lookup("config") != nil && !asksHelp(args) {
		isSub := func(name string) bool { return isSubcommand(root, name) }
		if err := applyConfig(cmd.Flags(), cmd.Name(), args, knownFlag(root), isSub); err != nil {
			fmt.Fprintf(stderr, "analyze: %s\n", safe(err))
			return exitUsage
		}
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.code == exitUsage && cmd != root && cmd.Flags().Lookup("config") != nil && cmd.Flags().NArg() == 0 {
			// "analyze quota" beside a log named quota: the subcommand
			// wins, and says how to name the file.
			if _, err := os.Lstat(cmd.Name()); err == nil {
				fmt.Fprintf(stderr, "  %s is the subcommand here; to read the file named %s, write ./%s\n", cmd.Name(), cmd.Name(), cmd.Name())
			}
		}
		return ee.code
	}
	for i, l := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		switch {
		case i == 0:
			fmt.Fprintf(stderr, "analyze: %s\n", safe(l))
		case strings.HasPrefix(l, "\t"): // cobra's suggestions
			fmt.Fprintf(stderr, "    %s\n", safe(strings.TrimSpace(l)))
		case l != "":
			fmt.Fprintf(stderr, "  %s\n", safe(l))
		}
	}
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return exitUsage
}

// newRoot builds the command tree.
func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "analyze [report] [flags] PATH...",
		Short: "HTTP access logs of REST APIs: every status classified and diagnosed, every line accounted for",
		Long: `analyze reads HTTP access logs of REST APIs and reports what the responses say: every
status classified and diagnosed, the endpoints and clients behind the errors, and every
line accounted for.

'analyze PATH...' with no subcommand means 'analyze report PATH...': a first argument that
is no subcommand is taken as an input when it is a flag, "-", an existing path or a glob
pattern, or names no subcommand closely; one that is no path and close to a subcommand's
name ("reprot") is an unknown command.

Exit codes: 0 done; 1 a --fail-on threshold failed; 2 usage error or no readable input;
3 some inputs were unreadable or incomplete, the rest reported; 4 another run held the
--state file or the export's dataset for longer than --lock-timeout.`,
		Example: `  analyze /var/log/nginx/access.log*
  analyze report -o json --since 2h /var/log/nginx/
  analyze report --help`,
		// Runnable for its usage line alone: run sends "analyze ARGS" to
		// report or to cobra's "unknown command" first.
		RunE: func(*cobra.Command, []string) error {
			return errors.New("no input: give log files, folders, glob patterns or - for stdin, or a subcommand")
		},
		// analyze <TAB>: the subcommands, and the files a report takes
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault
		},
		Version:       version,
		SilenceErrors: true,
		SilenceUsage:  true,
		// cobra's own default, set here because withDefaultCommand asks
		// SuggestionsFor before cobra would set it
		SuggestionsMinimumDistance: 2,
	}
	root.SetVersionTemplate("analyze {{.Version}}\n")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	for _, m := range reportModes {
		root.AddCommand(newReportCmd(m, stdin, stdout, stderr))
	}
	root.AddCommand(
		newShowCmd(stdin, stdout, stderr),
		newWatchCmd(stdin, stdout, stderr),
		newExportCmd(stdin, stdout, stderr),
		newSQLCmd(stdout, stderr),
		newCodesCmd(stdout, stderr),
		newFormatsCmd(stdout),
		newVersionCmd(stdout),
		newManCmd(root, stdout, stderr),
	)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}

// withDefaultCommand makes "analyze ARGS" "analyze report ARGS" unless
// the first argument is a subcommand, root's own -h/--help/--version, or a
// mistyped subcommand: a word that is no existing path, no glob pattern,
// and close to a subcommand's name, which cobra then refuses as unknown
// with its suggestion.
func withDefaultCommand(root *cobra.Command, args []string) []string {
	first := args[0]
	switch {
	case first == "-h" || first == "--help" || first == "--version":
		return args
	case isSubcommand(root, first):
		return args
	case strings.HasPrefix(first, "-"), strings.ContainsAny(first, "*?["):
		return append([]string{"report"}, args...)
	}
	if _, err := os.Lstat(first); err == nil || len(root.SuggestionsFor(first)) == 0 {
		return append([]string{"report"}, args...)
	}
	return args
}

// asksHelp reports whether args ask for help (-h or --help before any
// "--"): help reads no config, so a broken one does not hide it.
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}

// isSubcommand reports whether name is one of root's subcommands (cobra's
// hidden shell-completion commands included).
func isSubcommand(root *cobra.Command, name string) bool {
	if strings.HasPrefix(name, cobra.ShellCompRequestCmd) {
		return true
	}
	for _, c := range root.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return true
		}
	}
	return false
}

// flagError is every command's answer to a flag that does not parse; a
// long flag written with one dash (-state, as the Go flag package took it)
// is told to take two.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if _, arg, ok := strings.Cut(msg, "unknown shorthand flag: "); ok {
		if _, name, ok := strings.Cut(arg, " in -"); ok {
			name, _, _ = strings.Cut(name, "=")
			if cmd.Flags().Lookup(name) != nil {
				return fmt.Errorf("%s: long flags take two dashes: --%s", msg, name)
			}
		}
	}
	return err
}

// knownFlag reports whether some subcommand of root has a flag of that
// long name: a --config file's key for another subcommand is left alone.
func knownFlag(root *cobra.Command) func(string) bool {
	return func(name string) bool {
		for _, c := range root.Commands() {
			if c.Flags().Lookup(longName(c.Flags(), name)) != nil {
				return true
			}
		}
		return false
	}
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print analyze's version",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			fmt.Fprintf(stdout, "analyze %s\n", version)
		},
	}
}
