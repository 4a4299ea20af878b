package provider

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
)

// Listener is one port of the service.
type Listener struct {
	// Port the NLB listens on, 1-65535. Required.
	Port int
	// Protocol of the listener: TCP, TLS, UDP or TCP_UDP (see Protocol). A TLS listener needs
	// ProviderProps.Certificate, or a PrivateDnsName in Route 53 mode (the certificate is then
	// created). Default: TCP.
	Protocol Protocol
	// TargetPort the targets listen on. Default: Port.
	TargetPort int
	// Targets registered in this listener's target group: instances, IP addresses or an ALB
	// (see awselasticloadbalancingv2targets). A UDP or TCP_UDP listener of a dual-stack NLB
	// forwards to an IPv6 target group, as ELB requires ("A UDP listener for a dualstack load
	// balancer requires IPv6 target groups"): register IPv6 addresses, or instances with a
	// primary IPv6 address; without Targets (and DemoTarget) that group's target type is IP.
	// Default: none; register them later through Provider.TargetGroups(), or set
	// ProviderProps.DemoTarget.
	Targets []elbv2.INetworkLoadBalancerTarget
	// HealthCheck of the target group: protocol TCP, HTTP or HTTPS (ELB never health-checks
	// over UDP, so a UDP service needs its targets to accept TCP on the traffic port or on the
	// Port given here). Default: TCP on the traffic port every 10 s, 3 checks to turn healthy or
	// unhealthy.
	HealthCheck *elbv2.HealthCheck
	// SslPolicy of a TLS listener. Default: DefaultSslPolicy (TLS 1.3 and 1.2).
	SslPolicy elbv2.SslPolicy
	// AlpnPolicy of a TLS listener, such as elbv2.AlpnPolicy_HTTP2_PREFERRED for gRPC or
	// HTTP/2 clients. Default: none (no ALPN negotiation, ELB's default).
	AlpnPolicy elbv2.AlpnPolicy
	// TargetType of the target group: INSTANCE, IP or ALB (an Application Load Balancer behind
	// a TCP listener; its group is health-checked over HTTP on / unless HealthCheck says HTTPS).
	// It cannot change once deployed (a new type replaces the group and drops targets
	// registered outside CloudFormation). Default: the type of Targets; without Targets, IP —
	// registered later by ECS tasks, IP addresses or instances' addresses. Targets added later
	// through Provider.TargetGroups() must be of this type.
	TargetType elbv2.TargetType
}

// ProviderProps configures a Provider. The zero value of every optional field is a safe default.
type ProviderProps struct {
	// Vpc to place the NLB in. Default: a new isolated dual-stack VPC (10.0.0.0/16 plus an
	// Amazon-provided IPv6 /56) with one isolated subnet per AZ ID in AvailabilityZoneIds: no NAT
	// gateway, no internet gateway, no public IPv4 (see NewIsolatedVpc).
	Vpc awsec2.IVpc
	// AvailabilityZoneIds of the created VPC's subnets, such as ["euw1-az1", "euw1-az2"]: AZ IDs
	// name the same physical zones in every account (AZ names do not), so consumers that use
	// the same IDs are always in served zones. Find yours with
	// `aws ec2 describe-availability-zones --query 'AvailabilityZones[].[ZoneName,ZoneId]'`.
	// Must not be set with Vpc or LoadBalancer. Default: the Region's first two AZ IDs.
	AvailabilityZoneIds []string
	// VpcSubnets for a created NLB. Default: the VPC's private subnets, else its isolated ones.
	VpcSubnets *awsec2.SubnetSelection

	// LoadBalancer to publish instead of creating one, given or imported
	// (elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes: its ARN is all AWS needs).
	// With Listeners, one listener and target group per entry are added to it (in the NLB's
	// stack), and an imported NLB must then be imported with its Vpc; without Listeners it is
	// published as it is, its own listeners serving the service (describe them in
	// ServicePorts). A dual-stack NLB with UDP or TCP_UDP listeners must have
	// EnablePrefixForIpv6SourceNat on. Must not be set with Vpc, DemoTarget or the NLB settings
	// below. Default: a new internal NLB, dual-stack when SupportedIpAddressTypes includes ipv6.
	LoadBalancer elbv2.INetworkLoadBalancer
	// Listeners are the ports of the service, each a listener and target group added to the NLB.
	// Required (at least one), unless LoadBalancer is published as it is.
	Listeners []Listener
	// ServicePorts are the ports and protocols of a given LoadBalancer's own listeners when it
	// is published as it is (no Listeners): they become Provider.Ports(), the consumer's default
	// Ports and the Ports output. Default: none — consumers then list their Ports themselves.
	ServicePorts []ServicePort
	// ProxyProtocolV2 on every target group, so targets see the consumer's real IPv4/IPv6 source
	// address and VPC endpoint ID instead of the NLB's. Targets must parse the header; behind a
	// TLS listener it comes first, then the decrypted stream. Default: false.
	ProxyProtocolV2 bool
	// CrossZoneDisabled turns off cross-zone load balancing. It is on by default because a
	// consumer's endpoint often sits in fewer AZs than the NLB serves (AZ names differ between
	// accounts), and without cross-zone an endpoint ENI only reaches targets in its own AZ: an AZ
	// without healthy targets would black-hole that consumer. Default: false (cross-zone on).
	CrossZoneDisabled bool
	// EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic filters PrivateLink traffic through the
	// NLB security group's inbound rules. Off by default: consumers live in other accounts' address
	// space (often overlapping 10/8), so source-address rules cannot name them; who may connect is
	// decided by AllowedPrincipals, acceptance and the consumer's endpoint security group. The
	// group still filters traffic from inside the provider VPC. Default: false.
	EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic bool
	// AccessLogs turns on NLB access logs, into AccessLogsBucket or, without one, a bucket
	// created here (see Provider.AccessLogsBucket). ELB writes a log line per TLS connection
	// only: there is nothing to log without a TLS listener. Default: false.
	AccessLogs bool
	// AccessLogsBucket receives the access logs, and turns them on. An imported bucket must
	// already let ELB log delivery write (the ELB User Guide's policy for NLB access logs:
	// delivery.logs.amazonaws.com may s3:PutObject under the prefix). Default: a bucket
	// created here when AccessLogs is set.
	AccessLogsBucket awss3.IBucket
	// ServerAccessLogsBucket receives the S3 server access logs of the access-log bucket
	// created under ControlTowerStrict (Control Tower's CT.S3.PR.2), an existing bucket of this
	// account and Region (awss3.Bucket_FromBucketName) that admits S3 log delivery: it cannot be
	// created in the same template, because a bucket with Object Lock, which CT.S3.PR.9
	// requires of every created bucket, cannot be a destination of server access logs.
	// Only with AccessLogs, ControlTowerStrict and no AccessLogsBucket. Default: none.
	ServerAccessLogsBucket awss3.IBucket
	// AccessLogsPrefix within AccessLogsBucket. Default: no prefix.
	AccessLogsPrefix string
	// DeletionProtection on the created NLB. Default: false.
	DeletionProtection bool

	// SupportedIpAddressTypes of the endpoint service: "ipv4", "ipv6". Default: ["ipv4", "ipv6"].
	SupportedIpAddressTypes []string
	// AcceptanceRequired makes every connection request wait for acceptance (see the acceptor
	// package). Default: true (nil means true).
	AcceptanceRequired *bool
	// AllowedPrincipals may create endpoints to the service: 12-digit account IDs (turned into
	// account-root ARNs) and/or IAM principal ARNs. Default: none.
	AllowedPrincipals []string
	// AllowedRegions from which consumers may connect across Regions (cross-region PrivateLink).
	// Default: none (same Region only).
	AllowedRegions []string
	// ContributorInsights enables CloudWatch Contributor Insights rules for the service.
	// Default: false.
	ContributorInsights bool

	// PrivateDnsName consumers resolve to their endpoint, such as "api.example.com". Not in
	// China (aws-cn), where AWS offers no private DNS names for endpoint services: refused at
	// synth there. Default: none.
	PrivateDnsName string
	// HostedZone is the Route 53 public zone of PrivateDnsName. When set, the TXT record is
	// created in it and the deploy waits until the name is verified. When nil, the TXT record
	// name and value are stack outputs for your DNS provider (external mode). Default: nil.
	HostedZone awsroute53.IHostedZone
	// Certificate of the TLS listeners: an ACM certificate in the stack's Region whose name
	// covers PrivateDnsName (consumers' TLS clients check that name). Import one by ARN with
	// awscertificatemanager.Certificate_FromCertificateArn. Default: with a TLS listener in
	// Route 53 mode, a new ACM certificate for PrivateDnsName, DNS-validated in HostedZone; in
	// external DNS mode it is required.
	Certificate awscertificatemanager.ICertificate
	// VerificationTimeout bounds the wait for "verified" in Route 53 mode, 1m to 55m in whole
	// seconds. The wait spans several Lambda invocations (a Step Functions state machine invokes
	// the function every 5 minutes), and the deploy goes on as soon as the name is verified; on
	// timeout the deploy fails with the TXT record to check. CloudFormation waits for it up to
	// VerificationTimeout + 5 minutes. Default: 30 minutes, as Terraform's
	// aws_vpc_endpoint_service_private_dns_verification: AWS checks the record on its own
	// schedule, and a DNS answer cached before the record existed must expire first.
	VerificationTimeout time.Duration

	// ControlTower link.ControlTowerStrict makes the provider's templates pass every AWS Control
	// Tower proactive control: its function (and the acceptor's, given this provider) runs in
	// the VPC, reaching AWS through VPC endpoints (FunctionEndpoints), and settings a control
	// would fail at deploy are refused at synth, naming the control and the fix (LogsKey,
	// DeletionProtection, …; docs/compliance.md). Default: link.ControlTowerDefault, the
	// cheaper defaults, whose failing controls docs/compliance.md lists.
	ControlTower link.ControlTower
	// FunctionEndpoints the function calls EC2, CloudFormation and (in Route 53 mode) Step
	// Functions through, plus the S3 gateway endpoint, under ControlTowerStrict, when the VPC
	// already has them. Default: created in the VPC, one set per VPC shared by every function of
	// this library there (interface endpoints cost about USD 0.01 per hour and AZ each;
	// docs/operations.md).
	FunctionEndpoints *link.FunctionEndpoints

	// LogsKey encrypts the log groups this construct creates (its functions' and their wait state
	// machines'), as AWS Control Tower's CT.CLOUDWATCH.PR.3 requires: logkey.New makes one. A key
	// from this app gets the statement CloudWatch Logs needs; a key imported by ARN must already
	// allow logs.<region>.amazonaws.com (docs/compliance.md). Default: none, CloudWatch Logs' own
	// encryption at rest.
	LogsKey awskms.IKey
	// LogRetention of those log groups. Default: awslogs.RetentionDays_ONE_YEAR, the least
	// Control Tower's CT.CLOUDWATCH.PR.2 accepts.
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy of those log groups: awscdk.RemovalPolicy_DESTROY or _RETAIN.
	// Default: DESTROY (the logs are deleted with the stack).
	LogRemovalPolicy awscdk.RemovalPolicy

	// Alarms on the targets' health, resets, source NAT port errors and the endpoint service's
	// resets, and their graphs on the stack's dashboard (see the alarms package and docs/operations.md's
	// alarm table). Default: off.
	Alarms alarms.Props

	// DemoTarget adds an Amazon Linux 2023 instance (DemoInstanceType) answering
	// "Hello World from <host>" over HTTP on every listener's target port (behind a TLS listener
	// too: the NLB decrypts) and, for UDP and TCP_UDP listeners, to any datagram on it, so the
	// walkthrough's checks work before the real service exists. Default: false.
	DemoTarget bool
	// DemoInstanceType is the demo target's instance type, for an AZ that does not offer the
	// default (aws ec2 describe-instance-type-offerings --location-type availability-zone-id);
	// the image follows its architecture. Under ControlTowerStrict it must be a type of
	// link.NitroInTransitFamilies (CT.EC2.PR.19). Only with DemoTarget. Default:
	// link.DemoInstanceType, t4g.nano (ControlTowerStrict: c7g.medium).
	DemoInstanceType string
}

func (p *ProviderProps) acceptanceRequired() bool {
	return p.AcceptanceRequired == nil || *p.AcceptanceRequired
}

func (p *ProviderProps) ipAddressTypes() []string {
	if len(p.SupportedIpAddressTypes) == 0 {
		return []string{"ipv4", "ipv6"}
	}
	return p.SupportedIpAddressTypes
}

func (p *ProviderProps) dualStack() bool {
	for _, t := range p.ipAddressTypes() {
		if t == "ipv6" {
			return true
		}
	}
	return false
}

// DefaultVerificationTimeout is VerificationTimeout's default.
const DefaultVerificationTimeout = 30 * time.Minute

func (p *ProviderProps) verificationTimeout() time.Duration {
	if p.VerificationTimeout == 0 {
		return DefaultVerificationTimeout
	}
	return p.VerificationTimeout
}

func (p *ProviderProps) hasProtocol(want ...Protocol) bool {
	for _, l := range p.Listeners {
		for _, w := range want {
			if l.Protocol.OrTCP() == w {
				return true
			}
		}
	}
	return false
}

// functionAPIs are the AWS APIs the provider's function calls: EC2 (the service's
// connections), CloudFormation (its stack, before a cleanup) and, in Route 53 mode, Step
// Functions (the verification's wait).
func (p *ProviderProps) functionAPIs() []gofunc.API {
	apis := []gofunc.API{gofunc.EC2, gofunc.CloudFormation}
	if p.HostedZone != nil {
		apis = append(apis, gofunc.StepFunctions)
	}
	return apis
}

func (p *ProviderProps) accessLogs() bool { return p.AccessLogs || p.AccessLogsBucket != nil }
