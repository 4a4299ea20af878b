package acceptor

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
)

const svc = "vpce-svc-0123456789abcdef0"

// conn is one connection; region is the endpoint's Region, "" for the service's own.
type conn struct{ id, owner, state, service, region string }

// world is the endpoint service as EC2 sees it. The same state backs an in-memory fake of the
// small interfaces and a wire-level fake for the real SDK client.
type world struct {
	mu    sync.Mutex
	conns []conn
	// ignoreFilters answers DescribeVpcEndpointConnections with every connection, as if EC2
	// dropped the filters: the handler must still decide only on the endpoint it was asked about.
	ignoreFilters bool
	// hiddenLooks is how many describes a connection stays invisible for (a consumer's request
	// can arrive before the provider's EC2 lists the new connection).
	hiddenLooks int
	looks       int               // filter evaluations: one per describe request
	acceptFails map[string]string // endpoint ID -> error code returned as an Unsuccessful item
	calls       map[string]int
	pages       map[string]bool
	// decided counts the decisions that changed each connection's state: a second accept of one
	// connection is no decision (the rule below), so more than one is a double decision.
	decided map[string]int
}

func newWorld(conns ...conn) *world {
	conns = slices.Clone(conns)
	for i := range conns {
		if conns[i].service == "" {
			conns[i].service = svc
		}
	}
	return &world{conns: conns, acceptFails: map[string]string{}, calls: map[string]int{}, decided: map[string]int{}}
}

func pendingFrom(owner string, n int) []conn {
	out := make([]conn, n)
	for i := range out {
		out[i] = conn{id: fmt.Sprintf("vpce-%017x", i+1), owner: owner, state: "pendingAcceptance"}
	}
	return out
}

func (w *world) state(id string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.conns {
		if c.id == id {
			return c.state
		}
	}
	return ""
}

func (w *world) filter(filters map[string][]string) []conn {
	w.looks++
	if w.hiddenLooks > 0 {
		w.hiddenLooks--
		return nil
	}
	if w.ignoreFilters {
		return slices.Clone(w.conns)
	}
	var out []conn
	for _, c := range w.conns {
		// The EC2 API reference documents "vpc-endpoint-region - The Region of the endpoint or
		// cross-region to find endpoints for other Regions", and not whether an unfiltered call
		// lists cross-region connections: the fake takes the stricter reading (it does not).
		ok := c.region == "" || filters["vpc-endpoint-region"] != nil
		for name, vals := range filters {
			var v string
			switch name {
			case "service-id":
				v = c.service
			case "vpc-endpoint-state":
				v = c.state
			case "vpc-endpoint-id":
				v = c.id
			case "vpc-endpoint-owner":
				v = c.owner
			case "vpc-endpoint-region":
				v = c.region
				if v != "" && slices.Contains(vals, "cross-region") {
					continue
				}
			}
			ok = ok && slices.Contains(vals, v)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// page returns one page of matches, EC2-style: an opaque token is the next offset.
func (w *world) page(filters map[string][]string, max int, token string) ([]conn, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// Count pages, not HTTP attempts: a transport-level retry by the SDK under CPU load must not
	// make the call-count test flaky (retries are asserted separately in TestFaultsThroughTheSDK).
	if w.pages == nil {
		w.pages = map[string]bool{}
	}
	if !w.pages[token] {
		w.pages[token] = true
		w.calls["DescribeVpcEndpointConnections"]++
	}
	all := w.filter(filters)
	start, _ := strconv.Atoi(token)
	if max <= 0 || max > 1000 {
		max = 1000
	}
	end := min(start+max, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next
}

// decide moves pendingAcceptance connections to `to`, returning the unsuccessful IDs and codes.
func (w *world) decide(action, service string, ids []string, to string) [][2]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls[action]++
	var bad [][2]string
	for _, id := range ids {
		if code, ok := w.acceptFails[id]; ok {
			bad = append(bad, [2]string{id, code})
			continue
		}
		found := false
		for i := range w.conns {
			// Only a pendingAcceptance connection can be accepted or rejected; any other is
			// reported in Unsuccessful (EC2 API Reference, AcceptVpcEndpointConnections:
			// "Unsuccessful — Information about the interface endpoints that were not accepted").
			if w.conns[i].id == id && w.conns[i].service == service && w.conns[i].state == "pendingAcceptance" {
				w.conns[i].state, found = to, true
				w.decided[id]++
			}
		}
		if !found {
			bad = append(bad, [2]string{id, "InvalidVpcEndpointState"})
		}
	}
	return bad
}

// memory implements the acceptor's interfaces directly.
type memory struct{ w *world }

func filtersOf(fs []types.Filter) map[string][]string {
	m := map[string][]string{}
	for _, f := range fs {
		m[aws.ToString(f.Name)] = f.Values
	}
	return m
}

func (m memory) DescribeVpcEndpointConnections(_ context.Context, in *ec2.DescribeVpcEndpointConnectionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointConnectionsOutput, error) {
	cs, next := m.w.page(filtersOf(in.Filters), int(aws.ToInt32(in.MaxResults)), aws.ToString(in.NextToken))
	out := &ec2.DescribeVpcEndpointConnectionsOutput{}
	for _, c := range cs {
		// The API sends lower camel case; keep it so the case-insensitive compare is exercised.
		out.VpcEndpointConnections = append(out.VpcEndpointConnections, types.VpcEndpointConnection{
			ServiceId: aws.String(c.service), VpcEndpointId: aws.String(c.id), VpcEndpointOwner: aws.String(c.owner), VpcEndpointState: types.State(c.state),
		})
	}
	if next != "" {
		out.NextToken = aws.String(next)
	}
	return out, nil
}

func unsuccessfulItems(bad [][2]string) []types.UnsuccessfulItem {
	var out []types.UnsuccessfulItem
	for _, b := range bad {
		out = append(out, types.UnsuccessfulItem{ResourceId: aws.String(b[0]), Error: &types.UnsuccessfulItemError{Code: aws.String(b[1]), Message: aws.String("The VPC endpoint is not in a state that can be accepted.")}})
	}
	return out
}

func (m memory) AcceptVpcEndpointConnections(_ context.Context, in *ec2.AcceptVpcEndpointConnectionsInput, _ ...func(*ec2.Options)) (*ec2.AcceptVpcEndpointConnectionsOutput, error) {
	return &ec2.AcceptVpcEndpointConnectionsOutput{Unsuccessful: unsuccessfulItems(m.w.decide("AcceptVpcEndpointConnections", aws.ToString(in.ServiceId), in.VpcEndpointIds, "pending"))}, nil
}

func (m memory) RejectVpcEndpointConnections(_ context.Context, in *ec2.RejectVpcEndpointConnectionsInput, _ ...func(*ec2.Options)) (*ec2.RejectVpcEndpointConnectionsOutput, error) {
	return &ec2.RejectVpcEndpointConnectionsOutput{Unsuccessful: unsuccessfulItems(m.w.decide("RejectVpcEndpointConnections", aws.ToString(in.ServiceId), in.VpcEndpointIds, "rejected"))}, nil
}

// serveEC2 makes the wire-level fake answer from w, with the XML EC2 sends.
func serveEC2(t testing.TB, w *world) *ec2fake.Server {
	s := ec2fake.New(t)
	s.On("DescribeVpcEndpointConnections", func(f url.Values) (int, string) {
		filters := map[string][]string{}
		for i := 1; f.Get(fmt.Sprintf("Filter.%d.Name", i)) != ""; i++ {
			for j := 1; f.Get(fmt.Sprintf("Filter.%d.Value.%d", i, j)) != ""; j++ {
				filters[f.Get(fmt.Sprintf("Filter.%d.Name", i))] = append(filters[f.Get(fmt.Sprintf("Filter.%d.Name", i))], f.Get(fmt.Sprintf("Filter.%d.Value.%d", i, j)))
			}
		}
		max, _ := strconv.Atoi(f.Get("MaxResults"))
		cs, next := w.page(filters, max, f.Get("NextToken"))
		var b strings.Builder
		b.WriteString("<vpcEndpointConnectionSet>")
		for _, c := range cs {
			fmt.Fprintf(&b, `<item><serviceId>%s</serviceId><vpcEndpointId>%s</vpcEndpointId><vpcEndpointOwner>%s</vpcEndpointOwner><vpcEndpointState>%s</vpcEndpointState><creationTimestamp>2026-11-21T08:00:00.000Z</creationTimestamp><ipAddressType>dualstack</ipAddressType></item>`, c.service, c.id, c.owner, c.state)
		}
		b.WriteString("</vpcEndpointConnectionSet>")
		if next != "" {
			fmt.Fprintf(&b, "<nextToken>%s</nextToken>", next)
		}
		return ec2fake.OK("DescribeVpcEndpointConnections", b.String())
	})
	decide := func(action, to string) ec2fake.Handler {
		return func(f url.Values) (int, string) {
			var ids []string
			for i := 1; f.Get(fmt.Sprintf("VpcEndpointId.%d", i)) != ""; i++ {
				ids = append(ids, f.Get(fmt.Sprintf("VpcEndpointId.%d", i)))
			}
			bad := w.decide(action, f.Get("ServiceId"), ids, to)
			var b strings.Builder
			b.WriteString("<unsuccessful>")
			for _, x := range bad {
				fmt.Fprintf(&b, "<item><error><code>%s</code><message>The VPC endpoint is not in a state that can be accepted.</message></error><resourceId>%s</resourceId></item>", x[1], x[0])
			}
			b.WriteString("</unsuccessful>")
			return ec2fake.OK(action, b.String())
		}
	}
	s.On("AcceptVpcEndpointConnections", decide("AcceptVpcEndpointConnections", "pending"))
	s.On("RejectVpcEndpointConnections", decide("RejectVpcEndpointConnections", "rejected"))
	return s
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// eachBackend runs fn against a fresh world through the small interfaces and through the real
// SDK client on the wire-level fake.
func eachBackend(t *testing.T, mk func() *world, fn func(t *testing.T, a Acceptor, w *world)) {
	t.Run("interfaces", func(t *testing.T) {
		w := mk()
		m := memory{w}
		fn(t, Acceptor{ServiceID: svc, Allowed: []string{"222222222222"}, Describe: m, Accept: m, Reject: m, Log: quietLog(), NotFoundWait: 50 * time.Millisecond, NotFoundPoll: 10 * time.Millisecond}, w)
	})
	t.Run("sdk-wire", func(t *testing.T) {
		w := mk()
		c := serveEC2(t, w).Client()
		fn(t, Acceptor{ServiceID: svc, Allowed: []string{"222222222222"}, Describe: c, Accept: c, Reject: c, Log: quietLog(), NotFoundWait: 50 * time.Millisecond, NotFoundPoll: 10 * time.Millisecond}, w)
	})
}
