// Package gofunc deploys one of this module's Go handlers as an arm64 provided.al2023 Lambda with
// its own least-privilege role and a log group with a retention period.
package gofunc

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/gobuild"
	"github.com/privatelink-go/privatelink/internal/nag"
)

// Props describe one function.
type Props struct {
	// Package is the handler's main package, relative to the module root. Required.
	Package string
	// Description of the function. Required.
	Description string
	// Timeout of one invocation. Default: 1 minute.
	Timeout time.Duration
	// Statements are the role's only permissions besides writing its own log group.
	Statements []awsiam.PolicyStatement
	// Environment variables. Default: none.
	Environment map[string]string
	// FunctionName, for functions others must find without pasting an ARN. Default: generated.
	FunctionName string
	// Retention of the log group. Default: one month.
	Retention awslogs.RetentionDays
}

// Func is the deployed function with its role and log group.
type Func struct {
	Function awslambda.Function
	Role     awsiam.Role
	LogGroup awslogs.LogGroup
	// Timeout of one invocation.
	Timeout time.Duration

	scope constructs.Construct
	wait  *waiter
}

// ServiceTimeoutMargin is added to a function's timeout to bound CloudFormation's wait for a
// custom resource it serves: room for a cold start, the asynchronous invocation queue and the
// response PUT. A function that dies without answering (out of memory, a refused ResponseURL,
// bad configuration) then fails the stack after this long instead of CloudFormation's default
// hour.
const ServiceTimeoutMargin = 2 * time.Minute

// ServiceTimeout is CloudFormation's ServiceTimeout for a custom resource served by a function
// with the given timeout: the timeout plus ServiceTimeoutMargin, at most CloudFormation's 3600 s.
func ServiceTimeout(functionTimeout time.Duration) awscdk.Duration {
	return boundedSeconds(functionTimeout + ServiceTimeoutMargin)
}

// boundedSeconds is d as a CloudFormation ServiceTimeout: at most 3600 s
// (AWS::CloudFormation::CustomResource).
func boundedSeconds(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(min(d, time.Hour).Seconds()))
}

// CustomResource adds a custom resource served by f, bounded by ServiceTimeout.
func (f *Func) CustomResource(scope constructs.Construct, id, resourceType string, properties map[string]any) awscdk.CustomResource {
	return f.customResource(scope, id, resourceType, properties, ServiceTimeout(f.Timeout))
}

func (f *Func) customResource(scope constructs.Construct, id, resourceType string, properties map[string]any, timeout awscdk.Duration) awscdk.CustomResource {
	return awscdk.NewCustomResource(scope, jsii.String(id), &awscdk.CustomResourceProps{
		ServiceToken:   f.Function.FunctionArn(),
		ServiceTimeout: timeout,
		ResourceType:   jsii.String(resourceType),
		Properties:     &properties,
	})
}

// New adds the function under scope/id.
func New(scope constructs.Construct, id string, props *Props) *Func {
	c := constructs.NewConstruct(scope, jsii.String(id))
	retention := props.Retention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_MONTH
	}
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     retention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(props.Description),
	})
	// Only its own log group, instead of AWSLambdaBasicExecutionRole's logs:* on every group.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("OwnLogGroupOnly"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: jsii.Strings(*logs.LogGroupArn(), *logs.LogGroupArn()+":*"),
	}))
	for _, s := range props.Statements {
		role.AddToPolicy(s)
	}
	timeout := props.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	var env *map[string]*string
	if len(props.Environment) > 0 {
		m := map[string]*string{}
		for k, v := range props.Environment {
			if v != "" { // unset and empty read the same in the handlers
				m[k] = jsii.String(v)
			}
		}
		env = &m
	}
	var name *string
	if props.FunctionName != "" {
		name = jsii.String(props.FunctionName)
	}
	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(gobuild.MustBootstrap(props.Package)), nil),
		Description:   jsii.String(props.Description),
		MemorySize:    jsii.Number(128),
		Timeout:       awscdk.Duration_Seconds(jsii.Number(timeout.Seconds())),
		Role:          role,
		LogGroup:      logs,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Environment:   env,
		FunctionName:  name,
	})
	nag.Suppress(role, "AwsSolutions-IAM5", nag.DescribeStar)
	// The policy must exist before the function can be invoked by a custom resource.
	fn.Node().AddDependency(role)
	return &Func{Function: fn, Role: role, LogGroup: logs, Timeout: timeout, scope: c}
}

// CrossRegion is the CROSS_REGION environment value of a function serving an endpoint service
// with these other Regions: "true", or "" (unset) for a same-Region service.
func CrossRegion(allowedRegions []string) string {
	if len(allowedRegions) > 0 {
		return "true"
	}
	return ""
}
