package acceptor

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/spec/acceptance"
)

const acceptorArn = "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider"

// invokedAs is the context Lambda gives an invocation through arn (the Runtime API's
// Lambda-Runtime-Invoked-Function-Arn header, which aws-lambda-go puts in the context).
func invokedAs(arn string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{InvokedFunctionArn: arn})
}

func request(endpointID string) json.RawMessage {
	raw, _ := json.Marshal(map[string]any{acceptance.RequestKey: acceptance.Request{VpcEndpointId: endpointID}})
	return raw
}

func TestAnAcceptanceRequestIsDecidedForTheAccountWhoseAliasWasInvoked(t *testing.T) {
	mine := conn{id: "vpce-0a1b2c3d4e5f60718", owner: "222222222222", state: "pendingAcceptance"}
	theirs := conn{id: "vpce-0b1b2c3d4e5f60718", owner: "333333333333", state: "pendingAcceptance"}
	late := conn{id: "vpce-0c1b2c3d4e5f60718", owner: "222222222222", state: "pendingAcceptance"}
	cases := []struct {
		name, invokedArn, endpoint string
		// wantRefused is the answer's refusal (a refusal is no function error, so a consumer's
		// mistake does not raise the provider's error alarm); wantErr a function error.
		wantRefused, wantErr string
		wantNotVisible       bool
		wantState            map[string]string
	}{
		{name: "accepts the calling account's own endpoint", invokedArn: acceptorArn + ":consumer-222222222222", endpoint: mine.id,
			wantState: map[string]string{mine.id: "pending", theirs.id: "pendingAcceptance"}},
		{name: "refuses another allowed account's endpoint without naming its owner", invokedArn: acceptorArn + ":consumer-222222222222", endpoint: theirs.id,
			wantRefused: "endpoint vpce-0b1b2c3d4e5f60718 is not an endpoint of account 222222222222 connected to service " + svc + ": an account may only ask for its own endpoints",
			wantState:   map[string]string{mine.id: "pendingAcceptance", theirs.id: "pendingAcceptance"}},
		{name: "answers that it does not see a connection yet, which is no refusal", invokedArn: acceptorArn + ":consumer-222222222222", endpoint: late.id,
			wantNotVisible: true, wantState: map[string]string{mine.id: "pendingAcceptance"}},
		{name: "refuses a request not sent through an alias", invokedArn: acceptorArn, endpoint: mine.id,
			wantErr:   "acceptance request for vpce-0a1b2c3d4e5f60718 refused: it must come through the acceptor's alias of the calling account (consumer-<account>)",
			wantState: map[string]string{mine.id: "pendingAcceptance"}},
		{name: "refuses a request through another alias", invokedArn: acceptorArn + ":live", endpoint: mine.id, wantErr: "must come through the acceptor's alias of the calling account",
			wantState: map[string]string{mine.id: "pendingAcceptance"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(mine, theirs)
			h := handlerFor(t, w, cfntest.New(t))
			h.Acceptor.Allowed = []string{"222222222222", "333333333333"}
			h.Acceptor.NotFoundWait, h.Acceptor.NotFoundPoll = 20*time.Millisecond, 5*time.Millisecond
			out, err := h.Invoke(invokedAs(c.invokedArn), request(c.endpoint))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				a := out.(*acceptance.Answer)
				switch {
				case c.wantRefused != "" && !strings.Contains(a.Refused, c.wantRefused):
					t.Fatalf("answer %+v, want it refused with %q", a, c.wantRefused)
				case c.wantNotVisible && (!a.NotVisible || a.Refused != ""):
					t.Fatalf("answer %+v, want not visible and no refusal", a)
				case c.wantRefused == "" && !c.wantNotVisible && (a.State != "pending" || a.ServiceId != svc || a.Refused != ""):
					t.Fatalf("answer %+v, want pending on %s", a, svc)
				}
			}
			for id, want := range c.wantState {
				if got := w.state(id); got != want {
					t.Errorf("%s is %s afterwards, want %s", id, got, want)
				}
			}
		})
	}
}

// Through a consumer's alias only acceptance requests are served: a notification or a schedule
// there would let an allowed account run sweeps in the provider's account.
func TestAnAliasServesNoSweep(t *testing.T) {
	w := newWorld(conn{id: "vpce-0a1b2c3d4e5f60718", owner: "222222222222", state: "pendingAcceptance"})
	h := handlerFor(t, w, cfntest.New(t))
	for name, raw := range map[string]string{
		"a notification":        `{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"m","TopicArn":"arn:aws:sns:eu-west-1:111111111111:t"}}]}`,
		"a schedule":            `{"source":"aws.events","detail-type":"Scheduled Event","resources":["arn:aws:events:eu-west-1:111111111111:rule/r"]}`,
		"the keep-active input": `{"PrivateLinkKeepActive":true}`,
	} {
		_, err := h.Invoke(invokedAs(acceptorArn+":consumer-222222222222"), json.RawMessage(raw))
		if err == nil || !strings.Contains(err.Error(), "the acceptor's alias for account 222222222222 takes acceptance requests only") {
			t.Errorf("%s through an alias: err = %v, want a refusal", name, err)
		}
	}
	if w.calls["DescribeVpcEndpointConnections"] != 0 || w.state("vpce-0a1b2c3d4e5f60718") != "pendingAcceptance" {
		t.Fatalf("%d describes, endpoint %s: want no sweep at all", w.calls["DescribeVpcEndpointConnections"], w.state("vpce-0a1b2c3d4e5f60718"))
	}
}

// A CloudFormation request through a consumer's alias (a template naming the alias as its
// ServiceToken) is answered FAILED, saying where requests come from now: its StackId is the
// sender's word only.
func TestACloudFormationRequestThroughAnAliasIsAnsweredFailed(t *testing.T) {
	w := newWorld(conn{id: "vpce-0a1b2c3d4e5f60718", owner: "222222222222", state: "pendingAcceptance"})
	srv := cfntest.New(t)
	h := handlerFor(t, w, srv)
	raw, _ := json.Marshal(cfntest.Event(cfn.RequestCreate, RequestType, map[string]any{"VpcEndpointId": "vpce-0a1b2c3d4e5f60718"}))
	if _, err := h.Invoke(invokedAs(acceptorArn+":consumer-222222222222"), raw); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	got := srv.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusFailed || !strings.Contains(got[0].Reason, "the acceptor's alias for account 222222222222 takes acceptance requests from the consumer's own function") {
		t.Fatalf("responses %+v, want one FAILED naming the consumer's own function", got)
	}
	if s := w.state("vpce-0a1b2c3d4e5f60718"); s != "pendingAcceptance" {
		t.Fatalf("the endpoint is %s, want it left pending", s)
	}
}

// cdk deploy --all --concurrency 4 deploys consumers side by side, and their requests race each
// other and the sweeps the Connect notifications start: 50 requests from two accounts and 5
// sweeps at once, through the real SDK client on the wire-level fake. Every endpoint is accepted
// exactly once, every request succeeds, and nothing else is touched.
func TestFiftyConcurrentRequestsAndSweepsDecideEachEndpointOnce(t *testing.T) {
	var conns []conn
	for i := range 50 {
		conns = append(conns, conn{id: fmt.Sprintf("vpce-%017x", i+1), owner: []string{"222222222222", "333333333333"}[i%2], state: "pendingAcceptance"})
	}
	stranger := conn{id: "vpce-0fffffffffffffff0", owner: "999999999999", state: "pendingAcceptance"}
	w := newWorld(append(conns, stranger)...)
	h := handlerFor(t, w, cfntest.New(t))
	h.Acceptor.Allowed = []string{"222222222222", "333333333333"}
	var wg sync.WaitGroup
	errs := make(chan error, 55)
	for _, c := range conns {
		wg.Go(func() {
			out, err := h.Invoke(invokedAs(acceptorArn+":consumer-"+c.owner), request(c.id))
			if err != nil {
				errs <- fmt.Errorf("%s: %w", c.id, err)
			} else if a := out.(*acceptance.Answer); a.State != "pending" && a.State != "available" {
				errs <- fmt.Errorf("%s: answered %s", c.id, a.State)
			}
		})
	}
	for range 5 {
		wg.Go(func() {
			if _, err := h.Acceptor.Sweep(context.Background()); err != nil {
				errs <- fmt.Errorf("sweep: %w", err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, c := range conns {
		if got := w.state(c.id); got != "pending" || w.decided[c.id] != 1 {
			t.Errorf("%s is %s after %d decisions, want pending after exactly 1", c.id, got, w.decided[c.id])
		}
	}
	if got := w.state(stranger.id); got != "pendingAcceptance" || w.decided[stranger.id] != 0 {
		t.Errorf("the stranger's endpoint is %s after %d decisions, want it untouched", got, w.decided[stranger.id])
	}
}
