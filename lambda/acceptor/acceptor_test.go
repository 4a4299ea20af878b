package acceptor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
)

func TestSweep(t *testing.T) {
	cases := []struct {
		name        string
		conns       []conn
		policy      Policy
		fails       map[string]string
		want        SweepResult
		wantErr     string
		wantStates  map[string]string
		wantAccepts int
	}{
		{name: "accepts a pending connection from an allow-listed account",
			conns: []conn{{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"}},
			want:  SweepResult{Accepted: 1}, wantStates: map[string]string{"vpce-a": "pending"}, wantAccepts: 1},
		{name: "leaves a stranger's connection pending by default",
			conns: []conn{{id: "vpce-x", owner: "999999999999", state: "pendingAcceptance"}},
			want:  SweepResult{LeftPending: 1}, wantStates: map[string]string{"vpce-x": "pendingAcceptance"}},
		{name: "rejects a stranger's connection when configured to",
			conns:  []conn{{id: "vpce-x", owner: "999999999999", state: "pendingAcceptance"}, {id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"}},
			policy: Reject,
			want:   SweepResult{Accepted: 1, Rejected: 1}, wantStates: map[string]string{"vpce-x": "rejected", "vpce-a": "pending"}, wantAccepts: 1},
		{name: "does nothing and makes no accept call when nothing is pending",
			conns: []conn{{id: "vpce-a", owner: "222222222222", state: "available"}},
			want:  SweepResult{}, wantStates: map[string]string{"vpce-a": "available"}},
		{name: "ignores connections of other services",
			conns: []conn{{id: "vpce-o", owner: "222222222222", state: "pendingAcceptance", service: "vpce-svc-other"}},
			want:  SweepResult{}, wantStates: map[string]string{"vpce-o": "pendingAcceptance"}},
		{name: "reports unsuccessful items of a 200 answer with their codes",
			conns: []conn{{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"}, {id: "vpce-b", owner: "222222222222", state: "pendingAcceptance"}},
			fails: map[string]string{"vpce-b": "InvalidVpcEndpoint.NotFound"},
			want:  SweepResult{Accepted: 2}, wantAccepts: 1,
			wantErr: "accept vpce-b on " + svc + " failed: InvalidVpcEndpoint.NotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, func() *world {
				w := newWorld(c.conns...)
				for k, v := range c.fails {
					w.acceptFails[k] = v
				}
				return w
			}, func(t *testing.T, a Acceptor, w *world) {
				a.NotAllowed = c.policy
				got, err := a.Sweep(context.Background())
				if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				want := c.want
				want.Listed = true // every case lists the pending connections
				if got != want {
					t.Errorf("result = %+v, want %+v", got, want)
				}
				for id, st := range c.wantStates {
					if s := w.state(id); s != st {
						t.Errorf("%s is %s, want %s", id, s, st)
					}
				}
				if n := w.calls["AcceptVpcEndpointConnections"]; n != c.wantAccepts {
					t.Errorf("%d accept calls, want %d", n, c.wantAccepts)
				}
			})
		})
	}
}

func TestSweepOfACrossRegionServiceAlsoAcceptsConnectionsFromOtherRegions(t *testing.T) {
	mk := func() *world {
		return newWorld(conn{id: "vpce-home", owner: "222222222222", state: "pendingAcceptance"},
			conn{id: "vpce-away", owner: "222222222222", state: "pendingAcceptance", region: "eu-central-1"})
	}
	eachBackend(t, mk, func(t *testing.T, a Acceptor, w *world) {
		a.CrossRegion = true
		got, err := a.Sweep(context.Background())
		if err != nil || got.Accepted != 2 || w.state("vpce-away") != "pending" || w.state("vpce-home") != "pending" {
			t.Fatalf("sweep = %+v, %v; away is %s, home is %s: want both accepted", got, err, w.state("vpce-away"), w.state("vpce-home"))
		}
	})
	// Without the cross-region listing, the other Region's connection would stay pending.
	eachBackend(t, mk, func(t *testing.T, a Acceptor, w *world) {
		if got, _ := a.Sweep(context.Background()); got.Accepted != 1 || w.state("vpce-away") != "pendingAcceptance" {
			t.Fatalf("same-region sweep = %+v, away is %s; the fake should hide cross-region connections from an unfiltered call", got, w.state("vpce-away"))
		}
	})
}

func TestAcceptOneDecidesOnlyOnTheEndpointItWasAskedAbout(t *testing.T) {
	// EC2 ignores the filters and lists a stranger's pending endpoint first: the friend's request
	// must accept the friend's endpoint only.
	mk := func() *world {
		w := newWorld(conn{id: "vpce-stranger", owner: "222222222222", state: "pendingAcceptance", service: svc},
			conn{id: "vpce-other-svc", owner: "222222222222", state: "pendingAcceptance", service: "vpce-svc-other"},
			conn{id: "vpce-friend", owner: "222222222222", state: "pendingAcceptance"})
		w.ignoreFilters = true
		return w
	}
	eachBackend(t, mk, func(t *testing.T, a Acceptor, w *world) {
		if _, err := a.AcceptOne(context.Background(), "vpce-friend", "222222222222"); err != nil {
			t.Fatal(err)
		}
		if w.state("vpce-friend") != "pending" || w.state("vpce-stranger") != "pendingAcceptance" || w.state("vpce-other-svc") != "pendingAcceptance" {
			t.Fatalf("friend %s, stranger %s, other service %s: want only the friend accepted", w.state("vpce-friend"), w.state("vpce-stranger"), w.state("vpce-other-svc"))
		}
	})
	// An endpoint of another service is refused even when the unfiltered answer contains it.
	eachBackend(t, mk, func(t *testing.T, a Acceptor, w *world) {
		_, err := a.AcceptOne(context.Background(), "vpce-other-svc", "222222222222")
		if err == nil || !strings.Contains(err.Error(), "has no connection to service "+svc) || w.state("vpce-other-svc") != "pendingAcceptance" {
			t.Fatalf("err = %v, state %s: want a refusal and no accept", err, w.state("vpce-other-svc"))
		}
	})
}

func TestAcceptOneWaitsForAConnectionThatIsNotVisibleYet(t *testing.T) {
	eachBackend(t, func() *world {
		w := newWorld(conn{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"})
		w.hiddenLooks = 2
		return w
	}, func(t *testing.T, a Acceptor, w *world) {
		a.NotFoundWait = 5 * time.Second
		state, err := a.AcceptOne(context.Background(), "vpce-a", "222222222222")
		if err != nil || state != "pending" || w.looks != 3 {
			t.Fatalf("state %q, err %v after %d looks; want accepted on the third look", state, err, w.looks)
		}
	})
	// It gives up within its bound, naming it.
	eachBackend(t, func() *world { return newWorld() }, func(t *testing.T, a Acceptor, w *world) {
		start := time.Now()
		_, err := a.AcceptOne(context.Background(), "vpce-late", "222222222222")
		if err == nil || !strings.Contains(err.Error(), "has no connection to service "+svc+" after 50ms") || time.Since(start) > 2*time.Second {
			t.Fatalf("err = %v after %s; want a refusal naming the 50ms bound", err, time.Since(start))
		}
	})
}

func TestSweepCallCountStaysConstantAsPendingGrows(t *testing.T) {
	for _, n := range []int{1, 250, 2500} {
		eachBackend(t, func() *world { return newWorld(pendingFrom("222222222222", n)...) }, func(t *testing.T, a Acceptor, w *world) {
			got, err := a.Sweep(context.Background())
			if err != nil || got.Accepted != n {
				t.Fatalf("sweep of %d: %+v, %v", n, got, err)
			}
			describes, accepts := w.calls["DescribeVpcEndpointConnections"], w.calls["AcceptVpcEndpointConnections"]
			wantPages := (n + 999) / 1000
			if describes != wantPages || accepts != wantPages {
				t.Fatalf("%d pending: %d describe + %d accept calls, want %d + %d", n, describes, accepts, wantPages, wantPages)
			}
			t.Logf("%d pending: %d EC2 calls", n, describes+accepts)
		})
	}
}

func TestAcceptOne(t *testing.T) {
	cases := []struct {
		name, endpoint, wantState, wantErr string
		caller                             string // default the endpoint's owner, 222222222222
		conns                              []conn
	}{
		{name: "accepts an allow-listed pending endpoint and reports it pending", endpoint: "vpce-a", wantState: "pending",
			conns: []conn{{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"}}},
		{name: "treats an already available endpoint as success", endpoint: "vpce-a", wantState: "available",
			conns: []conn{{id: "vpce-a", owner: "222222222222", state: "available"}}},
		{name: "refuses an endpoint whose real owner is not allow-listed", endpoint: "vpce-x", caller: "999999999999",
			conns:   []conn{{id: "vpce-x", owner: "999999999999", state: "pendingAcceptance"}},
			wantErr: "account 999999999999 (the owner of endpoint vpce-x) is not on the acceptor's allow-list"},
		{name: "refuses an allowed account's endpoint asked for by another account", endpoint: "vpce-a", caller: "333333333333",
			conns:   []conn{{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"}},
			wantErr: "endpoint vpce-a is not an endpoint of account 333333333333 connected to service " + svc + ": an account may only ask for its own endpoints"},
		{name: "refuses an endpoint of another service", endpoint: "vpce-o",
			conns:   []conn{{id: "vpce-o", owner: "222222222222", state: "pendingAcceptance", service: "vpce-svc-other"}},
			wantErr: "has no connection to service " + svc},
		{name: "refuses a rejected endpoint with the way out", endpoint: "vpce-r",
			conns:   []conn{{id: "vpce-r", owner: "222222222222", state: "rejected"}},
			wantErr: "is rejected on service " + svc + " and cannot be accepted: recreate the endpoint"},
		{name: "refuses something that is not an endpoint ID", endpoint: "vpce-svc-123", wantErr: `VpcEndpointId "vpce-svc-123" is not a VPC endpoint ID`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, func() *world { return newWorld(c.conns...) }, func(t *testing.T, a Acceptor, w *world) {
				caller := c.caller
				if caller == "" {
					caller = "222222222222"
				}
				state, err := a.AcceptOne(context.Background(), c.endpoint, caller)
				if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if c.wantErr == "" && !strings.EqualFold(state, c.wantState) {
					t.Fatalf("state = %q, want %q", state, c.wantState)
				}
				if c.wantErr != "" && w.calls["AcceptVpcEndpointConnections"] != 0 {
					t.Fatalf("a refused endpoint was accepted")
				}
			})
		})
	}
}

func TestFaultsThroughTheSDK(t *testing.T) {
	t.Parallel() // it waits on real timers
	cases := []struct {
		name    string
		faults  []ec2fake.Handler // answered first, in order, before the real answer
		forever bool              // keep failing
		wantErr string
	}{
		{name: "retries throttling until it succeeds", faults: []ec2fake.Handler{ec2fake.Throttled, ec2fake.Throttled}},
		{name: "retries a 500 until it succeeds", faults: []ec2fake.Handler{ec2fake.Unavailable}},
		{name: "gives up on persistent throttling and names the code", faults: []ec2fake.Handler{ec2fake.Throttled}, forever: true, wantErr: "RequestLimitExceeded"},
		{name: "retries an authorization error while a new role's policy propagates", faults: []ec2fake.Handler{ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation.")}},
		{name: "gives up on an authorization error after IAMWait and names the code", faults: []ec2fake.Handler{ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation.")}, forever: true, wantErr: "UnauthorizedOperation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(conn{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"})
			srv := serveEC2(t, w)
			seq := c.faults
			if !c.forever {
				seq = append(seq, srv.Handler("DescribeVpcEndpointConnections"))
			}
			srv.On("DescribeVpcEndpointConnections", ec2fake.Sequence(seq...))
			client := srv.Client()
			a := Acceptor{ServiceID: svc, Allowed: []string{"222222222222"}, Describe: client, Accept: client, Reject: client, Log: quietLog(), IAMWait: 100 * time.Millisecond}
			res, err := a.Sweep(context.Background())
			if c.wantErr == "" && (err != nil || res.Accepted != 1) {
				t.Fatalf("sweep = %+v, %v; want the connection accepted after retries", res, err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if c.forever && c.wantErr == "UnauthorizedOperation" && len(srv.Calls("DescribeVpcEndpointConnections")) < 2 {
				t.Fatalf("an authorization error was not retried (%d calls)", len(srv.Calls("DescribeVpcEndpointConnections")))
			}
		})
	}
}

func TestTwoAcceptsOfOneConnectionBothSucceed(t *testing.T) {
	// The Connect notification's sweep and the consumer's own request read the connection
	// pending, then both accept: EC2 accepts the first and reports the second unsuccessful
	// (the fake's rule: only a pendingAcceptance connection can be accepted). Neither fails.
	eachBackend(t, func() *world { return newWorld(conn{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"}) }, func(t *testing.T, a Acceptor, w *world) {
		raced := racingAccept{Acceptor: a, w: w}
		a.Accept = raced
		state, err := a.AcceptOne(context.Background(), "vpce-a", "222222222222")
		if err != nil || !strings.EqualFold(state, "pending") {
			t.Fatalf("AcceptOne after the sweep accepted first = %q, %v; want pending, no error", state, err)
		}
		w.conns[0].state = "pendingAcceptance"
		res, err := a.Sweep(context.Background())
		if err != nil || res.Accepted != 1 {
			t.Fatalf("Sweep after the request accepted first = %+v, %v; want no error", res, err)
		}
	})
}

// racingAccept accepts the connections itself (another caller's accept) just before passing the
// call on, so the call under test meets connections that are no longer pendingAcceptance.
type racingAccept struct {
	Acceptor
	w *world
}

func (r racingAccept) AcceptVpcEndpointConnections(ctx context.Context, in *ec2.AcceptVpcEndpointConnectionsInput, opts ...func(*ec2.Options)) (*ec2.AcceptVpcEndpointConnectionsOutput, error) {
	r.w.decide("AcceptVpcEndpointConnections", aws.ToString(in.ServiceId), in.VpcEndpointIds, "pending")
	return r.Acceptor.Accept.AcceptVpcEndpointConnections(ctx, in, opts...)
}
