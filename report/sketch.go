package report

import (
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// newSketch returns the sketch of the latency and recovery figures:
// DDSketch, 1 % relative error, mergeable, at most 2048 bins.
func newSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(latencyMapping, store.NewCollapsingLowestDenseStore(2048), store.NewCollapsingLowestDenseStore(2048))
}

// latencyMapping is every sketch's mapping of values to buckets (1 %
// relative accuracy): one, so that a value's bucket found once serves every
// sketch it goes to (latencyOf).
var latencyMapping = func() mapping.IndexMapping {
	m, err := mapping.NewLogarithmicMapping(0.01)
	if err != nil {
		panic(err) // a constant accuracy in range
	}
	return m
}()

// duration is a record's logged duration in ms, with its bucket in
// latencyMapping when it has one (the usual positive value; else the
// sketch files it itself). The zero value is a duration not logged.
type duration struct {
	ms      float64
	bucket  int
	indexed bool
	logged  bool
}

// latencyOf returns a logged duration, d >= 0.
func latencyOf(d time.Duration) duration {
	ms := float64(d) / float64(time.Millisecond)
	if ms > latencyMapping.MinIndexableValue() && ms <= latencyMapping.MaxIndexableValue() {
		return duration{ms: ms, bucket: latencyMapping.Index(ms), indexed: true, logged: true}
	}
	return duration{ms: ms, logged: true}
}

// addLatency adds l to sk, a sketch made by newSketch: what sk.Add(l.ms)
// does, without computing the bucket again.
func addLatency(sk *ddsketch.DDSketch, l duration) {
	if l.indexed {
		sk.GetPositiveValueStore().Add(l.bucket)
		return
	}
	sk.Add(l.ms)
}
