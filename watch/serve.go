package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The live page (analyze watch --serve): GET / is the page, GET /events the
// frames as Server-Sent Events, GET /frame the latest frame as JSON. Each
// client holds no queue: it is woken when a frame is published and writes
// the latest one when its connection takes it, so a slow client skips
// frames and Publish never waits for one.

const (
	// maxClients is how many streams are served at once; one more gets 503.
	maxClients = 64
	// heartbeat is how often an idle stream gets a comment line, so that
	// proxies do not close it.
	heartbeat = 15 * time.Second
	// writeTimeout bounds one write to a client: a client that takes
	// nothing for that long is dropped (its browser reconnects).
	writeTimeout = 30 * time.Second
	// shutdownTimeout bounds http.Server.Shutdown once ctx is done.
	shutdownTimeout = 5 * time.Second
	// retryMillis is the reconnection delay the stream asks EventSource for.
	retryMillis = 2000
)

// Server serves the live page. Its zero value is not ready: use NewServer.
type Server struct {
	mu      sync.Mutex
	latest  snapshot // what was published last
	clients map[chan struct{}]struct{}

	max       int           // maxClients; tests lower it
	heartbeat time.Duration // heartbeat; tests shorten it
	// loopback: Serve listens on a loopback address only, so a request
	// must name this machine in its Host header (see checkHost).
	loopback bool
}

// NewServer returns a Server with no frame yet.
func NewServer() *Server {
	return &Server{clients: map[chan struct{}]struct{}{}, max: maxClients, heartbeat: heartbeat}
}

// Publish makes f the latest frame and wakes every stream. It never waits
// for a client. A frame that cannot be encoded as JSON (a NaN or infinite
// figure) replaces nothing: the streams get a fault event saying why, and
// the page says that its figures are older.
func (s *Server) Publish(f Frame) {
	b, err := json.Marshal(f)
	var fault []byte
	if err != nil {
		fault, _ = json.Marshal("cannot encode the frame of " + f.Time + ": " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.latest
	l.seq++
	if fault == nil {
		l.frame, l.frameSeq = b, l.seq
	}
	l.fault = fault
	for wake := range s.clients {
		select {
		case wake <- struct{}{}:
		default: // already woken: it will write the latest frame
		}
	}
}

// snapshot is what was published last.
type snapshot struct {
	frame []byte // the latest frame's JSON, nil before the first
	// seq counts the calls to Publish; frameSeq is the one that published
	// frame.
	seq, frameSeq uint64
	// fault is why the frame of the latest call could not be sent (a JSON
	// string), nil when it was sent; the page says so.
	fault []byte
}

func (s *Server) snapshot() snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
}

// Serve serves the live page on addr until ctx is done: GET / the page,
// GET /events the frames as Server-Sent Events (event: frame, data: the
// Frame's JSON on one line; the latest frame sent at once on connect, then
// each new one; a comment line every 15 s keeps proxies from closing it),
// GET /frame the latest Frame as JSON. ready, when not nil, gets the
// address actually listened on (":0" picks a port) before Serve starts
// accepting. When ctx is done, the streams end and Serve returns nil once
// the server is shut down.
func (s *Server) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		s.loopback = true
	}
	if ready != nil {
		ready(ln.Addr())
	}
	srv := &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		// The requests' contexts end with ctx: the streams return.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("cannot serve on %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("cannot serve on %s: %w", addr, err)
	}
	return nil
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /frame", s.latestFrame)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if !s.checkHost(r.Host) {
			http.Error(w, "the live page answers only to this machine's names (localhost, a loopback address)", http.StatusMisdirectedRequest)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// checkHost guards a loopback server against DNS rebinding: a web page
// whose name comes to resolve to 127.0.0.1 must not read the frames, so
// the Host header has to be localhost or a loopback address. A server on
// another address (given explicitly) takes any Host.
func (s *Server) checkHost(host string) bool {
	if !s.loopback {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP+"; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	w.Write([]byte(page))
}

func (s *Server) latestFrame(w http.ResponseWriter, r *http.Request) {
	b := s.snapshot().frame
	if b == nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "no frame yet", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

// join adds a stream, or returns nil when maxClients are served.
func (s *Server) join() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) >= s.max {
		return nil
	}
	wake := make(chan struct{}, 1)
	if s.latest.seq > 0 {
		wake <- struct{}{} // the latest frame at once
	}
	s.clients[wake] = struct{}{}
	return wake
}

func (s *Server) leave(wake chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clients, wake)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	wake := s.join()
	if wake == nil {
		w.Header().Set("Retry-After", "10")
		http.Error(w, fmt.Sprintf("too many live pages open (%d)", s.max), http.StatusServiceUnavailable)
		return
	}
	defer s.leave(wake)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	send := func(chunk []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(fmt.Appendf(nil, "retry: %d\n\n", retryMillis)) {
		return
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	var sent snapshot // what this client was sent: seq and frameSeq
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if !send([]byte(": keep-alive\n\n")) {
				return
			}
		case <-wake:
			l := s.snapshot()
			var msg []byte
			if l.frame != nil && l.frameSeq != sent.frameSeq {
				msg = sse(msg, "frame", l.frame)
			}
			if l.fault != nil && l.seq != sent.seq {
				msg = sse(msg, "fault", l.fault)
			}
			sent.seq, sent.frameSeq = l.seq, l.frameSeq
			if msg != nil && !send(msg) {
				return
			}
		}
	}
}

// sse appends an event named name with data (one line) to msg.
func sse(msg []byte, name string, data []byte) []byte {
	msg = append(append(msg, "event: "...), name...)
	msg = append(append(msg, "\ndata: "...), data...)
	return append(msg, "\n\n"...)
}
