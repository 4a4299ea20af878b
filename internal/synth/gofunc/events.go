package gofunc

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
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
	// RetryAttempts is how often EventBridge retries a failed invocation, 0 to 185; 0 (the
	// zero value) never retries, unlike an aws_events_targets target without it.
	RetryAttempts int
	// MaxEventAge is how long EventBridge keeps retrying, whole seconds from 1 minute to 24
	// hours. Default: EventBridge's, 24 hours.
	MaxEventAge time.Duration
}

// Rule adds an EventBridge rule under scope that invokes t.Function, emitting what aws-cdk-lib's
// aws_events_targets.LambdaFunction target emits (aws-events-targets/lib/lambda.js and util.js,
// addLambdaPermission and bindBaseTargetConfig, 2.277.0): the rule's target with its retry
// policy, and a lambda:InvokeFunction permission for events.amazonaws.com limited to this rule's
// ARN, under the rule with the ID that target gives it — so the templates are the same.
// The function must be in the rule's stack: for one elsewhere aws-cdk-lib binds the target a
// second time to a mirror rule in the function's stack, whose permission this target's Bind
// would not add (aws-events/lib/rule.js, addTarget).
//
// It is written here rather than imported because aws_events_targets imports the bindings of
// every service EventBridge can target (ECS, RDS, API Gateway, AppSync, SageMaker, CodeBuild,
// OpenSearch and more): 54 more aws-cdk-go packages that every binary importing these
// constructs — an adopter's app, each test binary — compiles and links for two calls.
func Rule(scope constructs.Construct, id string, props *awsevents.RuleProps, t Target) awsevents.Rule {
	// Bugs of this library, not input: the callers pass constants and their own functions.
	// EventBridge's limits: AWS::Events::Rule RetryPolicy (MaximumRetryAttempts 0-185,
	// MaximumEventAgeInSeconds 60-86400).
	if t.RetryAttempts < 0 || t.RetryAttempts > 185 || t.MaxEventAge != 0 && (t.MaxEventAge < time.Minute || t.MaxEventAge > 24*time.Hour || t.MaxEventAge%time.Second != 0) {
		panic(fmt.Sprintf("gofunc.Rule %s: RetryAttempts %d or MaxEventAge %s outside EventBridge's limits", id, t.RetryAttempts, t.MaxEventAge))
	}
	if !sameStack(scope, t.Function) {
		panic(fmt.Sprintf("gofunc.Rule %s: the function %s is not in the rule's stack", id, *t.Function.Node().Path()))
	}
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

// Subscribe has topic invoke fn, emitting what aws-cdk-lib's aws_sns_subscriptions
// LambdaSubscription emits (aws-sns-subscriptions/lib/lambda.js, 2.277.0): a lambda:InvokeFunction
// permission for sns.amazonaws.com limited to the topic's ARN, under fn with that
// subscription's ID, and the subscription under fn named after the topic. Written here for the
// reason Rule is: aws_sns_subscriptions imports every kind of subscriber (Firehose, and through
// it Glue, Kinesis, Secrets Manager). fn must be in topic's stack, as Rule's function is in its
// rule's: LambdaSubscription's cross-stack dependency and Region are not replayed here.
func Subscribe(topic awssns.ITopic, fn awslambda.Function) awssns.Subscription {
	if !sameStack(topic, fn) {
		panic(fmt.Sprintf("gofunc.Subscribe: the function %s is not in the stack of the topic %s", *fn.Node().Path(), *topic.Node().Path())) // a bug of this library
	}
	fn.AddPermission(jsii.String("AllowInvoke:"+*awscdk.Names_NodeUniqueId(topic.Node())), &awslambda.Permission{
		SourceArn: topic.TopicArn(),
		Principal: awsiam.NewServicePrincipal(jsii.String("sns.amazonaws.com"), nil),
	})
	return topic.AddSubscription(&boundSubscription{&awssns.TopicSubscriptionConfig{
		SubscriberScope: fn,
		SubscriberId:    topic.Node().Id(),
		Endpoint:        fn.FunctionArn(),
		Protocol:        awssns.SubscriptionProtocol_LAMBDA,
	}})
}

// boundSubscription is an awssns.ITopicSubscription whose configuration is worked out already.
type boundSubscription struct {
	config *awssns.TopicSubscriptionConfig
}

func (b *boundSubscription) Bind(awssns.ITopic) *awssns.TopicSubscriptionConfig { return b.config }

// sameStack says a and b belong to one stack: the precondition of Rule and Subscribe.
func sameStack(a, b constructs.IConstruct) bool {
	return *awscdk.Stack_Of(a).Node().Path() == *awscdk.Stack_Of(b).Node().Path()
}
