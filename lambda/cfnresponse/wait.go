package cfnresponse

// Waits longer than one Lambda invocation.
//
// A custom resource whose type is in Responder.Waiting is not worked on in the invocation
// CloudFormation makes. That invocation only starts an execution of a Step Functions Standard
// workflow written for it (waitspec.StateMachineDefinition), named after the request. The execution
// invokes the function with {"Work": …} again and again, each time for at most one invocation's
// time (the handler's context ends early and it returns Pending), until the handler is done or
// its wait deadline has passed; then it invokes it once with {"Answer": …}, which sends the one
// answer to CloudFormation.
//
// Why this shape (AWS Step Functions Developer Guide, "Choosing workflow type"): Standard
// workflows run each state exactly once unless the definition retries it, so there is one Answer;
// StartExecution with a name already used never starts a second execution (API reference,
// StartExecution: ExecutionAlreadyExists), so a duplicated delivery of CloudFormation's event
// (Lambda asynchronous invocation is at least once) cannot start a second wait.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/privatelink-go/privatelink/internal/spec/waitspec"
)

// StepsAPI is what the function calls on its state machine.
type StepsAPI interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	ListExecutions(context.Context, *sfn.ListExecutionsInput, ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
	StopExecution(context.Context, *sfn.StopExecutionInput, ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error)
}

// finalGrace is the least time an invocation gets even when the wait's deadline has passed
// (after retries), so that the FAILED answer carries the state it last saw.
const finalGrace = 15 * time.Second

// Wait is a waiting handler's state, carried from one invocation to the next in the execution.
type Wait struct {
	// Started is when CloudFormation's invocation started the wait.
	Started time.Time `json:"Started"`
	// Deadline is when the handler stops waiting (set by WaitDeadline).
	Deadline time.Time `json:"Deadline,omitzero"`
	// Invocations of the handler so far, this one included.
	Invocations int `json:"Invocations"`
	// Memo is the handler's own state.
	Memo map[string]string `json:"Memo,omitempty"`
}

type waitKey struct{}

// WaitOf returns the wait ctx belongs to, or nil outside a waiting resource's execution.
func WaitOf(ctx context.Context) *Wait {
	w, _ := ctx.Value(waitKey{}).(*Wait)
	return w
}

// WaitDeadline bounds ctx by the wait's deadline: timeout after the wait started (after now,
// outside an execution). The context of one invocation may end earlier; the handler then returns
// Pending and the next invocation goes on.
func WaitDeadline(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	w := WaitOf(ctx)
	if w == nil {
		return context.WithTimeout(ctx, timeout)
	}
	w.Deadline = w.Started.Add(timeout)
	d := w.Deadline
	if least := time.Now().Add(finalGrace); d.Before(least) {
		d = least
	}
	return context.WithDeadline(ctx, d)
}

// Memo returns the wait's state for the handler to read and write; nil outside an execution
// (reads of a nil map return "", which handlers treat as "not yet").
func Memo(ctx context.Context) map[string]string {
	w := WaitOf(ctx)
	if w == nil {
		return nil
	}
	if w.Memo == nil {
		w.Memo = map[string]string{}
	}
	return w.Memo
}

// PollEnv is the environment variable that sets how often a waiting handler looks at a private DNS
// name's verification state (the provider's verifier, the consumer's preflight), as a Go duration
// of at least MinPoll. The constructs leave it unset; the deploy rehearsal, whose fake AWS verifies
// at once, sets it so as not to wait.
const PollEnv = "VERIFY_POLL_INTERVAL"

// MinPoll bounds PollEnv: each look is a Describe call, for up to the 55 minutes of a wait.
const MinPoll = time.Second

// PollInterval reads PollEnv's value s: 0 (the handler's default, def) when unset, or with an
// error saying why when it is not a duration of at least MinPoll.
func PollInterval(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < MinPoll {
		return 0, fmt.Errorf("%s is %q, which is not a Go duration of at least %s: polling every %s instead; unset it or give one such as %[4]s", PollEnv, s, MinPoll, def)
	}
	return d, nil
}

// Pending marks err as "still waiting when time ran out". Within a wait that has time left, the
// next invocation goes on; at the deadline, err is the FAILED answer.
func Pending(err error) error { return &pendingError{err} }

type pendingError struct{ err error }

func (p *pendingError) Error() string { return p.err.Error() }
func (p *pendingError) Unwrap() error { return p.err }

// IsPending tells whether err ends a wait that ran out of time.
func IsPending(err error) bool {
	var p *pendingError
	return errors.As(err, &p)
}

// Continuation is the state machine's input and the document passed between its states.
type Continuation struct {
	Event cfn.Event `json:"Event"`
	Wait  Wait      `json:"Wait"`
	// Done is false while the wait goes on (the state machine's Choice reads it).
	Done   bool    `json:"Done"`
	Result *Result `json:"Result,omitempty"`
	// Error is set by the state machine's Catch when the work failed outside the handler
	// (crash, timeout, invocation refused) more often than its Retry allows.
	Error *StatesError `json:"Error,omitempty"`
}

// Result is the answer a finished wait sends.
type Result struct {
	Status             cfn.StatusType `json:"Status"`
	Reason             string         `json:"Reason,omitempty"`
	PhysicalResourceID string         `json:"PhysicalResourceId,omitempty"`
	Data               map[string]any `json:"Data,omitempty"`
}

// StatesError is the error output of a Catch (Amazon States Language, "Catch": an object with
// the fields Error and Cause).
type StatesError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// ExecutionName is the execution that serves ev: one per request, so that a duplicated event
// finds its execution taken. The prefix identifies the resource (its stack and logical ID), so
// a Delete can find and stop a wait still running for it. Execution names are 1 to 80
// characters of letters, digits, '-' and '_' (Step Functions API reference, StartExecution: name).
func ExecutionName(ev cfn.Event) string {
	name := resourcePrefix(ev) + "-" + unsafeName.ReplaceAllString(ev.RequestID, "_")
	return name[:min(len(name), 80)]
}

func resourcePrefix(ev cfn.Event) string {
	sum := sha256.Sum256([]byte(ev.StackID + "\x00" + ev.LogicalResourceID))
	return hex.EncodeToString(sum[:10])
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// Serve is the whole Lambda handler of a custom-resource function: CloudFormation's events, and
// the Work and Answer invocations of its state machine.
func (r Responder) Serve(ctx context.Context, payload json.RawMessage, fn Func) (any, error) {
	var probe struct{ Work, Answer *Continuation }
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	switch {
	case probe.Work != nil:
		return r.work(ctx, *probe.Work, fn), nil
	case probe.Answer != nil:
		return nil, r.answer(ctx, *probe.Answer)
	}
	var ev cfn.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("payload is not a CloudFormation event: %w", err)
	}
	if slices.Contains(r.Waiting, ev.ResourceType) {
		switch ev.RequestType {
		case cfn.RequestCreate, cfn.RequestUpdate:
			return nil, r.start(ctx, ev, fn)
		case cfn.RequestDelete:
			// The Delete itself never waits; it ends the waits of earlier requests still
			// running for the resource.
			issued, _ := RequestTime(ev, time.Now())
			r.stopWaits(ctx, ev, issued, "")
		}
	}
	return nil, r.Handle(ctx, ev, fn)
}

// start hands ev to a new execution of the state machine.
func (r Responder) start(ctx context.Context, ev cfn.Event, fn Func) error {
	log := r.logger().With("requestType", string(ev.RequestType), "logicalResourceId", ev.LogicalResourceID, "stackId", ev.StackID)
	if err := r.checkURL(ev.ResponseURL); err != nil {
		log.Error("refusing event", "error", err.Error())
		return err
	}
	issued, known := RequestTime(ev, time.Now())
	if age := time.Since(issued); age > time.Hour {
		// CloudFormation waits at most an hour (ServiceTimeout): a request that sat in Lambda's
		// asynchronous queue longer (up to 6 h, Lambda async invocation) has been given up
		// on, and its resources may be gone. Nobody listens for an answer.
		log.Warn("ignoring a request CloudFormation has given up on", "age", age.String())
		return nil
	}
	machine, _ := ev.ResourceProperties[waitspec.StateMachineProperty].(string)
	name := ExecutionName(ev)
	if known {
		// A wait for an earlier request of this resource is stale: CloudFormation cancelled it
		// (a rollback sends the old properties while the forward wait still runs). A wait that
		// started after this request was issued means this one is stale: a late delivery.
		if newer := r.stopWaits(ctx, ev, issued, name); newer {
			log.Warn("ignoring a request older than the wait of a later one")
			return nil
		}
	}
	if machine == "" || r.Steps == nil {
		// Properties of a template from before the waits (a rollback to it, say): wait
		// within this invocation, as that template expects.
		log.Info("no state machine for this resource: waiting within this invocation")
		return r.Handle(ctx, ev, fn)
	}
	input, err := json.Marshal(Continuation{Event: ev, Wait: Wait{Started: issued}})
	if err != nil {
		return r.respond(ctx, ev, outcome{err: fmt.Errorf("encode the wait: %w", err)})
	}
	var out *sfn.StartExecutionOutput
	// The policy allowing StartExecution was attached just before this resource was created,
	// and IAM is eventually consistent. The SDK's own retries resend the same name and input,
	// which StartExecution answers with the execution it already started.
	err = RetryAuth(ctx, log, r.IAMWait, func() (err error) {
		out, err = r.Steps.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String(name), Input: aws.String(string(input))})
		return err
	})
	var exists *sfntypes.ExecutionAlreadyExists
	switch {
	case errors.As(err, &exists):
		// The same event delivered twice: its execution answers (StartExecution: a name is
		// never reused, whatever the input).
		log.Info("a duplicate of a request already being served", "execution", name)
		return nil
	case err != nil:
		return r.respond(ctx, ev, outcome{err: fmt.Errorf("could not start waiting in state machine %s: %w", machine, err)})
	}
	log.Info("waiting in a state machine execution", "executionArn", aws.ToString(out.ExecutionArn))
	return nil
}

// RequestTime is when CloudFormation issued ev — the signing time (X-Amz-Date) of its SigV4
// pre-signed ResponseURL, as CloudFormation sends today — and whether that is known; else now.
// A time in the future counts as now.
func RequestTime(ev cfn.Event, now time.Time) (time.Time, bool) {
	u, err := url.Parse(ev.ResponseURL)
	if err != nil {
		return now, false
	}
	t, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
	if err != nil {
		return now, false
	}
	if t.After(now) {
		return now, true
	}
	return t, true
}

// work runs one invocation's share of the wait.
func (r Responder) work(ctx context.Context, c Continuation, fn Func) Continuation {
	log := r.logger().With("requestType", string(c.Event.RequestType), "logicalResourceId", c.Event.LogicalResourceID, "stackId", c.Event.StackID)
	c.Wait.Invocations++
	w := c.Wait
	ctx = context.WithValue(ctx, waitKey{}, &w)
	workCtx, cancel := r.workContext(ctx)
	defer cancel()
	out := r.run(workCtx, c.Event, fn, log)
	c.Wait = w
	// A call cut short because this invocation's time ran out is not the handler's failure.
	cutShort := out.err != nil && workCtx.Err() != nil
	if (IsPending(out.err) || cutShort) && !w.Deadline.IsZero() && time.Now().Before(w.Deadline) {
		log.Info("still waiting; going on in the next invocation", "invocations", w.Invocations, "deadline", w.Deadline)
		return c
	}
	c.Done = true
	c.Result = &Result{Status: cfn.StatusSuccess, PhysicalResourceID: out.id, Data: out.data}
	if out.err != nil {
		c.Result = &Result{Status: cfn.StatusFailed, PhysicalResourceID: out.id, Reason: out.err.Error()}
	}
	return c
}

// answer sends the result of a finished (or failed) wait.
func (r Responder) answer(ctx context.Context, c Continuation) error {
	ev := c.Event
	if err := r.checkURL(ev.ResponseURL); err != nil {
		r.logger().Error("refusing to answer", "error", err.Error())
		return err
	}
	switch {
	case c.Error != nil:
		return r.respond(ctx, ev, outcome{err: fmt.Errorf("the wait failed after %d invocations (%s: %s); see the state machine's execution %s and the function's log group", c.Wait.Invocations, c.Error.Error, truncate(c.Error.Cause, 1000), ExecutionName(ev))})
	case c.Result == nil:
		return r.respond(ctx, ev, outcome{err: errors.New("internal error: the wait ended without a result")})
	case c.Result.Status == cfn.StatusFailed:
		return r.respond(ctx, ev, outcome{id: c.Result.PhysicalResourceID, err: errors.New(c.Result.Reason)})
	}
	return r.respond(ctx, ev, outcome{id: c.Result.PhysicalResourceID, data: c.Result.Data})
}

// stopWaits stops the executions still waiting for ev's resource that started before issued
// (other than keep), and tells whether one of them started after issued. CloudFormation deletes a
// resource whose Create it gave up on (ServiceTimeout, a cancelled or rolled-back deploy), and a
// rollback updates a resource whose forward wait still runs; such a wait must not go on acting
// on it. An execution started after issued belongs to a later request — this event is a late
// delivery — and is left alone. The machine is the one of the new or, for a rollback to a
// template without waits, the old properties. Failures are logged, never fail the request.
// ListExecutions is eventually consistent (API reference): an execution started seconds ago
// may be missed, and an invocation in flight runs to the end of its share.
func (r Responder) stopWaits(ctx context.Context, ev cfn.Event, issued time.Time, keep string) (newer bool) {
	machine, _ := ev.ResourceProperties[waitspec.StateMachineProperty].(string)
	if machine == "" {
		machine, _ = ev.OldResourceProperties[waitspec.StateMachineProperty].(string)
	}
	if machine == "" || r.Steps == nil {
		return false
	}
	log := r.logger().With("logicalResourceId", ev.LogicalResourceID, "stackId", ev.StackID)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	prefix := resourcePrefix(ev) + "-"
	p := sfn.NewListExecutionsPaginator(r.Steps, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			log.Warn("could not list the waits to stop; any still running ends at its deadline", "error", err.Error())
			return newer
		}
		for _, e := range page.Executions {
			name := aws.ToString(e.Name)
			switch {
			case !strings.HasPrefix(name, prefix) || name == keep:
			case !aws.ToTime(e.StartDate).Before(issued):
				newer = true
			case e.Status == sfntypes.ExecutionStatusRunning:
				_, err := r.Steps.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: e.ExecutionArn, Error: aws.String("Superseded"), Cause: aws.String(string(ev.RequestType) + " request " + ev.RequestID + " of the same resource came after this wait started")})
				if err != nil {
					log.Warn("could not stop the wait of an earlier request; it ends at its deadline", "executionArn", aws.ToString(e.ExecutionArn), "error", err.Error())
				} else {
					log.Info("stopped the wait of an earlier request", "executionArn", aws.ToString(e.ExecutionArn))
				}
			}
		}
	}
	return newer
}

func (r Responder) checkURL(u string) error {
	if r.CheckURL != nil {
		return r.CheckURL(u)
	}
	return ValidateResponseURL(u)
}

// authErrors are the codes of a call IAM does not allow (yet): EC2 answers UnauthorizedOperation,
// other services AccessDenied / AccessDeniedException.
var authErrors = []string{"UnauthorizedOperation", "AccessDenied", "AccessDeniedException"}

// RetryAuth runs call, retrying an authorization error for up to wait (default 2 minutes, every
// 5 s): a policy attached just before the function ran may take a while to apply everywhere
// (IAM is eventually consistent).
func RetryAuth(ctx context.Context, log *slog.Logger, wait time.Duration, call func() error) error {
	if wait == 0 {
		wait = 2 * time.Minute
	}
	delay := min(5*time.Second, wait/10)
	deadline := time.Now().Add(wait)
	for {
		err := call()
		var apiErr smithy.APIError
		if err == nil || !errors.As(err, &apiErr) || !slices.Contains(authErrors, apiErr.ErrorCode()) || time.Now().After(deadline) {
			return err
		}
		log.Warn("not authorized yet, retrying while IAM propagates", "code", apiErr.ErrorCode())
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}
