package export

import (
	"fmt"
	"io"
	"strings"
)

// Statement is one named SQL statement of the analysis at scale.
type Statement struct {
	Name string // setup, classes, statuses, endpoints, clients, hosts, quota_peak, quota_clients, bursts, timeline
	SQL  string
}

// dialect holds what differs between engines.
type dialect struct {
	setup      func(dataset string) []string
	minusMins  func(expr, n string) string // expr minus n minutes
	plusMinute func(expr string) string    // expr plus one minute
	quote      func(id string) string
	epoch      func(expr string) string // a timestamp as Unix seconds
	fromEpoch  func(expr string) string // Unix seconds as a timestamp
	// hostKey is a host as the report's hosts table keys it: in lower
	// case, a ":port" after a name or an IPv4 address dropped.
	hostKey func(expr string) string
}

var dialects = map[string]dialect{
	"duckdb": {
		setup: func(ds string) []string {
			return []string{
				"SET TimeZone = 'UTC'",
				fmt.Sprintf("CREATE OR REPLACE VIEW requests AS SELECT * FROM read_parquet('%s/date=*/*.parquet', hive_partitioning = true, union_by_name = true)", ds),
				"CREATE OR REPLACE VIEW codes AS SELECT * FROM (" + codesValues() + ") AS t(" + codesColumns + ")",
			}
		},
		minusMins:  func(e, n string) string { return fmt.Sprintf("%s - to_minutes(CAST(%s AS BIGINT))", e, n) },
		plusMinute: func(e string) string { return e + " + INTERVAL 1 MINUTE" },
		quote:      func(id string) string { return `"` + id + `"` },
		epoch:      func(e string) string { return "epoch(" + e + ")" },
		fromEpoch:  func(e string) string { return "to_timestamp(" + e + ")" },
		hostKey:    func(e string) string { return "lower(regexp_replace(" + e + `, '^([^:]*):[0-9]+$', '\1'))` },
	},
	"spark": {
		setup: func(ds string) []string {
			return []string{
				"SET spark.sql.session.timeZone = UTC",
				fmt.Sprintf("CREATE OR REPLACE TEMPORARY VIEW requests USING parquet OPTIONS (path '%s/date=*', basePath '%s', mergeSchema 'true')", ds, ds),
				"CREATE OR REPLACE TEMPORARY VIEW codes AS SELECT * FROM " + codesValues() + " AS t(" + codesColumns + ")",
			}
		},
		minusMins: func(e, n string) string {
			return fmt.Sprintf("%s - make_interval(0, 0, 0, 0, 0, CAST(%s AS INT), 0)", e, n)
		},
		plusMinute: func(e string) string { return e + " + INTERVAL 1 MINUTE" },
		quote:      func(id string) string { return "`" + id + "`" },
		epoch:      func(e string) string { return "unix_timestamp(" + e + ")" },
		fromEpoch:  func(e string) string { return "timestamp_seconds(" + e + ")" },
		hostKey:    func(e string) string { return "lower(regexp_replace(" + e + ", '^([^:]*):[0-9]+$', '$1'))" },
	},
	"trino": {
		setup: func(ds string) []string {
			cols := []string{}
			for _, f := range baseFields {
				cols = append(cols, fmt.Sprintf("%s %s", f.Name, trinoType(f.Type.String())))
			}
			return []string{
				"SET TIME ZONE 'UTC'",
				fmt.Sprintf("CREATE TABLE IF NOT EXISTS requests (%s, date varchar) WITH (external_location = '%s', format = 'PARQUET', partitioned_by = ARRAY['date'])", strings.Join(cols, ", "), ds),
				"CALL system.sync_partition_metadata(current_schema, 'requests', 'FULL')",
				"CREATE OR REPLACE VIEW codes AS SELECT * FROM (" + codesValues() + ") AS t(" + codesColumns + ")",
			}
		},
		minusMins:  func(e, n string) string { return fmt.Sprintf("date_add('minute', -%s, %s)", n, e) },
		plusMinute: func(e string) string { return fmt.Sprintf("date_add('minute', 1, %s)", e) },
		quote:      func(id string) string { return `"` + id + `"` },
		epoch:      func(e string) string { return "to_unixtime(" + e + ")" },
		fromEpoch:  func(e string) string { return "from_unixtime(" + e + ")" },
		hostKey:    func(e string) string { return "lower(regexp_replace(" + e + ", '^([^:]*):[0-9]+$', '$1'))" },
	},
}

func trinoType(arrowType string) string {
	switch arrowType {
	case "int32":
		return "integer"
	case "int64":
		return "bigint"
	case "float64":
		return "double"
	case "utf8":
		return "varchar"
	}
	return "timestamp(6) with time zone"
}

// SQL returns the statements that recompute the headline report over a
// Parquet dataset written by analyze export: classes, statuses with their
// diagnoses (joined from the catalogue), top endpoints, clients and hosts
// by errors, the quota peak per minute and each client's (the 20 with the
// most 429s, then the highest peak), the 429 bursts, and the timeline's
// windows that have requests, at the width the report chooses.
func SQL(dialectName, dataset string) ([]Statement, error) {
	d, ok := dialects[dialectName]
	if !ok {
		return nil, fmt.Errorf("unknown dialect %q (want duckdb, spark or trino)", dialectName)
	}
	dataset = strings.TrimRight(dataset, "/")
	var out []Statement
	for _, s := range d.setup(dataset) {
		out = append(out, Statement{"setup", s})
	}
	errs := "SUM(CASE WHEN class IN ('client_error', 'server_error') THEN 1 ELSE 0 END)"
	by := func(class string) string {
		return fmt.Sprintf("SUM(CASE WHEN class = '%s' THEN 1 ELSE 0 END) AS %s", class, class)
	}
	end := d.quote("end")
	out = append(out,
		Statement{"classes", "SELECT class, COUNT(*) AS requests FROM requests GROUP BY class ORDER BY class"},
		Statement{"statuses", "SELECT r.status, COUNT(*) AS count, MAX(COALESCE(c.class, r.class)) AS class, " +
			"MAX(COALESCE(c.diagnosis, r.diagnosis)) AS diagnosis, MAX(c.title) AS title, MAX(c.retry) AS retry, " +
			"MAX(CASE WHEN c.documented THEN 1 ELSE 0 END) AS documented " +
			"FROM requests r LEFT JOIN codes c ON c.status = r.status GROUP BY r.status ORDER BY r.status"},
		Statement{"endpoints", fmt.Sprintf("SELECT endpoint, COUNT(*) AS requests, %s, %s, %s, "+
			"SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests GROUP BY endpoint "+
			"ORDER BY %s DESC, requests DESC, endpoint LIMIT 10", by("success"), by("client_error"), by("server_error"), errs)},
		Statement{"clients", fmt.Sprintf("SELECT COALESCE(remote_user, credential, client) AS client, COUNT(*) AS requests, %s, %s, "+
			"SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests GROUP BY COALESCE(remote_user, credential, client) "+
			"ORDER BY %s DESC, requests DESC, client LIMIT 10", by("client_error"), by("server_error"), errs)},
		Statement{"hosts", fmt.Sprintf("SELECT %s AS host, COUNT(*) AS requests, %s, %s, "+
			"SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests WHERE host IS NOT NULL GROUP BY %s "+
			"ORDER BY %s DESC, requests DESC, host LIMIT 10", d.hostKey("host"), by("client_error"), by("server_error"), d.hostKey("host"), errs)},
		Statement{"quota_peak", "SELECT date_trunc('minute', time) AS window_start, COUNT(*) AS requests FROM requests " +
			"GROUP BY date_trunc('minute', time) ORDER BY requests DESC, window_start LIMIT 1"},
		Statement{"quota_clients", "WITH w AS (SELECT COALESCE(remote_user, credential, client) AS client, date_trunc('minute', time) AS win, " +
			"COUNT(*) AS n, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rl FROM requests " +
			"GROUP BY COALESCE(remote_user, credential, client), date_trunc('minute', time)) " +
			"SELECT client, SUM(n) AS requests, MAX(n) AS peak, SUM(rl) AS rate_limited, COUNT(*) AS active_windows FROM w " +
			"GROUP BY client ORDER BY rate_limited DESC, peak DESC, requests DESC, client LIMIT 20"},
		Statement{"bursts", fmt.Sprintf("WITH w AS (SELECT date_trunc('minute', time) AS win, COUNT(*) AS requests, "+
			"SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests GROUP BY date_trunc('minute', time)), "+
			"r AS (SELECT win, requests, rate_limited, ROW_NUMBER() OVER (ORDER BY win) AS rn FROM w WHERE rate_limited > 0), "+
			"g AS (SELECT win, requests, rate_limited, %s AS grp FROM r) "+
			"SELECT MIN(win) AS start, %s AS %s, COUNT(*) AS windows, SUM(rate_limited) AS rate_limited, SUM(requests) AS requests "+
			"FROM g GROUP BY grp ORDER BY start", d.minusMins("win", "rn"), d.plusMinute("MAX(win)"), end)},
		Statement{"timeline", timelineSQL(d)},
	)
	return out, nil
}

// timelineLadder are the report's timeline widths in seconds (report's
// timelineLadder from 10 s, then doubling past a day), enough for any span
// of 1970-2199 in 120 windows.
var timelineLadder = func() []int64 {
	l := []int64{10, 60, 300, 900, 3600, 21600, 86400}
	for len(l) < 18 {
		l = append(l, 2*l[len(l)-1])
	}
	return l
}()

// timelineSQL counts the requests of each window that has any, by class
// and 429, at the width the report's timeline takes by default: the
// narrowest of the ladder that shows the span in at most 120 windows,
// counted as they fall.
func timelineSQL(d dialect) string {
	var ladder []string
	for i, w := range timelineLadder {
		if i == 0 {
			ladder = append(ladder, fmt.Sprintf("SELECT %d AS w", w))
		} else {
			ladder = append(ladder, fmt.Sprintf("SELECT %d", w))
		}
	}
	count := func(cond, name string) string {
		return fmt.Sprintf("SUM(CASE WHEN %s THEN 1 ELSE 0 END) AS %s", cond, name)
	}
	return fmt.Sprintf("WITH t AS (SELECT %s AS s, status, class FROM requests), "+
		"b AS (SELECT MIN(s) AS lo, MAX(s) AS hi FROM t), "+
		"l AS (%s), "+
		"p AS (SELECT MIN(w) AS w FROM l, b WHERE FLOOR(hi / w) - FLOOR(lo / w) + 1 <= 120) "+
		"SELECT %s AS window_start, MAX(w) AS window_seconds, COUNT(*) AS requests, %s, %s, %s, %s, %s, %s "+
		"FROM t, p GROUP BY FLOOR(s / w) * w ORDER BY window_start",
		d.epoch("time"), strings.Join(ladder, " UNION ALL "), d.fromEpoch("FLOOR(s / w) * w"),
		count("class = 'success'", "success"), count("class = 'redirect'", "redirect"),
		count("class = 'client_error'", "client_error"), count("class = 'server_error'", "server_error"),
		count("class = 'other'", "other"), count("status = 429", "rate_limited"))
}

// WriteSQL prints the statements as a script, each after a comment naming it.
func WriteSQL(w io.Writer, dialectName, dataset string) error {
	stmts, err := SQL(dialectName, dataset)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "-- analyze sql --dialect %s: the headline report over the dataset %s\n", dialectName, dataset)
	for _, s := range stmts {
		if _, err := fmt.Fprintf(w, "\n-- %s\n%s;\n", s.Name, s.SQL); err != nil {
			return err
		}
	}
	return nil
}
