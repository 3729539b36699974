package report

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseQuota: --window, --limit and --client-limit make the quota
// options: the window from --window, else the limit's period, else a
// minute; the limits in requests per window.
func TestParseQuota(t *testing.T) {
	for _, c := range []struct {
		name         string
		window       time.Duration
		limit        string
		clientLimits []string
		want         QuotaOptions
		err          string // a part of the error; "" for none
	}{
		{name: "nothing given", want: QuotaOptions{Window: time.Minute}},
		{name: "a window alone", window: 10 * time.Second, want: QuotaOptions{Window: 10 * time.Second}},
		{name: "the limit's period", limit: "10/s", want: QuotaOptions{Window: time.Second, Limit: 10}},
		{name: "the limit per window", window: 10 * time.Second, limit: "600/1m", want: QuotaOptions{Window: 10 * time.Second, Limit: 100}},
		{name: "client limits in the limit's window", limit: "600/1m", clientLimits: []string{"erp-sync=1200/1m", "a=b=10/s"},
			want: QuotaOptions{Window: time.Minute, Limit: 600, ClientLimits: map[string]int64{"erp-sync": 1200, "a=b": 600}}},
		{name: "client limits in a minute", clientLimits: []string{"erp-sync=60/1h"},
			want: QuotaOptions{Window: time.Minute, ClientLimits: map[string]int64{"erp-sync": 1}}},
		{name: "less than one per window", window: time.Second, limit: "10/1m", err: "--limit 10/1m is less than one request per 1s window"},
		{name: "a bad limit", limit: "600", err: `cannot read --limit "600"`},
		{name: "a bad client limit", clientLimits: []string{"erp-sync"}, err: `cannot read --client-limit "erp-sync"`},
		{name: "a client limit under one per window", window: time.Second, clientLimits: []string{"x=1/1m"}, err: "--client-limit x=1/1m is less than one request per 1s window"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseQuota(QuotaOptions{Window: c.window}, c.limit, c.clientLimits)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("got error %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}
