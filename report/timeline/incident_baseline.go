package timeline

import "slices"

// rollingBaseline is the median and spread of the last incidentHistory
// rates pushed, kept up to date as they come: the window is held sorted
// (one value out and one in per push, by binary search), the median read
// from it, and the median absolute deviation found by walking the
// deviations outward from the median, which come out in order, so
// nothing is sorted again. The figures are those of medianSpread over the
// same window, bit for bit: the same values are subtracted and picked.
type rollingBaseline struct {
	ring   [incidentHistory]float64 // the window in arrival order, from head
	head   int
	sorted []float64 // the window in ascending order
	n      int       // rates pushed in all
	dirty  bool
	med    float64
	spread float64
}

// push adds a rate to the window, dropping the oldest past incidentHistory.
func (b *rollingBaseline) push(x float64) {
	if len(b.sorted) == incidentHistory {
		old := b.ring[b.head]
		i, _ := slices.BinarySearch(b.sorted, old)
		b.sorted = slices.Delete(b.sorted, i, i+1)
	}
	i, _ := slices.BinarySearch(b.sorted, x)
	b.sorted = slices.Insert(b.sorted, i, x)
	b.ring[b.head] = x
	b.head = (b.head + 1) % incidentHistory
	b.n++
	b.dirty = true
}

// len returns how many rates were pushed in all.
func (b *rollingBaseline) len() int { return b.n }

// get returns the window's median and spread, as medianSpread would.
func (b *rollingBaseline) get() (med, spread float64) {
	if !b.dirty {
		return b.med, b.spread
	}
	b.dirty = false
	s := b.sorted
	if len(s) == 0 {
		b.med, b.spread = 0, incidentMinSpread
		return b.med, b.spread
	}
	med = median(s)
	// The deviations below the median, walking down from it, and those
	// above, walking up, each ascend: merging them yields them in order.
	hi, _ := slices.BinarySearch(s, med) // s[:hi] < med <= s[hi:]
	lo := hi - 1
	n := len(s)
	var prev, cur float64
	for k := 0; k <= n/2; k++ {
		prev = cur
		switch {
		case lo < 0:
			cur = s[hi] - med
			hi++
		case hi >= n:
			cur = med - s[lo]
			lo--
		case s[hi]-med <= med-s[lo]:
			cur = s[hi] - med
			hi++
		default:
			cur = med - s[lo]
			lo--
		}
	}
	mad := cur
	if n%2 == 0 {
		mad = (prev + cur) / 2
	}
	b.med, b.spread = med, max(1.4826*mad, incidentMinSpread)
	return b.med, b.spread
}
