package cfntest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/sfnfake"
	"github.com/privatelink-go/privatelink/internal/spec/waitspec"
	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

// MachineArn is the state machine of Waits.
const MachineArn = "arn:aws:states:eu-west-1:222222222222:stateMachine:Waits"

// FunctionArn is the function Waits runs.
const FunctionArn = "arn:aws:lambda:eu-west-1:222222222222:function:waits"

// Waits runs a function's long waits in-process: CloudFormation's invocation, then the fake Step
// Functions running waitspec.StateMachineDefinition, each invocation of the handler given
// InvocationTimeout like a Lambda timeout.
type Waits struct {
	t         testing.TB
	Steps     *sfnfake.Server
	Responder cfnresponse.Responder
	fn        cfnresponse.Func
	// InvocationTimeout is each invocation's time, as the function's Lambda timeout.
	InvocationTimeout time.Duration
	// Fault, when set, is asked before each invocation of the state machine (n counts from 1):
	// a non-empty errName fails it with that Step Functions error — after running the handler
	// when ran is true (the invocation ran, but Step Functions saw an error), else without.
	Fault func(n int) (errName string, ran bool)
	mu    sync.Mutex
	n     int
}

// Waits returns a harness answering to s for resources of the waiting types served by fn.
func (s *Server) Waits(t testing.TB, fn cfnresponse.Func, invocationTimeout time.Duration, waiting ...string) *Waits {
	w := &Waits{t: t, Steps: sfnfake.New(t), fn: fn, InvocationTimeout: invocationTimeout}
	w.Responder = s.Responder()
	w.Responder.Waiting = waiting
	w.Responder.Steps = w.Steps.Client()
	w.Responder.IAMWait = time.Second
	w.Steps.Machine(MachineArn, waitspec.StateMachineDefinition(invocationTimeout), map[string]string{"FunctionArn": FunctionArn, "LambdaInvoke": "arn:aws:states:::lambda:invoke"}, w.invoke)
	return w
}

// Send delivers ev as CloudFormation does, with the state machine's ARN among its properties.
func (w *Waits) Send(ev cfn.Event) {
	w.t.Helper()
	props := map[string]any{waitspec.StateMachineProperty: MachineArn}
	for k, v := range ev.ResourceProperties {
		props[k] = v
	}
	ev.ResourceProperties = props
	raw, _ := json.Marshal(ev)
	if _, err := w.call(raw); err != nil {
		w.t.Fatalf("CloudFormation's invocation failed: %v", err)
	}
}

func (w *Waits) call(payload []byte) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), w.InvocationTimeout)
	defer cancel()
	return w.Responder.Serve(ctx, payload, w.fn)
}

func (w *Waits) invoke(_ string, payload []byte, _ time.Duration) ([]byte, string, string) {
	w.mu.Lock()
	w.n++
	n := w.n
	w.mu.Unlock()
	if w.Fault != nil {
		if name, ran := w.Fault(n); name != "" {
			if ran {
				_, _ = w.call(payload)
			}
			return nil, name, "injected by the test"
		}
	}
	out, err := w.call(payload)
	if err != nil {
		// Lambda reports a Go handler's error with its type as errorType.
		return nil, "errorString", err.Error()
	}
	raw, _ := json.Marshal(out)
	return raw, "", ""
}
