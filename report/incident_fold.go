package report

import (
	"cmp"
	"slices"
)

// The per-group bound of the incidents' failure detail (incident_minutes.go):
// each list of a (minute, kind) group, its endpoints, clients, hosts, paths
// and user agents, keeps every value until it holds 2*groupKeep of them;
// then it keeps its groupKeep heaviest (ties: the lowest value) and counts
// the failures of the others in its group's other[field] and in folded.
// Below that bound the lists are exact; above it the heavy values, the ones
// an incident names, keep their counts exact from the first fold on, and
// the group's failures stay counted (other[fieldEndpoint]).

// groupSlab is how many groupDetails are allocated at once: a group with a
// failure or two is the common case, and an allocation or two each showed
// in BenchmarkAggregate.
const groupSlab = 64

// groupVals is how many values a group's index holds before it grows, cut
// from a slab like the groups: most groups hold fewer.
const groupVals = 8

// detail returns group g's index, made empty if it has none.
func (a *minuteAgg) detail(g groupKey) *groupDetail {
	d := a.groups[g]
	if d == nil {
		if len(a.slab) == 0 {
			a.slab = make([]groupDetail, groupSlab)
		}
		d, a.slab = &a.slab[0], a.slab[1:]
		a.groups[g] = d
	}
	return d
}

// index adds a new value of group g to its index, folding its list when
// the value fills it.
func (a *minuteAgg) index(g groupKey, d *groupDetail, v groupVal) {
	if d.vals == nil {
		if len(a.valSlab) < groupVals {
			a.valSlab = make([]groupVal, groupVals*groupSlab)
		}
		// Capped: growing past it moves the values out of the slab.
		d.vals, a.valSlab = a.valSlab[:0:groupVals], a.valSlab[groupVals:]
	}
	d.vals = append(d.vals, v)
	d.n[v.field]++
	if d.n[v.field] >= 2*groupKeep {
		a.fold(g, d, v.field)
	}
}

// countOf returns the failures of value v of group g.
func (a *minuteAgg) countOf(g groupKey, v groupVal) int64 {
	if v.field == fieldClient {
		return a.clients[failHash{g, v.c}]
	}
	return a.strs[failStr{g, v.field, v.s}]
}

// fold keeps the groupKeep values of list field of group g with the most
// failures, deletes the others' entries and counts their failures.
func (a *minuteAgg) fold(g groupKey, d *groupDetail, field int8) {
	type valCount struct {
		v groupVal
		n int64
	}
	var all []valCount
	vals := d.vals[:0] // the other lists' values, then the kept ones: never past what was read
	for _, v := range d.vals {
		if v.field != field {
			vals = append(vals, v)
		} else {
			all = append(all, valCount{v, a.countOf(g, v)})
		}
	}
	slices.SortFunc(all, func(x, y valCount) int {
		return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.v.s, y.v.s), cmp.Compare(x.v.c, y.v.c))
	})
	for _, c := range all[groupKeep:] {
		if field == fieldClient {
			delete(a.clients, failHash{g, c.v.c})
		} else {
			delete(a.strs, failStr{g, field, c.v.s})
		}
		d.other[field] += c.n
		a.folded += c.n
	}
	for _, c := range all[:groupKeep] {
		vals = append(vals, c.v)
	}
	d.vals, d.n[field] = vals, groupKeep
}

// addOther returns the sum of two groups' folded counts.
func addOther(x, y [fieldCount]int64) [fieldCount]int64 {
	for f, n := range y {
		x[f] += n
	}
	return x
}

// reindex rebuilds the groups' indexes from strs and clients (after a merge
// or a widening joined groups), keeping their folded counts, and folds the
// lists that reached the bound.
func (a *minuteAgg) reindex() {
	a.lastD = [2]*groupDetail{}
	old := a.groups
	a.groups = make(map[groupKey]*groupDetail, len(old))
	at := func(g groupKey) *groupDetail {
		d := a.groups[g]
		if d == nil {
			d = a.detail(g)
			if o := old[g]; o != nil {
				d.other = o.other
			}
		}
		return d
	}
	// Count each group's values, cut its index from one array, then fill it.
	for k := range a.strs {
		at(k.groupKey).n[k.field]++
	}
	for k := range a.clients {
		at(k.groupKey).n[fieldClient]++
	}
	all := make([]groupVal, len(a.strs)+len(a.clients))
	for _, d := range a.groups {
		n := 0
		for _, c := range d.n {
			n += int(c)
		}
		d.vals, all = all[:0:n], all[n:]
	}
	for k := range a.strs {
		d := a.groups[k.groupKey]
		d.vals = append(d.vals, groupVal{s: k.s, field: k.field})
	}
	for k := range a.clients {
		d := a.groups[k.groupKey]
		d.vals = append(d.vals, groupVal{c: k.client, field: fieldClient})
	}
	for g, d := range a.groups {
		for f, n := range d.n {
			if n >= 2*groupKeep {
				a.fold(g, d, int8(f))
			}
		}
	}
}
