package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Outage is a span of whole minutes in which two requests in three fail
// with Status, on Path, from the client with Agent.
type Outage struct {
	Start   time.Time // a minute's start
	Minutes int
	Status  int
	Path    string
	Agent   string
}

// DayConfig says what WriteDay generates.
type DayConfig struct {
	Day       time.Time // any instant of the day (UTC)
	PerMinute int       // requests per minute from 08:00 to 18:00 UTC; none at night
	AllDay    bool      // PerMinute every minute of the day, night too
	Outages   []Outage
	Seed      uint64
}

var dayAgents = []string{"erp-sync/4.2 QuableSDK-PHP/2.3.1", "dam-importer/2.0 (python-requests/2.32.3)", "bi-export/0.9 Go-http-client/2.0"}

// WriteDay writes a day of steady traffic in the combined format, in time
// order: PerMinute requests each minute of the working day, 1 % of them
// 500 or 502, 1 % 429, 4 % 404, the rest 200; in an outage's minutes two
// requests in three fail as it says. The same config gives the same bytes.
func WriteDay(w io.Writer, cfg DayConfig) error {
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(cfg.Day.Unix())))
	day := cfg.Day.UTC().Truncate(24 * time.Hour)
	bw := bufio.NewWriter(w)
	from, to := 8*60, 18*60
	if cfg.AllDay {
		from, to = 0, 24*60
	}
	for m := from; m < to; m++ {
		minute := day.Add(time.Duration(m) * time.Minute)
		var out *Outage
		for i, o := range cfg.Outages {
			if !minute.Before(o.Start) && minute.Before(o.Start.Add(time.Duration(o.Minutes)*time.Minute)) {
				out = &cfg.Outages[i]
			}
		}
		for k := range cfg.PerMinute {
			at := minute.Add(time.Duration(k) * time.Minute / time.Duration(cfg.PerMinute)).Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
			agent := dayAgents[rng.IntN(len(dayAgents))]
			path := fmt.Sprintf("/api/documents/%d", 1+rng.IntN(5000))
			status := 200
			switch x := rng.Float64(); {
			case out != nil && k%3 != 2:
				status, path, agent = out.Status, out.Path, out.Agent
			case x < 0.01:
				status = []int{500, 502}[rng.IntN(2)]
			case x < 0.02:
				status = 429
			case x < 0.06:
				status = 404
			}
			if _, err := fmt.Fprintf(bw, "203.0.113.%d - - [%s] \"GET %s HTTP/1.1\" %d 512 \"-\" \"%s\"\n",
				1+rng.IntN(20), at.Format("02/Jan/2006:15:04:05 -0700"), path, status, agent); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
