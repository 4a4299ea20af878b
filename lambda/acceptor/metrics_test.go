package acceptor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
)

// emfRecords returns the log's embedded metric format records, failing the test on any that
// breaks the format's rules ("Specification: Embedded metric format", CloudWatch User Guide):
// _aws.Timestamp is an integer of milliseconds; each directive names a Namespace (1-255
// characters), at most 30 dimensions per set, at most 100 metrics; every dimension is a string
// member of the root and every metric a number there.
func emfRecords(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("log line is not a JSON object: %s", line)
		}
		meta, ok := rec["_aws"].(map[string]any)
		if !ok {
			continue
		}
		if ts, ok := meta["Timestamp"].(json.Number); !ok || strings.Contains(ts.String(), ".") {
			t.Fatalf("_aws.Timestamp %v is not an integer of milliseconds: %s", meta["Timestamp"], line)
		}
		directives, _ := meta["CloudWatchMetrics"].([]any)
		if len(directives) == 0 {
			t.Fatalf("no CloudWatchMetrics directive: %s", line)
		}
		for _, d := range directives {
			d := d.(map[string]any)
			if ns, _ := d["Namespace"].(string); ns == "" || len(ns) > 255 {
				t.Fatalf("Namespace %v: %s", d["Namespace"], line)
			}
			for _, set := range d["Dimensions"].([]any) {
				if len(set.([]any)) > 30 {
					t.Fatalf("a dimension set of %d: %s", len(set.([]any)), line)
				}
				for _, dim := range set.([]any) {
					if _, ok := rec[dim.(string)].(string); !ok {
						t.Fatalf("dimension %v has no string value at the root: %s", dim, line)
					}
				}
			}
			metrics := d["Metrics"].([]any)
			if len(metrics) == 0 || len(metrics) > 100 {
				t.Fatalf("%d metrics: %s", len(metrics), line)
			}
			for _, m := range metrics {
				name := m.(map[string]any)["Name"].(string)
				if _, ok := rec[name].(json.Number); !ok {
					t.Fatalf("metric %s has no number at the root: %s", name, line)
				}
			}
		}
		out = append(out, rec)
	}
	return out
}

func TestEveryDecisionIsPublishedAsEmbeddedMetrics(t *testing.T) {
	allowed := conn{id: "vpce-0a1b2c3d4e5f60718", owner: "222222222222", state: "pendingAcceptance"}
	stranger := conn{id: "vpce-0ffffffffffffffff", owner: "999999999999", state: "pendingAcceptance"}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	schedule := `{"version":"0","id":"e-1","detail-type":"Scheduled Event","source":"aws.events","account":"111111111111","time":"2026-11-21T12:00:00Z","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:111111111111:rule/sweep"],"detail":{}}`
	cases := []struct {
		name   string
		policy Policy
		event  func() []byte
		broken bool // EC2 answers the allow-listed endpoint's Accept with an Unsuccessful item
		want   string
	}{
		{"a sweep accepts the allow-listed and leaves the stranger pending", LeavePending,
			func() []byte { raw, _ := json.Marshal(cfntest.Event(cfn.RequestCreate, SweepType, nil)); return raw },
			false, "Accepted=1 Rejected=0 LeftPending=1 Errors=0"},
		{"a scheduled sweep with NotAllowed reject rejects the stranger", Reject,
			func() []byte { return []byte(schedule) }, false, "Accepted=1 Rejected=1 LeftPending=0 Errors=0"},
		{"a consumer's request is accepted", LeavePending,
			func() []byte {
				raw, _ := json.Marshal(cfntest.Event(cfn.RequestCreate, RequestType, map[string]any{"VpcEndpointId": allowed.id}))
				return raw
			}, false, "Accepted=1 Rejected=0 LeftPending=<nil> Errors=0"},
		{"a stranger's request is refused and its connection left pending", LeavePending,
			func() []byte {
				raw, _ := json.Marshal(cfntest.Event(cfn.RequestCreate, RequestType, map[string]any{"VpcEndpointId": stranger.id}))
				return raw
			}, false, "Accepted=0 Rejected=0 LeftPending=<nil> Errors=0"},
		{"a sweep whose Accept fails is an error", LeavePending,
			func() []byte { return []byte(schedule) }, true, "Accepted=1 Rejected=0 LeftPending=1 Errors=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(allowed, stranger)
			if c.broken {
				w.acceptFails = map[string]string{allowed.id: "OperationNotPermitted"}
			}
			var log bytes.Buffer
			client := serveEC2(t, w).Client()
			h := Handler{
				Acceptor:  Acceptor{ServiceID: svc, Allowed: []string{"222222222222"}, NotAllowed: c.policy, Describe: client, Accept: client, Reject: client, Log: quietLog()},
				Responder: cfntest.New(t).Responder(), Log: slog.New(slog.NewJSONHandler(&log, nil)), Now: func() time.Time { return now },
			}
			_, _ = h.Invoke(context.Background(), c.event())
			recs := emfRecords(t, log.String())
			if len(recs) != 1 {
				t.Fatalf("%d EMF records, want 1:\n%s", len(recs), log.String())
			}
			r := recs[0]
			got := fmt.Sprintf("Accepted=%v Rejected=%v LeftPending=%v Errors=%v", r["Accepted"], r["Rejected"], r["LeftPending"], r["Errors"])
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
			meta, _ := json.Marshal(r["_aws"])
			// LeftPending only from a sweep that listed the pending connections: a request's 0
			// would lower the alarm's 15-minute Minimum while a stranger still waits.
			leftPending := ""
			if !strings.Contains(c.want, "LeftPending=<nil>") {
				leftPending = `,{"Name":"LeftPending","Unit":"Count"}`
			}
			want := `{"CloudWatchMetrics":[{"Dimensions":[["ServiceId"]],"Metrics":[{"Name":"Accepted","Unit":"Count"},{"Name":"Rejected","Unit":"Count"},{"Name":"Errors","Unit":"Count"}` + leftPending + `],"Namespace":"PrivateLink/Acceptor"}],"Timestamp":1795262400000}`
			if string(meta) != want || r["ServiceId"] != svc {
				t.Errorf("record %s with ServiceId %v\nwant %s with %s", meta, r["ServiceId"], want, svc)
			}
		})
	}
}
