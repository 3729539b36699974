package report

// interner returns one string per distinct byte sequence, so a value that
// repeats (an endpoint, a method) is allocated once; past limit distinct
// values it stops remembering new ones and allocates as before.
type interner struct {
	m     map[string]string
	limit int
}

func newInterner(limit int) *interner { return &interner{m: map[string]string{}, limit: limit} }

func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < in.limit {
		in.m[s] = s
	}
	return s
}
