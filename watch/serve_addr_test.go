package watch

import "testing"

func TestServeAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"8080", "127.0.0.1:8080"},
		{"0", "127.0.0.1:0"},
		{":8080", ":8080"}, // refused by CheckServeAddr, not made loopback in silence
		{"0.0.0.0:8080", "0.0.0.0:8080"},
		{"[::1]:9", "[::1]:9"},
		{"", ""},
	} {
		if got := ServeAddr(tc.in); got != tc.want {
			t.Errorf("ServeAddr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
