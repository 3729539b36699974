package analysis

import (
	"testing"
	"unsafe"
)

// TestEventSize keeps an Event at 40 bytes: one is written per record.
func TestEventSize(t *testing.T) {
	if n := unsafe.Sizeof(Event{}); n != 40 {
		t.Errorf("an Event takes %d bytes, want 40: mind the fields' order and sizes", n)
	}
}
