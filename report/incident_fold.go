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

// foldStrs folds the string list field of group g.
func (a *minuteAgg) foldStrs(g groupKey, d *groupDetail, field int8) {
	d.strs[field] = foldList(a, d, field, d.strs[field],
		func(s string) failStr { return failStr{g, field, s} },
		func(k failStr) int64 { return a.strs[k] },
		func(k failStr) { delete(a.strs, k) }, cmp.Compare[string])
}

// foldClients folds the clients of group g.
func (a *minuteAgg) foldClients(g groupKey, d *groupDetail) {
	d.clients = foldList(a, d, fieldClient, d.clients,
		func(c uint64) failHash { return failHash{g, c} },
		func(k failHash) int64 { return a.clients[k] },
		func(k failHash) { delete(a.clients, k) }, cmp.Compare[uint64])
}

// foldList keeps the groupKeep values of vals with the most failures,
// deletes the others' entries and counts their failures; it returns the
// values kept, in vals' storage.
func foldList[V any, K any](a *minuteAgg, d *groupDetail, field int8, vals []V, key func(V) K,
	count func(K) int64, del func(K), order func(V, V) int) []V {
	type vc struct {
		v V
		n int64
	}
	all := make([]vc, len(vals))
	for i, v := range vals {
		all[i] = vc{v, count(key(v))}
	}
	slices.SortFunc(all, func(x, y vc) int { return cmp.Or(cmp.Compare(y.n, x.n), order(x.v, y.v)) })
	for _, c := range all[groupKeep:] {
		del(key(c.v))
		d.other[field] += c.n
		a.folded += c.n
	}
	vals = vals[:groupKeep]
	for i, c := range all[:groupKeep] {
		vals[i] = c.v
	}
	return vals
}

// addOther adds o's folded counts to d's.
func (d *groupDetail) addOther(o *groupDetail) {
	for f, n := range o.other {
		d.other[f] += n
	}
}

// reindex rebuilds the groups' lists from strs and clients (after a merge
// or a widening joined groups), keeping their folded counts, and folds the
// lists that reached the bound.
func (a *minuteAgg) reindex() {
	a.lastD = nil
	groups := make(map[groupKey]*groupDetail, len(a.groups))
	at := func(g groupKey) *groupDetail {
		d := groups[g]
		if d == nil {
			d = &groupDetail{}
			if old := a.groups[g]; old != nil {
				d.other = old.other
			}
			groups[g] = d
		}
		return d
	}
	for k := range a.strs {
		d := at(k.groupKey)
		d.strs[k.field] = append(d.strs[k.field], k.s)
	}
	for k := range a.clients {
		d := at(k.groupKey)
		d.clients = append(d.clients, k.client)
	}
	a.groups = groups
	for g, d := range groups {
		for f := range d.strs {
			if len(d.strs[f]) >= 2*groupKeep {
				a.foldStrs(g, d, int8(f))
			}
		}
		if len(d.clients) >= 2*groupKeep {
			a.foldClients(g, d)
		}
	}
}
