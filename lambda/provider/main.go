// Package provider is the provider's custom-resource Lambda handler: it starts private DNS name
// verification of an endpoint service and waits, within a bounded time, until it is verified
// (Custom::PrivateDnsVerification), and when the service is deleted it rejects the connections
// that would block that (Custom::EndpointServiceCleanup). It runs in the library's one Lambda
// binary (lambda/bootstrap) as the handler named provider.
package provider

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

// PollEnv and MinPoll: see cfnresponse.PollEnv (the verifier's Poll).
const (
	PollEnv = cfnresponse.PollEnv
	MinPoll = cfnresponse.MinPoll
)

// Main serves the provider's custom resources until the process ends.
func Main() {
	cfnresponse.Main(func(cfg aws.Config, log *slog.Logger) cfnresponse.Func {
		c := ec2.NewFromConfig(cfg)
		crossRegion := os.Getenv("CROSS_REGION") == "true"
		// A bad value must not stop the function: it also serves deletes (cleanup).
		poll, err := pollInterval(os.Getenv(PollEnv))
		if err != nil {
			log.Warn(err.Error())
		}
		stacks := cloudformation.NewFromConfig(cfg)
		return route(Verifier{Describe: c, Start: c, Stacks: stacks, Log: log, Poll: poll}, Cleaner{Describe: c, Reject: c, Stacks: stacks, CrossRegion: crossRegion, Log: log})
	}, VerificationType)
}

// defaultPoll is Verifier.Poll's default.
const defaultPoll = 15 * time.Second

// pollInterval reads PollEnv's value for the verifier (cfnresponse.PollInterval).
func pollInterval(s string) (time.Duration, error) { return cfnresponse.PollInterval(s, defaultPoll) }

// Resource types this function answers. Verification waits, up to 55 minutes, in the state
// machine its WaitStateMachineArn property names (cfnresponse's waits).
const (
	VerificationType = "Custom::PrivateDnsVerification"
	CleanupType      = "Custom::EndpointServiceCleanup"
)

// route sends each resource type to its handler.
func route(v Verifier, c Cleaner) cfnresponse.Func {
	return func(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
		switch ev.ResourceType {
		case VerificationType:
			return v.Handle(ctx, ev)
		case CleanupType:
			return c.Handle(ctx, ev)
		}
		if ev.RequestType == cfn.RequestDelete {
			return ev.PhysicalResourceID, nil, nil
		}
		return "", nil, fmt.Errorf("unknown ResourceType %q: use Custom::PrivateDnsVerification or Custom::EndpointServiceCleanup", ev.ResourceType)
	}
}
