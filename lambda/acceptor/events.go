package acceptor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/privatelink-go/privatelink/internal/spec/acceptance"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

// Resource types this function answers.
const (
	// SweepType is the provider stack's resource: accept everything pending and allow-listed.
	SweepType = "Custom::EndpointAcceptanceSweep"
	// RequestType is a consumer stack's cross-account resource naming one endpoint.
	RequestType = "Custom::EndpointAcceptance"
)

// event is one decoded invocation: a CloudFormation request, an SNS delivery, or a scheduled
// sweep (EventBridge).
type event struct {
	CFN      *cfn.Event
	SNS      *events.SNSEvent
	Schedule *events.EventBridgeEvent
	// Request is a consumer function's acceptance request (package acceptance).
	Request *acceptance.Request
	// KeepActive is the daily no-op invocation of a function in a VPC (handler.KeepActive).
	KeepActive bool
}

// decodeEvent tells the event sources apart by their shape and rejects anything else.
func decodeEvent(raw []byte) (event, error) {
	var probe struct {
		Records     []json.RawMessage
		RequestType string
		ResponseURL string
		Source      string
		DetailType  string          `json:"detail-type"`
		Request     json.RawMessage `json:"PrivateLinkAcceptanceRequest"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return event{}, fmt.Errorf("event is not a JSON object: %w", err)
	}
	switch {
	case handler.KeepActive(raw):
		return event{KeepActive: true}, nil
	case probe.Request != nil:
		var req acceptance.Request
		if err := json.Unmarshal(probe.Request, &req); err != nil {
			return event{}, fmt.Errorf("malformed acceptance request: %w", err)
		}
		return event{Request: &req}, nil
	case probe.RequestType != "":
		var ev cfn.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return event{}, fmt.Errorf("malformed CloudFormation event: %w", err)
		}
		switch ev.RequestType {
		case cfn.RequestCreate, cfn.RequestUpdate, cfn.RequestDelete:
		default:
			return event{}, fmt.Errorf("unknown CloudFormation RequestType %q", ev.RequestType)
		}
		return event{CFN: &ev}, nil
	case len(probe.Records) > 0:
		var ev events.SNSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return event{}, fmt.Errorf("malformed SNS event: %w", err)
		}
		for _, r := range ev.Records {
			if r.EventSource != "aws:sns" {
				return event{}, fmt.Errorf("record from %q, expected aws:sns", r.EventSource)
			}
		}
		return event{SNS: &ev}, nil
	case probe.Source == "aws.events" && probe.DetailType == "Scheduled Event":
		// What an EventBridge schedule rule delivers to its Lambda target (EventBridge User
		// Guide, "Creating a rule that runs on a schedule": source aws.events, detail-type
		// "Scheduled Event").
		var ev events.EventBridgeEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return event{}, fmt.Errorf("malformed scheduled event: %w", err)
		}
		return event{Schedule: &ev}, nil
	}
	return event{}, errors.New("unrecognised event: neither a CloudFormation custom resource request, an SNS notification, a scheduled event nor the keep-active input")
}

// Handler dispatches the three event sources to the acceptor.
type Handler struct {
	Acceptor  Acceptor
	Responder cfnresponse.Responder
	Log       *slog.Logger
	// Now stamps the metrics; default time.Now.
	Now func() time.Time
}

// Invoke is the Lambda entry point.
func (h Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	ev, err := decodeEvent(raw)
	if err != nil {
		h.Log.Error("refusing event", "error", err.Error())
		return nil, err
	}
	// The account that asks, when the function was invoked through a consumer account's alias
	// (package acceptance); "" when invoked unqualified, which only this account may do.
	var caller string
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		caller = acceptance.AccountOf(lc.InvokedFunctionArn)
	}
	switch {
	case ev.Request != nil:
		return h.request(ctx, ev.Request.VpcEndpointId, caller)
	case caller != "" && ev.CFN == nil:
		// Through a consumer's alias only requests: a notification or schedule there would let an
		// allowed account run sweeps (EC2 calls, concurrency) in the provider's account.
		h.Log.Warn("refusing event", "reason", "not an acceptance request, through a consumer account's alias", "caller", caller)
		return nil, fmt.Errorf("the acceptor's alias for account %s takes acceptance requests only (%s)", caller, acceptance.RequestKey)
	case ev.CFN != nil && caller != "":
		// A ServiceToken naming an alias: answered, but refused, since the consumer's own
		// function now sends the request (an event's StackId proves nothing about its sender).
		return nil, h.Responder.Handle(ctx, *ev.CFN, func(context.Context, cfn.Event) (string, map[string]any, error) {
			if ev.CFN.RequestType == cfn.RequestDelete {
				return ev.CFN.PhysicalResourceID, nil, nil
			}
			return "", nil, fmt.Errorf("the acceptor's alias for account %s takes acceptance requests from the consumer's own function (%s), not CloudFormation requests: update the consumer to this library's version, whose %s resource sends them", caller, acceptance.RequestKey, acceptance.ResourceType)
		})
	case ev.CFN != nil:
		return nil, h.Responder.Handle(ctx, *ev.CFN, h.custom)
	case ev.KeepActive:
		// Being invoked was the point (package handler): no sweep, no EC2 call.
		h.Log.Info("kept active")
		return nil, nil
	}
	// A notification only says "something changed"; its schema is undocumented, so it is a
	// trigger to re-read the state, never a source of endpoint IDs. A scheduled sweep re-reads
	// it too, and reports what is still pending.
	if ev.SNS != nil {
		for _, r := range ev.SNS.Records {
			h.Log.Info("notification", "messageId", r.SNS.MessageID, "topicArn", r.SNS.TopicArn)
		}
	} else {
		h.Log.Info("scheduled sweep", "rule", ev.Schedule.Resources)
	}
	res, err := h.sweep(ctx)
	return res, err // an error makes Lambda retry the asynchronous delivery
}

// sweep runs a sweep and reports it, in the log and as metrics.
func (h Handler) sweep(ctx context.Context) (SweepResult, error) {
	res, err := h.Acceptor.Sweep(ctx)
	h.Log.Info("sweep done", "serviceId", h.Acceptor.ServiceID, "accepted", res.Accepted, "rejected", res.Rejected, "leftPending", res.LeftPending, "error", errString(err))
	d := Decisions{Accepted: res.Accepted, Rejected: res.Rejected, LeftPending: res.LeftPending, Counted: res.Listed}
	if err != nil {
		d.Errors = 1
	}
	emitMetrics(h.Log, h.Acceptor.ServiceID, d, h.now())
	return res, err
}

func (h Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h Handler) custom(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	switch ev.ResourceType {
	case SweepType:
		id := h.Acceptor.ServiceID + "/sweep"
		if ev.RequestType == cfn.RequestDelete {
			return id, nil, nil // connections outlive the stack's sweep; nothing to undo
		}
		res, err := h.sweep(ctx)
		if err != nil {
			return id, nil, err
		}
		return id, map[string]any{"Accepted": res.Accepted, "Rejected": res.Rejected, "LeftPending": res.LeftPending}, nil
	case RequestType:
		// From a stack of this account (only this account may invoke the function unqualified):
		// its endpoint must be this account's too.
		endpointID, _ := ev.ResourceProperties["VpcEndpointId"].(string)
		if ev.RequestType == cfn.RequestDelete {
			// Never block the consumer's teardown; its endpoint's deletion ends the connection.
			return ev.PhysicalResourceID, nil, nil
		}
		answer, err := h.decide(ctx, endpointID, accountOfArn(ev.StackID))
		if err != nil {
			return endpointID, nil, err
		}
		return endpointID, map[string]any{"State": answer.State, "ServiceId": answer.ServiceId}, nil
	}
	if ev.RequestType == cfn.RequestDelete {
		return ev.PhysicalResourceID, nil, nil
	}
	return "", nil, fmt.Errorf("unknown ResourceType %q: use %s or %s", ev.ResourceType, SweepType, RequestType)
}

// request answers a consumer function's acceptance request, invoked through the alias of the
// account caller. The error, Lambda's function error, is the consumer's to report.
func (h Handler) request(ctx context.Context, endpointID, caller string) (*acceptance.Answer, error) {
	if caller == "" {
		err := fmt.Errorf("acceptance request for %s refused: it must come through the acceptor's alias of the calling account (%s<account>), which tells whose request it is", endpointID, acceptance.AliasPrefix)
		h.Log.Warn("decision", "decision", "refuse", "reason", "not invoked through a consumer account's alias", "vpcEndpointId", endpointID)
		return nil, err
	}
	answer, err := h.decide(ctx, endpointID, caller)
	switch {
	case errors.Is(err, errNotAllowed):
		answer.Refused = err.Error()
	case errors.Is(err, errNotVisible):
		answer.NotVisible = true
	case err != nil:
		return nil, err // a failure to decide: the function's error, and its alarm
	}
	return &answer, nil
}

// decide accepts endpointID for the account caller and publishes the decision's metrics. A
// refused request (errNotAllowed) leaves its connection pending: the next sweep counts it. Only
// a failure to decide counts as an error.
func (h Handler) decide(ctx context.Context, endpointID, caller string) (acceptance.Answer, error) {
	state, err := h.Acceptor.AcceptOne(ctx, endpointID, caller)
	var d Decisions
	switch {
	case errors.Is(err, errNotAllowed), errors.Is(err, errNotVisible):
	case err != nil:
		d.Errors = 1
	case state == "pending":
		d.Accepted = 1
	}
	emitMetrics(h.Log, h.Acceptor.ServiceID, d, h.now())
	return acceptance.Answer{State: state, ServiceId: h.Acceptor.ServiceID}, err
}

// accountOfArn is the account field of an ARN (a CloudFormation StackId), or "".
func accountOfArn(arn string) string {
	if parts := strings.Split(arn, ":"); len(parts) >= 6 {
		return parts[4]
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
