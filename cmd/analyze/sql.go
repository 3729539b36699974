package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"analyze/export"
)

// newSQLCmd is analyze sql.
func newSQLCmd(stdout, stderr io.Writer) *cobra.Command {
	var dialect string
	cmd := &cobra.Command{
		Use:   "sql --dialect duckdb|spark|trino DATASET",
		Short: "the report's SQL over an exported dataset",
		Long: `Print the SQL that recomputes the headline report (statuses with their class and diagnosis,
endpoints, clients) over DATASET, the --out folder of analyze export --to parquet, in the
dialect of DuckDB, Spark or Trino. A folder that is no such dataset is a usage error.`,
		Example: `  analyze sql /data/access | duckdb
  analyze sql --dialect trino /data/access > report.sql`,
		RunE: func(_ *cobra.Command, args []string) error {
			return exitWith(runSQL(dialect, args, stdout, stderr))
		},
	}
	cmd.Flags().StringVar(&dialect, "dialect", "duckdb", "duckdb, spark or trino")
	var configFile string
	cmd.Flags().StringVar(&configFile, "config", "", configUsage)
	completeValues(cmd, "dialect", "duckdb", "spark", "trino")
	return cmd
}

// runSQL runs analyze sql: the SQL that recomputes the headline report over
// an exported Parquet dataset.
func runSQL(d string, paths []string, stdout, stderr io.Writer) int {
	if len(paths) != 1 {
		fmt.Fprintln(stderr, "analyze: sql takes one DATASET, the --out folder of analyze export --to parquet")
		fmt.Fprintln(stderr, "Run 'analyze sql --help' for usage.")
		return exitUsage
	}
	if err := export.CheckDataset(paths[0]); err != nil {
		fmt.Fprintf(stderr, "analyze sql: %s\n", safe(err))
		return exitUsage
	}
	if err := export.WriteSQL(stdout, d, paths[0]); err != nil {
		fmt.Fprintf(stderr, "analyze sql: %v\n", err)
		return exitUsage
	}
	return exitOK
}
