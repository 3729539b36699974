package write

import "testing"

func TestNumbers(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if Percent(1, 3) != "33.3%" || Percent(1, 10000) != "<0.1%" || Percent(0, 0) != "-" {
		t.Errorf("percent: %s %s %s", Percent(1, 3), Percent(1, 10000), Percent(0, 0))
	}
}

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {1536, "1.50 KiB"}, {10 << 20, "10.0 MiB"},
		{300 << 30, "300 GiB"}, {1<<63 - 1, "8.00 EiB"},
	} {
		if got := size(tc.n); got != tc.want {
			t.Errorf("size(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
