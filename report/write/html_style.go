package write

// The HTML report's look, for the other pages analyze serves (the live
// page of analyze watch --serve): they wear the same stylesheet and allow
// their inline style and script by hash as the report does.

// HTMLCSS is the HTML report's stylesheet (fonts, colours, cards, tables,
// the chart's classes, dark mode), without the <style> element.
func HTMLCSS() string { return htmlCSS }

// CSPHash is the Content-Security-Policy source ('sha256-…', with its
// quotes) that allows an inline <style> or <script> element whose content
// is exactly s.
func CSPHash(s string) string { return "'" + cspHash(s) + "'" }
