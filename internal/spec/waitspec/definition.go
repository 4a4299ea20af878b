// Package waitspec is the protocol of waits longer than one Lambda invocation, shared by the
// construct that deploys a waiting function (internal/synth/gofunc) and the responder that runs
// inside it (lambda/cfnresponse): the custom resource property naming the state machine, the
// longest wait and its margin, and the state machine's definition. It imports nothing of ours,
// so neither side links the other.
package waitspec

import (
	"encoding/json"
	"time"
)

// StateMachineProperty is the custom resource property holding the ARN of the state machine
// that runs the waits of its function.
const StateMachineProperty = "WaitStateMachineArn"

// MaxWait is the longest wait a waiting custom resource may be given: CloudFormation waits at
// most 3600 s for an answer (AWS::CloudFormation::CustomResource, ServiceTimeout), and
// WaitMargin of it is kept for starting, the last invocation and answering.
const MaxWait = 55 * time.Minute

// WaitMargin is added to a waiting resource's wait for CloudFormation's ServiceTimeout: the
// first invocation and StartExecution (with up to IAMWait of retries, usually seconds), the
// state machine's retries of a failed invocation (StateMachineDefinition: at most about two
// minutes), the final invocation's grace and the Answer.
const WaitMargin = 5 * time.Minute

// InvocationErrors are the errors of the Step Functions Lambda integration that mean the
// invocation itself failed, not the function: the retry aws-cdk-lib's LambdaInvoke adds by
// default (aws-stepfunctions-tasks/lib/lambda/invoke.ts, retryOnServiceExceptions), plus
// Lambda.TooManyRequestsException (Lambda Invoke API reference: throttled, the function did
// not run).
var InvocationErrors = []string{
	"Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException", "Lambda.AWSLambdaException",
	"Lambda.SdkClientException", "Lambda.TooManyRequestsException",
}

// StateMachineDefinition is the Amazon States Language of the state machine that runs the waits
// of one function whose invocations time out after invocationTimeout. It references the function
// and the Lambda invoke integration as ${FunctionArn} and ${LambdaInvoke} (AWS::StepFunctions::
// StateMachine DefinitionSubstitutions). A whole-string substitution, not
// arn:${Partition}:states:::lambda:invoke: cfn-lint's E3601 checks a Task's Resource against
// ^arn:aws:… before substituting, and passes only a string that is one substitution key.
//
//	Work ──Done?──no──▶ Work …
//	  │      └─yes──▶ Answer
//	  └─failed (after Retry)──▶ Answer (with Error)
//
// Work is retried on invocation errors (they are not the handler's) and twice on anything else
// (a crash, an invocation that timed out); a Work that still fails is caught and answered as
// FAILED, so CloudFormation is never left without an answer while the function can run. Answer
// is retried on invocation errors and when its PUT failed (States.TaskFailed: the handler
// returns an error only then); a repeated PUT — after an invocation error that came when the
// function had in fact run — carries the same body.
func StateMachineDefinition(invocationTimeout time.Duration) string {
	invoke := func(payloadKey string) map[string]any {
		return map[string]any{
			"Type":     "Task",
			"Resource": "${LambdaInvoke}",
			"Parameters": map[string]any{
				"FunctionName": "${FunctionArn}",
				"Payload":      map[string]any{payloadKey + ".$": "$"},
			},
			// The function's response; the integration wraps it with status and headers.
			"OutputPath": "$.Payload",
		}
	}
	retryInvocation := map[string]any{"ErrorEquals": InvocationErrors, "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}
	work := invoke("Work")
	// The function times out first; this only guards a lost invocation.
	work["TimeoutSeconds"] = int((invocationTimeout + time.Minute).Seconds())
	work["Retry"] = []any{retryInvocation, map[string]any{"ErrorEquals": []string{"States.ALL"}, "IntervalSeconds": 10, "MaxAttempts": 2, "BackoffRate": 2}}
	work["Catch"] = []any{map[string]any{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.Error", "Next": "Answer"}}
	work["Next"] = "Done?"
	answer := invoke("Answer")
	// Five PUT attempts of up to 30 s each, with their pauses.
	answer["TimeoutSeconds"] = int((invocationTimeout + time.Minute).Seconds())
	answer["Retry"] = []any{retryInvocation, map[string]any{"ErrorEquals": []string{"States.TaskFailed"}, "IntervalSeconds": 10, "MaxAttempts": 2, "BackoffRate": 2}}
	answer["End"] = true
	def := map[string]any{
		"Comment": "Waits for a custom resource beyond one Lambda invocation, then answers CloudFormation once",
		// CloudFormation waits at most an hour for a custom resource (ServiceTimeout).
		"TimeoutSeconds": 3600,
		"StartAt":        "Work",
		"States": map[string]any{
			"Work": work,
			"Done?": map[string]any{
				"Type":    "Choice",
				"Choices": []any{map[string]any{"Variable": "$.Done", "BooleanEquals": true, "Next": "Answer"}},
				"Default": "Work",
			},
			"Answer": answer,
		},
	}
	raw, err := json.Marshal(def)
	if err != nil {
		panic(err)
	}
	return string(raw)
}
