package consumer

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

var (
	// <prefix>.<region>.vpce-svc-…, the prefix that of a partition (com.amazonaws.vpce,
	// cn.com.amazonaws.vpce in China, gov.ic.c2s.vpce in aws-iso, …; awsid.ServiceNamePrefix).
	serviceNameRe = regexp.MustCompile(`^(` + awsid.ServiceNamePrefixes() + `)\.([a-z]{2,4}(?:-[a-z]+)+-\d)\.vpce-svc-[0-9a-f]{8,17}$`)
	arnRe         = regexp.MustCompile(`^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]{1,64}$`)
)

// ServiceRegionOf returns the Region named in an endpoint service name, or "".
func ServiceRegionOf(serviceName string) string {
	_, region := ServiceNameParts(serviceName)
	return region
}

// ServiceNameParts returns the prefix (com.amazonaws.vpce, …) and the Region of an endpoint
// service name, or "", "" for a string that is not one.
func ServiceNameParts(serviceName string) (prefix, region string) {
	if m := serviceNameRe.FindStringSubmatch(serviceName); m != nil {
		return m[1], m[2]
	}
	return "", ""
}

// Validate reports, at once, every problem NewConsumer(scope, id, p) would refuse, each naming
// the field, the value and the fix; nil means NewConsumer accepts p there. It reads the
// construct tree (the stack's Region, a given VPC's subnets and DNS settings, the provider's
// zones and ports) but changes nothing in it.
func (p *ConsumerProps) Validate(scope constructs.Construct, id string) error {
	stack, err := tree.StackOf(scope, "NewConsumer")
	if err != nil {
		return err
	}
	errs := tree.CheckNew(scope, id, "NewConsumer")
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("privatelink: ConsumerProps."+format, args...))
	}
	if r := p.partitionRegion(stack); p.PrivateDns != nil && *p.PrivateDns && !awsid.EndpointServicePrivateDNS(r) {
		pt, _ := awsid.PartitionOf(r)
		bad("PrivateDns is true, but this consumer is in the %s partition (%s), where endpoint services have no private DNS names (\"You can't assign a private DNS name to a VPC endpoint service\", Getting Started with AWS in China, Amazon VPC): leave PrivateDns unset (off there) and use the endpoint's own DNS names", pt.Name, r)
	}
	p = p.withPartitionDefaults(stack)
	stackRegion := *stack.Region()
	region := stackRegion
	if tree.IsToken(region) {
		region = ""
	}
	svcPrefix, svcRegion := ServiceNameParts(p.ServiceName)
	switch {
	case p.Provider != nil && p.ServiceName != "":
		bad("ServiceName %q and Provider are both set: the provider gives the service name; drop ServiceName", p.ServiceName)
	case p.Provider != nil:
		p.checkProviderEnv(stack, bad)
	case p.ServiceName == "":
		bad("ServiceName is empty: give the provider's service name (com.amazonaws.vpce.<region>.vpce-svc-…; the provider stack's ServiceName output)")
	case tree.IsToken(p.ServiceName):
	case svcRegion == "":
		bad("ServiceName %q is not an endpoint service name: expected com.amazonaws.vpce.<region>.vpce-svc-<hex> (cn.com.amazonaws.vpce.… in China), as in the provider stack's ServiceName output", p.ServiceName)
	case awsid.CheckRegion(svcRegion) != nil:
		bad("ServiceName %q names the Region %q, which %v: fix the value", p.ServiceName, svcRegion, awsid.CheckRegion(svcRegion))
	case svcPrefix != awsid.ServiceNamePrefix(svcRegion):
		bad("ServiceName %q starts with %s, but service names in %s start with %s.: fix the value", p.ServiceName, svcPrefix, svcRegion, awsid.ServiceNamePrefix(svcRegion))
	default:
		if stackRegion != "" && !tree.IsToken(stackRegion) && !awsid.SamePartition(svcRegion, stackRegion) {
			bad("ServiceName %q is in %s, another partition than this stack's Region %s: PrivateLink cannot cross partitions; deploy the consumer in %s's partition", p.ServiceName, svcRegion, stackRegion, svcRegion)
		}
		if p.ServiceRegion != "" && p.ServiceRegion != svcRegion && !tree.IsToken(p.ServiceRegion) {
			bad("ServiceRegion %q differs from the Region in ServiceName %q (%s): set ServiceRegion to %q", p.ServiceRegion, p.ServiceName, svcRegion, svcRegion)
		}
		if p.ServiceRegion == "" && stackRegion != "" && !tree.IsToken(stackRegion) && svcRegion != stackRegion {
			bad("ServiceRegion is empty but ServiceName %q is in %s and this stack is in %s: set ServiceRegion to %q for cross-region PrivateLink (the provider must list %s in AllowedRegions)", p.ServiceName, svcRegion, stackRegion, svcRegion, stackRegion)
		}
	}
	if p.ServiceRegion != "" && !tree.IsToken(p.ServiceRegion) && awsid.CheckRegion(p.ServiceRegion) != nil {
		bad("ServiceRegion %q %v: fix the value", p.ServiceRegion, awsid.CheckRegion(p.ServiceRegion))
	}

	if len(p.Ports) == 0 && p.Provider == nil {
		bad("Ports is empty: list the service's ports and protocols (the provider's listeners), for example []link.ServicePort{{Port: 443, Protocol: link.TLS}}")
	}
	if len(p.Ports) == 0 && p.Provider != nil && len(p.Provider.Ports()) == 0 {
		bad("Ports is empty and the provider %s publishes its NLB as it is without ServicePorts, so the service's ports are unknown: list them here, or in ProviderProps.ServicePorts", *p.Provider.Node().Path())
	}
	link.CheckServicePorts("Ports", p.Ports, bad)

	ipType := p.ipAddressType()
	if ipType != IPv4 && ipType != DualStack {
		bad("IpAddressType %q is not supported: use %q (default) or %q", p.IpAddressType, DualStack, IPv4)
	}
	dnsType := p.dnsRecordIpType()
	switch dnsType {
	case DualStack, IPv4, "ipv6", "service-defined":
	default:
		bad("DnsRecordIpType %q is not a DNS record IP type: use dualstack, ipv4, ipv6 or service-defined", p.DnsRecordIpType)
	}
	if ipType == IPv4 && dnsType != IPv4 && dnsType != "service-defined" {
		bad("DnsRecordIpType %q needs IPv6 addresses on the endpoint but IpAddressType is ipv4: set DnsRecordIpType to ipv4 or IpAddressType to dualstack", dnsType)
	}
	if len(p.AllowedIpv6Cidrs) > 0 && p.privateDNS() && dnsType != DualStack && dnsType != "ipv6" {
		bad("DnsRecordIpType %q gives the private DNS name no AAAA record, but AllowedIpv6Cidrs declares IPv6 clients: set DnsRecordIpType to dualstack", dnsType)
	}
	if len(p.AllowedIpv6Cidrs) > 0 && ipType == IPv4 {
		bad("AllowedIpv6Cidrs %q declares IPv6 clients but IpAddressType is ipv4: set IpAddressType to dualstack or drop the IPv6 CIDRs", p.AllowedIpv6Cidrs)
	}
	for i, c := range p.AllowedIpv4Cidrs {
		if pr, err := netip.ParsePrefix(c); !tree.IsToken(c) && (err != nil || !pr.Addr().Is4()) {
			bad("AllowedIpv4Cidrs[%d] %q is not an IPv4 CIDR (for example 10.0.0.0/16): fix the value", i, c)
		}
	}
	for i, c := range p.AllowedIpv6Cidrs {
		if pr, err := netip.ParsePrefix(c); !tree.IsToken(c) && (err != nil || !pr.Addr().Is6()) {
			bad("AllowedIpv6Cidrs[%d] %q is not an IPv6 CIDR (for example 2001:db8::/56): fix the value", i, c)
		}
	}
	if p.AcceptanceTimeout != 0 {
		if why := gofunc.CheckWait("AcceptanceTimeout", p.AcceptanceTimeout); why != "" {
			bad("%s", why)
		}
	}
	if a := p.AcceptorArn; a != "" && !tree.IsToken(a) {
		switch m := arnRe.FindStringSubmatch(a); {
		case m == nil:
			bad("AcceptorArn %q is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>; the provider stack's AcceptorFunctionArn output): fix the value", a)
		case m[2] != p.serviceRegionOr(region) && p.serviceRegionOr(region) != "":
			// The acceptor runs where the service is.
			bad("AcceptorArn %q is in %s but the service is in %s: give the acceptor of the provider's stack, in the service's Region", a, m[2], p.serviceRegionOr(region))
		}
	}
	for i, id := range p.AvailabilityZoneIds {
		switch {
		case tree.IsToken(id):
		case slices.Index(p.AvailabilityZoneIds, id) != i:
			bad("AvailabilityZoneIds[%d] %q is listed twice: a VPC has one subnet per AZ; remove the duplicate", i, id)
		default:
			if err := awsid.CheckAZID(id, region); err != nil {
				bad("AvailabilityZoneIds[%d] %q %v: fix the value", i, id, err)
			} else if p.crossRegion(stackRegion) && !awsid.CrossRegionSupported(id) {
				bad("AvailabilityZoneIds[%d] %q does not support cross-Region PrivateLink (PrivateLink guide, Cross-Region access), but ServiceRegion is %s: choose other AZ IDs", i, id, p.ServiceRegion)
			}
		}
	}
	if p.Vpc != nil && len(p.AvailabilityZoneIds) > 0 {
		bad("AvailabilityZoneIds %q only apply to a VPC this construct creates, but Vpc is given: drop AvailabilityZoneIds", p.AvailabilityZoneIds)
	}
	if p.Vpc == nil && p.LookupSupportedAzs {
		bad("LookupSupportedAzs filters subnets by AZ name, but the VPC this construct creates places its subnets by AZ ID (AvailabilityZoneIds), which mean the same zones in the provider's account: drop LookupSupportedAzs and give AZ IDs the provider serves, or bring your own VPC")
	}
	if p.LookupSupportedAzs && (tree.IsToken(p.ServiceName) || p.Provider != nil) {
		bad("LookupSupportedAzs needs a literal ServiceName at synth, but ServiceName is a token (or comes from Provider): give the name as a string or turn the lookup off")
	}
	if why := p.Alarms.Problem(); why != "" {
		bad("Alarms.%s", why)
	}
	if why := gofunc.CheckLogs("", p.LogRetention, p.LogRemovalPolicy); why != "" {
		bad("%s", why)
	}
	if p.TestClientInstanceType != "" && !p.TestClient {
		bad("TestClientInstanceType %q is set, but ConsumerProps.TestClient is false: there is no test client; drop TestClientInstanceType or set TestClient", p.TestClientInstanceType)
	} else if why := link.InstanceTypeProblem("TestClientInstanceType", p.TestClientInstanceType, p.ControlTower); why != "" {
		bad("%s", why)
	}
	p.validateSecurityGroups(bad)
	p.validateControlTower(*stack.Region(), bad)
	p.validateEnabler(stack, bad)
	p.validateTree(stack, bad)
	return errors.Join(errs...)
}

// serviceRegionOr is the service's Region: ServiceRegion, else the stack's (region); "" when
// unknown at synth. A token ServiceRegion is the Region its ServiceName names, if literal.
func (p *ConsumerProps) serviceRegionOr(region string) string {
	switch {
	case tree.IsToken(p.ServiceRegion):
		return ServiceRegionOf(p.ServiceName)
	case p.ServiceRegion != "":
		return p.ServiceRegion
	}
	return region
}

// checkProviderEnv refuses a Provider of another Region unless ServiceRegion names it, and a
// Provider of another account when this stack's synthesizer has no CloudFormation execution
// role: aws-cdk-lib reads a value of another account's stack with Fn::GetStackOutput through a
// role that trusts the consumer stack's execution role (its cross-account references), and
// fails without one.
func (p *ConsumerProps) checkProviderEnv(stack awscdk.Stack, bad func(string, ...any)) {
	ps := awscdk.Stack_Of(p.Provider)
	known := func(s string) bool { return !tree.IsToken(s) }
	a, b := *ps.Account(), *stack.Account()
	if known(a) && known(b) && a != b && stack.Synthesizer().CloudFormationExecutionRole() == nil {
		bad("Provider %s is in account %s and this consumer's stack %s in account %s, but the stack's synthesizer has no CloudFormation execution role, which the service name's cross-account reference (Fn::GetStackOutput) needs: use the default awscdk.DefaultStackSynthesizer (the bootstrap's execution role), or give ServiceName (the provider stack's ServiceName output), Ports and AcceptorArn instead", *p.Provider.Node().Path(), a, *stack.StackName(), b)
	}
	if r, ours := *ps.Region(), *stack.Region(); known(r) && known(ours) && r != ours && p.ServiceRegion != r {
		bad("Provider %s is in Region %s, but this consumer's stack %s is in %s and ServiceRegion is %q: for cross-region PrivateLink set ServiceRegion to %q (the provider must list %s in AllowedRegions)", *p.Provider.Node().Path(), r, *stack.StackName(), ours, p.ServiceRegion, r, ours)
	}
}

// prefixListID is a managed prefix list ID: pl- and 8 (AWS-managed lists) to 17 hex digits.
var prefixListID = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)

// maxSecurityGroups an endpoint's network interfaces take with a raised quota (Amazon VPC
// quotas, "Security groups per network interface": 5, adjustable up to 16).
const maxSecurityGroups = 16

func (p *ConsumerProps) validateSecurityGroups(bad func(string, ...any)) {
	for i, g := range p.SecurityGroups {
		if g == nil {
			bad("SecurityGroups[%d] is nil: remove it", i)
		}
	}
	for i, g := range p.AllowedSecurityGroups {
		if g == nil {
			bad("AllowedSecurityGroups[%d] is nil: remove it", i)
		}
	}
	for i, id := range p.AllowedPrefixLists {
		if !tree.IsToken(id) && !prefixListID.MatchString(id) {
			bad("AllowedPrefixLists[%d] %q is not a managed prefix list ID (pl- and 8 to 17 hex digits; aws ec2 describe-managed-prefix-lists lists yours and AWS's): fix the value", i, id)
		}
	}
	if p.SecurityGroupDisabled {
		if len(p.SecurityGroups) == 0 {
			bad("SecurityGroupDisabled leaves the endpoint without a security group (EC2 would attach the VPC's default group): give SecurityGroups, or let the construct create one")
		}
		if len(p.AllowedSecurityGroups)+len(p.AllowedIpv4Cidrs)+len(p.AllowedIpv6Cidrs)+len(p.AllowedPrefixLists) > 0 {
			bad("SecurityGroupDisabled with AllowedSecurityGroups, AllowedIpv4Cidrs, AllowedIpv6Cidrs or AllowedPrefixLists: those are rules of the created group, which is not created; put the rules in your SecurityGroups, or drop SecurityGroupDisabled")
		}
		if p.TestClient {
			bad("SecurityGroupDisabled with TestClient: the test client is admitted by a rule of the created group; drop one of them")
		}
	}
	if len(p.SecurityGroups) > 0 && p.Vpc == nil {
		// Security groups belong to one VPC ("AssociateSecurityGroupVpc" exists to use one in
		// another): a group made before this construct cannot be in the VPC it creates.
		bad("SecurityGroups are given but Vpc is not: the endpoint's VPC would be created here, and a security group belongs to the VPC it was made in; give Vpc (the groups' VPC), or drop SecurityGroups")
	}
	for i, g := range p.SecurityGroups {
		if g == nil || p.Vpc == nil {
			continue
		}
		if cfn, ok := g.Node().DefaultChild().(awsec2.CfnSecurityGroup); ok && cfn != nil && cfn.VpcId() != nil && *cfn.VpcId() != *p.Vpc.VpcId() {
			bad("SecurityGroups[%d] %s belongs to another VPC than Vpc %s: a security group works in the VPC it was made in; give groups of the endpoint's VPC", i, *g.Node().Path(), *p.Vpc.Node().Path())
		}
	}
	n := len(p.SecurityGroups)
	if !p.SecurityGroupDisabled {
		n++
	}
	if n > maxSecurityGroups {
		bad("SecurityGroups gives the endpoint %d security groups, but a network interface takes at most %d (Amazon VPC quotas, \"Security groups per network interface\", 5 unless raised): merge some of them", n, maxSecurityGroups)
	}
}

func (p *ConsumerProps) validateEnabler(stack awscdk.Stack, bad func(string, ...any)) {
	if p.Enabler == nil {
		return
	}
	e, ok := p.Enabler.(*enabler)
	switch {
	case !ok:
		bad("Enabler is not one NewEnabler made: create it with consumer.NewEnabler")
		return
	case *awscdk.Stack_Of(e.Construct).Node().Path() != *stack.Node().Path():
		bad("Enabler %s is in another stack than this consumer (%s): each consumer adds its endpoint's permissions to the enabler's role, which would tie the stacks together; create an Enabler in this stack", *e.Node().Path(), *stack.Node().Path())
	}
	if p.LogsKey != nil || p.LogRetention != "" || p.LogRemovalPolicy != "" {
		bad("LogsKey, LogRetention or LogRemovalPolicy is set with Enabler: they apply to a function this consumer would create; set them in the EnablerProps of %s", *e.Node().Path())
	}
	if p.FunctionEndpoints != nil {
		bad("FunctionEndpoints is set with Enabler: they apply to a function this consumer would create; set them in the EnablerProps of %s", *e.Node().Path())
	}
	if p.ControlTower.Strict() && !e.strict {
		bad("ControlTower is strict but Enabler %s is not, so its function runs outside any VPC (Control Tower's CT.LAMBDA.PR.3): create it with EnablerProps.ControlTower link.ControlTowerStrict", *e.Node().Path())
	}
	if e.strict && p.AcceptorArn != "" && !p.crossRegion(*stack.Region()) && e.endpoints != nil && e.endpoints.Lambda == nil {
		bad("AcceptorArn is set, so Enabler %s invokes the acceptor from its VPC, but its FunctionEndpoints has no Lambda endpoint: add the Lambda interface endpoint to its EnablerProps.FunctionEndpoints", *e.Node().Path())
	}
}

// functionAPIs are the AWS APIs the consumer's own function calls in the stack's Region
// (enablerAPIs, and Lambda with an AcceptorArn of the same Region: a cross-region consumer calls
// the acceptor through a cross-Region endpoint of its own, see gofunc.Func.ReachLambdaIn).
func (p *ConsumerProps) functionAPIs(region string) []gofunc.API {
	apis := slices.Clone(enablerAPIs)
	if p.AcceptorArn != "" && !p.crossRegion(region) {
		apis = append(apis, gofunc.Lambda)
	}
	return apis
}

// validateControlTower refuses, under ControlTowerStrict, what a Control Tower proactive control
// would fail at deploy (rules of @cdklabs/cdk-validator-cfnguard, rules/control-tower).
func (p *ConsumerProps) validateControlTower(region string, bad func(string, ...any)) {
	if why := p.ControlTower.Problem(); why != "" {
		bad("%s", why)
		return
	}
	if !p.ControlTower.Strict() {
		if p.FunctionEndpoints != nil {
			bad("FunctionEndpoints is set, but ControlTower is not strict, so the function runs outside any VPC and uses none: set ControlTower to link.ControlTowerStrict or drop FunctionEndpoints")
		}
		return
	}
	if p.Enabler == nil && p.LogsKey == nil {
		bad("%s", link.LogsKeyMissing)
	}
	if p.Enabler == nil {
		if why := gofunc.CheckEndpoints("FunctionEndpoints", p.FunctionEndpoints, p.functionAPIs(region)); why != "" {
			bad("%s", why)
		}
	}
}

// validateTree checks what only the construct tree tells: the VPC, its subnets and the
// provider's zones.
func (p *ConsumerProps) validateTree(stack awscdk.Stack, bad func(string, ...any)) {
	if p.Vpc == nil {
		if p.Subnets != nil && p.Subnets.SubnetType != "" && p.Subnets.SubnetType != awsec2.SubnetType_PRIVATE_ISOLATED {
			bad("Subnets selects %s subnets, but the VPC this construct creates has isolated subnets only: drop Subnets, or give Vpc", p.Subnets.SubnetType)
		}
		if pr := p.Provider; pr != nil && !p.crossRegion(*stack.Region()) {
			ids := p.azIDs(*stack.Region())
			if len(ids) == 0 {
				ids = awsid.DefaultAZIDs(*stack.Region(), false)
			}
			checkServed(ids, len(p.AvailabilityZoneIds) > 0, pr, bad)
		}
		return
	}
	if p.privateDNS() {
		checkVpcDNS(p.Vpc, bad)
	}
	if p.Subnets == nil && len(*p.Vpc.IsolatedSubnets()) == 0 && len(*p.Vpc.PrivateSubnets()) == 0 {
		bad("Subnets is not set and Vpc %s has no private subnets (isolated or with egress) to put the endpoint in: give Subnets, such as &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC} (an endpoint's addresses are private wherever it is)", *p.Vpc.Node().Path())
		return
	}
	sel := p.subnets(p.Vpc)
	var selected []awsec2.ISubnet
	if msg := tree.Catch(func() { selected = *p.Vpc.SelectSubnets(sel).Subnets }); msg != "" {
		bad("Subnets selects no subnets of Vpc %s (%s): choose a subnet type or group the VPC has", *p.Vpc.Node().Path(), msg)
		return
	}
	if len(selected) == 0 {
		bad("Subnets selects no subnets of Vpc %s: choose a subnet type or group the VPC has", *p.Vpc.Node().Path())
		return
	}
	if p.ipAddressType() == DualStack {
		if subnet := link.SubnetWithoutIPv6(p.Vpc, sel); subnet != "" {
			bad("IpAddressType %q needs IPv6 on every endpoint subnet, but %s has no IPv6 CIDR: give a dual-stack VPC or set IpAddressType to %q", DualStack, subnet, IPv4)
		}
	}
}
