package acceptor

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/spec/acceptance"
	"github.com/privatelink-go/privatelink/internal/spec/decisions"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
	"github.com/privatelink-go/privatelink/internal/synth/registry"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

// Service is what the acceptor needs of an endpoint service; provider.Provider satisfies it.
type Service interface {
	// ServiceId (vpce-svc-…) whose connections are decided on.
	ServiceId() *string
	// ServiceArn on which accept and reject are authorized.
	ServiceArn() *string
	// ConsumerEndpointsArn: the endpoints whose connections are decided on (vpc-endpoint/*).
	ConsumerEndpointsArn() *string
	// AllowedAccounts are AcceptorProps.AllowedAccounts' default.
	AllowedAccounts() []string
	// AllowedRegions of cross-region consumers; the acceptor then needs vpce:AllowMultiRegion.
	AllowedRegions() []string
}

// Policies for pending connections from accounts not on the allow-list.
const (
	// LeavePending logs them and leaves them for a human (the default).
	LeavePending = "leave-pending"
	// Reject rejects them, so the consumer learns at once.
	Reject = "reject"
)

// AcceptorProps configures an Acceptor.
type AcceptorProps struct {
	// Service whose connections are accepted, usually a provider.Provider. Required.
	Service Service
	// AllowedAccounts whose pendingAcceptance connections are accepted.
	// Default: the accounts of the service's allowed principals.
	AllowedAccounts []string
	// NotAllowed decides what happens to pending connections from other accounts: LeavePending
	// or Reject. Default: LeavePending — nobody can connect without being an allowed principal
	// anyway, so a stranger here means the allow-lists differ on purpose; a human decides.
	NotAllowed string
	// FunctionName of the Lambda. It is stable so that consumer stacks can compute its ARN
	// (see FunctionArn) instead of pasting it. Default: FunctionNameFor(the stack's name).
	FunctionName string
	// LogsKey encrypts the function's log group, as AWS Control Tower's CT.CLOUDWATCH.PR.3
	// requires: logkey.New makes one. A key from this app gets the statement CloudWatch Logs
	// needs; a key imported by ARN must already allow logs.<region>.amazonaws.com (see
	// docs/compliance.md). Default: none, CloudWatch Logs' own encryption at rest.
	LogsKey awskms.IKey
	// LogRetention of the function's log group. Default: awslogs.RetentionDays_ONE_YEAR, the
	// least Control Tower's CT.CLOUDWATCH.PR.2 accepts.
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy of the function's log group: awscdk.RemovalPolicy_DESTROY or _RETAIN.
	// Default: DESTROY (the logs are deleted with the stack).
	LogRemovalPolicy awscdk.RemovalPolicy
	// ControlTower link.ControlTowerStrict runs the function in a VPC (Vpc, or the provider's),
	// reaching EC2 through an interface endpoint and S3 (CloudFormation's response URL) through
	// the gateway endpoint, as Control Tower's CT.LAMBDA.PR.3 requires, and refuses settings a
	// proactive control would fail (LogsKey nil). Default: link.ControlTowerDefault.
	ControlTower link.ControlTower
	// Vpc the function runs in under ControlTowerStrict. Default: the VPC of Service, when it
	// is a provider.Provider of this library (its NLB's; with its FunctionEndpoints).
	Vpc awsec2.IVpc
	// VpcSubnets of Vpc for the function. Default: Vpc's private subnets, else its isolated ones.
	VpcSubnets *awsec2.SubnetSelection
	// FunctionEndpoints of Vpc: the EC2 interface endpoint and the S3 gateway endpoint.
	// Default: created in Vpc (one set per VPC, shared with the provider's function).
	FunctionEndpoints *link.FunctionEndpoints
	// Alarms on the function's errors and throttles and on connections left pending for an hour,
	// and their graphs on the stack's dashboard (see the alarms package). With either on, a
	// schedule sweeps every 15 minutes, so the decisions it publishes (PrivateLink/Acceptor
	// metrics) show what is still pending (a cross-region service gets the schedule in any
	// case: a connection from another Region may show up later than its consumer's request
	// waits, which then leaves it to the notification). Default: off.
	Alarms alarms.Props
}

// PendingCheckInterval is how often the acceptor sweeps when its alarms or dashboard are on, or
// the service is cross-region.
const PendingCheckInterval = 15 * time.Minute

// Acceptor is the deployed acceptance machinery.
type Acceptor interface {
	constructs.Construct
	// Function accepts connections; consumer stacks use its ARN as a ServiceToken.
	Function() awslambda.IFunction
	// Role of the function.
	Role() awsiam.IRole
	// Topic receives the service's Connect notifications.
	Topic() awssns.Topic
	// Notification is the AWS::EC2::VPCEndpointConnectionNotification.
	Notification() awsec2.CfnVPCEndpointConnectionNotification
	// Sweep is the custom resource accepting pending connections on every deploy.
	Sweep() awscdk.CustomResource
	// AllowedAccounts on the allow-list.
	AllowedAccounts() []string
	// Alarms (errors, throttles, left pending); nil unless AcceptorProps.Alarms.Enabled.
	Alarms() []awscloudwatch.Alarm
	// LogGroups this construct created: its function's.
	LogGroups() []awslogs.LogGroup
	// Aliases of the function, one per allow-listed account (consumer-<account>), each
	// invocable by that account alone: consumers ask for acceptance through them.
	Aliases() []awslambda.Alias
}

var (
	functionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	notNameChar  = regexp.MustCompile(`[^A-Za-z0-9_-]`)
)

// FunctionTimeout of the acceptor Lambda: a sweep pages through connections and decides in
// batches, and a consumer's request waits up to 30 s for its connection to become visible (the
// consumer's function, which invokes it synchronously, runs longer).
const FunctionTimeout = time.Minute

// FunctionNameFor is the default acceptor function name for a provider stack.
func FunctionNameFor(stackName string) string {
	name := "privatelink-acceptor-" + notNameChar.ReplaceAllString(stackName, "-")
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// Location says where a provider stack's acceptor runs: enough for a consumer stack to compute
// its ARN (ConsumerProps.AcceptorArn) without pasting it, since the function's name is stable.
type Location struct {
	// Account of the provider stack, 12 digits. Required.
	Account string
	// Region of the provider stack, such as "eu-west-1"; its partition (aws, aws-cn,
	// aws-us-gov) is derived from it. Required.
	Region string
	// StackName of the provider stack, from which the default function name derives.
	// Required unless FunctionName is set.
	StackName string
	// FunctionName when AcceptorProps.FunctionName set one. Default: FunctionNameFor(StackName).
	FunctionName string
}

// Arn is the acceptor function's ARN. A Location with a missing or malformed field gives an
// ARN that ConsumerProps.Validate refuses, naming the value.
func (l Location) Arn() string {
	name := l.FunctionName
	if name == "" && l.StackName != "" {
		name = FunctionNameFor(l.StackName)
	}
	partition := "aws"
	if p, ok := awsid.PartitionOf(l.Region); ok {
		partition = p.Name
	}
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition, l.Region, l.Account, name)
}

// FunctionArnOutput names the acceptor's stack output, prefixed with the construct's ID (such
// as AcceptorFunctionArn); consumer.HandoffFromOutputs reads it.
const FunctionArnOutput = "FunctionArn"

// Validate reports, at once, every problem NewAcceptor(scope, id, p) would refuse, each naming
// the field, the value and the fix; nil means NewAcceptor accepts p there.
func (p *AcceptorProps) Validate(scope constructs.Construct, id string) error {
	stack, err := tree.StackOf(scope, "NewAcceptor")
	if err != nil {
		return err
	}
	errs := tree.CheckNew(scope, id, "NewAcceptor")
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("privatelink: AcceptorProps."+format, args...))
	}
	if p.Service == nil {
		bad("Service is nil: pass the provider.Provider whose connections to accept")
	}
	for i, a := range p.AllowedAccounts {
		if !awsid.Account.MatchString(a) {
			bad("AllowedAccounts[%d] %q is not a 12-digit account ID: fix the value", i, a)
		}
	}
	if p.Service != nil && len(p.allowed()) == 0 {
		bad("AllowedAccounts is empty and the service allows no account principals: nothing could ever be accepted; list consumer accounts in ProviderProps.AllowedPrincipals or here")
	}
	if p.NotAllowed != "" && p.NotAllowed != LeavePending && p.NotAllowed != Reject {
		bad("NotAllowed %q is not a policy: use %q or %q", p.NotAllowed, LeavePending, Reject)
	}
	name := p.functionName(stack)
	switch {
	case p.FunctionName != "" && !functionName.MatchString(p.FunctionName):
		bad("FunctionName %q is not a Lambda function name (1-64 of A-Z a-z 0-9 _ -): fix the value", p.FunctionName)
	default:
		if prev := registry.Owner(scope, "lambda-function-name", functionNameKey(stack, name)); prev != "" {
			bad("FunctionName %q is already used by the acceptor %s in the same account and Region: Lambda function names are unique per account and Region; set a different FunctionName on one of them", name, prev)
		}
	}
	if why := p.Alarms.Problem(); why != "" {
		bad("Alarms.%s", why)
	}
	if why := gofunc.CheckLogs("", p.LogRetention, p.LogRemovalPolicy); why != "" {
		bad("%s", why)
	}
	p.validateControlTower(bad)
	return errors.Join(errs...)
}

// networked is a Service that says where its own functions run: a provider.Provider.
type networked interface {
	FunctionNetwork() *gofunc.Network
}

// network is where the function runs under ControlTowerStrict, or nil.
func (p *AcceptorProps) network() *gofunc.Network {
	if !p.ControlTower.Strict() {
		return nil
	}
	if p.Vpc != nil {
		return &gofunc.Network{Vpc: p.Vpc, Subnets: p.VpcSubnets, Endpoints: p.FunctionEndpoints}
	}
	if svc, ok := p.Service.(networked); ok {
		if n := svc.FunctionNetwork(); n != nil {
			if p.FunctionEndpoints != nil {
				n.Endpoints = p.FunctionEndpoints
			}
			return n
		}
	}
	return nil
}

// validateControlTower refuses, under ControlTowerStrict, what a Control Tower proactive control
// would fail at deploy (rules of @cdklabs/cdk-validator-cfnguard, rules/control-tower).
func (p *AcceptorProps) validateControlTower(bad func(string, ...any)) {
	if why := p.ControlTower.Problem(); why != "" {
		bad("%s", why)
		return
	}
	if !p.ControlTower.Strict() {
		if p.Vpc != nil || p.VpcSubnets != nil || p.FunctionEndpoints != nil {
			bad("Vpc, VpcSubnets or FunctionEndpoints is set, but ControlTower is not strict, so the function runs outside any VPC: set ControlTower to link.ControlTowerStrict or drop them")
		}
		return
	}
	if p.LogsKey == nil {
		bad("%s", link.LogsKeyMissing)
	}
	if p.Vpc == nil && p.VpcSubnets != nil {
		bad("VpcSubnets is set without Vpc: give the Vpc they belong to")
	}
	switch n := p.network(); {
	case n == nil && p.Service != nil:
		bad("Vpc is nil with ControlTower strict and Service is not a provider of this library, so the function has no VPC to run in (Control Tower's CT.LAMBDA.PR.3): give the Vpc")
	case n != nil:
		if why := gofunc.CheckEndpoints("FunctionEndpoints", n.Endpoints, acceptorAPIs); why != "" {
			bad("%s", why)
		}
	}
}

// acceptorAPIs are the AWS APIs the acceptor calls: EC2 (the service's connections).
var acceptorAPIs = []gofunc.API{gofunc.EC2}

// allowed are the accounts whose connections are accepted.
func (p *AcceptorProps) allowed() []string {
	if len(p.AllowedAccounts) > 0 {
		return p.AllowedAccounts
	}
	if p.Service != nil {
		return p.Service.AllowedAccounts()
	}
	return nil
}

func (p *AcceptorProps) functionName(stack awscdk.Stack) string {
	if p.FunctionName != "" {
		return p.FunctionName
	}
	return FunctionNameFor(*stack.StackName())
}

type acceptor struct {
	constructs.Construct
	fn           awslambda.IFunction
	role         awsiam.IRole
	topic        awssns.Topic
	notification awsec2.CfnVPCEndpointConnectionNotification
	sweep        awscdk.CustomResource
	allowed      []string
	alarms       []awscloudwatch.Alarm
	logGroups    []awslogs.LogGroup
	aliases      []awslambda.Alias
}

// NewAcceptor deploys the acceptor for props.Service.
func NewAcceptor(scope constructs.Construct, id string, props *AcceptorProps) Acceptor {
	if props == nil {
		props = &AcceptorProps{}
	}
	if err := props.Validate(scope, id); err != nil {
		panic(err)
	}
	allowed := props.allowed()
	a := &acceptor{allowed: allowed}
	// The struct itself is the construct (jsii's override pattern), so it can be passed to
	// anything that takes a construct: awscdk.Stack_Of(a), Node().AddDependency(a), ….
	constructs.NewConstruct_Override(a, scope, jsii.String(id))
	c := a.Construct
	tree.ClaimOutputs(c)
	stack := awscdk.Stack_Of(c)
	svc := props.Service
	policy := props.NotAllowed
	if policy == "" {
		policy = LeavePending
	}
	name := props.functionName(stack)

	actions := []string{"ec2:AcceptVpcEndpointConnections"}
	if policy == Reject {
		actions = append(actions, "ec2:RejectVpcEndpointConnections")
	}
	// The call is authorized on the service and on each endpoint; endpoints live in consumer
	// accounts (and, cross-region, in other Regions), hence those wildcards on that type only.
	anyEndpoint := *svc.ConsumerEndpointsArn()
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("DecideOnThisServiceOnly"),
			Actions:   jsii.Strings(actions...),
			Resources: jsii.Strings(*svc.ServiceArn(), anyEndpoint),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			// EC2 Describe* calls support no resource-level permissions.
			Sid: jsii.String("DescribeNeedsStar"), Actions: jsii.Strings("ec2:DescribeVpcEndpointConnections"), Resources: jsii.Strings("*"),
		}),
	}
	if len(svc.AllowedRegions()) > 0 {
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			// Deciding on connections from other Regions needs vpce:AllowMultiRegion, which the
			// Service Authorization Reference lists with the vpc-endpoint-service and
			// vpc-endpoint resource types.
			Sid: jsii.String("CrossRegionConnections"), Actions: jsii.Strings("vpce:AllowMultiRegion"), Resources: jsii.Strings(*svc.ServiceArn(), anyEndpoint),
		}))
	}
	registry.Claim(c, "lambda-function-name", functionNameKey(stack, name), c)
	scheduled := props.Alarms.Enabled || props.Alarms.Dashboard || len(svc.AllowedRegions()) > 0
	fn := gofunc.New(c, "Function", &gofunc.Props{
		Handler:      handler.Acceptor,
		Description:  "Accepts PrivateLink connections from allow-listed accounts",
		FunctionName: name,
		Timeout:      FunctionTimeout,
		Statements:   statements,
		Environment: map[string]string{
			"SERVICE_ID":       *svc.ServiceId(),
			"ALLOWED_ACCOUNTS": strings.Join(allowed, ","),
			"NOT_ALLOWED":      policy,
			"CROSS_REGION":     gofunc.CrossRegion(svc.AllowedRegions()),
		},
		LogsKey:          props.LogsKey,
		Retention:        props.LogRetention,
		LogRemovalPolicy: props.LogRemovalPolicy,
		Network:          props.network(),
		Scheduled:        scheduled, // the sweep every PendingCheckInterval keeps it Active
	})
	for _, api := range acceptorAPIs {
		fn.Reach(api)
	}
	a.fn, a.role, a.logGroups = fn.Function, fn.Role, fn.LogGroups()

	// Connection notifications: only vpce.amazonaws.com, only for this service, only over TLS.
	a.topic = awssns.NewTopic(c, jsii.String("Notifications"), &awssns.TopicProps{EnforceSSL: jsii.Bool(true)})
	a.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("VpceNotificationsForThisServiceOnly"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("vpce.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*a.topic.TopicArn()),
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": svc.ServiceArn()},
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		},
	}))
	gofunc.Subscribe(a.topic, fn.Function)
	a.notification = awsec2.NewCfnVPCEndpointConnectionNotification(c, jsii.String("ConnectNotification"), &awsec2.CfnVPCEndpointConnectionNotificationProps{
		ServiceId:                 svc.ServiceId(),
		ConnectionEvents:          jsii.Strings("Connect"),
		ConnectionNotificationArn: a.topic.TopicArn(),
	})
	// EC2 test-publishes to the topic when the notification is created.
	if policy := a.topic.Node().TryFindChild(jsii.String("Policy")); policy != nil {
		a.notification.Node().AddDependency(policy)
	}

	// Each allow-listed account may ask for acceptance of its own endpoints, through an alias
	// only it may invoke (package acceptance: the alias tells the function which account asks).
	// On $LATEST, so the alias never lags the code; no permission lets another account invoke
	// the function unqualified.
	for _, acct := range allowed {
		alias := awslambda.NewAlias(c, jsii.String("Alias"+acct), &awslambda.AliasProps{AliasName: jsii.String(acceptanceAlias(acct)), Version: fn.Function.LatestVersion()})
		alias.AddPermission(jsii.String("Invoke"), &awslambda.Permission{
			Principal: awsiam.NewAccountPrincipal(jsii.String(acct)),
			Action:    jsii.String("lambda:InvokeFunction"),
		})
		a.aliases = append(a.aliases, alias)
	}

	// The sweep runs when the allow-list or policy changes, and catches connections requested
	// before the notification existed.
	a.sweep = fn.CustomResource(c, "Sweep", "Custom::EndpointAcceptanceSweep", map[string]any{
		"ServiceId": svc.ServiceId(), "AllowedAccounts": strings.Join(allowed, ","), "NotAllowed": policy,
	})
	a.sweep.Node().AddDependency(a.notification)

	tree.Output(c, FunctionArnOutput, "Acceptor ARN: the consumer's AcceptorArn (its function asks for acceptance through the alias consumer-<its account>)", a.fn.FunctionArn())
	if scheduled {
		a.schedule()
	}
	a.addAlarms(props.Alarms, *svc.ServiceId())
	return a
}

// schedule sweeps every PendingCheckInterval: for the alarms' metrics, and for a cross-region
// service, whose connections may show up later than a consumer's request waits (it then answers
// NotVisible) and so depend on the Connect notification — one lost notification would leave an
// endpoint pending for good. Consumers without AcceptorArn depend on it too.
func (a *acceptor) schedule() {
	// An EventBridge schedule delivers "Scheduled Event" to the function (EventBridge User
	// Guide, "Creating a rule that runs on a schedule"); gofunc.Rule adds the permission for
	// events.amazonaws.com on this rule only.
	gofunc.Rule(a.Construct, "PendingCheck", &awsevents.RuleProps{
		Description: jsii.String("Sweeps the endpoint service's pending connections: accepts allow-listed ones a notification missed, publishes what is left pending"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(PendingCheckInterval.Minutes()))),
	}, gofunc.Target{Function: a.fn, RetryAttempts: 0})
}

// addAlarms watches the function and the connections it leaves pending.
func (a *acceptor) addAlarms(p alarms.Props, serviceID string) {
	if !p.Enabled && !p.Dashboard {
		return
	}
	five := awscdk.Duration_Minutes(jsii.Number(5))
	pending := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(decisions.Namespace), MetricName: jsii.String(decisions.LeftPending),
		DimensionsMap: &map[string]*string{decisions.Dimension: jsii.String(serviceID)},
		Statistic:     jsii.String("Minimum"), Period: awscdk.Duration_Minutes(jsii.Number(PendingCheckInterval.Minutes())),
	})
	a.alarms = p.Add(a.Construct, "Acceptor", []alarms.Alarm{
		{ID: "ErrorsAlarm", Metric: a.fn.MetricErrors(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: five}),
			Threshold: 1, Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, Periods: 1,
			MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING, Title: "Acceptor errors", Unit: "invocations",
			Description: "The acceptor failed (an EC2 call or an unsuccessful accept/reject): connections may stay pending. Read the function's log for the error (docs/operations.md, Troubleshooting: acceptor errors)."},
		{ID: "ThrottlesAlarm", Metric: a.fn.MetricThrottles(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: five}),
			Threshold: 1, Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, Periods: 1,
			MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING, Title: "Acceptor throttles", Unit: "invocations",
			Description: "Lambda throttled the acceptor (account concurrency exhausted): notifications are retried, consumer deploys may fail. Check the account's Lambda concurrency (docs/operations.md, Troubleshooting: acceptor throttles)."},
		{ID: "LeftPendingAlarm", Metric: pending,
			Threshold: 1, Comparison: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, Periods: 4,
			MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING, Title: "Connections left pending", Unit: "connections",
			Description: "A connection from an account not on the allow-list has been pending for an hour (every 15-minute sweep found one); its endpoint is billed meanwhile. Accept or reject it (docs/operations.md, Troubleshooting: connections left pending)."},
	})
}

func (a *acceptor) Alarms() []awscloudwatch.Alarm { return a.alarms }

// functionNameKey identifies a function name in its account and Region; for an
// environment-agnostic stack, only within that stack.
func functionNameKey(stack awscdk.Stack, name string) string {
	account, region := *stack.Account(), *stack.Region()
	if strings.Contains(account+region, "${Token[") {
		return *stack.Node().Path() + "|" + name
	}
	return account + "|" + region + "|" + name
}

func (a *acceptor) Function() awslambda.IFunction { return a.fn }
func (a *acceptor) Role() awsiam.IRole            { return a.role }
func (a *acceptor) Topic() awssns.Topic           { return a.topic }
func (a *acceptor) Notification() awsec2.CfnVPCEndpointConnectionNotification {
	return a.notification
}
func (a *acceptor) Sweep() awscdk.CustomResource  { return a.sweep }
func (a *acceptor) AllowedAccounts() []string     { return a.allowed }
func (a *acceptor) LogGroups() []awslogs.LogGroup { return a.logGroups }
func (a *acceptor) Aliases() []awslambda.Alias    { return a.aliases }

// acceptanceAlias is the alias consumers of account invoke (package acceptance).
func acceptanceAlias(account string) string { return acceptance.Alias(account) }
