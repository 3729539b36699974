package analysis

// Interner returns one string per distinct byte sequence, so a value that
// repeats (an endpoint, a method) is allocated once; past limit distinct
// values it stops remembering new ones and allocates as before.
type Interner struct {
	m     map[string]string
	limit int
}

// NewInterner returns an Interner that remembers at most limit values.
func NewInterner(limit int) *Interner { return &Interner{m: map[string]string{}, limit: limit} }

// Get returns b as a string, the same string for the same bytes.
func (in *Interner) Get(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < in.limit {
		in.m[s] = s
	}
	return s
}
