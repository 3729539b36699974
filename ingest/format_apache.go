package ingest

import (
	"fmt"
	"strings"
)

// Apache LogFormat strings: `%h %l %u %t "%r" %>s %b "%{Referer}i"`.
// Directives map to Record fields (apacheKind); %{Header}i and %{Header}o
// go through the same header table as nginx's $http_ and $sent_http_;
// anything else is kept by name in Record.Extra.

// compileApache compiles a LogFormat string. Backslash escapes as written
// in httpd.conf (\" \\ \t \n) are understood.
func compileApache(format string) (*template, error) {
	var (
		lits   [][]byte
		fields []tmplField
		lit    []byte
	)
	field := func(k fieldKind, name string) {
		lits = append(lits, lit)
		lit = nil
		fields = append(fields, tmplField{kind: k, name: name})
	}
	for i := 0; i < len(format); {
		c := format[i]
		if c == '\\' && i+1 < len(format) {
			switch format[i+1] {
			case 't':
				lit = append(lit, '\t')
			case 'n':
				lit = append(lit, '\n')
			default:
				lit = append(lit, format[i+1])
			}
			i += 2
			continue
		}
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		start := i
		i++
		if i < len(format) && format[i] == '%' {
			lit = append(lit, '%')
			i++
			continue
		}
		// Modifiers: status conditions (%400,501{..}i, %!200..) and < >.
		for i < len(format) && strings.IndexByte("0123456789,!<>", format[i]) >= 0 {
			i++
		}
		var arg string
		if i < len(format) && format[i] == '{' {
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("cannot compile Apache format: unclosed %%{ at byte %d", start)
			}
			arg = format[i+1 : i+end]
			i += end + 1
		}
		if i >= len(format) {
			return nil, fmt.Errorf("cannot compile Apache format: %q ends in a bare %%", format)
		}
		d := format[i]
		i++
		name := format[start:i]
		if d == 't' && arg == "" {
			// %t logs "[10/Oct/2000:13:55:36 -0700]", brackets included.
			lit = append(lit, '[')
			field(kTimeCLF, name)
			lit = append(lit, ']')
			continue
		}
		k, err := apacheKind(d, arg)
		if err != nil {
			return nil, fmt.Errorf("cannot compile Apache format: %s: %w", name, err)
		}
		field(k, name)
	}
	lits = append(lits, lit)
	t, err := newTemplate(lits, fields)
	if err != nil {
		return nil, fmt.Errorf("cannot compile Apache format: %w", err)
	}
	return t, nil
}

// apacheKind maps a directive letter and its {argument} to a field kind.
func apacheKind(d byte, arg string) (fieldKind, error) {
	switch d {
	case 'h', 'a':
		return kClient, nil
	case 'l':
		return kIgnore, nil
	case 'u':
		return kUser, nil
	case 't':
		switch arg {
		case "sec", "msec", "usec", "begin:sec", "end:sec", "begin:msec", "end:msec":
			return kTimeEpoch, nil
		}
		return kTimeAny, nil
	case 'r':
		return kRequest, nil
	case 's':
		return kStatus, nil
	case 'b', 'B', 'O':
		return kBytes, nil
	case 'D':
		return kDurUS, nil
	case 'T':
		switch arg {
		case "ms":
			return kDurMS, nil
		case "us":
			return kDurUS, nil
		}
		return kDurSec, nil
	case 'i':
		if arg == "" {
			return 0, fmt.Errorf("needs a header name, as in %%{User-Agent}i")
		}
		return headerKind(normaliseHeader(arg), false), nil
	case 'o':
		if arg == "" {
			return 0, fmt.Errorf("needs a header name, as in %%{Retry-After}o")
		}
		return headerKind(normaliseHeader(arg), true), nil
	case 'v', 'V':
		return kHost, nil
	case 'U':
		return kPath, nil
	case 'q':
		return kQueryQ, nil
	case 'm':
		return kMethod, nil
	case 'H':
		return kProtocol, nil
	case 'L':
		return kRequestID, nil
	case 'e', 'n', 'p', 'P', 'X', 'k', 'R', 'f', 'I', 'S', 'A', 'C', 'c', 'x', 'M', '^':
		return kExtra, nil
	}
	return 0, fmt.Errorf("unknown directive")
}
