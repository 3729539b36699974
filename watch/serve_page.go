package watch

import (
	_ "embed"
	"strings"

	"analyze/report/write"
)

// The live page is static: its figures come through /events and its
// script writes them with textContent. It wears the HTML report's
// stylesheet with a few rules of its own, and its Content-Security-Policy
// is the report's (the inline style and script by their hashes, nothing
// remote) with connect-src 'self' for the EventSource.

//go:embed serve_page.html
var pageHTML string

//go:embed serve_page.css
var pageOwnCSS string

//go:embed serve_page.js
var pageJS string

var (
	pageCSS = write.HTMLCSS() + pageOwnCSS
	pageCSP = "default-src 'none'; style-src " + write.CSPHash(pageCSS) + "; script-src " + write.CSPHash(pageJS) +
		"; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
	page = strings.NewReplacer("{{CSP}}", pageCSP, "{{STYLE}}", pageCSS, "{{SCRIPT}}", pageJS).Replace(pageHTML)
)
