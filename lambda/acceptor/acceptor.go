package acceptor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
	"github.com/privatelink-go/privatelink/lambda/connections"
)

// Policy for pending connections whose owner is not allow-listed.
type Policy string

const (
	// Leave them pending: a human may still accept them, and nothing is lost by waiting.
	LeavePending Policy = "leave-pending"
	// Reject them: the consumer sees "rejected" at once instead of waiting.
	Reject Policy = "reject"
)

// Acceptor accepts pendingAcceptance connections of one endpoint service whose owner is
// allow-listed. Its configuration comes from the function's environment, never from an event.
type Acceptor struct {
	ServiceID string
	// CrossRegion: the service has SupportedRegions, so connections from other Regions are
	// listed too (vpc-endpoint-region=cross-region).
	CrossRegion bool
	Allowed     []string
	NotAllowed  Policy
	Describe    connections.DescribeAPI
	Accept      connections.AcceptAPI
	Reject      connections.RejectAPI
	Log         *slog.Logger
	// NotFoundWait bounds how long AcceptOne waits for a connection the provider cannot see
	// yet (a consumer's request can arrive before EC2 lists its connection), and NotFoundPoll
	// is the wait between looks. Defaults: 30 s (well inside the function's 1-minute timeout)
	// and 3 s.
	NotFoundWait, NotFoundPoll time.Duration
	// IAMWait bounds the retries of an authorization error on the first read of an invocation,
	// while a role just created or changed is not yet in force everywhere (as the enabler and
	// the verifier do, cfnresponse.RetryAuth). Default: 20 s, inside the function's 1-minute
	// timeout with NotFoundWait.
	IAMWait time.Duration
}

// list is connections.List; first (an invocation's first read) retries an authorization error
// for up to IAMWait. Only the first: the retries of later reads would add up past the
// function's timeout, and a role whose first read worked is in force.
func (a Acceptor) list(ctx context.Context, first bool, filters ...types.Filter) ([]types.VpcEndpointConnection, error) {
	if !first {
		return connections.List(ctx, a.Describe, a.ServiceID, a.CrossRegion, filters...)
	}
	var out []types.VpcEndpointConnection
	err := cfnresponse.RetryAuth(ctx, a.Log, orDefault(a.IAMWait, 20*time.Second), func() (err error) {
		out, err = connections.List(ctx, a.Describe, a.ServiceID, a.CrossRegion, filters...)
		return err
	})
	return out, err
}

// SweepResult counts what a sweep did. Listed says the pending connections were listed, so
// LeftPending is a true count (a sweep whose Describe failed knows nothing of them).
type SweepResult struct {
	Accepted, Rejected, LeftPending int
	Listed                          bool `json:"-"`
}

var same = connections.Same

// errNotAllowed marks a request refused: the endpoint is not the caller's, or the caller is not
// allow-listed. errNotVisible marks one whose connection EC2 did not list in time.
var (
	errNotAllowed = errors.New("refused")
	errNotVisible = errors.New("not visible")
)

func (a Acceptor) allowed(owner string) bool { return slices.Contains(a.Allowed, owner) }

// Sweep accepts every pending, allow-listed connection of the service.
func (a Acceptor) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	pending, err := a.list(ctx, true, types.Filter{Name: aws.String("vpc-endpoint-state"), Values: []string{"pendingAcceptance"}})
	if err != nil {
		return res, err
	}
	res.Listed = true
	var accept, reject []string
	for _, c := range pending {
		id, owner := aws.ToString(c.VpcEndpointId), aws.ToString(c.VpcEndpointOwner)
		if !same(c.VpcEndpointState, types.StatePendingAcceptance) {
			continue // the filter should have dropped it; never touch a non-pending connection
		}
		switch {
		case a.allowed(owner):
			a.Log.Info("decision", "decision", "accept", "serviceId", a.ServiceID, "vpcEndpointId", id, "owner", owner)
			accept = append(accept, id)
		case a.NotAllowed == Reject:
			a.Log.Warn("decision", "decision", "reject", "reason", "owner not allow-listed", "serviceId", a.ServiceID, "vpcEndpointId", id, "owner", owner)
			reject = append(reject, id)
		default:
			a.Log.Warn("decision", "decision", "leave-pending", "reason", "owner not allow-listed", "serviceId", a.ServiceID, "vpcEndpointId", id, "owner", owner)
			res.LeftPending++
		}
	}
	errAccept := connections.Accept(ctx, a.Accept, a.ServiceID, accept, a.Log)
	if errAccept != nil && a.acceptedMeanwhile(ctx, accept) {
		// A consumer's own request (or another sweep) accepted them first: nothing failed.
		errAccept = nil
	}
	errReject := connections.Reject(ctx, a.Reject, a.ServiceID, reject, a.Log)
	res.Accepted, res.Rejected = len(accept), len(reject)
	return res, errors.Join(errAccept, errReject)
}

// AcceptOne handles a consumer's request for one endpoint of the account caller. The endpoint
// ID comes from an untrusted payload, so the service it targets and its real owner are read from
// EC2, and an endpoint of another account than caller is refused: an allowed account may not
// have another account's endpoint accepted. It returns the connection's state after the
// decision.
func (a Acceptor) AcceptOne(ctx context.Context, endpointID, caller string) (string, error) {
	if !strings.HasPrefix(endpointID, "vpce-") || strings.HasPrefix(endpointID, "vpce-svc-") {
		return "", fmt.Errorf("VpcEndpointId %q is not a VPC endpoint ID (vpce-…)", endpointID)
	}
	c, err := a.find(ctx, endpointID)
	if err != nil {
		return "", err
	}
	if c == nil {
		a.Log.Warn("decision", "decision", "refuse", "reason", "no connection to this service", "serviceId", a.ServiceID, "vpcEndpointId", endpointID)
		return "", fmt.Errorf("%w: endpoint %s has no connection to service %s after %s: check the consumer's ServiceName and that its account is an allowed principal", errNotVisible, endpointID, a.ServiceID, orDefault(a.NotFoundWait, 30*time.Second))
	}
	owner, state := aws.ToString(c.VpcEndpointOwner), c.VpcEndpointState
	log := a.Log.With("serviceId", a.ServiceID, "vpcEndpointId", endpointID, "owner", owner, "state", string(state))
	// The caller learns nothing of another account's endpoint (not even its owner: the log has
	// it), and only then whether it is allow-listed itself.
	if owner != caller {
		log.Warn("decision", "decision", "refuse", "reason", "endpoint of another account than the caller's", "caller", caller)
		return "", fmt.Errorf("%w: endpoint %s is not an endpoint of account %s connected to service %s: an account may only ask for its own endpoints", errNotAllowed, endpointID, caller, a.ServiceID)
	}
	if !a.allowed(owner) {
		log.Warn("decision", "decision", "refuse", "reason", "owner not allow-listed")
		return string(state), fmt.Errorf("%w: account %s (the owner of endpoint %s) is not on the acceptor's allow-list of service %s", errNotAllowed, owner, endpointID, a.ServiceID)
	}
	switch {
	case same(state, types.StatePendingAcceptance):
		log.Info("decision", "decision", "accept")
		if err := connections.Accept(ctx, a.Accept, a.ServiceID, []string{endpointID}, a.Log); err != nil {
			// The Connect notification's sweep may have accepted it between our read and our
			// accept: EC2 then reports this accept unsuccessful. Read it again before failing.
			if now, ok := a.stateNow(ctx, endpointID); ok && (same(now, types.StatePending) || same(now, types.StateAvailable)) {
				log.Info("decision", "decision", "already-accepted", "reason", "accepted meanwhile", "now", string(now))
				return string(now), nil
			}
			return string(state), err
		}
		return "pending", nil
	case same(state, types.StateAvailable), same(state, types.StatePending):
		log.Info("decision", "decision", "already-accepted")
		return string(state), nil
	default:
		log.Warn("decision", "decision", "refuse", "reason", "connection cannot be accepted in this state")
		return string(state), fmt.Errorf("endpoint %s is %s on service %s and cannot be accepted: recreate the endpoint", endpointID, state, a.ServiceID)
	}
}

// stateNow reads the connection of endpointID to the service once.
func (a Acceptor) stateNow(ctx context.Context, endpointID string) (types.State, bool) {
	conns, err := a.list(ctx, false, types.Filter{Name: aws.String("vpc-endpoint-id"), Values: []string{endpointID}})
	if err != nil {
		return "", false
	}
	for _, c := range conns {
		if aws.ToString(c.VpcEndpointId) == endpointID {
			return c.VpcEndpointState, true
		}
	}
	return "", false
}

// acceptedMeanwhile reports whether every one of ids, whose accept failed in part, is accepted
// now (pending or available): another decision came first, and nothing is left to do.
func (a Acceptor) acceptedMeanwhile(ctx context.Context, ids []string) bool {
	conns, err := a.list(ctx, false)
	if err != nil {
		return false
	}
	for _, id := range ids {
		i := slices.IndexFunc(conns, func(c types.VpcEndpointConnection) bool { return aws.ToString(c.VpcEndpointId) == id })
		if i < 0 || !(same(conns[i].VpcEndpointState, types.StatePending) || same(conns[i].VpcEndpointState, types.StateAvailable)) {
			return false
		}
	}
	a.Log.Info("the accepts that failed were of connections accepted meanwhile", "serviceId", a.ServiceID, "count", len(ids))
	return true
}

// find returns the connection of endpointID to the service, looking again for a bounded time
// while EC2 does not list it yet; nil when it never appears. The decision is only ever made on
// a connection whose endpoint and service IDs match, whatever the filters returned.
func (a Acceptor) find(ctx context.Context, endpointID string) (*types.VpcEndpointConnection, error) {
	deadline := time.Now().Add(orDefault(a.NotFoundWait, 30*time.Second))
	for first := true; ; first = false {
		conns, err := a.list(ctx, first, types.Filter{Name: aws.String("vpc-endpoint-id"), Values: []string{endpointID}})
		if err != nil {
			return nil, err
		}
		for _, c := range conns {
			if aws.ToString(c.VpcEndpointId) == endpointID {
				return &c, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, nil
		}
		a.Log.Info("connection not visible yet", "serviceId", a.ServiceID, "vpcEndpointId", endpointID)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(orDefault(a.NotFoundPoll, 3*time.Second)):
		}
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
