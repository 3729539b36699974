package timeline

import (
	"cmp"
	"maps"
	"slices"
)

// The per-group bound of the incidents' failure detail (incident_minutes.go):
// each list of a (minute, kind) group, its endpoints, clients, hosts, paths
// and user agents, keeps every value until it holds 2*groupKeep of them;
// then it is cut to its groupKeep heaviest (ties: the lowest value) and the
// failures of the others are counted in its group's other[field] and in
// folded. The cut comes once the detail has grown by half since the last
// one (so that a pass over the detail costs O(1) a value), before any
// group is pruned, and after every merge or widening. Below the bound the
// lists are exact; above it the heavy values, the ones an incident names,
// keep their counts exact from the first cut on, and the group's failures
// stay counted (other[fieldEndpoint]).

// groupSlab is how many groupDetails are allocated at once: a group with a
// failure or two is the common case.
const groupSlab = 64

// detail returns group g's counts, made empty if it has none.
func (a *MinuteAgg) detail(g groupKey) *groupDetail {
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

// index counts a new value of list field of a group, and cuts the lists
// when one is full and the detail has grown enough since the last cut.
func (a *MinuteAgg) index(d *groupDetail, field int8) {
	d.n[field]++
	a.grown++
	if d.n[field] >= 2*groupKeep {
		a.overfull = true
	}
	if a.overfull && a.grown >= (len(a.strs)+len(a.clients))/2 {
		a.foldAll()
	}
}

type listKey struct {
	groupKey
	field int8
}

// foldAll cuts every list of 2*groupKeep values or more to its groupKeep
// heaviest, deleting the others' entries and counting their failures.
func (a *MinuteAgg) foldAll() {
	a.grown, a.overfull = 0, false
	type valCount struct {
		s  string
		id uint32 // of s
		c  uint64
		n  int64
	}
	full := func(g groupKey, field int8) bool {
		d := a.groups[g]
		return d != nil && d.n[field] >= 2*groupKeep
	}
	lists := map[listKey][]valCount{}
	for k, n := range a.strs {
		if g, field := k.group(), k.field(); full(g, field) {
			lk := listKey{g, field}
			lists[lk] = append(lists[lk], valCount{s: a.str(k), id: k.id(), n: n})
		}
	}
	for k, n := range a.clients {
		if full(k.groupKey, fieldClient) {
			lk := listKey{k.groupKey, fieldClient}
			lists[lk] = append(lists[lk], valCount{c: k.client, n: n})
		}
	}
	for lk, all := range lists {
		slices.SortFunc(all, func(x, y valCount) int {
			return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.s, y.s), cmp.Compare(x.c, y.c))
		})
		d := a.groups[lk.groupKey]
		for _, v := range all[groupKeep:] {
			if lk.field == fieldClient {
				delete(a.clients, failHash{lk.groupKey, v.c})
			} else {
				delete(a.strs, cellOf(lk.groupKey, lk.field, v.id))
			}
			d.other[lk.field] += v.n
			a.folded += v.n
		}
		d.n[lk.field] = groupKeep
	}
	a.compact()
}

// addOther returns the sum of two groups' folded counts.
func addOther(x, y [fieldCount]int64) [fieldCount]int64 {
	for f, n := range y {
		x[f] += n
	}
	return x
}

// reindex recounts the groups' lists from strs and clients (after a merge
// or a widening joined groups, or a stored run), keeping their folded
// counts, and cuts the lists that reached the bound.
func (a *MinuteAgg) reindex() {
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
	for k := range a.strs {
		at(k.group()).n[k.field()]++
	}
	for k := range a.clients {
		at(k.groupKey).n[fieldClient]++
	}
	a.overfull = slices.ContainsFunc(slices.Collect(maps.Values(a.groups)), func(d *groupDetail) bool {
		return slices.ContainsFunc(d.n[:], func(n int32) bool { return n >= 2*groupKeep })
	})
	if a.overfull {
		a.foldAll()
	}
	a.grown = 0
}
