package watch

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// AddrError is a --serve address that CheckServeAddr refuses.
type AddrError struct {
	Addr   string
	Reason string
}

func (e *AddrError) Error() string {
	return fmt.Sprintf("cannot serve on %q: %s", e.Addr, e.Reason)
}

// CheckServeAddr rejects what --serve must not take silently: an address
// without an explicit host (":8080" would listen on every interface) is an
// error that says to give 127.0.0.1:PORT, or 0.0.0.0:PORT to mean every
// interface. A host given explicitly is taken as given: an IP address
// (IPv6 in brackets) or a host name. The port is a number, 0 to 65535 (0
// picks a free one).
func CheckServeAddr(addr string) error {
	bad := func(format string, args ...any) error {
		return &AddrError{Addr: addr, Reason: fmt.Sprintf(format, args...)}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bad("not HOST:PORT (%v): give 127.0.0.1:8080 for this machine only", errReason(err))
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || port == "" || port[0] == '+' {
		return bad("the port %q is not a number from 0 to 65535", port)
	}
	if host == "" {
		return bad("no host: give 127.0.0.1:%d for this machine only, or 0.0.0.0:%d to mean every interface", n, n)
	}
	if strings.HasPrefix(addr, "[") {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return bad("%q in brackets is not an IPv6 address", host)
		}
		return nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	if !hostName(host) {
		return bad("the host %q is neither an IP address nor a host name", host)
	}
	return nil
}

// hostName reports whether s is a DNS host name: labels of letters, digits,
// hyphens and underscores, at most 63 bytes each, 253 in all.
func hostName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// errReason is net.SplitHostPort's error without the address it repeats.
func errReason(err error) string {
	if ae, ok := err.(*net.AddrError); ok {
		return ae.Err
	}
	return err.Error()
}

// ServeAddr is the address --serve means: a port alone (8080) is on the
// loopback address, 127.0.0.1:8080; anything else is as given, for
// CheckServeAddr to judge.
func ServeAddr(s string) string {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return "127.0.0.1:" + s
	}
	return s
}
