package acceptor

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/runtimeapi"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
)

// TestBootstrapEndToEnd builds the real bootstrap — same package, tags and linker flags as the
// asset, for this machine instead of linux/arm64 — and drives it the way Lambda does: through the Runtime
// API, with the EC2 API and the pre-signed S3 URL served locally. Nothing in the binary knows it
// is under test: the endpoint comes from AWS_ENDPOINT_URL_EC2, the S3 stand-in is reached through
// HTTPS_PROXY and trusted through SSL_CERT_FILE.
func TestBootstrapEndToEnd(t *testing.T) {
	t.Parallel() // it waits on real timers
	const (
		friend   = "222222222222"
		stranger = "333333333333"
	)
	early := conn{id: "vpce-0a1b2c3d4e5f60718", owner: friend, state: "pendingAcceptance"}
	unknown := conn{id: "vpce-0ffffffffffffffff", owner: stranger, state: "pendingAcceptance"}
	w := newWorld(early, unknown)
	ec2 := serveEC2(t, w)
	s3 := cfntest.New(t)
	fn := runtimeapi.StartLocal(t, handler.Acceptor, ec2.URL, s3, "SERVICE_ID="+svc, "ALLOWED_ACCOUNTS="+friend)

	invoke := func(t *testing.T, ev any, timeout time.Duration) runtimeapi.Result {
		t.Helper()
		raw, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		return fn.Invoke(raw, timeout)
	}
	lastAnswer := func(t *testing.T, want int) cfn.Response {
		t.Helper()
		got := s3.Responses()
		if len(got) != want {
			t.Fatalf("S3 stand-in received %d responses, want %d: %+v", len(got), want, got)
		}
		return got[want-1]
	}

	t.Run("the deploy-time sweep accepts the allow-listed connection and answers SUCCESS over https", func(t *testing.T) {
		res := invoke(t, cfntest.Event(cfn.RequestCreate, SweepType, map[string]any{"ServiceId": svc}), time.Minute)
		if res.Error != nil {
			t.Fatalf("function error %+v", res.Error)
		}
		answer := lastAnswer(t, 1)
		if answer.Status != cfn.StatusSuccess || answer.PhysicalResourceID != svc+"/sweep" {
			t.Errorf("answer = %s %q, want SUCCESS %q (reason %q)", answer.Status, answer.PhysicalResourceID, svc+"/sweep", answer.Reason)
		}
		if answer.Data["Accepted"] != 1.0 || answer.Data["LeftPending"] != 1.0 {
			t.Errorf("Data = %v, want Accepted 1 and LeftPending 1", answer.Data)
		}
		if m := s3.Methods(); m[0] != "PUT " {
			t.Errorf("response sent as %q, want a PUT without Content-Type (it would break the pre-signed signature)", m[0])
		}
		if w.state(early.id) != "pending" || w.state(unknown.id) != "pendingAcceptance" {
			t.Errorf("states = %s, %s; want the friend's connection accepted and the stranger's left pending", w.state(early.id), w.state(unknown.id))
		}
	})

	t.Run("a Connect notification accepts a connection requested after the deploy", func(t *testing.T) {
		late := conn{id: "vpce-0123456789abcdef1", owner: friend, state: "pendingAcceptance", service: svc}
		w.mu.Lock()
		w.conns = append(w.conns, late)
		w.mu.Unlock()
		message := `{"ServiceId":"` + svc + `","VpcEndpointId":"` + late.id + `","Event":"Connect","EndpointState":"pendingAcceptance"}`
		notification := map[string]any{"Records": []map[string]any{{
			"EventSource": "aws:sns", "EventVersion": "1.0",
			"EventSubscriptionArn": "arn:aws:sns:eu-west-1:111111111111:conn:8a21d249-4329-4871-acc6-7be709c6ea7f",
			"Sns": map[string]any{
				"Type": "Notification", "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
				"TopicArn": "arn:aws:sns:eu-west-1:111111111111:conn", "Message": message,
				"Timestamp": "2026-11-21T08:00:00.000Z", "SignatureVersion": "1",
			},
		}}}
		res := invoke(t, notification, time.Minute)
		if res.Error != nil {
			t.Fatalf("function error %+v", res.Error)
		}
		var sweep SweepResult
		if err := json.Unmarshal(res.Response, &sweep); err != nil {
			t.Fatalf("response %s: %v", res.Response, err)
		}
		if sweep != (SweepResult{Accepted: 1, LeftPending: 1}) {
			t.Errorf("response = %+v, want one accepted and the stranger left pending", sweep)
		}
		if w.state(late.id) != "pending" {
			t.Errorf("late connection is %q, want pending (accepted)", w.state(late.id))
		}
		lastAnswer(t, 1) // a notification never answers CloudFormation
	})

	t.Run("a request for a stranger's endpoint fails without naming its owner", func(t *testing.T) {
		ev := cfntest.Event(cfn.RequestCreate, RequestType, map[string]any{"VpcEndpointId": unknown.id})
		ev.StackID = "arn:aws:cloudformation:eu-west-1:" + friend + ":stack/Consumer/guid" // the payload's claim
		res := invoke(t, ev, time.Minute)
		if res.Error != nil {
			t.Fatalf("function error %+v", res.Error)
		}
		answer := lastAnswer(t, 2)
		if answer.Status != cfn.StatusFailed || !strings.Contains(answer.Reason, "is not an endpoint of account "+friend) || strings.Contains(answer.Reason, stranger) {
			t.Errorf("answer = %s %q, want FAILED saying it is not account %s's, without the owner %s", answer.Status, answer.Reason, friend, stranger)
		}
		if w.state(unknown.id) != "pendingAcceptance" {
			t.Errorf("stranger's connection is %q, want untouched", w.state(unknown.id))
		}
	})

	t.Run("a forged ResponseURL is refused without any request", func(t *testing.T) {
		ev := cfntest.Event(cfn.RequestCreate, SweepType, nil)
		ev.ResponseURL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
		ec2Calls := len(ec2.Calls(""))
		res := invoke(t, ev, time.Minute)
		if res.Error == nil || !strings.Contains(res.Error.Message, `ResponseURL scheme "http" refused`) {
			t.Fatalf("result = %+v, want a function error refusing the http scheme", res)
		}
		lastAnswer(t, 2)
		if n := len(ec2.Calls("")); n != ec2Calls {
			t.Errorf("%d EC2 calls made for a refused event", n-ec2Calls)
		}
	})

	t.Run("an event from no known source is a function error", func(t *testing.T) {
		res := invoke(t, map[string]any{"detail-type": "Scheduled Event"}, time.Minute)
		if res.Error == nil || !strings.Contains(res.Error.Message, "unrecognised event") {
			t.Fatalf("result = %+v, want an unrecognised-event error", res)
		}
	})

	t.Run("when EC2 hangs, CloudFormation still gets FAILED before the Lambda deadline", func(t *testing.T) {
		release := make(chan struct{})
		normal := ec2.Handler("DescribeVpcEndpointConnections")
		ec2.On("DescribeVpcEndpointConnections", func(f url.Values) (int, string) {
			<-release
			return normal(f)
		})
		defer func() { close(release); ec2.On("DescribeVpcEndpointConnections", normal) }()
		// The responder keeps 10 s of the deadline back to answer; 10.5 s leaves 0.5 s of work.
		start := time.Now()
		res := invoke(t, cfntest.Event(cfn.RequestUpdate, SweepType, nil), 10500*time.Millisecond)
		took := time.Since(start)
		if res.Error != nil {
			t.Fatalf("function error %+v", res.Error)
		}
		answer := lastAnswer(t, 3)
		// The handler, whose context ended, answers what it was doing.
		if answer.Status != cfn.StatusFailed || !strings.Contains(answer.Reason, "describe connections of vpce-svc-0123456789abcdef0") || !strings.Contains(answer.Reason, "context deadline exceeded") {
			t.Errorf("answer = %s %q, want FAILED for the timeout", answer.Status, answer.Reason)
		}
		if took > 5*time.Second {
			t.Errorf("answered after %s, want about 0.5 s (well before the 10.5 s deadline)", took.Round(time.Millisecond))
		}
	})

	t.Run("every decision is a JSON log line with the service, endpoint and owner", func(t *testing.T) {
		type line struct {
			Msg, Decision, ServiceID, VpcEndpointID, Owner string
		}
		var decisions []line
		for _, l := range strings.Split(strings.TrimSpace(fn.Stdout()), "\n") {
			var rec struct {
				Msg           string `json:"msg"`
				Decision      string `json:"decision"`
				ServiceID     string `json:"serviceId"`
				VpcEndpointID string `json:"vpcEndpointId"`
				Owner         string `json:"owner"`
			}
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Errorf("log line is not JSON: %q", l)
				continue
			}
			if rec.Msg == "decision" {
				decisions = append(decisions, line(rec))
			}
		}
		want := []line{
			{"decision", "accept", svc, early.id, friend},
			{"decision", "leave-pending", svc, unknown.id, stranger},
			{"decision", "accept", svc, "vpce-0123456789abcdef1", friend},
			{"decision", "leave-pending", svc, unknown.id, stranger},
			{"decision", "refuse", svc, unknown.id, stranger},
		}
		if len(decisions) != len(want) {
			t.Fatalf("decisions = %+v, want %+v", decisions, want)
		}
		for _, d := range want {
			found := false
			for _, g := range decisions {
				found = found || g == d
			}
			if !found {
				t.Errorf("no decision %+v in %+v", d, decisions)
			}
		}
	})
}
