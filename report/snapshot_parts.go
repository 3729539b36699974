package report

import (
	"analyze/report/quota"
	"analyze/report/retry"
)

// The quota's and the retry tracker's parts of a stored run are theirs
// (quota.Snap, retry.Snap): the snapshot holds them under types of its
// own, with the same fields, converted here field for field. gob writes
// each type's name and package in the stream, so the stored runs keep,
// byte for byte, the layout they had when these types lived in report.

// quotaSnap returns the quota's part of sn.
func (sn *snapshot) quotaSnap() *quota.Snap {
	qs := &quota.Snap{Window: sn.Window, WindowCols: quota.WindowCols(sn.WindowCols), CellCols: quota.CellCols(sn.CellCols),
		Cells: cellSnapsOf(sn.Cells), Cells429: cellSnapsOf(sn.Cells429), CellsDropped: sn.CellsDropped,
		Headers: make(map[uint64]quota.HeaderSnap, len(sn.Headers))}
	for _, w := range sn.QuotaWindows {
		qs.QuotaWindows = append(qs.QuotaWindows, quota.WindowSnap(w))
	}
	for h, hd := range sn.Headers {
		qs.Headers[h] = quota.HeaderSnap(hd)
	}
	return qs
}

// retrySnapOf returns the retry tracker's part as stored.
func retrySnapOf(r retry.Snap) retrySnap {
	out := retrySnap{Total: statsSnap(r.Total), Clients: make(map[uint64]statsSnap, len(r.Clients)),
		UnrecoveredCount: r.UnrecoveredCount, StormWin: r.StormWin, AttemptsByWin: r.AttemptsByWin,
		AttemptsByCell: cellSnaps(r.AttemptsByCell), Dropped: r.Dropped, Untracked: r.Untracked, NoFailsDropped: r.NoFailsDropped}
	for h, st := range r.Clients {
		out.Clients[h] = statsSnap(st)
	}
	for _, row := range r.Rows {
		out.Rows = append(out.Rows, rowSnap{row.Status, row.Endpoint, statsSnap(row.Stats)})
	}
	for _, u := range r.Unrecovered {
		out.Unrecovered = append(out.Unrecovered, unrecoveredSnap(u))
	}
	return out
}

// of returns the retry tracker's part of a stored run.
func (rs *retrySnap) of() retry.Snap {
	out := retry.Snap{Total: retry.StatsSnap(rs.Total), Clients: make(map[uint64]retry.StatsSnap, len(rs.Clients)),
		UnrecoveredCount: rs.UnrecoveredCount, StormWin: rs.StormWin, AttemptsByWin: rs.AttemptsByWin,
		AttemptsByCell: cellSnapsOf(rs.AttemptsByCell), Dropped: rs.Dropped, Untracked: rs.Untracked, NoFailsDropped: rs.NoFailsDropped}
	for h, st := range rs.Clients {
		out.Clients[h] = retry.StatsSnap(st)
	}
	for _, row := range rs.Rows {
		out.Rows = append(out.Rows, retry.RowSnap{Status: row.Status, Endpoint: row.Endpoint, Stats: retry.StatsSnap(row.Stats)})
	}
	for _, u := range rs.Unrecovered {
		out.Unrecovered = append(out.Unrecovered, retry.UnrecoveredSnap(u))
	}
	return out
}
