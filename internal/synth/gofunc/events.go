package gofunc

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Target is the function an EventBridge rule invokes (Rule).
type Target struct {
	// Function the rule invokes. Required.
	Function awslambda.IFunction
	// Event is what the function receives. Default: the matched event itself.
	Event awsevents.RuleTargetInput
	// RetryAttempts is how often EventBridge retries a failed invocation; 0 never retries.
	RetryAttempts int
	// MaxEventAge is how long EventBridge keeps retrying. Default: EventBridge's, 24 hours.
	MaxEventAge time.Duration
}

// Rule adds an EventBridge rule under scope that invokes t.Function, emitting what aws-cdk-lib's
// aws_events_targets.LambdaFunction target emits (aws-events-targets/lib/lambda.js and util.js,
// addLambdaPermission and bindBaseTargetConfig, 2.277.0): the rule's target with its retry
// policy, and a lambda:InvokeFunction permission for events.amazonaws.com limited to this rule's
// ARN, under the rule with the ID that target gives it — so the templates are the same.
//
// It is written here rather than imported because aws_events_targets imports the bindings of
// every service EventBridge can target (ECS, RDS, API Gateway, AppSync, SageMaker, CodeBuild,
// OpenSearch and more): 54 more aws-cdk-go packages that every binary importing these
// constructs — an adopter's app, each test binary — compiles and links for two calls.
func Rule(scope constructs.Construct, id string, props *awsevents.RuleProps, t Target) awsevents.Rule {
	rule := awsevents.NewRule(scope, jsii.String(id), props)
	t.Function.AddPermission(jsii.String("AllowEventRule"+*awscdk.Names_NodeUniqueId(t.Function.Node())), &awslambda.Permission{
		Scope:     rule,
		Action:    jsii.String("lambda:InvokeFunction"),
		Principal: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		SourceArn: rule.RuleArn(),
	})
	retry := &awsevents.CfnRule_RetryPolicyProperty{MaximumRetryAttempts: jsii.Number(t.RetryAttempts)}
	if t.MaxEventAge > 0 {
		retry.MaximumEventAgeInSeconds = jsii.Number(t.MaxEventAge.Seconds())
	}
	rule.AddTarget(&boundTarget{&awsevents.RuleTargetConfig{
		Arn:            t.Function.FunctionArn(),
		Input:          t.Event,
		RetryPolicy:    retry,
		TargetResource: t.Function,
	}})
	return rule
}

// boundTarget is an awsevents.IRuleTarget whose configuration Rule has already worked out.
type boundTarget struct{ config *awsevents.RuleTargetConfig }

func (b *boundTarget) Bind(interfacesawsevents.IRuleRef, *string) *awsevents.RuleTargetConfig {
	return b.config
}
