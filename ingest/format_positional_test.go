package ingest

import (
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, positionalCases...)
}

// positionalCases are lines of the load balancers' space-separated
// formats (AWS ALB and Classic ELB), and what each becomes.
var positionalCases = []lineCase{
	{"aws-alb", "aws-alb",
		`http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/api/documents?x=1 HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-" TID_dc57cebed65b444ebc8177bb698fe166`,
		OK, wantRecord{time: "2018-07-02T22:23:00.186641Z", client: "192.168.131.39", method: "GET", path: "/api/documents", query: "x=1", protocol: "HTTP/1.1", agent: "curl/7.46.0", status: 200, bytes: 366, duration: time.Millisecond, ext: nil}},
	{"aws-alb error of the balancer itself", "aws-alb",
		`http 2021-03-17T18:54:14.216357Z app/awseb-AWSEB-1KGU6EBAG3FAD/7f0dc2b05788640f 113.241.19.90:15070 - -1 -1 -1 400 - 0 272 "- http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80- -" "-" - - - "-" "-" "-" - 2021-03-17T18:54:13.967000Z "-" "-" "-" "-" "-" "-" "-"`,
		OK, wantRecord{time: "2021-03-17T18:54:14.216357Z", client: "113.241.19.90", status: 400, bytes: 272, duration: -1,
			ext: &wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, lbError: true, rateLimit: -1, rateRemaining: -1, rateReset: -1,
				extra: "type=http elb=app/awseb-AWSEB-1KGU6EBAG3FAD/7f0dc2b05788640f received_bytes=0 request_creation_time=2021-03-17T18:54:13.967000Z"}}},
	{"aws-elb", "aws-elb",
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 503 503 0 29 "GET http://www.example.com:80/api/assets HTTP/1.1" "curl/7.38.0" - -`,
		OK, wantRecord{time: "2015-05-13T23:39:43.945958Z", client: "192.168.131.39", method: "GET", path: "/api/assets", protocol: "HTTP/1.1", agent: "curl/7.38.0", status: 503, bytes: 29, duration: 1178 * time.Microsecond}},
	{"aws-alb too short", "aws-alb", `http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:1 - 0 0 0 200`, Truncated, wantRecord{}},
	{"aws-alb, status a word", "aws-alb",
		`http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 OK 200 34 366 "GET http://www.example.com:80/api/documents HTTP/1.1" "curl/7.46.0" - -`,
		BadStatus, wantRecord{}},
	{"aws-elb, bad time", "aws-elb",
		`2015-05-13T25:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 503 503 0 29 "GET http://www.example.com:80/api/assets HTTP/1.1" "curl/7.38.0" - -`,
		BadTimestamp, wantRecord{}},
	{"aws-elb, a combined line", "aws-elb", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, BadTimestamp, wantRecord{}},
}

// TestPositional parses the load balancers' cases.
func TestPositional(t *testing.T) { testLineCases(t, positionalCases) }
