package ingest

import (
	"bytes"
	"cmp"
	"slices"

	"analyze/ingest/privacy"
)

// detectLines is how many non-blank lines of a file's head detection reads.
const detectLines = 64

// MinConfidence is the share of sampled lines a format must parse to be
// chosen by detection. Below it the file is "unknown": all its lines are
// rejected as no_format rather than half-parsed, and the report names the
// closest candidates.
const MinConfidence = 0.5

// Detection is the outcome of format detection on a file's head.
type Detection struct {
	Format     *Format // nil when no format parses at least MinConfidence of the lines
	Sampled    int     // data lines sampled (blank and directive lines left out)
	Matched    int     // of them, lines the chosen format parsed
	Confidence float64 // Matched / Sampled
	// Candidates are the formats that parsed any sampled line, best
	// first, at most three; for a file no format fits, they say how close
	// each came. Once a format finds every sampled line typical, none
	// after it can win, and they are not tried: then Candidates holds
	// those tried.
	Candidates []Candidate
	// Examples are the first sampled lines (at most two, each cut at
	// SnippetBytes), for the message about a file no format fits.
	Examples []string
	// Encoding names a text encoding no format reads that the head starts
	// with ("UTF-16", by its byte order mark); empty otherwise.
	Encoding string

	// full: the sample holds detectLines whole lines (the last one ends
	// with its newline), so a longer head would give the same detection.
	full bool
}

// Candidate is how well one format fitted a file's head.
type Candidate struct {
	Format  string
	Matched int
	Sampled int
}

// Detect chooses a format from the head of a file: the format under which
// the most sampled lines are typical, on a tie the one that parses more,
// then the earlier in Formats. A format that parses less than MinConfidence
// of the sampled lines is never chosen.
func Detect(head []byte) Detection {
	utf16 := len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF)
	head = trimBOM(head)
	whole := head
	var sample [][]byte
	ended := false // the last line sampled ends with a newline in head
	for len(head) > 0 && len(sample) < detectLines {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			i = len(head)
		}
		line := trimLine(head[:i])
		if u, ok := unwrapDocker(line, &jsonParser{}); ok {
			line = u // its own buffer: the sample keeps it
		}
		terminated := i < len(head)
		if terminated {
			head = head[i+1:]
		} else {
			head = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			sample = append(sample, line)
			ended = terminated
		}
	}
	d := Detection{Sampled: len(sample), full: len(sample) == detectLines && ended}
	if utf16 {
		d.Encoding = "UTF-16"
	}
	for _, line := range sample[:min(len(sample), 2)] {
		ex := bytes.Clone(line[:min(len(line), SnippetBytes)])
		privacy.MaskLine(ex) // quoted on stderr: its secrets masked, as a rejected line's
		privacy.MaskCredentials(ex)
		d.Examples = append(d.Examples, string(ex))
	}
	bestTypical := -1
	var rec Record
	for _, f := range formats {
		p := f.New(ParseOptions{})
		typical, matched, data := 0, 0, 0
		if dp, ok := p.(directiveParser); ok {
			dp.Begin(nil)
		}
		for _, line := range sample {
			rec.reset()
			r := p.Parse(line, &rec)
			if r == skipLine {
				continue
			}
			data++
			if r != OK {
				continue
			}
			matched++
			if f.typical == nil || f.typical(p, line) {
				typical++
			}
		}
		if matched > 0 {
			d.Candidates = append(d.Candidates, Candidate{f.Name, matched, data})
		}
		if matched > 0 && float64(matched) >= MinConfidence*float64(data) &&
			(typical > bestTypical || typical == bestTypical && matched > d.Matched) {
			d.Format, d.Matched, d.Sampled, bestTypical = f, matched, data, typical
		}
		if typical == len(sample) {
			// Every line typical: a later format can at best tie, and a
			// tie goes to the earlier.
			break
		}
	}
	if d.Sampled > 0 {
		d.Confidence = float64(d.Matched) / float64(d.Sampled)
	}
	if d.Format != nil && d.Format.directives {
		d.Format = withFieldExtras(d.Format, whole)
	}
	slices.SortStableFunc(d.Candidates, func(a, b Candidate) int {
		return cmp.Compare(float64(b.Matched)/float64(max(b.Sampled, 1)), float64(a.Matched)/float64(max(a.Sampled, 1)))
	})
	if len(d.Candidates) > 3 {
		d.Candidates = d.Candidates[:3]
	}
	return d
}
