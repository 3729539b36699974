package synth

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSamplesUpToDate regenerates every bundled sample with the command the
// README gives for it and compares it with the committed file.
func TestSamplesUpToDate(t *testing.T) {
	at := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	base := Default()
	with := func(f func(*Config)) Config { c := base; f(&c); return c }
	samples := []struct {
		file string
		cfg  Config
		gz   bool
	}{
		{"pim-api-access.log", with(func(c *Config) { c.Seed, c.Malformed = 1, 97 }), false},
		{"pim-api-access.log.1.gz", with(func(c *Config) { c.Seed, c.Malformed, c.Start = 2, 301, at("2025-03-11T09:00:00+01:00") }), true},
		{"pim-api-common.log", with(func(c *Config) {
			c.Seed, c.Format, c.Lines, c.Start = 3, "common", 400, at("2025-03-12T09:30:00+01:00")
		}), false},
		{"pim-api-json.log", with(func(c *Config) { c.Seed, c.Format, c.Lines, c.Malformed = 4, "json", 800, 199 }), false},
		{"pim-api-nginx.log", with(func(c *Config) { c.Seed, c.Format, c.Lines, c.Start = 5, "nginx", 600, at("2025-03-12T09:40:00+01:00") }), false},
		{"pim-api-alb.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 6, "alb", 400 }), false},
		{"pim-api-w3c.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 7, "w3c", 400 }), false},
		{"pim-api-envoy.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 8, "envoy", 400 }), false},
		{"pim-api-vhost.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 9, "vhost", 200 }), false},
		{"pim-api-nginx-main.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 10, "nginx_main", 200 }), false},
		{"pim-api-ingress.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 11, "ingress", 200 }), false},
		{"pim-api-traefik.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 12, "traefik", 200 }), false},
		{"pim-api-istio.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 13, "istio", 200 }), false},
		{"pim-api-elb.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 14, "elb", 200 }), false},
		{"pim-api-haproxy.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 15, "haproxy", 200 }), false},
		{"pim-api-cloudfront.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 16, "cloudfront", 200 }), false},
		{"pim-api-caddy.log", with(func(c *Config) { c.Seed, c.Format, c.Lines = 17, "caddy", 200 }), false},
	}
	for _, s := range samples {
		var want bytes.Buffer
		if err := Write(&want, s.cfg); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile("../" + s.file)
		if err != nil {
			t.Fatal(err)
		}
		if s.gz {
			zr, err := gzip.NewReader(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			if got, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("samples/%s is not what the generator makes; regenerate it with the README's command", s.file)
		}
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Default()
	cfg.Lines = 5000
	cfg.Malformed = 50
	var a, b bytes.Buffer
	Write(&a, cfg)
	Write(&b, cfg)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same config gave different bytes")
	}
	if n := bytes.Count(a.Bytes(), []byte{'\n'}); n != 5000 {
		t.Fatalf("%d lines, want 5000", n)
	}
	cfg.Seed = 2
	var c bytes.Buffer
	Write(&c, cfg)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("another seed gave the same bytes")
	}
}

func BenchmarkWrite(b *testing.B) {
	cfg := Default()
	cfg.Lines = 10000
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		Write(&buf, cfg)
	}
	b.SetBytes(int64(buf.Len()))
}

// TestNginxConfMatchesGenerator checks that samples/conf/nginx.conf defines
// the format the generator writes.
func TestNginxConfMatchesGenerator(t *testing.T) {
	conf, err := os.ReadFile("../conf/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	// The conf splits the format over quoted parts; joined, they are NginxFormat.
	var joined strings.Builder
	for _, part := range strings.Split(string(conf), "'")[1:] {
		if strings.Contains(part, ";") && !strings.Contains(part, "$") {
			break
		}
		if strings.Contains(part, "$") {
			joined.WriteString(part)
		}
	}
	if joined.String() != NginxFormat {
		t.Errorf("nginx.conf defines\n%s\nthe generator writes\n%s", joined.String(), NginxFormat)
	}
}
