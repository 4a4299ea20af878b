// Package gofunc deploys one of this module's Go handlers as an arm64 provided.al2023 Lambda with
// its own least-privilege role and a log group kept for a year, optionally KMS-encrypted.
package gofunc

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/synth/gobuild"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
	"github.com/privatelink-go/privatelink/internal/synth/nag"
	"github.com/privatelink-go/privatelink/internal/synth/registry"
)

// Props describe one function.
type Props struct {
	// Handler is what the library's one Lambda binary serves in this function (its environment
	// variable handler.Env): handler.Acceptor, handler.Provider or handler.Enabler. Required.
	Handler string
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
	// Retention of the log group. Default: one year, the least that AWS Control Tower's
	// CT.CLOUDWATCH.PR.2 accepts (a custom resource function logs a few KB per deploy).
	Retention awslogs.RetentionDays
	// LogsKey encrypts the function's log groups (CT.CLOUDWATCH.PR.3); see allowLogs.
	// Default: none, CloudWatch Logs' own encryption.
	LogsKey awskms.IKey
	// LogRemovalPolicy of the log groups: DESTROY or RETAIN. Default: DESTROY (the logs go
	// with the stack).
	LogRemovalPolicy awscdk.RemovalPolicy
	// Network places the function in a VPC (Control Tower's CT.LAMBDA.PR.3), reaching AWS
	// through VPC endpoints: see Reach. Such a function is invoked daily with the keep-active
	// input (KeepActive), unless Scheduled. Default: none, Lambda's own network.
	Network *Network
	// Scheduled says the caller invokes the function on a schedule of its own, at least daily
	// (the acceptor's sweep), which keeps it Active as well. Default: false.
	Scheduled bool
}

// Func is the deployed function with its role and log groups (LogGroups).
type Func struct {
	Function awslambda.Function
	Role     awsiam.Role
	// Timeout of one invocation.
	Timeout time.Duration

	scope     constructs.Construct
	wait      *waiter
	retention awslogs.RetentionDays
	removal   awscdk.RemovalPolicy
	logsKey   awskms.IKey
	logGroups []awslogs.LogGroup
	net       *network
}

// LogGroups are the function's log group, then its waits' state machine's once it has one.
func (f *Func) LogGroups() []awslogs.LogGroup { return f.logGroups }

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
	return NewIn(constructs.NewConstruct(scope, jsii.String(id)), props)
}

// NewIn adds the function's resources under c, a construct the caller made (one of its own
// types, through constructs.NewConstruct_Override).
func NewIn(c constructs.Construct, props *Props) *Func {
	if !slices.Contains(handler.All, props.Handler) {
		panic(fmt.Sprintf("gofunc: Handler %q is none of %v", props.Handler, handler.All)) // a bug of this library
	}
	retention := props.Retention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_YEAR
	}
	removal := props.LogRemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	logs := newLogGroup(c, "Logs", "", retention, removal, props.LogsKey)
	if props.LogsKey != nil {
		logsKeyRegionWarning(c, props.LogsKey)
		retainedLogsKeyWarning(c, props.LogsKey, removal)
	}
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
	env := map[string]*string{}
	for k, v := range props.Environment {
		if v != "" { // unset and empty read the same in the handlers
			env[k] = jsii.String(v)
		}
	}
	env[handler.Env] = jsii.String(props.Handler) // last: nothing else picks the handler
	var name *string
	if props.FunctionName != "" {
		name = jsii.String(props.FunctionName)
	}
	fnProps := &awslambda.FunctionProps{
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"), // unused by the binary: see package handler
		Code:          awslambda.Code_FromAsset(jsii.String(gobuild.MustBootstrap()), nil),
		Description:   jsii.String(props.Description),
		MemorySize:    jsii.Number(128),
		Timeout:       awscdk.Duration_Seconds(jsii.Number(timeout.Seconds())),
		Role:          role,
		LogGroup:      logs,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Environment:   &env,
		FunctionName:  name,
	}
	var net *network
	if props.Network != nil {
		net = attach(c, props.Network)
		fnProps.Vpc, fnProps.VpcSubnets = props.Network.Vpc, props.Network.Subnets
		fnProps.SecurityGroups = &[]awsec2.ISecurityGroup{net.sg}
		// IPv6 to the dualstack endpoints where the subnets have it (Lambda Developer Guide,
		// "IPv6 support": outbound IPv6 in dual-stack subnets).
		fnProps.Ipv6AllowedForDualStack = jsii.Bool(props.Network.DualStack)
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			// Lambda creates and deletes the function's network interfaces in the VPC with its
			// execution role, and checks these at CreateFunction (Lambda Developer Guide,
			// "Giving Lambda functions access to resources in an Amazon VPC": the actions of
			// AWSLambdaVPCAccessExecutionRole). In the role's own policy, which the function
			// depends on: it is deleted after the function, so Lambda can still delete them.
			Sid: jsii.String("NetworkInterfacesOfTheFunction"),
			Actions: jsii.Strings("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
				"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
			Resources: jsii.Strings("*"),
		}))
	}
	fn := awslambda.NewFunction(c, jsii.String("Function"), fnProps)
	nag.Suppress(role, "AwsSolutions-IAM5", nag.DescribeStar)
	if net == nil {
		guard.Suppress(fn, guard.LambdaInVpc, guard.LambdaOutsideVpc)
	} else {
		fn.Node().AddDependency(net.s3)
	}
	// The policy must exist before the function can be invoked by a custom resource.
	fn.Node().AddDependency(role)
	if net != nil && !props.Scheduled {
		keepActive(c, fn)
	}
	return &Func{Function: fn, Role: role, Timeout: timeout, scope: c, retention: retention, removal: removal, logsKey: props.LogsKey, logGroups: []awslogs.LogGroup{logs}, net: net}
}

// keepActive invokes fn, a function in a VPC, once a day with the keep-active input, which every
// handler answers at once (handler.KeepActive): Lambda reclaims the network interfaces of a VPC
// function idle for consecutive weeks, and the next invocation fails (Lambda Developer Guide,
// "Lambda Hyperplane ENIs"); that invocation would be CloudFormation's, for a stack deleted or
// updated months after its last deploy. AWS defines neither the period nor what resets it: a
// day is a margin inside "weeks", for 30 cold starts of ~100 ms a month. EventBridge passes a
// target's Input instead of the event (Target Input: "nothing from the event itself is passed
// to the target", EventBridge API Reference).
func keepActive(c constructs.Construct, fn awslambda.Function) {
	Rule(c, "KeepActive", &awsevents.RuleProps{
		Description: jsii.String("Invokes the function daily with a no-op input, so that Lambda keeps its VPC network interfaces: a function idle for weeks fails its next invocation"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Days(jsii.Number(1))),
	}, Target{
		Function: fn,
		Event:    awsevents.RuleTargetInput_FromObject(map[string]any{handler.KeepActiveKey: true}),
		// EventBridge invokes asynchronously: these retries cover delivery to Lambda's Invoke
		// only (what fails after Lambda queued it is Lambda's asynchronous retry), and a missed
		// day is harmless, the next comes tomorrow.
		RetryAttempts: 2,
		MaxEventAge:   time.Hour,
	})
}

// newLogGroup adds a log group kept for retention and removed with the stack as removal says,
// named name (or by CloudFormation when ""), encrypted with key when one is given.
func newLogGroup(scope constructs.Construct, id, name string, retention awslogs.RetentionDays, removal awscdk.RemovalPolicy, key awskms.IKey) awslogs.LogGroup {
	props := &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: removal}
	if name != "" {
		props.LogGroupName = jsii.String(name)
	}
	props.EncryptionKey = key
	logs := awslogs.NewLogGroup(scope, jsii.String(id), props)
	if key != nil {
		allowLogs(logs, key)
	} else {
		guard.Suppress(logs, guard.LogGroupKms, guard.LogsWithoutKms)
	}
	return logs
}

// allowLogs adds to key's policy, once per key and app, the statement CloudWatch Logs needs to
// encrypt this account's log groups in group's Region with it: the service principal
// logs.<region>.<url suffix>, the actions and the kms:EncryptionContext:aws:logs:arn condition of
// the CloudWatch Logs User Guide ("Encrypt log data in CloudWatch Logs using AWS KMS", step 2).
// The condition names log-group:* because CloudFormation names the groups (a name in the key
// policy would be a dependency cycle). A key imported by ARN cannot be changed: its policy must
// already hold this statement, or creating the log group fails.
func allowLogs(group awslogs.ILogGroup, key awskms.IKey) {
	// The first log group to claim the key adds the statement; later ones find it claimed.
	if registry.Claim(group, "logs-key-policy", *key.Node().Path(), group) != "" {
		return
	}
	stack := awscdk.Stack_Of(group)
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsOfThisAccountAndRegion"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+"."+*stack.UrlSuffix()), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String("*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
			}),
		}},
	}), jsii.Bool(true))
}

// CrossRegion is the CROSS_REGION environment value of a function serving an endpoint service
// with these other Regions: "true", or "" (unset) for a same-Region service.
func CrossRegion(allowedRegions []string) string {
	if len(allowedRegions) > 0 {
		return "true"
	}
	return ""
}

// retainedLogsKeyWarning warns when retained log groups are encrypted with a key of this app that
// is deleted with its stack: once the key is gone "you can no longer decrypt the data that was
// encrypted under that KMS key" (KMS Developer Guide, "Deleting AWS KMS keys"), so the logs kept
// would be unreadable.
func retainedLogsKeyWarning(scope constructs.Construct, key awskms.IKey, removal awscdk.RemovalPolicy) {
	cfn, ok := key.Node().DefaultChild().(awskms.CfnKey)
	if removal == awscdk.RemovalPolicy_DESTROY || !ok || cfn == nil || cfn.CfnOptions().DeletionPolicy() != awscdk.CfnDeletionPolicy_DELETE {
		return
	}
	awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("privatelink:retainedLogsKeyDeleted"), jsii.String(fmt.Sprintf(
		"LogRemovalPolicy keeps the log groups after the stack, but LogsKey %s is deleted with it, and retained logs encrypted with a deleted key cannot be read: give the key RemovalPolicy RETAIN too (key.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN))", *key.Node().Path())), nil)
}

// kmsKeyArn is a KMS key ARN, which awskms.Key_FromKeyArn insists on; the Region is captured.
var kmsKeyArn = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key/.+$`)

// logsKeyRegionWarning warns when key, known at synth, is a key of another Region than the log
// groups: CloudWatch Logs is given the logs.<region> principal of its own Region in the key
// policy, and AWS services encrypt with keys of the resource's Region. A warning, not an error:
// no AWS document we found states the rule for CloudWatch Logs outright.
func logsKeyRegionWarning(scope constructs.Construct, key awskms.IKey) {
	region := *awscdk.Stack_Of(scope).Region()
	arn := *key.KeyArn()
	m := kmsKeyArn.FindStringSubmatch(arn)
	if m == nil || strings.Contains(region, "${Token[") || m[1] == region {
		return
	}
	awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("privatelink:logsKeyRegion"), jsii.String(fmt.Sprintf(
		"LogsKey %s is a key of %s, but the log groups are in %s: CloudWatch Logs is expected to need a key of its own Region; give a key of %s (logkey.New makes one)", arn, m[1], region, region)), nil)
}

// retentions are the values AWS::Logs::LogGroup RetentionInDays accepts (CloudFormation
// reference: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
// 2557, 2922, 3288, 3653), as aws-cdk-lib names them, and INFINITE (no RetentionInDays).
var retentions = []awslogs.RetentionDays{
	awslogs.RetentionDays_ONE_DAY, awslogs.RetentionDays_THREE_DAYS, awslogs.RetentionDays_FIVE_DAYS,
	awslogs.RetentionDays_ONE_WEEK, awslogs.RetentionDays_TWO_WEEKS, awslogs.RetentionDays_ONE_MONTH,
	awslogs.RetentionDays_TWO_MONTHS, awslogs.RetentionDays_THREE_MONTHS, awslogs.RetentionDays_FOUR_MONTHS,
	awslogs.RetentionDays_FIVE_MONTHS, awslogs.RetentionDays_SIX_MONTHS, awslogs.RetentionDays_ONE_YEAR,
	awslogs.RetentionDays_THIRTEEN_MONTHS, awslogs.RetentionDays_EIGHTEEN_MONTHS, awslogs.RetentionDays_TWO_YEARS,
	awslogs.RetentionDays_THREE_YEARS, awslogs.RetentionDays_FIVE_YEARS, awslogs.RetentionDays_SIX_YEARS,
	awslogs.RetentionDays_SEVEN_YEARS, awslogs.RetentionDays_EIGHT_YEARS, awslogs.RetentionDays_NINE_YEARS,
	awslogs.RetentionDays_TEN_YEARS, awslogs.RetentionDays_INFINITE,
}

// CheckLogs returns why a construct's LogRetention and LogRemovalPolicy (prefix names their
// props) cannot be used, or "". A log group's DeletionPolicy takes Delete or Retain: Snapshot is
// for data stores only (CloudFormation User Guide, "DeletionPolicy attribute").
func CheckLogs(prefix string, retention awslogs.RetentionDays, removal awscdk.RemovalPolicy) string {
	var why []string
	if retention != "" && !slices.Contains(retentions, retention) {
		why = append(why, fmt.Sprintf("%sLogRetention %q is not a retention CloudWatch Logs accepts: use an awslogs.RetentionDays constant, such as awslogs.RetentionDays_ONE_YEAR", prefix, retention))
	}
	switch removal {
	case "", awscdk.RemovalPolicy_DESTROY, awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE:
	default:
		why = append(why, fmt.Sprintf("%sLogRemovalPolicy %q cannot apply to a log group (CloudFormation snapshots data stores only): use awscdk.RemovalPolicy_DESTROY or awscdk.RemovalPolicy_RETAIN", prefix, removal))
	}
	return strings.Join(why, "; ")
}
