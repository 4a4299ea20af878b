package consumer

import (
	"fmt"
	"slices"
	"strconv"
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
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/spec/acceptance"
	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
	"github.com/privatelink-go/privatelink/internal/synth/nag"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

// ownerTag marks the endpoints a consumer creates with its construct path.
const ownerTag = "privatelink:consumer"

// IP address types, in AWS's words.
const (
	DualStack = "dualstack"
	IPv4      = "ipv4"
)

// SameAppProvider is what a consumer reads from a provider in its own app (ConsumerProps.Provider);
// provider.Provider has these methods, so the consumer needs nothing else of the provider.
type SameAppProvider interface {
	constructs.IConstruct
	// ServiceName consumers connect to, as a token.
	ServiceName() *string
	// ServiceId (vpce-svc-…) of the service, as a token.
	ServiceId() *string
	// Ports of the service and their protocols; nil when unknown.
	Ports() []link.ServicePort
	// AvailabilityZoneIds the service's NLB serves; nil when unknown at synth.
	AvailabilityZoneIds() []string
	// Permissions the endpoint waits for (the allowed principals); nil without them.
	Permissions() awsec2.CfnVPCEndpointServicePermissions
	// Verification of the private DNS name the endpoint waits for; nil without it.
	Verification() awscdk.CustomResource
}

// ConsumerProps configures a Consumer. The zero value of every optional field is a safe default.
type ConsumerProps struct {
	// ServiceName of the provider's endpoint service,
	// com.amazonaws.vpce.<region>.vpce-svc-<hex> (the provider stack's ServiceName output).
	// Required.
	ServiceName string
	// Provider in the same app, instead of ServiceName: its service name is used, read when this
	// stack deploys, and this stack deploys after the provider's, its endpoint (and preflight)
	// waiting for the service's permissions and, in Route 53 mode, its private DNS
	// verification. In another account the name is read with Fn::GetStackOutput, through a role
	// this construct adds to the provider's stack (PrivateLinkReader-<account>-<hash>), which
	// this stack's CloudFormation execution role may assume (DefaultStackSynthesizer's), with an
	// output of the service's ID. In another Region, set ServiceRegion too. A provider.Provider
	// is one. Default: none.
	Provider SameAppProvider
	// ServiceRegion of a provider in another Region (cross-region PrivateLink; needs
	// vpce:AllowMultiRegion for the deploying role). Default: the stack's Region.
	ServiceRegion string
	// Ports of the service and their protocols (the provider's Listeners; Provider.Ports()):
	// the endpoint security group admits each on its IP protocol (TCP for TCP and TLS, UDP, both
	// for TCP_UDP), and the test client checks the first (over https for TLS). Default: the
	// Provider's ports when Provider is set; otherwise required.
	Ports []link.ServicePort

	// Vpc for the endpoint. Default: a new isolated dual-stack VPC (no NAT gateway, internet
	// gateway, egress-only gateway or public IPv4) in AvailabilityZoneIds.
	Vpc awsec2.IVpc
	// AvailabilityZoneIds of the created VPC's subnets, such as ["euw1-az1", "euw1-az2"]. In the
	// provider's Region they must be among the provider's AZ IDs (a subnet in a zone the NLB does
	// not serve makes CreateVpcEndpoint fail); IDs, unlike names, mean the same zones in both
	// accounts. Must not be set with Vpc. Default: the Region's first two AZ IDs, the
	// provider's default too.
	AvailabilityZoneIds []string
	// Subnets for the endpoint ENIs (one per AZ; each is billed per hour), and the test
	// client's. Default: the VPC's isolated subnets, or, in a VPC without any, its private
	// subnets with egress (a given VPC with neither needs Subnets).
	Subnets *awsec2.SubnetSelection
	// IpAddressType of the endpoint: "dualstack" or "ipv4". Default: "dualstack".
	IpAddressType string
	// DnsRecordIpType: "dualstack", "ipv4", "ipv6" or "service-defined"; only dualstack gives
	// the private DNS name both A and AAAA records. Default: "dualstack" ("ipv4" for an ipv4 endpoint).
	DnsRecordIpType string
	// PrivateDns turns on private DNS once the connection is accepted, so the provider's name
	// (and the default service name) resolve to the endpoint inside the VPC. Default: true,
	// except in China (aws-cn), where endpoint services have no private DNS names: off there,
	// and true is refused.
	PrivateDns *bool

	// SecurityGroups are existing security groups attached to the endpoint besides the one
	// created here (or instead of it, with SecurityGroupDisabled); their rules are their
	// owner's. An endpoint takes 5 security groups by default, 16 with a raised quota
	// ("Security groups per network interface", Amazon VPC quotas). Default: none.
	SecurityGroups []awsec2.ISecurityGroup
	// SecurityGroupDisabled creates no security group: the endpoint gets SecurityGroups only,
	// which must admit the clients on Ports. Must not be set with the Allowed* fields or
	// TestClient, which are rules of the created group. Default: false.
	SecurityGroupDisabled bool

	// AllowedSecurityGroups may reach the endpoint on Ports (rules of the created security
	// group). Default: none; with all four Allowed* fields empty, the VPC's IPv4 CIDR and every
	// IPv6 CIDR of the VPC known in this stack.
	AllowedSecurityGroups []awsec2.ISecurityGroup
	// AllowedIpv4Cidrs may reach the endpoint on Ports, such as "10.1.0.0/16". Default: none
	// (see AllowedSecurityGroups).
	AllowedIpv4Cidrs []string
	// AllowedIpv6Cidrs may reach the endpoint on Ports, such as "2001:db8::/56". Default: none
	// (see AllowedSecurityGroups).
	AllowedIpv6Cidrs []string
	// AllowedPrefixLists are managed prefix list IDs (pl-…, yours or AWS-managed) whose ranges
	// may reach the endpoint on Ports. Each rule counts as the list's maximum entries against
	// the group's rules quota, 60 by default (Amazon VPC quotas, "Security groups"); a list
	// holds IPv4 or IPv6 ranges, never both. Default: none (see AllowedSecurityGroups).
	AllowedPrefixLists []string

	// AcceptanceTimeout bounds the wait for acceptance and for private DNS (and the preflight's
	// wait for the service's private DNS name to be verified), 1m to 55m in whole seconds. The
	// wait spans several Lambda invocations (a Step Functions state machine invokes the function
	// every 5 minutes), and the deploy goes on as soon as the endpoint is available
	// with private DNS; CloudFormation waits for it up to AcceptanceTimeout + 5 minutes. Default:
	// 10 minutes — an acceptor accepts within seconds and private DNS takes a minute or two, so a
	// wrong allow-list fails the deploy in 10 minutes rather than 55; raise it when a person
	// accepts connections by hand.
	AcceptanceTimeout time.Duration
	// AcceptorArn of the provider's acceptor Lambda (the provider's AcceptorFunctionArn output,
	// or acceptor.Location's Arn), in the provider's Region: when set, this consumer's function
	// asks it to accept this endpoint before waiting, through its alias for this stack's account
	// (lambda:InvokeFunction on that alias only; cross-region too). Default: none — the
	// provider's acceptor still accepts on its Connect notification.
	AcceptorArn string
	// PreflightDisabled skips the check that runs before the endpoint is created (IPv6 support,
	// verified private DNS name, served AZs, DNS support and hostnames in the VPC).
	// Default: false (preflight on).
	PreflightDisabled bool
	// LookupSupportedAzs restricts the subnets to the service's AZs with a lookup at synth
	// (needs credentials, a concrete env and a literal ServiceName). Default: false.
	LookupSupportedAzs bool

	// S3GatewayEndpoint adds a (free) S3 gateway endpoint to the created VPC. Default: false.
	S3GatewayEndpoint bool
	// TestClient adds an instance (TestClientInstanceType) reachable with SSM Session Manager (no bastion, no
	// internet; adds ssm, ssmmessages and ec2messages interface endpoints) and outputs the curl
	// commands of the walkthrough. Default: false.
	TestClient bool
	// TestClientInstanceType is the test client's instance type, for an AZ that does not offer
	// the default (aws ec2 describe-instance-type-offerings --location-type
	// availability-zone-id); the image follows its architecture. Under ControlTowerStrict it
	// must be a type of link.NitroInTransitFamilies (CT.EC2.PR.19). Only with TestClient.
	// Default: link.DemoInstanceType, t4g.nano (ControlTowerStrict: c7g.medium).
	TestClientInstanceType string
	// Enabler is a function shared with other consumers of this stack (NewEnabler), instead of
	// one created for this consumer. CloudFormation never lets a custom resource's service
	// token change, so switching a deployed consumer to it (or back) needs a new consumer ID.
	// Default: each consumer creates its own.
	Enabler Enabler
	// ControlTower link.ControlTowerStrict makes the consumer's templates pass every AWS Control
	// Tower proactive control: its function runs in the VPC, reaching EC2, Step Functions,
	// CloudFormation and (with AcceptorArn) Lambda through interface endpoints and S3 through
	// the gateway endpoint (FunctionEndpoints), and settings a control would fail at deploy
	// are refused at synth, naming the control and the fix (LogsKey, …; docs/compliance.md).
	// With Enabler, the Enabler must be strict too. Default: link.ControlTowerDefault.
	ControlTower link.ControlTower
	// FunctionEndpoints of the VPC, under ControlTowerStrict, when it already has them. Not
	// with Enabler (set them in EnablerProps). Default: created in the VPC, one set per VPC
	// shared by every function of this library there (docs/operations.md gives their cost).
	FunctionEndpoints *link.FunctionEndpoints
	// LogsKey encrypts the log groups this construct creates (its functions' and their wait state
	// machines'), as AWS Control Tower's CT.CLOUDWATCH.PR.3 requires: logkey.New makes one. A key
	// from this app gets the statement CloudWatch Logs needs; a key imported by ARN must already
	// allow logs.<region>.amazonaws.com (docs/compliance.md). Not with Enabler (set it in
	// EnablerProps). Default: none, CloudWatch Logs' own encryption at rest.
	LogsKey awskms.IKey
	// LogRetention of those log groups. Not with Enabler. Default:
	// awslogs.RetentionDays_ONE_YEAR, the least Control Tower's CT.CLOUDWATCH.PR.2 accepts.
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy of those log groups: awscdk.RemovalPolicy_DESTROY or _RETAIN. Not with
	// Enabler. Default: DESTROY (the logs are deleted with the stack).
	LogRemovalPolicy awscdk.RemovalPolicy
	// Alarms on the packets the endpoint drops and the resets it receives, and their graphs on
	// the stack's dashboard (see the alarms package). Default: off.
	Alarms alarms.Props
}

func (p *ConsumerProps) ipAddressType() string {
	if p.IpAddressType == "" {
		return DualStack
	}
	return p.IpAddressType
}

func (p *ConsumerProps) dnsRecordIpType() string {
	if p.DnsRecordIpType != "" {
		return p.DnsRecordIpType
	}
	if p.ipAddressType() == IPv4 {
		return IPv4
	}
	return DualStack
}

// crossRegion tells whether the service is in another Region than the stack (one whose Region is
// unknown at synth counts as another when ServiceRegion is given).
func (p *ConsumerProps) crossRegion(stackRegion string) bool {
	return p.ServiceRegion != "" && p.ServiceRegion != stackRegion
}

func (p *ConsumerProps) privateDNS() bool { return p.PrivateDns == nil || *p.PrivateDns }

// withPartitionDefaults is p with the defaults that depend on the partition filled in: private
// DNS off by default where endpoint services have no private DNS names (China). The
// partition is the stack's, else the one ServiceName names.
func (p *ConsumerProps) withPartitionDefaults(stack awscdk.Stack) *ConsumerProps {
	if p.PrivateDns != nil || awsid.EndpointServicePrivateDNS(p.partitionRegion(stack)) {
		return p
	}
	q := *p
	q.PrivateDns = jsii.Bool(false)
	return &q
}

// partitionRegion is a Region of the consumer's partition: the stack's, else the service's;
// "" when neither is known at synth.
func (p *ConsumerProps) partitionRegion(stack awscdk.Stack) string {
	if r := *stack.Region(); !tree.IsToken(r) {
		return r
	}
	return ServiceRegionOf(p.ServiceName)
}

// azIDs are the AZ IDs of the VPC created for the endpoint (nil: NewIsolatedVpc's default, the
// Region's first two).
func (p *ConsumerProps) azIDs(stackRegion string) []string {
	if len(p.AvailabilityZoneIds) == 0 && p.crossRegion(stackRegion) {
		return awsid.DefaultAZIDs(stackRegion, true)
	}
	return p.AvailabilityZoneIds
}

// subnets is the selection of the endpoint's subnets in vpc: Subnets, or the isolated subnets
// (all a created VPC has), or the private subnets with egress of a VPC without isolated ones.
// Validate has made sure it selects some.
func (p *ConsumerProps) subnets(vpc awsec2.IVpc) *awsec2.SubnetSelection {
	switch {
	case p.Subnets != nil:
		return p.Subnets
	case p.Vpc != nil && len(*vpc.IsolatedSubnets()) == 0 && len(*vpc.PrivateSubnets()) > 0:
		return &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}
	default:
		return &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
	}
}

// DefaultAcceptanceTimeout is AcceptanceTimeout's default.
const DefaultAcceptanceTimeout = 10 * time.Minute

func (p *ConsumerProps) timeout() time.Duration {
	if p.AcceptanceTimeout == 0 {
		return DefaultAcceptanceTimeout
	}
	return p.AcceptanceTimeout
}

// Consumer is an interface endpoint to a provider's service. Getters return nil for what was
// not created.
type Consumer interface {
	constructs.Construct
	// Vpc of the endpoint: ConsumerProps.Vpc, or the one created.
	Vpc() awsec2.IVpc
	// Endpoint is the interface endpoint (AWS::EC2::VPCEndpoint).
	Endpoint() awsec2.InterfaceVpcEndpoint
	// SecurityGroup created for the endpoint; nil with SecurityGroupDisabled.
	SecurityGroup() awsec2.SecurityGroup
	// SecurityGroups attached to the endpoint: the created one first, then
	// ConsumerProps.SecurityGroups.
	SecurityGroups() []awsec2.ISecurityGroup
	// EndpointId (vpce-…) as a token.
	EndpointId() *string
	// RegionalDnsName of the endpoint (vpce-….vpce-svc-….<region>.vpce.amazonaws.com), as a token.
	RegionalDnsName() *string
	// ZonalDnsNames of the endpoint, one per subnet, comma-separated, as a token; nil
	// cross-region, where endpoints have a regional DNS name only.
	ZonalDnsNames() *string
	// PrivateDnsName of the service as the preflight read it; nil without preflight.
	PrivateDnsName() *string
	// Function runs the preflight and the private DNS step (the Enabler's).
	Function() awslambda.IFunction
	// Enabler holding Function: this consumer's own, or ConsumerProps.Enabler.
	Enabler() Enabler
	// LogGroups of this consumer's own enabler (its function's, then its wait state machine's);
	// nil with a shared ConsumerProps.Enabler, whose LogGroups they are.
	LogGroups() []awslogs.LogGroup
	// Preflight is the custom resource that checks the service before the endpoint exists; nil
	// with PreflightDisabled.
	Preflight() awscdk.CustomResource
	// AcceptanceRequest asks the provider's acceptor to accept this endpoint (served by Function,
	// which invokes the acceptor); nil without AcceptorArn.
	AcceptanceRequest() awscdk.CustomResource
	// PrivateDnsEnabler waits for acceptance and turns private DNS on; depend on it to order
	// anything after the endpoint is usable by name.
	PrivateDnsEnabler() awscdk.CustomResource
	// TestClient is the SSM-reachable instance; nil unless ConsumerProps.TestClient.
	TestClient() awsec2.Instance
	// Alarms (dropped packets, resets received); nil unless ConsumerProps.Alarms.Enabled.
	Alarms() []awscloudwatch.Alarm
}

type consumer struct {
	constructs.Construct
	vpc                            awsec2.IVpc
	endpoint                       awsec2.InterfaceVpcEndpoint
	sg                             awsec2.SecurityGroup
	sgs                            []awsec2.ISecurityGroup
	enablerFn                      *enabler
	fn                             awslambda.IFunction
	preflight, acceptance, enabler awscdk.CustomResource
	client                         awsec2.Instance
	subnetCount                    int
	alarms                         []awscloudwatch.Alarm
}

// NewConsumer validates props (panicking with every problem at once, as Validate reports them)
// and creates the endpoint.
func NewConsumer(scope constructs.Construct, id string, props *ConsumerProps) Consumer {
	if props == nil {
		props = &ConsumerProps{}
	}
	if err := props.Validate(scope, id); err != nil {
		panic(err)
	}
	props = props.withPartitionDefaults(awscdk.Stack_Of(scope))
	if props.Provider != nil {
		withName := *props
		withName.ServiceName = providerServiceName(awscdk.Stack_Of(scope), props.Provider)
		if len(withName.Ports) == 0 {
			withName.Ports = props.Provider.Ports()
		}
		props = &withName
	}
	c := &consumer{}
	// The struct itself is the construct (jsii's override pattern), so it can be passed to
	// anything that takes a construct: awscdk.Stack_Of(c), Node().AddDependency(c), ….
	constructs.NewConstruct_Override(c, scope, jsii.String(id))
	self := c.Construct
	tree.ClaimOutputs(self)
	stack := awscdk.Stack_Of(self)
	dual := props.ipAddressType() == DualStack
	crossRegion := props.crossRegion(*stack.Region())

	createdVpc := props.Vpc == nil
	var isolated *link.IsolatedVpc
	var s3 awsec2.IGatewayVpcEndpoint
	if createdVpc {
		isolated = link.NewIsolatedVpc(self, "Vpc", props.azIDs(*stack.Region()))
		c.vpc = isolated.Vpc
		if props.S3GatewayEndpoint {
			s3 = c.vpc.AddGatewayEndpoint(jsii.String("S3"), &awsec2.GatewayVpcEndpointOptions{Service: awsec2.GatewayVpcEndpointAwsService_S3()})
		}
	} else {
		c.vpc = props.Vpc
	}
	subnets := props.subnets(c.vpc)
	var net *gofunc.Network
	if props.ControlTower.Strict() {
		net = &gofunc.Network{Vpc: c.vpc, Subnets: subnets, Endpoints: props.FunctionEndpoints}
		if isolated != nil {
			// Nothing else in the VPC calls S3, unless S3GatewayEndpoint made a gateway for you.
			net.Home, net.DualStack, net.OwnVpc, net.S3Gateway = isolated.Resource, true, s3 == nil, s3
		}
	}

	// Security group: the service's ports from the named peers only; no egress rules because
	// security groups are stateful and the endpoint never opens connections.
	if !props.SecurityGroupDisabled {
		c.sg = awsec2.NewSecurityGroup(self, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
			Vpc:                  c.vpc,
			Description:          jsii.String("PrivateLink endpoint: service ports from allowed clients only"),
			AllowAllOutbound:     jsii.Bool(false),
			AllowAllIpv6Outbound: jsii.Bool(false),
		})
		nag.Suppress(c.sg, "CdkNagValidationFailure", nag.VpcCidrRule)
		c.sgs = append(c.sgs, c.sg)
		c.allowPeers(props, dual)
	}
	c.sgs = append(c.sgs, props.SecurityGroups...)
	if len(c.sgs) > 5 {
		awscdk.Annotations_Of(self).AddWarningV2(jsii.String("privatelink:securityGroupQuota"), jsii.String(fmt.Sprintf(
			"ConsumerProps.SecurityGroups gives the endpoint %d security groups: a network interface takes 5 unless the quota \"Security groups per network interface\" is raised (to at most 16, with rules per group × groups ≤ 1,000), or CreateVpcEndpoint fails", len(c.sgs))), nil)
	}

	// One function for the preflight and the private DNS step: this consumer's own, with only
	// the reads it needs (the service always, the subnets for the AZ check in the same Region,
	// the VPC's DNS attributes for private DNS), or the stack's shared one.
	if shared, ok := props.Enabler.(*enabler); ok {
		c.enablerFn = shared
	} else {
		describe := []string{"ec2:DescribeVpcEndpoints", "ec2:DescribeVpcEndpointServices"}
		if !crossRegion {
			describe = append(describe, "ec2:DescribeSubnets")
		}
		c.enablerFn = newEnabler(self, "Function", false, describe, props.LogsKey, props.LogRetention, props.LogRemovalPolicy, net)
	}
	if props.privateDNS() {
		c.enablerFn.readDNSAttributes(c.vpc)
	}
	c.enablerFn.serve(*self.Node().Path(), props.privateDNS())
	if crossRegion {
		c.enablerFn.allowMultiRegion(props.ServiceRegion)
	}
	fn := c.enablerFn.fn
	c.fn = fn.Function

	var region *string
	if props.ServiceRegion != "" {
		region = jsii.String(props.ServiceRegion)
	}

	ipType, dnsType := awsec2.VpcEndpointIpAddressType_IPV4, awsec2.VpcEndpointDnsRecordIpType(strings.ReplaceAll(strings.ToUpper(props.dnsRecordIpType()), "-", "_"))
	if dual {
		ipType = awsec2.VpcEndpointIpAddressType_DUALSTACK
	}
	c.endpoint = awsec2.NewInterfaceVpcEndpoint(self, jsii.String("Resource"), &awsec2.InterfaceVpcEndpointProps{
		Vpc:             c.vpc,
		Service:         awsec2.NewInterfaceVpcEndpointService(jsii.String(props.ServiceName), jsii.Number(props.Ports[0].Port)),
		Subnets:         subnets,
		SecurityGroups:  &c.sgs,
		Open:            jsii.Bool(false),
		IpAddressType:   ipType,
		DnsRecordIpType: dnsType,
		// AWS refuses private DNS while the connection is pendingAcceptance; it is turned on
		// by the PrivateDnsEnabler below once the endpoint is available.
		PrivateDnsEnabled:  jsii.Bool(false),
		ServiceRegion:      region,
		LookupSupportedAzs: jsii.Bool(props.LookupSupportedAzs),
	})
	// The tag lets this consumer's function reach the endpoint it replaces (see EnablePrivateDnsPolicy).
	awscdk.Tags_Of(c.endpoint).Add(jsii.String(ownerTag), c.Node().Path(), nil)
	// The subnets the endpoint really gets: InterfaceVpcEndpoint keeps one per AZ and, with
	// LookupSupportedAzs, only served AZs. Refs to the subnets, not to the endpoint.
	endpointSubnets := c.endpoint.Node().DefaultChild().(awsec2.CfnVPCEndpoint).SubnetIds()
	if !props.PreflightDisabled {
		// It waits up to AcceptanceTimeout for a private DNS name that is not verified yet: in
		// external DNS mode the provider publishes its TXT record while this stack deploys.
		// Everything else it checks fails at once.
		c.preflight = fn.WaitingCustomResource(self, "Preflight", "Custom::EndpointPreflight", map[string]any{
			"ServiceName":    props.ServiceName,
			"ServiceRegion":  props.ServiceRegion,
			"Ipv6":           strconv.FormatBool(dual),
			"PrivateDns":     strconv.FormatBool(props.privateDNS()),
			"SubnetIds":      awscdk.Fn_Join(jsii.String(","), endpointSubnets),
			"VpcId":          c.vpc.VpcId(),
			"TimeoutSeconds": strconv.Itoa(int(props.timeout().Seconds())),
		}, props.timeout())
		c.endpoint.Node().AddDependency(c.preflight)
		// A rollback's preflight checks nothing (the endpoint exists): it reads the stack's status.
		c.enablerFn.readStackStatus()
	}
	if pr := props.Provider; pr != nil {
		if ps := awscdk.Stack_Of(pr); *ps.Node().Path() != *stack.Node().Path() {
			// aws-cdk-lib adds no stack dependency for a cross-account reference (refs.js
			// returns before addStackDependency): the order is stated here, so that cdk deploy
			// --all deploys the provider first and cdk destroy --all destroys it last.
			stack.AddStackDependency(ps, jsii.String("the consumer reads the provider's service name and waits for its permissions"))
		}
		// The first call that needs the service visible (the preflight, else the endpoint) waits
		// for the permissions; with private DNS, for the verified name too.
		first := constructs.IConstruct(c.endpoint)
		if c.preflight != nil {
			first = c.preflight
		}
		if perms := pr.Permissions(); perms != nil {
			first.Node().AddDependency(perms)
		}
		if v := pr.Verification(); v != nil && props.privateDNS() {
			first.Node().AddDependency(v)
		}
	}
	// Count the subnets the endpoint really got (LookupSupportedAzs may drop some): DnsEntries
	// has one zonal entry per subnet, and selecting a missing one would fail the deploy.
	c.subnetCount = len(*endpointSubnets)
	if crossRegion {
		// A cross-region endpoint has a regional DNS name only ("You must use regional DNS",
		// PrivateLink cross-Region docs): DnsEntries has no zonal entry to select.
		c.subnetCount = 0
	}

	if props.AcceptorArn != "" {
		// The request goes through this consumer's own function, which invokes the acceptor's
		// alias for this account (package acceptance): the alias tells the acceptor which
		// account asks, and the call reaches an acceptor in another Region too, where a
		// ServiceToken could not (a custom resource's must be in the stack's Region).
		alias := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String(props.AcceptorArn + ":" + acceptance.AliasPrefix), stack.Account()})
		c.enablerFn.invokeAcceptor(alias, props.serviceRegionOr(*stack.Region()))
		c.acceptance = fn.CustomResource(self, "Acceptance", acceptance.ResourceType, map[string]any{
			"AcceptorArn":   alias,
			"VpcEndpointId": c.endpoint.VpcEndpointId(),
			// The acceptor says which service it decides for: another one's means AcceptorArn
			// names the wrong provider's acceptor.
			"ServiceName": props.ServiceName,
		})
	}

	// ModifyVpcEndpoint on this endpoint only. A separate policy (not the role's default one)
	// because the function must exist before the endpoint (preflight) and this policy after it.
	endpointArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ec2"), Resource: jsii.String("vpc-endpoint"), ResourceName: c.endpoint.VpcEndpointId(),
	})
	var statements []awsiam.PolicyStatement
	if props.privateDNS() {
		// The enabler only ever turns private DNS on: without it, it only reads.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ModifyThisEndpointOnly"),
			Actions:   jsii.Strings("ec2:ModifyVpcEndpoint"),
			Resources: jsii.Strings(*endpointArn),
		}))
		// When the endpoint is replaced, CloudFormation creates the new one before deleting the
		// old, and EC2 refuses private DNS on the new one while the old still holds the name
		// ("private-dns-enabled cannot be set because there is already a conflicting DNS domain",
		// terraform-provider-aws#17535): the enabler turns it off on the old endpoint first. Its
		// ID is gone from the template by then, so the grant names this consumer's endpoints by
		// their tag.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:     jsii.String("ModifyThisConsumersTaggedEndpoints"),
			Actions: jsii.Strings("ec2:ModifyVpcEndpoint"),
			Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("ec2"), Resource: jsii.String("vpc-endpoint"), ResourceName: jsii.String("*"),
			})),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/" + ownerTag: c.Node().Path()}},
		}))
		// Turning private DNS on makes EC2 associate an AWS-managed private hosted zone with the
		// VPC on the caller's behalf: the Service Authorization Reference lists
		// route53:AssociateVPCWithHostedZone (and ec2:DescribeVpcs) as dependent actions of
		// endpoint private DNS, and without them the call is reported to hang (boto3#2554). The
		// zone is AWS's, so its ID is unknown: hostedzone/*. A VPC is no Route 53 resource type;
		// what names it is the condition key route53:VPCs, "VPCId=<vpc-id>,VPCRegion=<region>"
		// for each VPC in the request (Route 53 Developer Guide, "Using IAM policy conditions for
		// fine-grained access control"). StringEqualsIfExists: a request naming another VPC is
		// not allowed by this statement; one without the key (AWS does not document whether the
		// association EC2 makes on our behalf carries it) is not narrowed, rather than denied — a
		// denied dependent action makes the private DNS change hang (boto3#2554). Not
		// ForAllValues: IAM warns against set operators on a key the Service Authorization
		// Reference types as a single String. Any hosted zone: hence the Sid.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:     jsii.String("AssociateAnyHostedZoneWithThisVpc"),
			Actions: jsii.Strings("route53:AssociateVPCWithHostedZone"),
			Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("route53"), Region: jsii.String(""), Account: jsii.String(""), Resource: jsii.String("hostedzone"), ResourceName: jsii.String("*"),
			})),
			Conditions: &map[string]any{"StringEqualsIfExists": map[string]any{
				"route53:VPCs": "VPCId=" + *c.vpc.VpcId() + ",VPCRegion=" + *stack.Region(),
			}},
		}), awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			// ec2:DescribeVpcs has no resource types (Service Authorization Reference).
			Sid: jsii.String("DescribeVpcsNeedsStar"), Actions: jsii.Strings("ec2:DescribeVpcs"), Resources: jsii.Strings("*"),
		}))
	}
	var modify awsiam.Policy
	if len(statements) > 0 {
		modify = awsiam.NewPolicy(self, jsii.String("EnablePrivateDnsPolicy"), &awsiam.PolicyProps{
			Roles:      &[]awsiam.IRole{fn.Role},
			Statements: &statements,
		})
		nag.Suppress(modify, "AwsSolutions-IAM5", "route53:AssociateVPCWithHostedZone names hostedzone/* because the private hosted zone private DNS creates is AWS-managed and its ID unknown; its route53:VPCs condition allows no request naming another VPC than this one (a request carrying no VPC is not narrowed: AWS does not document whether EC2's association on our behalf carries one); ec2:DescribeVpcs has no resource types (Service Authorization Reference); ModifyVpcEndpoint on vpc-endpoint/* is conditioned on this consumer's own tag (the endpoint it replaces)")
	}
	c.enabler = fn.WaitingCustomResource(self, "PrivateDnsEnabler", "Custom::PrivateDnsEnabler", map[string]any{
		"VpcEndpointId":     c.endpoint.VpcEndpointId(),
		"PrivateDnsEnabled": strconv.FormatBool(props.privateDNS()),
		"TimeoutSeconds":    strconv.Itoa(int(props.timeout().Seconds())),
		"ServiceName":       props.ServiceName,
		"ConsumerAccount":   stack.Account(),
		// Whatever CloudFormation can update in place on the endpoint: a change re-runs the
		// enabler, which re-asserts private DNS that the update may have turned off (the
		// template says false, since AWS refuses true before acceptance).
		"EndpointConfig": awscdk.Fn_Join(jsii.String("|"), &[]*string{
			awscdk.Fn_Join(jsii.String(","), endpointSubnets), c.securityGroupIds(),
			jsii.String(props.ipAddressType()), jsii.String(props.dnsRecordIpType()),
		}),
	}, props.timeout())
	if modify != nil {
		c.enabler.Node().AddDependency(modify)
	}
	if props.privateDNS() {
		c.reassertAfterEveryDeploy(fn)
	}
	if c.acceptance != nil {
		c.enabler.Node().AddDependency(c.acceptance)
	}

	if props.TestClient {
		c.testClient(props)
	}
	c.addAlarms(props.Alarms, props.ServiceName, crossRegion)
	c.outputs(props)
	return c
}

// ReassertEvent is the key of the input the enabler gets after each deploy of its stack: the
// endpoint whose private DNS to turn back on.
const ReassertEvent = "PrivateLinkReassertPrivateDns"

// reassertAfterEveryDeploy turns private DNS back on after every create or update of the stack.
// The template must say PrivateDnsEnabled false (AWS refuses true before acceptance), so a
// deploy that reverts drift (cdk deploy --revert-drift, drift-aware change sets) or any update
// CloudFormation applies to the endpoint can turn it off, and the enabler custom resource only
// runs when its own properties change. CloudFormation publishes every stack status change to
// the account's default event bus (CloudFormation User Guide, "Stack Status Change event
// detail": source aws.cloudformation, detail-type "CloudFormation Stack Status Change",
// detail.stack-id, detail.status-details.status); this rule hands the enabler the endpoint on
// CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE and IMPORT_COMPLETE of this stack,
// and the enabler turns private DNS on if the stack is still at rest and the endpoint is
// available with it off (it reads the stack's status: cloudformation:DescribeStacks on it). Drift detection still shows PrivateDnsEnabled as
// drifted (true against the template's false): expected, and what this rule keeps true.
func (c *consumer) reassertAfterEveryDeploy(fn *gofunc.Func) {
	stack := awscdk.Stack_Of(c.Construct)
	c.enablerFn.readStackStatus()
	gofunc.Rule(c.Construct, "PrivateDnsAfterEveryDeploy", &awsevents.RuleProps{
		Description: jsii.String("After every deploy of this stack, turns the endpoint's private DNS back on if an update turned it off"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.cloudformation"),
			DetailType: jsii.Strings("CloudFormation Stack Status Change"),
			Detail: &map[string]any{
				"stack-id": []any{stack.StackId()},
				// Every status a deploy ends in with the stack at rest: a rollback restores the
				// previous template's false too (and the enabler's properties, so it does not run).
				"status-details": map[string]any{"status": []any{"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}},
			},
		},
	}, gofunc.Target{
		Function: fn.Function,
		Event:    awsevents.RuleTargetInput_FromObject(map[string]any{ReassertEvent: map[string]any{"VpcEndpointId": c.endpoint.VpcEndpointId(), "StackId": stack.StackId()}}),
		// EventBridge retries a failed delivery, for at most an hour; the next deploy asks
		// again anyway, and the enabler ignores an event that comes during a later deploy.
		RetryAttempts: 2,
		MaxEventAge:   time.Hour,
	})
}

// allowPeers adds the created security group's rules: every port from every allowed peer, or
// from the VPC's own ranges when none is named.
func (c *consumer) allowPeers(props *ConsumerProps, dual bool) {
	var peers []awsec2.IPeer
	for _, g := range props.AllowedSecurityGroups {
		peers = append(peers, g)
	}
	for _, cidr := range props.AllowedIpv4Cidrs {
		peers = append(peers, awsec2.Peer_Ipv4(jsii.String(cidr)))
	}
	for _, cidr := range props.AllowedIpv6Cidrs {
		peers = append(peers, awsec2.Peer_Ipv6(jsii.String(cidr)))
	}
	for _, id := range props.AllowedPrefixLists {
		peers = append(peers, awsec2.Peer_PrefixList(jsii.String(id)))
	}
	if len(peers) == 0 {
		peers = append(peers, awsec2.Peer_Ipv4(c.vpc.VpcCidrBlock()))
		if dual {
			// Every IPv6 range of the VPC, created here or given: the endpoint answers AAAA.
			cidrs := link.Ipv6Cidrs(c.vpc, c.sg)
			for _, cidr := range cidrs {
				peers = append(peers, awsec2.Peer_Ipv6(cidr))
			}
			if len(cidrs) == 0 {
				awscdk.Annotations_Of(c.Construct).AddWarningV2(jsii.String("privatelink:noIpv6Peers"), jsii.String(fmt.Sprintf(
					"ConsumerProps.Vpc %s is not defined in this stack, so its IPv6 ranges are unknown at synth and the endpoint security group admits IPv4 clients only, although the endpoint is dualstack: list your IPv6 client ranges in AllowedIpv6Cidrs (or set IpAddressType to ipv4)", *c.vpc.VpcId())), nil)
			}
		}
	}
	for _, peer := range peers {
		for _, port := range props.Ports {
			for _, sgPort := range port.Protocol.SecurityGroupPorts(port.Port) {
				c.sg.AddIngressRule(peer, sgPort, jsii.String("service port "+port.String()), nil)
			}
		}
	}
}

// securityGroupIds are the endpoint's security group IDs, comma-separated (a single group's ID
// as it is, as before groups could be given).
func (c *consumer) securityGroupIds() *string {
	if len(c.sgs) == 1 {
		return c.sgs[0].SecurityGroupId()
	}
	ids := make([]*string, len(c.sgs))
	for i, g := range c.sgs {
		ids[i] = g.SecurityGroupId()
	}
	return awscdk.Fn_Join(jsii.String(","), &ids)
}

func (c *consumer) testClient(props *ConsumerProps) {
	self := c.Construct
	for _, svc := range []struct {
		id  string
		svc awsec2.InterfaceVpcEndpointAwsService
	}{{"Ssm", awsec2.InterfaceVpcEndpointAwsService_SSM()}, {"SsmMessages", awsec2.InterfaceVpcEndpointAwsService_SSM_MESSAGES()}, {"Ec2Messages", awsec2.InterfaceVpcEndpointAwsService_EC2_MESSAGES()}} {
		ep := awsec2.NewInterfaceVpcEndpoint(self, jsii.String(svc.id+"Endpoint"), &awsec2.InterfaceVpcEndpointProps{
			Vpc: c.vpc, Service: svc.svc, PrivateDnsEnabled: jsii.Bool(true),
			Subnets: props.subnets(c.vpc),
		})
		nag.Suppress(ep, "CdkNagValidationFailure", nag.VpcCidrRule)
	}
	sg := awsec2.NewSecurityGroup(self, jsii.String("TestClientSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: c.vpc, Description: jsii.String("PrivateLink test client: HTTPS to SSM endpoints, service ports to the endpoint"),
		AllowAllOutbound: jsii.Bool(false), AllowAllIpv6Outbound: jsii.Bool(false),
	})
	sg.AddEgressRule(awsec2.Peer_Ipv4(c.vpc.VpcCidrBlock()), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("SSM interface endpoints"), nil)
	for _, port := range props.Ports {
		for _, sgPort := range port.Protocol.SecurityGroupPorts(port.Port) {
			sg.AddEgressRule(c.sg, sgPort, jsii.String("PrivateLink endpoint"), nil)
		}
	}
	for _, sgPort := range props.Ports[0].Protocol.SecurityGroupPorts(props.Ports[0].Port) {
		c.sg.AddIngressRule(sg, sgPort, jsii.String("test client"), nil)
	}
	role := awsiam.NewRole(self, jsii.String("TestClientRole"), &awsiam.RoleProps{
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore"))},
	})
	instanceType, image := link.DemoInstance(self, "TestClientInstanceType", props.TestClientInstanceType, props.ControlTower)
	c.client = awsec2.NewInstance(self, jsii.String("TestClient"), &awsec2.InstanceProps{
		Vpc:           c.vpc,
		VpcSubnets:    props.subnets(c.vpc),
		InstanceType:  instanceType,
		MachineImage:  image,
		SecurityGroup: sg,
		Role:          role,
		// As the provider's demo target: IMDSv2 without a launch template, detailed monitoring,
		// no public IPv4 (Control Tower's CT.EC2.PR.13 and CT.EC2.PR.8).
		HttpTokens:               awsec2.HttpTokens_REQUIRED,
		DetailedMonitoring:       jsii.Bool(true),
		AssociatePublicIpAddress: jsii.Bool(false),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"),
			Volume:     awsec2.BlockDeviceVolume_Ebs(jsii.Number(8), &awsec2.EbsDeviceOptions{Encrypted: jsii.Bool(true), VolumeType: awsec2.EbsDeviceVolumeType_GP3}),
		}},
	})
	c.client.Node().AddDependency(c.enabler)
	nag.Suppress(c.client, "AwsSolutions-EC29", nag.DemoInstance)
	if !link.NitroInTransit(instanceType) {
		guard.Suppress(c.client, guard.NitroEncryption, guard.DemoInstance)
	}
	nag.Suppress(role, "AwsSolutions-IAM4", "AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager; a copy would drift from it")
}

func (c *consumer) outputs(props *ConsumerProps) {
	self := c.Construct
	out := func(name, desc string, v *string) { tree.Output(self, name, desc, v) }
	out("EndpointId", "Interface endpoint ID", c.EndpointId())
	out("RegionalDnsName", "Endpoint regional DNS name", c.RegionalDnsName())
	if zonal := c.ZonalDnsNames(); zonal != nil {
		out("ZonalDnsNames", "Endpoint zonal DNS names (each pins an AZ)", zonal)
	}
	if c.preflight != nil && props.privateDNS() {
		out("PrivateDnsName", "Provider's private DNS name, resolving to this endpoint inside the VPC", c.PrivateDnsName())
	}
	if c.client != nil {
		region := awscdk.Stack_Of(self).Region()
		out("TestClientSession", "Open a shell on the test client", awscdk.Fn_Join(jsii.String(""), jsii.Strings("aws ssm start-session --region ", *region, " --target ", *c.client.InstanceId())))
		var private *string
		if c.preflight != nil && props.privateDNS() {
			private = c.PrivateDnsName()
		}
		out("TestClientChecks", "Run on the test client: each prints Hello World from <host> with the provider's demo target", awscdk.Fn_Join(jsii.String(" ; "), jsii.Strings(checks(props.Ports[0], c.RegionalDnsName(), private)...)))
	}
}

// checks are the test client's commands for port, over IPv4 and IPv6, by the endpoint's regional
// name and, when known, by the private DNS name. TLS is checked by the private DNS name only,
// the name on the certificate (private DNS answers inside the VPC, so no --resolve); without it,
// by the regional name with -k, which skips the name check.
func checks(port link.ServicePort, regional, private *string) []string {
	names := []*string{regional}
	if private != nil {
		names = append(names, private)
	}
	n := strconv.Itoa(port.Port)
	var out []string
	for _, name := range names {
		for _, family := range []string{"4", "6"} {
			switch port.Protocol {
			case link.TLS:
				if private == nil {
					out = append(out, "curl -"+family+" -sS -k https://"+*name+":"+n+"/")
				} else if name == private {
					out = append(out, "curl -"+family+" -sS https://"+*name+":"+n+"/")
				}
			case link.UDP, link.TCPUDP:
				// Python ships in Amazon Linux 2023 (nc does not): one datagram, print the answer.
				af := map[string]string{"4": "AF_INET", "6": "AF_INET6"}[family]
				out = append(out, `python3 -c "import socket as s; a=s.getaddrinfo('`+*name+`', `+n+`, s.`+af+`, s.SOCK_DGRAM)[0]; c=s.socket(a[0], s.SOCK_DGRAM); c.settimeout(5); c.sendto(b'hi', a[4]); print(c.recv(512).decode().strip())"`)
				if port.Protocol == link.TCPUDP {
					out = append(out, "curl -"+family+" -sS http://"+*name+":"+n+"/")
				}
			default:
				out = append(out, "curl -"+family+" -sS http://"+*name+":"+n+"/")
			}
		}
	}
	return out
}

func dnsName(entry *string) *string {
	// Entries look like "Z7HUB22UULQXV:vpce-….vpce.amazonaws.com".
	return awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String(":"), entry, nil))
}

// providerServiceName is the service name of a same-app provider as stack reads it. From another
// stack whose Region is known it is composed here around the service ID, read with a weak
// reference (Fn::GetStackOutput): a strong one (an export, aws-cdk-lib's default within an
// account) would keep the provider stack from being destroyed alone and its replaced service
// from being deleted while a consumer imports it. Within one account aws-cdk-lib's weak reference
// does it (it weakens a single reference, not a concatenation: hence the ID); across accounts
// readServiceName does, with a role of its own.
func providerServiceName(stack awscdk.Stack, pr SameAppProvider) string {
	ps := awscdk.Stack_Of(pr)
	region := *ps.Region()
	if *ps.Node().Path() == *stack.Node().Path() || tree.IsToken(region) {
		return *pr.ServiceName()
	}
	if pt, _ := awsid.PartitionOf(region); pt.Name != "aws" && pt.Name != "aws-cn" {
		// The CloudFormation Template Reference documents Fn::GetStackOutput in aws and aws-cn
		// (docs.amazonaws.cn has the page); no page we found says it for the others.
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("privatelink:getStackOutputUnconfirmed"), jsii.String(fmt.Sprintf(
			"ConsumerProps.Provider %s is in another stack in %s (%s), where AWS does not document Fn::GetStackOutput, which reads its service name: if the deploy refuses it, give ServiceName (the provider stack's ServiceName output; consumer.ReadHandoffFile) instead of Provider", *pr.Node().Path(), region, pt.Name)), nil)
	}
	if !tree.IsToken(*ps.Account()) && !tree.IsToken(*stack.Account()) && *ps.Account() != *stack.Account() {
		return readServiceName(stack, pr)
	}
	return awsid.ServiceNamePrefix(region) + "." + region + "." + *awscdk.Stack_ConsumeReference(pr.ServiceId(), awscdk.ReferenceStrength_WEAK)
}

func (c *consumer) Vpc() awsec2.IVpc                         { return c.vpc }
func (c *consumer) Endpoint() awsec2.InterfaceVpcEndpoint    { return c.endpoint }
func (c *consumer) SecurityGroup() awsec2.SecurityGroup      { return c.sg }
func (c *consumer) SecurityGroups() []awsec2.ISecurityGroup  { return c.sgs }
func (c *consumer) Enabler() Enabler                         { return c.enablerFn }
func (c *consumer) EndpointId() *string                      { return c.endpoint.VpcEndpointId() }
func (c *consumer) Function() awslambda.IFunction            { return c.fn }
func (c *consumer) Preflight() awscdk.CustomResource         { return c.preflight }
func (c *consumer) AcceptanceRequest() awscdk.CustomResource { return c.acceptance }
func (c *consumer) PrivateDnsEnabler() awscdk.CustomResource { return c.enabler }
func (c *consumer) TestClient() awsec2.Instance              { return c.client }
func (c *consumer) Alarms() []awscloudwatch.Alarm            { return c.alarms }

func (c *consumer) LogGroups() []awslogs.LogGroup {
	if c.enablerFn.shared {
		return nil
	}
	return c.enablerFn.LogGroups()
}

func (c *consumer) RegionalDnsName() *string {
	return dnsName(awscdk.Fn_Select(jsii.Number(0), c.endpoint.VpcEndpointDnsEntries()))
}

func (c *consumer) ZonalDnsNames() *string {
	if c.subnetCount == 0 {
		return nil // cross-region: regional DNS only
	}
	// Entry 0 is regional, then one zonal entry per endpoint subnet.
	var names []string
	for i := range c.subnetCount {
		names = append(names, *dnsName(awscdk.Fn_Select(jsii.Number(i+1), c.endpoint.VpcEndpointDnsEntries())))
	}
	return awscdk.Fn_Join(jsii.String(","), jsii.Strings(names...))
}

func (c *consumer) PrivateDnsName() *string {
	if c.preflight == nil {
		return nil
	}
	return c.preflight.GetAttString(jsii.String("PrivateDnsName"))
}

// checkVpcDNS refuses, at synth, private DNS in a VPC of this app whose template turns off DNS
// support or DNS hostnames (CloudFormation's default for hostnames is off). Imported VPCs are
// checked by the preflight at deploy instead.
func checkVpcDNS(vpc awsec2.IVpc, bad func(string, ...any)) {
	cfn, ok := vpc.Node().DefaultChild().(awsec2.CfnVPC)
	if !ok || cfn == nil {
		return
	}
	for _, a := range []struct {
		name  string
		value any
		unset bool // CloudFormation's default when the template leaves it out
	}{{"EnableDnsSupport", cfn.EnableDnsSupport(), true}, {"EnableDnsHostnames", cfn.EnableDnsHostnames(), false}} {
		on := a.unset
		switch v := a.value.(type) {
		case bool:
			on = v
		case *bool:
			on = v == nil && a.unset || v != nil && *v
		case nil:
		default:
			continue // a token: known only at deploy, where the preflight checks it
		}
		if !on {
			bad("PrivateDns needs DNS support and DNS hostnames in the endpoint's VPC, but %s has %s off: set %s to true on the VPC (awsec2.VpcProps.%s), or set PrivateDns to false", *vpc.Node().Path(), a.name, a.name, a.name)
		}
	}
}

// checkServed refuses, at synth, endpoint subnets in AZ IDs the provider's NLB does not serve:
// CreateVpcEndpoint would fail ("The VPC endpoint service … does not support the availability
// zone of the subnet").
func checkServed(ids []string, given bool, pr SameAppProvider, bad func(string, ...any)) {
	served := pr.AvailabilityZoneIds()
	if len(served) == 0 || len(ids) == 0 {
		return // a given VPC or NLB: the preflight checks at deploy
	}
	var missing []string
	for _, id := range ids {
		if !slices.Contains(served, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		field := fmt.Sprintf("AvailabilityZoneIds %q", ids)
		if !given {
			field = fmt.Sprintf("AvailabilityZoneIds (default: the Region's first two, %q)", ids)
		}
		bad("%s include %q, which the provider %s does not serve (its AZ IDs are %q): give AvailabilityZoneIds among the provider's, or add these to ProviderProps.AvailabilityZoneIds", field, missing, *pr.Node().Path(), served)
	}
}
