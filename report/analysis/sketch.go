package analysis

import (
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// NewSketch returns the sketch of the latency and recovery figures:
// DDSketch, 1 % relative error, mergeable, at most 2048 bins.
func NewSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(latencyMapping, store.NewCollapsingLowestDenseStore(2048), store.NewCollapsingLowestDenseStore(2048))
}

// latencyMapping is every sketch's mapping of values to buckets (1 %
// relative accuracy): one, so that a value's bucket found once serves every
// sketch it goes to (LatencyOf).
var latencyMapping = func() mapping.IndexMapping {
	m, err := mapping.NewLogarithmicMapping(0.01)
	if err != nil {
		panic(err) // a constant accuracy in range
	}
	return m
}()

// Duration is a record's logged duration in ms, with its bucket in
// latencyMapping when it has one (the usual positive value; else the
// sketch files it itself). The zero value is a duration not logged.
type Duration struct {
	ms      float64
	bucket  int
	indexed bool
	Logged  bool
}

// LatencyOf returns a logged duration, d >= 0.
func LatencyOf(d time.Duration) Duration {
	ms := float64(d) / float64(time.Millisecond)
	if ms > latencyMapping.MinIndexableValue() && ms <= latencyMapping.MaxIndexableValue() {
		return Duration{ms: ms, bucket: latencyMapping.Index(ms), indexed: true, Logged: true}
	}
	return Duration{ms: ms, Logged: true}
}

// AddLatency adds l to sk, a sketch made by NewSketch: what sk.Add(l.ms)
// does, without computing the bucket again.
func AddLatency(sk *ddsketch.DDSketch, l Duration) {
	if l.indexed {
		sk.GetPositiveValueStore().Add(l.bucket)
		return
	}
	sk.Add(l.ms)
}
