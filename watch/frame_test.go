package watch

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"analyze/report"
)

// TestFrameKeysDocumented: every key of a frame that is watch's own (not a
// report row's, which docs/json.md documents) is in docs/watch.md, and
// every key the page's table names is in a frame: scripts rely on them.
func TestFrameKeysDocumented(t *testing.T) {
	fr := Frame{Time: "t", Filter: "status=503", Paused: true, Files: []FileState{{}}, Incidents: []Incident{{}},
		Windows: []Window{{Latency: &report.Latency{}}}}
	b, err := json.Marshal(fr)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	var keys []string
	add := func(prefix string, v any) {
		obj, _ := v.(map[string]any)
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			obj, _ = arr[0].(map[string]any)
		}
		for k := range obj {
			keys = append(keys, prefix+k)
		}
	}
	add("", m)
	for _, sub := range []string{"input", "files", "windows", "sparklines"} {
		add(sub+".", m[sub])
	}
	keys = append(keys, "incidents.over")
	doc, err := os.ReadFile("../docs/watch.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		name := k[strings.LastIndexByte(k, '.')+1:]
		if !strings.Contains(string(doc), "`"+name+"`") && !strings.Contains(string(doc), "`"+name+"[]`") {
			t.Errorf("frame key %s is not in docs/watch.md", k)
		}
	}
	slices.Sort(keys)
	if len(keys) < 30 {
		t.Errorf("only %d keys: %v", len(keys), keys)
	}
}
