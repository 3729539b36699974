-- analyze sql --dialect duckdb: the headline report over the dataset DATASET

-- setup
SET TimeZone = 'UTC';

-- setup
CREATE OR REPLACE VIEW requests AS SELECT * FROM read_parquet('DATASET/date=*/*.parquet', hive_partitioning = true, union_by_name = true);

-- setup
CREATE OR REPLACE VIEW codes AS SELECT * FROM read_parquet('DATASET/_codes/codes.parquet');

-- classes
SELECT class, COUNT(*) AS requests FROM requests GROUP BY class ORDER BY class;

-- statuses
SELECT r.status, COUNT(*) AS count, MAX(COALESCE(c.class, r.class)) AS class, MAX(COALESCE(c.diagnosis, r.diagnosis)) AS diagnosis, MAX(c.title) AS title, MAX(c.retry) AS retry, MAX(CASE WHEN c.documented THEN 1 ELSE 0 END) AS documented FROM requests r LEFT JOIN codes c ON c.status = r.status GROUP BY r.status ORDER BY r.status;

-- endpoints
SELECT endpoint, COUNT(*) AS requests, SUM(CASE WHEN class = 'success' THEN 1 ELSE 0 END) AS success, SUM(CASE WHEN class = 'client_error' THEN 1 ELSE 0 END) AS client_error, SUM(CASE WHEN class = 'server_error' THEN 1 ELSE 0 END) AS server_error, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests GROUP BY endpoint ORDER BY SUM(CASE WHEN class IN ('client_error', 'server_error') THEN 1 ELSE 0 END) DESC, requests DESC, endpoint LIMIT 10;

-- clients
SELECT COALESCE(remote_user, credential, client) AS client, COUNT(*) AS requests, SUM(CASE WHEN class = 'client_error' THEN 1 ELSE 0 END) AS client_error, SUM(CASE WHEN class = 'server_error' THEN 1 ELSE 0 END) AS server_error, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests GROUP BY COALESCE(remote_user, credential, client) ORDER BY SUM(CASE WHEN class IN ('client_error', 'server_error') THEN 1 ELSE 0 END) DESC, requests DESC, client LIMIT 10;

-- hosts
SELECT lower(regexp_replace(host, '^([^:]*):[0-9]+$', '\1')) AS host, COUNT(*) AS requests, SUM(CASE WHEN class = 'client_error' THEN 1 ELSE 0 END) AS client_error, SUM(CASE WHEN class = 'server_error' THEN 1 ELSE 0 END) AS server_error, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests WHERE host IS NOT NULL GROUP BY lower(regexp_replace(host, '^([^:]*):[0-9]+$', '\1')) ORDER BY SUM(CASE WHEN class IN ('client_error', 'server_error') THEN 1 ELSE 0 END) DESC, requests DESC, host LIMIT 10;

-- quota_peak
SELECT date_trunc('minute', time) AS window_start, COUNT(*) AS requests FROM requests GROUP BY date_trunc('minute', time) ORDER BY requests DESC, window_start LIMIT 1;

-- quota_clients
WITH w AS (SELECT COALESCE(remote_user, credential, client) AS client, date_trunc('minute', time) AS win, COUNT(*) AS n, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rl FROM requests GROUP BY COALESCE(remote_user, credential, client), date_trunc('minute', time)) SELECT client, SUM(n) AS requests, MAX(n) AS peak, SUM(rl) AS rate_limited, COUNT(*) AS active_windows FROM w GROUP BY client ORDER BY rate_limited DESC, peak DESC, requests DESC, client LIMIT 20;

-- bursts
WITH w AS (SELECT date_trunc('minute', time) AS win, COUNT(*) AS requests, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM requests GROUP BY date_trunc('minute', time)), r AS (SELECT win, requests, rate_limited, ROW_NUMBER() OVER (ORDER BY win) AS rn FROM w WHERE rate_limited > 0), g AS (SELECT win, requests, rate_limited, win - to_minutes(CAST(rn AS BIGINT)) AS grp FROM r) SELECT MIN(win) AS start, MAX(win) + INTERVAL 1 MINUTE AS "end", COUNT(*) AS windows, SUM(rate_limited) AS rate_limited, SUM(requests) AS requests FROM g GROUP BY grp ORDER BY start;

-- timeline
WITH t AS (SELECT epoch(time) AS s, status, class FROM requests), b AS (SELECT MIN(s) AS lo, MAX(s) AS hi FROM t), l AS (SELECT 10 AS w UNION ALL SELECT 60 UNION ALL SELECT 300 UNION ALL SELECT 900 UNION ALL SELECT 3600 UNION ALL SELECT 21600 UNION ALL SELECT 86400 UNION ALL SELECT 172800 UNION ALL SELECT 345600 UNION ALL SELECT 691200 UNION ALL SELECT 1382400 UNION ALL SELECT 2764800 UNION ALL SELECT 5529600 UNION ALL SELECT 11059200 UNION ALL SELECT 22118400 UNION ALL SELECT 44236800 UNION ALL SELECT 88473600 UNION ALL SELECT 176947200), p AS (SELECT MIN(w) AS w FROM l, b WHERE FLOOR(hi / w) - FLOOR(lo / w) + 1 <= 120) SELECT to_timestamp(FLOOR(s / w) * w) AS window_start, MAX(w) AS window_seconds, COUNT(*) AS requests, SUM(CASE WHEN class = 'success' THEN 1 ELSE 0 END) AS success, SUM(CASE WHEN class = 'redirect' THEN 1 ELSE 0 END) AS redirect, SUM(CASE WHEN class = 'client_error' THEN 1 ELSE 0 END) AS client_error, SUM(CASE WHEN class = 'server_error' THEN 1 ELSE 0 END) AS server_error, SUM(CASE WHEN class = 'other' THEN 1 ELSE 0 END) AS other, SUM(CASE WHEN status = 429 THEN 1 ELSE 0 END) AS rate_limited FROM t, p GROUP BY FLOOR(s / w) * w ORDER BY window_start;
