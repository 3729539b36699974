package watch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"analyze/report"
)

// serve starts s on 127.0.0.1:0 and returns its base URL; the server
// stops when the test ends, and Serve must then return nil.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { addr <- a }) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v after its context ended, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return 10 s after its context ended")
		}
	})
	return base
}

// frame is a Frame whose time says which one it is.
func frame(i int) Frame {
	return Frame{
		Time:           time.Date(2025, 3, 12, 8, 0, i, 0, time.UTC).Format(time.RFC3339),
		HorizonSeconds: 900,
		Input:          Input{Lines: int64(10 * i), Records: int64(10 * i), Reconciled: true},
		Files:          []FileState{{Path: "/var/log/api/access.log", State: "following", Lines: int64(10 * i)}},
		Incidents:      []Incident{},
		Windows:        []Window{{Name: "1m", Requests: int64(10 * i), Classes: report.Classes{Success: int64(10 * i)}}},
	}
}

// stream reads Server-Sent Events.
type stream struct {
	resp *http.Response
	r    *bufio.Reader
}

func openStream(t *testing.T, base string) *stream {
	t.Helper()
	resp, err := http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /events: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	return &stream{resp: resp, r: bufio.NewReader(resp.Body)}
}

// event is one event of the stream: its fields, or a comment.
type event struct {
	name, data, comment, retry string
}

// next reads the stream's next event (a comment line counts as one).
func (s *stream) next(t *testing.T) event {
	t.Helper()
	var ev event
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v (read %q)", err, line)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if ev != (event{}) {
				return ev
			}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			ev.comment = value
		case "event":
			ev.name = value
		case "data":
			if ev.data != "" {
				ev.data += "\n"
			}
			ev.data += value
		case "retry":
			ev.retry = value
		default:
			t.Fatalf("unknown field %q in the stream", line)
		}
	}
}

// nextFrame reads events up to the next frame and decodes it.
func (s *stream) nextFrame(t *testing.T) Frame {
	t.Helper()
	for {
		ev := s.next(t)
		if ev.name == "" {
			continue
		}
		if ev.name != "frame" {
			t.Fatalf("event %q, want frame", ev.name)
		}
		var f Frame
		if err := json.Unmarshal([]byte(ev.data), &f); err != nil {
			t.Fatalf("frame data: %v: %q", err, ev.data)
		}
		return f
	}
}

// TestServePage serves the page with a CSP header that allows its inline
// style and script by their hashes, nothing remote, and the stream.
func TestServePage(t *testing.T) {
	base := serve(t, NewServer())
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	between := func(open, close string) string {
		_, rest, _ := strings.Cut(string(body), open)
		in, _, _ := strings.Cut(rest, close)
		return in
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	style, script := between("<style>", "</style>"), between("<script>", "</script>")
	directives := map[string]string{}
	for d := range strings.SplitSeq(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for _, c := range []struct{ directive, want string }{
		{"default-src", "'none'"},
		{"style-src", hash(style)},
		{"script-src", hash(script)},
		{"img-src", "data:"},
		{"connect-src", "'self'"},
		{"base-uri", "'none'"},
		{"form-action", "'none'"},
		{"frame-ancestors", "'none'"},
	} {
		if got := directives[c.directive]; got != c.want {
			t.Errorf("CSP %s = %q, want %q (header %q)", c.directive, got, c.want, csp)
		}
	}
	if len(directives) != 8 {
		t.Errorf("CSP has %d directives, want 8: %q", len(directives), csp)
	}
	if !strings.Contains(style, "--c5:") || !strings.Contains(style, "prefers-color-scheme:dark") {
		t.Errorf("the page's style is not the report's stylesheet")
	}
	if strings.Contains(string(body), "{{") || strings.Contains(script, "innerHTML") || !strings.Contains(script, "EventSource('events')") {
		t.Errorf("the page is not filled in, or its script writes HTML")
	}
	if got := between(`http-equiv="Content-Security-Policy" content="`, `"`); got != pageCSP {
		t.Errorf("the page's meta CSP %q is not the header's %q", got, pageCSP)
	}
	for _, path := range []string{"/nothing", "/events/x", "/index.html"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
	resp, err = http.Post(base+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %s, want 405", resp.Status)
	}
}

// TestServeEvents: a stream gets the latest frame at once, then each one
// published; the data is the Frame's JSON on one line.
func TestServeEvents(t *testing.T) {
	s := NewServer()
	base := serve(t, s)
	s.Publish(frame(1))
	s.Publish(frame(2))
	st := openStream(t, base)
	if ev := st.next(t); ev.retry == "" {
		t.Errorf("the stream does not start with its retry delay: %+v", ev)
	}
	if got, want := st.nextFrame(t), frame(2); !reflect.DeepEqual(got, want) {
		t.Errorf("first frame on connect:\n got %+v\nwant %+v", got, want)
	}
	for i := 3; i <= 5; i++ {
		s.Publish(frame(i))
		if got, want := st.nextFrame(t), frame(i); !reflect.DeepEqual(got, want) {
			t.Errorf("frame %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	// A string with a line break stays on the data line, escaped.
	f := frame(6)
	f.Files[0].Path = "/var/log/a\nevent: x\r\ndata: y"
	s.Publish(f)
	if got := st.nextFrame(t); got.Files[0].Path != f.Files[0].Path {
		t.Errorf("path %q came back as %q", f.Files[0].Path, got.Files[0].Path)
	}
}

// TestServeNoFrameYet: before the first frame, a stream waits and /frame
// says 503.
func TestServeNoFrameYet(t *testing.T) {
	s := NewServer()
	base := serve(t, s)
	resp, err := http.Get(base + "/frame")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /frame before any frame: %s, want 503", resp.Status)
	}
	st := openStream(t, base)
	st.next(t) // retry
	s.Publish(frame(7))
	if got := st.nextFrame(t); got.Time != frame(7).Time {
		t.Errorf("first frame %s, want %s", got.Time, frame(7).Time)
	}
}

// TestServeFrame: /frame is the latest frame's JSON.
func TestServeFrame(t *testing.T) {
	s := NewServer()
	base := serve(t, s)
	for i := 1; i <= 2; i++ {
		s.Publish(frame(i))
		resp, err := http.Get(base + "/frame")
		if err != nil {
			t.Fatal(err)
		}
		var got Frame
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /frame: %v, Content-Type %q", err, resp.Header.Get("Content-Type"))
		}
		if !reflect.DeepEqual(got, frame(i)) {
			t.Errorf("GET /frame after frame %d:\n got %+v\nwant %+v", i, got, frame(i))
		}
	}
}

// TestServeSlowClient: a client that reads nothing does not hold Publish
// up, and the others still get the latest frame.
func TestServeSlowClient(t *testing.T) {
	s := NewServer()
	base := serve(t, s)
	slow, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") // and never read
	big := frame(1)
	for i := range 2000 {
		big.Files = append(big.Files, FileState{Path: fmt.Sprintf("/var/log/api/%04d/%s.log", i, strings.Repeat("x", 200))})
	}
	fast := openStream(t, base)
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := range 200 { // 200 frames of ~500 KB: far more than the socket buffers hold
			big.Time = frame(i).Time
			s.Publish(big)
		}
	}()
	select {
	case <-published:
	case <-time.After(time.Minute): // a deadlock detector, not a speed claim
		t.Fatal("Publish is held up by a client that reads nothing")
	}
	want := frame(199).Time
	for {
		if f := fast.nextFrame(t); f.Time == want {
			break
		}
	}
}

// TestServeClientCap: past the cap a stream gets 503; a place freed is
// taken again.
func TestServeClientCap(t *testing.T) {
	s := NewServer()
	s.max = 2
	base := serve(t, s)
	s.Publish(frame(1))
	a := openStream(t, base)
	openStream(t, base)
	resp, err := http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("stream over the cap: %s, Retry-After %q; want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	a.resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/events")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's place is not freed: %s", resp.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServeHeartbeat: an idle stream gets comment lines.
func TestServeHeartbeat(t *testing.T) {
	s := NewServer()
	s.heartbeat = 20 * time.Millisecond
	st := openStream(t, serve(t, s))
	st.next(t) // retry
	if ev := st.next(t); ev.comment == "" || ev.name != "" {
		t.Errorf("idle stream sent %+v, want a comment", ev)
	}
}

// TestServeShutdown: when the context ends, the open streams end and Serve
// returns nil.
func TestServeShutdown(t *testing.T) {
	s := NewServer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { addr <- a }) }()
	st := openStream(t, "http://"+(<-addr).String())
	s.Publish(frame(1))
	st.nextFrame(t)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := io.ReadAll(st.r); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Logf("stream ended with %v", err)
	}
	if _, err := http.Get("http://" + st.resp.Request.URL.Host + "/frame"); err == nil {
		t.Errorf("the server still answers after Serve returned")
	}
}

// TestServeListenError: an address taken is an error naming it.
func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = NewServer().Serve(context.Background(), ln.Addr().String(), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "cannot listen on "+ln.Addr().String()+": ") {
		t.Errorf("Serve on a taken address: %v", err)
	}
}

// TestServeHost: a server on loopback answers only to this machine's
// names (DNS rebinding); elsewhere to any.
func TestServeHost(t *testing.T) {
	s := NewServer()
	s.Publish(frame(1))
	base := serve(t, s)
	port := base[strings.LastIndex(base, ":"):]
	for _, c := range []struct {
		host string
		want int
	}{
		{"127.0.0.1" + port, http.StatusOK},
		{"localhost" + port, http.StatusOK},
		{"LOCALHOST.", http.StatusOK},
		{"[::1]" + port, http.StatusOK},
		{"127.1.2.3", http.StatusOK},
		{"evil.example" + port, http.StatusMisdirectedRequest},
		{"evil.example", http.StatusMisdirectedRequest},
		{"192.0.2.1" + port, http.StatusMisdirectedRequest},
		{"localhost.evil.example", http.StatusMisdirectedRequest},
	} {
		req, _ := http.NewRequest("GET", base+"/frame", nil)
		req.Host = c.host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("Host %q: %s, want %d", c.host, resp.Status, c.want)
		}
	}
	open := NewServer()
	open.Publish(frame(1))
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest("GET", "/frame", nil)
	req.Host = "monitor.example:8080"
	open.handler().ServeHTTP(rec, req)
	if rec.code != 0 && rec.code != http.StatusOK {
		t.Errorf("a server off loopback refuses Host %q: %d", req.Host, rec.code)
	}
}

type recorder struct {
	header http.Header
	code   int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// TestCheckServeAddr: --serve takes an explicit host and a numeric port.
func TestCheckServeAddr(t *testing.T) {
	for _, c := range []struct {
		addr string
		want string // "" accepted, else a part of the message
	}{
		{"127.0.0.1:0", ""},
		{"127.0.0.1:8080", ""},
		{"[::1]:0", ""},
		{"0.0.0.0:8080", ""},
		{"[::]:8080", ""},
		{"localhost:9", ""},
		{"monitor.example.com:65535", ""},
		{":8080", "give 127.0.0.1:8080 for this machine only, or 0.0.0.0:8080 to mean every interface"},
		{":0", "no host"},
		{"8080", "not HOST:PORT"},
		{"localhost", "not HOST:PORT"},
		{"", "not HOST:PORT"},
		{"::1:8080", "not HOST:PORT"},
		{"127.0.0.1:", "not a number"},
		{"127.0.0.1:http", "not a number"},
		{"127.0.0.1:65536", "not a number"},
		{"127.0.0.1:-1", "not a number"},
		{"127.0.0.1:+80", "not a number"},
		{"[localhost]:80", "not an IPv6 address"},
		{"[127.0.0.1]:80", "not an IPv6 address"},
		{"exa mple:80", "neither an IP address nor a host name"},
		{"-x:80", "neither an IP address nor a host name"},
		{"a..b:80", "neither an IP address nor a host name"},
		{"\x1b[31m:80", "not HOST:PORT"},
		{"\x1bx:80", "neither an IP address nor a host name"},
	} {
		err := CheckServeAddr(c.addr)
		var ae *AddrError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("CheckServeAddr(%q) = %v, want accepted", c.addr, err)
		case c.want != "" && (err == nil || !errors.As(err, &ae) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("CheckServeAddr(%q) = %v, want an error saying %q", c.addr, err, c.want)
		case err != nil && !strings.HasPrefix(err.Error(), fmt.Sprintf("cannot serve on %q: ", c.addr)):
			t.Errorf("CheckServeAddr(%q) = %q, want it to start 'cannot serve on'", c.addr, err)
		}
	}
}

// TestServeFault: a frame that cannot be encoded (a NaN rate) replaces
// nothing: the streams get a fault event saying why, /frame keeps the
// frame before, a stream opened then gets that frame and the fault, and
// the next good frame goes out as usual.
func TestServeFault(t *testing.T) {
	s := NewServer()
	base := serve(t, s)
	s.Publish(frame(1))
	st := openStream(t, base)
	st.next(t) // retry
	st.nextFrame(t)
	bad := frame(2)
	bad.Windows[0].RatePerSecond = math.NaN()
	s.Publish(bad)
	wantFault := "cannot encode the frame of " + bad.Time + ": json: unsupported value: NaN"
	fault := func(st *stream) string {
		t.Helper()
		ev := st.next(t)
		var why string
		if ev.name != "fault" || json.Unmarshal([]byte(ev.data), &why) != nil {
			t.Fatalf("event %+v, want a fault", ev)
		}
		return why
	}
	if got := fault(st); got != wantFault {
		t.Errorf("fault %q, want %q", got, wantFault)
	}
	late := openStream(t, base)
	late.next(t) // retry
	if got := late.nextFrame(t); got.Time != frame(1).Time {
		t.Errorf("a stream opened after the fault got frame %s first, want %s", got.Time, frame(1).Time)
	}
	if got := fault(late); got != wantFault {
		t.Errorf("fault %q, want %q", got, wantFault)
	}
	resp, err := http.Get(base + "/frame")
	if err != nil {
		t.Fatal(err)
	}
	var got Frame
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got.Time != frame(1).Time {
		t.Errorf("/frame after the fault is %s, want %s", got.Time, frame(1).Time)
	}
	s.Publish(frame(3))
	for _, st := range []*stream{st, late} {
		if got := st.nextFrame(t); got.Time != frame(3).Time {
			t.Errorf("after the fault: frame %s, want %s", got.Time, frame(3).Time)
		}
	}
}
