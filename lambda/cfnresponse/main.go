package cfnresponse

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/privatelink-go/privatelink/internal/spec/handler"
)

// Main is the whole main function of a Lambda that only serves custom resources: JSON logs on
// stdout, the AWS configuration from the function's environment (SDK standard retries), and
// every request answered through a Responder. handler builds the work from the two. Resources of
// the waiting types wait in the state machine their WaitStateMachineArn property names (Serve).
func Main(handler func(cfg aws.Config, log *slog.Logger) Func, waiting ...string) {
	MainWithEvents(func(cfg aws.Config, log *slog.Logger) (Func, EventFunc) { return handler(cfg, log), nil }, waiting...)
}

// EventFunc handles an invocation that is not CloudFormation's (an EventBridge rule's input,
// say): handled false passes the payload on to the custom-resource handling.
type EventFunc func(ctx context.Context, payload json.RawMessage) (handled bool, err error)

// MainWithEvents is Main for a function that also takes other events: build makes both the
// custom-resource work and the event handler (nil for none), to which each payload is offered
// first.
func MainWithEvents(build func(cfg aws.Config, log *slog.Logger) (Func, EventFunc), waiting ...string) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	fn, other := build(cfg, log)
	r := Responder{Logger: log, Waiting: waiting}
	if len(waiting) > 0 {
		r.Steps = sfn.NewFromConfig(cfg)
	}
	lambda.Start(Entry(r, fn, other))
}

// Entry is the function's Lambda handler: the keep-active input (handler.KeepActive) answered
// at once, other events offered to other (nil for none), the rest served as custom-resource
// requests through r.
func Entry(r Responder, fn Func, other EventFunc) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, payload json.RawMessage) (any, error) {
		if handler.KeepActive(payload) {
			// Being invoked was the point (package handler); nothing to call, nothing to answer.
			r.logger().Info("kept active")
			return nil, nil
		}
		if other != nil {
			if handled, err := other(ctx, payload); handled {
				return nil, err
			}
		}
		return r.Serve(ctx, payload, fn)
	}
}
