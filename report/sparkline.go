package report

// sparkline draws values as a line of block characters, at most width
// wide (each character the maximum of the values it covers).
func sparkline(values []int64, width int) string {
	if len(values) == 0 {
		return ""
	}
	per := (len(values) + width - 1) / width
	var cols []int64
	var peak int64
	for i := 0; i < len(values); i += per {
		var m int64
		for _, v := range values[i:min(i+per, len(values))] {
			m = max(m, v)
		}
		cols = append(cols, m)
		peak = max(peak, m)
	}
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	out := make([]rune, len(cols))
	for i, v := range cols {
		idx := 0
		if peak > 0 && v > 0 {
			idx = 1 + int(v*int64(len(blocks)-2)/peak)
		}
		out[i] = blocks[idx]
	}
	return string(out)
}
