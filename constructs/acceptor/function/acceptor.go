package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The three EC2 calls the acceptor makes, one interface each so tests can fake any of them.
type describeAPI interface {
	DescribeVpcEndpointConnections(context.Context, *ec2.DescribeVpcEndpointConnectionsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointConnectionsOutput, error)
}
type acceptAPI interface {
	AcceptVpcEndpointConnections(context.Context, *ec2.AcceptVpcEndpointConnectionsInput, ...func(*ec2.Options)) (*ec2.AcceptVpcEndpointConnectionsOutput, error)
}
type rejectAPI interface {
	RejectVpcEndpointConnections(context.Context, *ec2.RejectVpcEndpointConnectionsInput, ...func(*ec2.Options)) (*ec2.RejectVpcEndpointConnectionsOutput, error)
}

// Policy for pending connections whose owner is not allow-listed.
type Policy string

const (
	// Leave them pending: a human may still accept them, and nothing is lost by waiting.
	LeavePending Policy = "leave-pending"
	// Reject them: the consumer sees "rejected" at once instead of waiting.
	Reject Policy = "reject"
)

// batchSize bounds the endpoint IDs per Accept/Reject call; one call per batch.
const batchSize = 1000

// Acceptor accepts pendingAcceptance connections of one endpoint service whose owner is
// allow-listed. Its configuration comes from the function's environment, never from an event.
type Acceptor struct {
	ServiceID  string
	Allowed    []string
	NotAllowed Policy
	Describe   describeAPI
	Accept     acceptAPI
	Reject     rejectAPI
	Log        *slog.Logger
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Accepted, Rejected, LeftPending int
}

// same compares API state strings ("pendingAcceptance") with SDK enum constants
// ("PendingAcceptance") the way EC2 means them: case-insensitively.
func same(a types.State, b types.State) bool { return strings.EqualFold(string(a), string(b)) }

func (a Acceptor) allowed(owner string) bool { return slices.Contains(a.Allowed, owner) }

// Sweep accepts every pending, allow-listed connection of the service.
func (a Acceptor) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	pending, err := a.connections(ctx, []types.Filter{
		{Name: aws.String("service-id"), Values: []string{a.ServiceID}},
		{Name: aws.String("vpc-endpoint-state"), Values: []string{"pendingAcceptance"}},
	})
	if err != nil {
		return res, err
	}
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
	errAccept := a.accept(ctx, accept)
	errReject := a.reject(ctx, reject)
	res.Accepted, res.Rejected = len(accept), len(reject)
	return res, errors.Join(errAccept, errReject)
}

// AcceptOne handles a consumer's request for one endpoint. The endpoint ID comes from an
// untrusted payload, so the service it targets and its real owner are read from EC2.
// It returns the connection's state after the decision.
func (a Acceptor) AcceptOne(ctx context.Context, endpointID string) (string, error) {
	if !strings.HasPrefix(endpointID, "vpce-") || strings.HasPrefix(endpointID, "vpce-svc-") {
		return "", fmt.Errorf("VpcEndpointId %q is not a VPC endpoint ID (vpce-…)", endpointID)
	}
	conns, err := a.connections(ctx, []types.Filter{
		{Name: aws.String("service-id"), Values: []string{a.ServiceID}},
		{Name: aws.String("vpc-endpoint-id"), Values: []string{endpointID}},
	})
	if err != nil {
		return "", err
	}
	if len(conns) == 0 {
		a.Log.Warn("decision", "decision", "refuse", "reason", "no connection to this service", "serviceId", a.ServiceID, "vpcEndpointId", endpointID)
		return "", fmt.Errorf("endpoint %s has no connection to service %s: check the consumer's ServiceName and that its account is an allowed principal", endpointID, a.ServiceID)
	}
	c := conns[0]
	owner, state := aws.ToString(c.VpcEndpointOwner), c.VpcEndpointState
	log := a.Log.With("serviceId", a.ServiceID, "vpcEndpointId", endpointID, "owner", owner, "state", string(state))
	if !a.allowed(owner) {
		log.Warn("decision", "decision", "refuse", "reason", "owner not allow-listed")
		return string(state), fmt.Errorf("endpoint %s belongs to account %s, which is not on the acceptor's allow-list of service %s", endpointID, owner, a.ServiceID)
	}
	switch {
	case same(state, types.StatePendingAcceptance):
		log.Info("decision", "decision", "accept")
		if err := a.accept(ctx, []string{endpointID}); err != nil {
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

func (a Acceptor) connections(ctx context.Context, filters []types.Filter) ([]types.VpcEndpointConnection, error) {
	var out []types.VpcEndpointConnection
	p := ec2.NewDescribeVpcEndpointConnectionsPaginator(a.Describe, &ec2.DescribeVpcEndpointConnectionsInput{
		Filters: filters, MaxResults: aws.Int32(1000),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe connections of %s: %w", a.ServiceID, err)
		}
		out = append(out, page.VpcEndpointConnections...)
	}
	return out, nil
}

func (a Acceptor) accept(ctx context.Context, ids []string) error {
	return a.decide("accept", ids, func(b []string) ([]types.UnsuccessfulItem, error) {
		out, err := a.Accept.AcceptVpcEndpointConnections(ctx, &ec2.AcceptVpcEndpointConnectionsInput{ServiceId: aws.String(a.ServiceID), VpcEndpointIds: b})
		if err != nil {
			return nil, err
		}
		return out.Unsuccessful, nil
	})
}

func (a Acceptor) reject(ctx context.Context, ids []string) error {
	return a.decide("reject", ids, func(b []string) ([]types.UnsuccessfulItem, error) {
		out, err := a.Reject.RejectVpcEndpointConnections(ctx, &ec2.RejectVpcEndpointConnectionsInput{ServiceId: aws.String(a.ServiceID), VpcEndpointIds: b})
		if err != nil {
			return nil, err
		}
		return out.Unsuccessful, nil
	})
}

// decide sends ids in batches of batchSize, one call per batch, and collects call errors and
// Unsuccessful items alike.
func (a Acceptor) decide(verb string, ids []string, call func([]string) ([]types.UnsuccessfulItem, error)) error {
	var errs []error
	for b := range slices.Chunk(ids, batchSize) {
		items, err := call(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s on %s: %w", verb, strings.Join(b, ","), a.ServiceID, err))
			continue
		}
		errs = append(errs, unsuccessful(verb, a.ServiceID, items, a.Log))
	}
	return errors.Join(errs...)
}

// unsuccessful turns the Unsuccessful items of a 200 answer into an error: EC2 reports per-item
// failures there instead of failing the call.
func unsuccessful(verb, serviceID string, items []types.UnsuccessfulItem, log *slog.Logger) error {
	var errs []error
	for _, it := range items {
		code, msg := "Unknown", ""
		if it.Error != nil {
			code, msg = aws.ToString(it.Error.Code), aws.ToString(it.Error.Message)
		}
		log.Error("unsuccessful item", "action", verb, "serviceId", serviceID, "vpcEndpointId", aws.ToString(it.ResourceId), "code", code, "message", msg)
		errs = append(errs, fmt.Errorf("%s %s on %s failed: %s: %s", verb, aws.ToString(it.ResourceId), serviceID, code, msg))
	}
	return errors.Join(errs...)
}
