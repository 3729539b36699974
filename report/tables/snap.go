package tables

import (
	"analyze/report/analysis"
	"fmt"
)

// Snap is a table in a stored run (gob).
type Snap struct {
	Keys         []string
	Counts       []Counts // Latency nil: encoded in Latencies
	Latencies    [][]byte
	Other        Counts
	OtherLatency []byte
	Folded       int64
}

// Snap returns t as a stored run holds it.
func (t *Table) Snap() Snap {
	enc := func(c Counts) (Counts, []byte) {
		var b []byte
		if c.Latency != nil {
			c.Latency.Encode(&b, false)
		}
		c.Latency = nil
		return c, b
	}
	ts := Snap{Folded: t.Folded}
	ts.Other, ts.OtherLatency = enc(t.Other)
	for i := range t.slots {
		sl := &t.slots[i]
		c, b := enc(sl.Counts)
		ts.Keys = append(ts.Keys, string(t.key(sl)))
		ts.Counts = append(ts.Counts, c)
		ts.Latencies = append(ts.Latencies, b)
	}
	return ts
}

// Fill adds a stored table into t.
func (ts *Snap) Fill(t *Table) error {
	dec := func(c *Counts, b []byte) error {
		if len(b) == 0 {
			return nil
		}
		c.Latency = analysis.NewSketch()
		return c.Latency.DecodeAndMergeWith(b)
	}
	for i, k := range ts.Keys {
		if i < len(ts.Counts) {
			c := ts.Counts[i]
			if i < len(ts.Latencies) {
				if err := dec(&c, ts.Latencies[i]); err != nil {
					return fmt.Errorf("a stored run's latency of %s: %w", k, err)
				}
			}
			t.Get([]byte(k)).add(&c)
		}
	}
	other := ts.Other
	if err := dec(&other, ts.OtherLatency); err != nil {
		return err
	}
	t.Other.add(&other) // added: the keys above may have folded into it
	t.Folded += ts.Folded
	return nil
}
