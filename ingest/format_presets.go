package ingest

import (
	"fmt"
	"strings"
)

// Named presets written as format strings, compiled at start-up like a
// user's own. The load balancers' fields are named after their
// documentation, with lbKinds saying what each is.

var lbKinds = map[string]fieldKind{
	"time":                     kTimeISO,
	"client_port":              kClientPort,
	"request_processing_time":  kDurLB,
	"target_processing_time":   kDurLBTarget,
	"backend_processing_time":  kDurLBTarget,
	"response_processing_time": kDurLB,
	"elb_status_code":          kStatus,
	"target_status_code":       kBackendStatus,
	"backend_status_code":      kBackendStatus,
	"sent_bytes":               kBytes,
	"request":                  kRequest,
	"user_agent":               kAgent,
	"trace_id":                 kRequestID,
	"duration_ms":              kDurMS,
	"upstream_status":          kBackendStatus,
}

type preset struct {
	name, desc string
	syntax     string // "nginx" or "apache"
	format     string
	required   int                  // leading fields a line must have; 0 means all
	kinds      map[string]fieldKind // the format's own field names, beside nginx's
}

// envoyKinds are the names the Envoy and Istio presets give Envoy's
// command operators that nginx has no variable for.
var envoyKinds = map[string]fieldKind{
	"duration_ms":           kDurMS,      // %DURATION%
	"upstream_service_time": kUpstreamMS, // %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%
	"downstream_remote":     kClientPort, // %DOWNSTREAM_REMOTE_ADDRESS%, with its port
}

var presets = []preset{
	{"vhost_combined", "Apache vhost_combined: the virtual host (with :port when logged), then combined", "apache",
		`%v %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`, 0, nil},
	{"nginx_main", "nginx's default main format: combined plus X-Forwarded-For", "nginx",
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`, 0, nil},
	{"ingress-nginx", "Kubernetes ingress-nginx upstreaminfo", "nginx",
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id`, 0, lbKinds},
	{"traefik", "Traefik access log, common (CLF) format", "nginx",
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_count "$router_name" "$server_url" ${duration_ms}ms`, 0, lbKinds},
	// Envoy's default text format: [%START_TIME%] "%REQ(:METHOD)%
	// %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
	// %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
	// %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
	// "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%"
	// "%UPSTREAM_HOST%". It logs no client address: the first
	// X-Forwarded-For address stands for it.
	{"envoy", "Envoy's default access log format (Envoy proxies, Contour, Emissary)", "nginx",
		`[$time_iso8601] "$request" $status $response_flags $request_length $body_bytes_sent $duration_ms $upstream_service_time "$http_x_forwarded_for" "$http_user_agent" "$http_x_request_id" "$host" "$upstream_host"`, 0, envoyKinds},
	// Istio's default proxy format: Envoy's, with the response details
	// after the flags and the connection's addresses after the upstream
	// host (the client is %DOWNSTREAM_REMOTE_ADDRESS%).
	{"istio", "Istio's default Envoy proxy access log format", "nginx",
		`[$time_iso8601] "$request" $status $response_flags $response_code_details $connection_termination_details "$upstream_transport_failure_reason" $request_length $body_bytes_sent $duration_ms $upstream_service_time "$http_x_forwarded_for" "$http_user_agent" "$http_x_request_id" "$host" "$upstream_host" $upstream_cluster $upstream_local_address $downstream_local_address $downstream_remote $requested_server_name $route_name`, 0, envoyKinds},
}

// The AWS load balancers log positionally (see format_positional.go).
var (
	albFormat = positionalFormat("aws-alb", "AWS Application Load Balancer access log",
		"type time elb client_port target_port request_processing_time target_processing_time response_processing_time elb_status_code target_status_code received_bytes sent_bytes request user_agent ssl_cipher ssl_protocol target_group_arn trace_id domain_name chosen_cert_arn matched_rule_priority request_creation_time actions_executed redirect_url error_reason target_port_list target_status_code_list classification classification_reason conn_trace_id",
		lbKinds, 13)
	elbFormat = positionalFormat("aws-elb", "AWS Classic Load Balancer access log",
		"time elb client_port backend_port request_processing_time backend_processing_time response_processing_time elb_status_code backend_status_code received_bytes sent_bytes request user_agent ssl_cipher ssl_protocol",
		lbKinds, 12)
)

// presetFormats compiles the presets; a preset that does not compile is a
// programming error, caught by the tests.
var presetFormats = func() []*Format {
	var out []*Format
	for _, p := range presets {
		var t *template
		var err error
		if p.syntax == "apache" {
			t, err = compileApache(p.format)
		} else {
			t, err = compileNginx(p.format, p.kinds)
		}
		if err != nil {
			panic(fmt.Sprintf("preset %s: %v", p.name, err))
		}
		if p.required > 0 {
			t.required = p.required
		}
		out = append(out, templateFormat(p.name, p.desc+": "+p.format, t))
	}
	return append(out, albFormat, elbFormat)
}()

// ResolveFormat turns a --format value into a Format: "auto" (nil), a
// preset name, "nginx:<log_format string>", "apache:<LogFormat string>",
// or "nginx:NAME" naming a definition of defs (read with NginxLogFormats
// from --format-file).
func ResolveFormat(spec string, defs map[string]string) (*Format, error) {
	if spec == "" || spec == "auto" {
		return nil, nil
	}
	if body, ok := strings.CutPrefix(spec, "nginx:"); ok {
		name := "nginx"
		if def, ok := defs[body]; ok {
			name, body = "nginx:"+body, def
		} else if isVarName(body) && !strings.Contains(body, "$") {
			return nil, fmt.Errorf("no log_format named %q (give --format-file nginx.conf, or the format string itself)", body)
		}
		t, err := compileNginx(body, nil)
		if err != nil {
			return nil, err
		}
		return templateFormat(name, "nginx log_format: "+body, t), nil
	}
	if body, ok := strings.CutPrefix(spec, "apache:"); ok {
		t, err := compileApache(body)
		if err != nil {
			return nil, err
		}
		return templateFormat("apache", "Apache LogFormat: "+body, t), nil
	}
	return LookupFormat(spec)
}

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isVarChar(s[i]) && s[i] != '-' && s[i] != '.' {
			return false
		}
	}
	return true
}
