package ingest

import (
	"fmt"
	"os"
	"strings"
)

// nginx log_format strings: "$remote_addr - $remote_user [$time_local] ...".
// Every variable maps to a Record field when we know it (nginxKind), and
// unknown variables are kept by name in Record.Extra.

// nginxKind maps an nginx variable (without '$') to a field kind.
func nginxKind(name string) fieldKind {
	switch name {
	case "remote_addr", "realip_remote_addr", "proxy_protocol_addr":
		return kClient
	case "remote_user":
		return kUser
	case "time_local":
		return kTimeCLF
	case "time_iso8601":
		return kTimeISO
	case "msec":
		return kTimeEpoch
	case "request":
		return kRequest
	case "request_method":
		return kMethod
	case "request_uri":
		return kURI
	case "uri", "document_uri":
		return kPath
	case "args", "query_string":
		return kQuery
	case "server_protocol":
		return kProtocol
	case "status":
		return kStatus
	case "body_bytes_sent", "bytes_sent":
		return kBytes
	case "request_time":
		return kDurSec
	case "upstream_response_time":
		return kUpstreamSec
	case "host", "server_name":
		return kHost
	case "request_id", "req_id":
		return kRequestID
	}
	if h, ok := strings.CutPrefix(name, "http_"); ok {
		return headerKind(h, false)
	}
	if h, ok := strings.CutPrefix(name, "sent_http_"); ok {
		return headerKind(h, true)
	}
	if h, ok := strings.CutPrefix(name, "upstream_http_"); ok {
		return headerKind(h, true)
	}
	return kExtra
}

// compileNginx compiles a log_format string. kinds, when not nil, is
// consulted before nginxKind (the load-balancer presets name their own
// fields this way).
func compileNginx(format string, kinds map[string]fieldKind) (*template, error) {
	var (
		lits   [][]byte
		fields []tmplField
		lit    []byte
	)
	for i := 0; i < len(format); {
		c := format[i]
		if c != '$' {
			lit = append(lit, c)
			i++
			continue
		}
		var name string
		if i+1 < len(format) && format[i+1] == '{' {
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("cannot compile nginx format: unclosed ${ at byte %d", i)
			}
			name = format[i+2 : i+end]
			i += end + 1
		} else {
			j := i + 1
			for j < len(format) && isVarChar(format[j]) {
				j++
			}
			name = format[i+1 : j]
			i = j
		}
		if name == "" {
			lit = append(lit, '$')
			continue
		}
		k, ok := kinds[name]
		if !ok {
			k = nginxKind(name)
		}
		lits = append(lits, lit)
		lit = nil
		fields = append(fields, tmplField{kind: k, name: name})
	}
	lits = append(lits, lit)
	t, err := newTemplate(lits, fields)
	if err != nil {
		return nil, fmt.Errorf("cannot compile nginx format: %w", err)
	}
	return t, nil
}

func isVarChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// NginxLogFormats reads the log_format definitions of an nginx
// configuration file: name → format string (the quoted parts joined, with
// escape=... parameters dropped).
func NginxLogFormats(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
	}
	return parseNginxConf(string(b))
}

func parseNginxConf(conf string) (map[string]string, error) {
	out := map[string]string{}
	toks := nginxTokens(conf)
	for i := 0; i < len(toks); i++ {
		if toks[i].word != "log_format" || toks[i].quoted {
			continue
		}
		if i+1 >= len(toks) {
			return nil, fmt.Errorf("cannot read log_format: no name")
		}
		name := toks[i+1].word
		var body strings.Builder
		j := i + 2
		for ; j < len(toks) && !(toks[j].word == ";" && !toks[j].quoted); j++ {
			if !toks[j].quoted && strings.HasPrefix(toks[j].word, "escape=") {
				continue
			}
			body.WriteString(toks[j].word)
		}
		if j >= len(toks) {
			return nil, fmt.Errorf("cannot read log_format %s: no closing ';'", name)
		}
		out[name] = body.String()
		i = j
	}
	return out, nil
}

type nginxToken struct {
	word   string
	quoted bool
}

// nginxTokens splits an nginx configuration into words, quoted strings
// (unescaped) and ';', dropping comments.
func nginxTokens(s string) []nginxToken {
	var toks []nginxToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ';' || c == '{' || c == '}':
			toks = append(toks, nginxToken{word: string(c)})
			i++
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(s[j])
					}
					continue
				}
				b.WriteByte(s[j])
			}
			toks = append(toks, nginxToken{word: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n;{}'\"", rune(s[j])) {
				j++
			}
			toks = append(toks, nginxToken{word: s[i:j]})
			i = j
		}
	}
	return toks
}
