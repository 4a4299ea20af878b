package provider

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
	"github.com/privatelink-go/privatelink/internal/synth/registry"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

var (
	principalArn = regexp.MustCompile(`^arn:` + awsid.PartitionNames() + `:iam::\d{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$`)
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Validate reports, at once, every problem NewProvider(scope, id, p) would refuse, each naming
// the field, the value and the fix; nil means NewProvider accepts p there. It reads the
// construct tree (the stack's Region, other providers of the same NLB, a given VPC's subnets,
// the targets' types) but changes nothing in it.
func (p *ProviderProps) Validate(scope constructs.Construct, id string) error {
	stack, err := tree.StackOf(scope, "NewProvider")
	if err != nil {
		return err
	}
	errs := tree.CheckNew(scope, id, "NewProvider")
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("privatelink: ProviderProps."+format, args...))
	}
	stackRegion := *stack.Region()
	if tree.IsToken(stackRegion) {
		stackRegion = ""
	}

	if len(p.Listeners) == 0 && p.LoadBalancer == nil {
		bad("Listeners is empty: give at least one listener port (for example Listeners: []provider.Listener{{Port: 443}}), or give LoadBalancer to publish an NLB with its own listeners")
	}
	if len(p.ServicePorts) > 0 && (p.LoadBalancer == nil || len(p.Listeners) > 0) {
		bad("ServicePorts %v describe the listeners of a LoadBalancer published as it is, but Listeners are given (or no LoadBalancer): the ports are the Listeners'; drop ServicePorts", p.ServicePorts)
	}
	link.CheckServicePorts("ServicePorts", p.ServicePorts, bad)
	seen := map[int]bool{}
	for i, l := range p.Listeners {
		if l.Port < 1 || l.Port > 65535 {
			bad("Listeners[%d].Port %d is out of range: use a TCP port from 1 to 65535", i, l.Port)
		} else if seen[l.Port] {
			bad("Listeners[%d].Port %d is listed twice: an NLB can have one listener per port; remove the duplicate", i, l.Port)
		}
		seen[l.Port] = true
		if l.TargetPort != 0 && (l.TargetPort < 1 || l.TargetPort > 65535) {
			bad("Listeners[%d].TargetPort %d is out of range: use 1 to 65535, or 0 for the listener port", i, l.TargetPort)
		}
		proto := l.Protocol.OrTCP()
		if !slices.Contains(link.Protocols, proto) {
			bad("Listeners[%d].Protocol %q is not a listener protocol: use TCP, TLS, UDP or TCP_UDP (provider.TCP, TLS, UDP, TCPUDP)", i, l.Protocol)
		}
		if proto != TLS && (l.SslPolicy != "" || l.AlpnPolicy != "") {
			bad("Listeners[%d] (port %d, %s) has SslPolicy or AlpnPolicy, which only a TLS listener uses: set Protocol to TLS or drop them", i, l.Port, proto)
		}
		if hc := l.HealthCheck; hc != nil && hc.Protocol != "" && hc.Protocol != elbv2.Protocol_TCP && hc.Protocol != elbv2.Protocol_HTTP && hc.Protocol != elbv2.Protocol_HTTPS {
			// CreateTargetGroup: "The GENEVE, TLS, UDP, TCP_UDP, QUIC, and TCP_QUIC protocols are
			// not supported for health checks" (ELB API reference, HealthCheckProtocol).
			bad("Listeners[%d].HealthCheck.Protocol %s cannot health-check a target (ELB checks over TCP, HTTP or HTTPS only): use TCP, with HealthCheck.Port for a port the targets accept TCP on", i, hc.Protocol)
		}
		p.validateTargets(i, l, bad)
	}
	p.validateTLS(stack, bad)

	types := p.ipAddressTypes()
	for _, t := range types {
		if t != "ipv4" && t != "ipv6" {
			bad("SupportedIpAddressTypes %q has an unknown type %q: use \"ipv4\" and/or \"ipv6\"", types, t)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(types)))) != len(types) {
		bad("SupportedIpAddressTypes %q lists a type twice: remove the duplicate", types)
	}

	for i, pr := range p.AllowedPrincipals {
		switch {
		case tree.IsToken(pr):
		case pr == "*":
			if !p.acceptanceRequired() {
				bad("AllowedPrincipals[%d] is \"*\" with AcceptanceRequired false: any AWS account could connect without review; require acceptance or list account IDs", i)
			}
		case awsid.Account.MatchString(pr), principalArn.MatchString(pr):
		default:
			bad("AllowedPrincipals[%d] %q is neither a 12-digit account ID nor an IAM principal ARN (arn:aws:iam::111111111111:root|role/…|user/…): fix the value", i, pr)
		}
	}
	if !p.acceptanceRequired() && len(p.AllowedPrincipals) == 0 {
		bad("AcceptanceRequired is false and AllowedPrincipals is empty: nobody could connect, and widening the principals later would admit them unreviewed; list the consumer accounts or require acceptance")
	}

	for i, r := range p.AllowedRegions {
		switch {
		case tree.IsToken(r):
		case awsid.CheckRegion(r) != nil:
			bad("AllowedRegions[%d] %q %v: fix the value", i, r, awsid.CheckRegion(r))
		case slices.Index(p.AllowedRegions, r) != i:
			bad("AllowedRegions[%d] %q is listed twice: remove the duplicate", i, r)
		case stackRegion != "" && !awsid.SamePartition(r, stackRegion):
			bad("AllowedRegions[%d] %q is in another partition than the stack's Region %s: PrivateLink cannot cross partitions; deploy a provider in that partition instead", i, r, stackRegion)
		}
	}

	for i, id := range p.AvailabilityZoneIds {
		switch {
		case tree.IsToken(id):
		case slices.Index(p.AvailabilityZoneIds, id) != i:
			bad("AvailabilityZoneIds[%d] %q is listed twice: a VPC has one subnet per AZ; remove the duplicate", i, id)
		default:
			if err := awsid.CheckAZID(id, stackRegion); err != nil {
				bad("AvailabilityZoneIds[%d] %q %v: fix the value", i, id, err)
			} else if len(p.AllowedRegions) > 0 && !awsid.CrossRegionSupported(id) {
				bad("AvailabilityZoneIds[%d] %q does not support cross-Region PrivateLink (PrivateLink guide, Cross-Region access), but AllowedRegions is set: choose other AZ IDs", i, id)
			}
		}
	}

	if p.PrivateDnsName != "" && stackRegion != "" && !awsid.EndpointServicePrivateDNS(stackRegion) {
		pt, _ := awsid.PartitionOf(stackRegion)
		bad("PrivateDnsName %q is set, but the stack's Region %s is in the %s partition, where AWS offers no private DNS names for endpoint services (\"You can't assign a private DNS name to a VPC endpoint service\", Getting Started with AWS in China, Amazon VPC): leave PrivateDnsName (and HostedZone) unset; consumers reach the service by the endpoint's own DNS names", p.PrivateDnsName, stackRegion, pt.Name)
	}
	if n := p.PrivateDnsName; n != "" && !tree.IsToken(n) {
		if err := CheckDNSName(n); err != nil {
			bad("PrivateDnsName %q %v", n, err)
		}
	}
	if p.HostedZone != nil {
		if p.PrivateDnsName == "" {
			bad("HostedZone is set but PrivateDnsName is empty: set the name to verify (for example \"api.example.com\") or drop the zone")
		}
		if id := *p.HostedZone.HostedZoneId(); !tree.IsToken(id) && !awsid.HostedZoneID.MatchString(id) {
			bad("HostedZone has the ID %q, which is not a Route 53 hosted zone ID (Z and up to 31 upper-case letters and digits, such as Z0123456789ABCDEFGHIJ, without /hostedzone/): fix the value", id)
		}
		if isPrivateZone(p.HostedZone) {
			// PrivateLink guide, "Manage DNS names for VPC endpoint services": "To verify a
			// domain, you must have a public hostname or a public DNS provider." A record in a
			// private zone is never seen, and the deploy would wait out VerificationTimeout.
			bad("HostedZone %s is a private hosted zone, but AWS verifies the private DNS name's TXT record through public DNS (PrivateLink guide, \"Manage DNS names for VPC endpoint services\"), so verification could never succeed: give the public zone of %q (awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes), or leave HostedZone unset and publish the TXT record in your public DNS (external DNS mode)", *p.HostedZone.Node().Path(), p.PrivateDnsName)
		}
		// A zone imported by ID alone has no name (aws-cdk-lib throws "Cannot reference zoneName
		// when using HostedZone.fromHostedZoneId()"): nothing to check the name against.
		var zone string
		if tree.Catch(func() { zone = *p.HostedZone.ZoneName() }) == "" && p.PrivateDnsName != "" && !tree.IsToken(zone) && !tree.IsToken(p.PrivateDnsName) && !inZone(p.PrivateDnsName, zone) {
			zone = strings.TrimSuffix(strings.ToLower(zone), ".")
			bad("PrivateDnsName %q is outside HostedZone %q: the TXT record must go in the zone of the name; use a name ending in .%s or the zone that owns %q", p.PrivateDnsName, zone, zone, p.PrivateDnsName)
		}
	}
	if p.VerificationTimeout != 0 {
		if p.HostedZone == nil {
			bad("VerificationTimeout %s is set without HostedZone: only Route 53 mode waits for verification (in external DNS mode you publish the TXT record after the deploy); set HostedZone or drop VerificationTimeout", p.VerificationTimeout)
		} else if why := gofunc.CheckWait("VerificationTimeout", p.VerificationTimeout); why != "" {
			bad("%s", why)
		}
	}

	if p.DemoInstanceType != "" && !p.DemoTarget {
		bad("DemoInstanceType %q is set, but ProviderProps.DemoTarget is false: there is no demo instance; drop DemoInstanceType or set DemoTarget", p.DemoInstanceType)
	} else if why := link.InstanceTypeProblem("DemoInstanceType", p.DemoInstanceType, p.ControlTower); why != "" {
		bad("%s", why)
	}
	if p.DemoTarget && p.ProxyProtocolV2 {
		bad("DemoTarget with ProxyProtocolV2: the demo HTTP server does not parse proxy protocol headers and would answer 400; turn one of them off")
	}
	if p.LoadBalancer != nil {
		if p.DemoTarget {
			bad("DemoTarget with a given LoadBalancer: the demo target is only wired into an NLB this construct creates; register your own targets instead")
		}
		if p.Vpc != nil {
			bad("Vpc and LoadBalancer are both set: a given NLB brings its own VPC; drop Vpc")
		}
		if p.accessLogs() || p.DeletionProtection || p.CrossZoneDisabled || p.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic {
			bad("LoadBalancer is given together with NLB settings (AccessLogs, AccessLogsBucket, DeletionProtection, CrossZoneDisabled, EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic): set those on your own NLB instead")
		}
		if p.dualStack() && p.hasProtocol(UDP, TCPUDP) {
			if cfn, ok := p.LoadBalancer.Node().DefaultChild().(elbv2.CfnLoadBalancer); ok && cfn != nil {
				// ELB User Guide, "Listeners": UDP on a dualstack NLB needs prefixes for IPv6 source
				// NAT; aws-cdk-lib's addListener refuses it too ("'enablePrefixForIpv6SourceNat' must
				// be set to true").
				if v := cfn.EnablePrefixForIpv6SourceNat(); (v == nil || *v != "on") && cfn.IpAddressType() != nil && strings.HasPrefix(*cfn.IpAddressType(), "dualstack") {
					bad("LoadBalancer %s is dualstack without EnablePrefixForIpv6SourceNat, so it cannot carry UDP over IPv6, but Listeners has a UDP or TCP_UDP listener: create the NLB with EnablePrefixForIpv6SourceNat: jsii.Bool(true), or set SupportedIpAddressTypes to [\"ipv4\"] on an IPv4 NLB", *p.LoadBalancer.Node().Path())
				}
			}
		}
	}
	if (p.Vpc != nil || p.LoadBalancer != nil) && len(p.AvailabilityZoneIds) > 0 {
		bad("AvailabilityZoneIds %q only apply to a VPC this construct creates, but Vpc or LoadBalancer is given: drop AvailabilityZoneIds", p.AvailabilityZoneIds)
	}
	if why := p.Alarms.Problem(); why != "" {
		bad("Alarms.%s", why)
	}
	if why := gofunc.CheckLogs("", p.LogRetention, p.LogRemovalPolicy); why != "" {
		bad("%s", why)
	}
	p.validateControlTower(bad)
	p.validateTree(scope, id, bad)
	return errors.Join(errs...)
}

// validateControlTower refuses, under ControlTowerStrict, what a Control Tower proactive control
// would fail at deploy (rules of @cdklabs/cdk-validator-cfnguard, rules/control-tower).
func (p *ProviderProps) validateControlTower(bad func(string, ...any)) {
	if why := p.ControlTower.Problem(); why != "" {
		bad("%s", why)
		return
	}
	if p.ServerAccessLogsBucket != nil && (!p.ControlTower.Strict() || !p.AccessLogs || p.AccessLogsBucket != nil) {
		bad("ServerAccessLogsBucket is set, but only the access-log bucket created under ControlTower strict (AccessLogs, no AccessLogsBucket) logs its access there: drop it, or set ControlTower strict and AccessLogs without AccessLogsBucket")
	}
	if !p.ControlTower.Strict() {
		if p.FunctionEndpoints != nil {
			bad("FunctionEndpoints is set, but ControlTower is not strict, so the function runs outside any VPC and uses none: set ControlTower to link.ControlTowerStrict or drop FunctionEndpoints")
		}
		return
	}
	if p.LogsKey == nil {
		bad("%s", link.LogsKeyMissing)
	}
	if p.LoadBalancer == nil && !p.DeletionProtection {
		bad("DeletionProtection is false with ControlTower strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.5 fails an NLB without deletion protection: set DeletionProtection (and turn it off before deleting the stack)")
	}
	if p.CrossZoneDisabled {
		bad("CrossZoneDisabled is set with ControlTower strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.14 fails an NLB without cross-zone load balancing: drop CrossZoneDisabled")
	}
	switch {
	case p.LoadBalancer != nil:
	case !p.accessLogs():
		bad("AccessLogs is false with ControlTower strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.6 fails an NLB without access logs: give AccessLogsBucket (an existing bucket admitting NLB log delivery), or set AccessLogs with ServerAccessLogsBucket for the bucket created here")
	case p.AccessLogsBucket == nil && p.ServerAccessLogsBucket == nil:
		bad("ServerAccessLogsBucket is nil with ControlTower strict while AccessLogs creates the access-log bucket, but Control Tower's CT.S3.PR.2 fails a bucket without server access logging, and their destination can be neither the bucket itself nor another bucket of this template: CT.S3.PR.9 requires Object Lock of every bucket, and a bucket with Object Lock cannot be a destination of server access logs (S3 User Guide, \"Enabling Amazon S3 server access logging\"); give an existing bucket (awss3.Bucket_FromBucketName), or AccessLogsBucket instead")
	}
	if p.LoadBalancer != nil && p.LoadBalancer.Vpc() == nil {
		bad("LoadBalancer %s has no VPC (imported without Vpc), but ControlTower strict runs the function in the NLB's VPC: import it with Vpc in NetworkLoadBalancerAttributes", *p.LoadBalancer.Node().Path())
	}
	if why := gofunc.CheckEndpoints("FunctionEndpoints", p.FunctionEndpoints, p.functionAPIs()); why != "" {
		bad("%s", why)
	}
}

// validateTree checks what only the construct tree tells: the given NLB or VPC.
func (p *ProviderProps) validateTree(scope constructs.Construct, id string, bad func(string, ...any)) {
	if lb := p.LoadBalancer; lb != nil {
		if prev := registry.Owner(scope, "nlb", loadBalancerKey(lb)); prev != "" {
			bad("LoadBalancer %s is already published by the provider %s: an NLB backs at most one endpoint service; give this provider its own NLB (or leave LoadBalancer unset to create one)", *lb.Node().Path(), prev)
		}
		if t := lb.IpAddressType(); p.dualStack() && t != "" && t != elbv2.IpAddressType_DUAL_STACK && t != elbv2.IpAddressType_DUAL_STACK_WITHOUT_PUBLIC_IPV4 {
			bad("LoadBalancer has IP address type %q but SupportedIpAddressTypes %q includes ipv6: make the NLB dualstack or set SupportedIpAddressTypes to [\"ipv4\"]", strings.ToLower(string(t)), p.ipAddressTypes())
		}
		if len(p.Listeners) > 0 && lb.Vpc() == nil {
			bad("LoadBalancer %s has no VPC (imported without Vpc), but Listeners adds target groups, which live in its VPC: import it with Vpc in NetworkLoadBalancerAttributes, or leave Listeners empty to publish its own listeners as they are (ServicePorts describes them)", *lb.Node().Path())
		}
		return
	}
	if p.Vpc == nil {
		if p.VpcSubnets != nil {
			bad("VpcSubnets selects subnets of a given Vpc, but Vpc is not set: the created VPC has one isolated subnet per AZ ID, all used; drop VpcSubnets or give Vpc")
		}
		return
	}
	var subnets []awsec2.ISubnet
	if msg := tree.Catch(func() { subnets = *p.Vpc.SelectSubnets(p.VpcSubnets).Subnets }); msg != "" {
		bad("VpcSubnets selects no subnets of Vpc %s (%s): choose a subnet type or group the VPC has", *p.Vpc.Node().Path(), msg)
		return
	}
	if len(subnets) == 0 {
		bad("VpcSubnets selects no subnets of Vpc %s: choose a subnet type or group the VPC has", *p.Vpc.Node().Path())
		return
	}
	if p.dualStack() {
		if subnet := link.SubnetWithoutIPv6(p.Vpc, p.VpcSubnets); subnet != "" {
			bad("Vpc subnet %s has no IPv6 CIDR but SupportedIpAddressTypes %q includes ipv6: give a dual-stack VPC (IpProtocol DUAL_STACK) or set SupportedIpAddressTypes to [\"ipv4\"]", subnet, p.ipAddressTypes())
		}
	}
}

// validateTargets checks listener i's target type (TargetType, else its Targets') against its
// protocol, health check and the demo target, and its Targets against each other.
func (p *ProviderProps) validateTargets(i int, l Listener, bad func(string, ...any)) {
	var types []string
	for _, t := range l.Targets {
		if t == nil {
			bad("Listeners[%d].Targets has a nil target: remove it", i)
			return
		}
		if typ := targetTypeOf(t); typ != "" && !slices.Contains(types, string(typ)) {
			types = append(types, string(typ))
		}
	}
	switch {
	case len(types) > 1:
		bad("Listeners[%d].Targets mix target types %q: a target group holds one type; put each type behind its own listener", i, types)
	case len(types) == 1 && l.TargetType != "" && types[0] != string(l.TargetType):
		bad("Listeners[%d].TargetType %s, but its Targets are %s targets: drop TargetType (it follows the targets) or give %s targets", i, l.TargetType, types[0], l.TargetType)
	}
	switch typ := l.targetType(); typ {
	case "", elbv2.TargetType_INSTANCE, elbv2.TargetType_IP:
	case elbv2.TargetType_ALB:
		// ELB User Guide, "Use an Application Load Balancer as a target of a Network Load
		// Balancer": "Only TCP listeners can forward traffic to an Application Load Balancer
		// target group"; its health check is HTTP or HTTPS, and "you can't modify Unhealthy
		// threshold, Timeout, or Success codes"; proxy protocol is an attribute only instance
		// and ip groups take.
		if l.Protocol.OrTCP() != TCP {
			bad("Listeners[%d] forwards to an Application Load Balancer (TargetType ALB), which needs a TCP listener, but Protocol is %s: use TCP, or targets of type IP or INSTANCE", i, l.Protocol)
		}
		if hc := l.HealthCheck; hc != nil {
			if hc.Protocol != elbv2.Protocol_HTTP && hc.Protocol != elbv2.Protocol_HTTPS {
				bad("Listeners[%d].HealthCheck.Protocol %q cannot check an Application Load Balancer target, which ELB checks over HTTP or HTTPS only: set Protocol to elbv2.Protocol_HTTP or _HTTPS (or leave HealthCheck out for HTTP)", i, hc.Protocol)
			}
			if hc.UnhealthyThresholdCount != nil || hc.Timeout != nil || hc.HealthyHttpCodes != nil {
				bad("Listeners[%d].HealthCheck sets UnhealthyThresholdCount, Timeout or HealthyHttpCodes, which ELB fixes for an Application Load Balancer target: drop them", i)
			}
		}
		if p.ProxyProtocolV2 {
			bad("ProxyProtocolV2 with Listeners[%d] forwarding to an Application Load Balancer: an alb target group takes no proxy protocol attribute; put the ALB behind another provider, or turn ProxyProtocolV2 off", i)
		}
	default:
		bad("Listeners[%d].TargetType %q is not a Network Load Balancer target type: use elbv2.TargetType_INSTANCE, _IP or _ALB", i, typ)
	}
	if p.DemoTarget && l.TargetType != "" && l.TargetType != elbv2.TargetType_INSTANCE {
		bad("Listeners[%d].TargetType %s with DemoTarget: the demo instance joins every listener's target group by instance ID; drop TargetType or DemoTarget", i, l.TargetType)
	}
}

// targetTypeOf is the target type of an awselasticloadbalancingv2targets target, told by its
// jsii proxy's Go type: binding a target to learn it is not read-only (an Auto Scaling group or
// an ECS service records the group it joins). Other targets (an Auto Scaling group, an ECS
// service, your own) give "", and aws-cdk-lib checks them when they join.
func targetTypeOf(t elbv2.INetworkLoadBalancerTarget) elbv2.TargetType {
	name := reflect.TypeOf(t).String()
	if !strings.HasPrefix(name, "*awselasticloadbalancingv2targets.jsiiProxy_") {
		return ""
	}
	switch strings.TrimPrefix(name, "*awselasticloadbalancingv2targets.jsiiProxy_") {
	case "IpTarget":
		return elbv2.TargetType_IP
	case "InstanceTarget", "InstanceIdTarget":
		return elbv2.TargetType_INSTANCE
	case "AlbTarget", "AlbArnTarget", "AlbListenerTarget":
		return elbv2.TargetType_ALB
	}
	return ""
}

// isPrivateZone reports whether zone is a Route 53 private hosted zone: a PrivateHostedZone, one
// imported as private (told by its jsii proxy's Go type: every zone interface has the same
// methods), or a HostedZone created with VPCs. A zone imported as a plain IHostedZone may be
// either; it is taken as public.
func isPrivateZone(zone awsroute53.IHostedZone) bool {
	switch reflect.TypeOf(zone).String() {
	case "*awsroute53.jsiiProxy_PrivateHostedZone", "*awsroute53.jsiiProxy_IPrivateHostedZone":
		return true
	}
	cfn, ok := zone.Node().DefaultChild().(awsroute53.CfnHostedZone)
	if !ok || cfn == nil {
		return false
	}
	// aws-cdk-lib's HostedZone writes VPCs through a Lazy that gives nothing without VPCs.
	vpcs, _ := awscdk.Stack_Of(cfn).Resolve(cfn.Vpcs()).([]any)
	return len(vpcs) > 0
}

// loadBalancerKey identifies an NLB for the registry: its ARN, or its construct path while
// that is a token.
func loadBalancerKey(lb elbv2.INetworkLoadBalancer) string {
	if key := *lb.LoadBalancerArn(); !tree.IsToken(key) {
		return key
	}
	return *lb.Node().Path()
}

// CheckDNSName returns why n is not a usable private DNS name (the reason only, such as "ends
// with a dot: …"), or nil.
func CheckDNSName(n string) error {
	switch {
	case strings.HasSuffix(n, "."):
		return errors.New("ends with a dot: give the name without the trailing dot")
	case strings.Contains(n, ".."):
		return errors.New("is not a valid DNS name (two dots in a row)")
	case len(n) > 253:
		return fmt.Errorf("is %d characters long; a DNS name has at most 253", len(n))
	case strings.ToLower(n) != n:
		return errors.New("has upper-case letters: DNS names are case-insensitive and AWS stores them in lower case; write it in lower case")
	}
	if _, err := netip.ParseAddr(n); err == nil {
		return errors.New("is an IP address: a private DNS name must be a domain name you own, such as \"api.example.com\"")
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return errors.New("is not a fully qualified domain name: use a name in a domain you own, such as \"api.example.com\"")
	}
	for _, l := range labels {
		if !dnsLabel.MatchString(l) {
			return fmt.Errorf("has an invalid label %q: labels are 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'", l)
		}
	}
	if tld := labels[len(labels)-1]; strings.Trim(tld, "0123456789") == "" {
		return fmt.Errorf("ends in the all-numeric label %q, which no top-level domain is: use a name in a domain you own, such as \"api.example.com\"", tld)
	}
	return nil
}

// inZone reports whether name is the zone's apex or below it.
func inZone(name, zone string) bool {
	zone = strings.TrimSuffix(strings.ToLower(zone), ".")
	return name == zone || strings.HasSuffix(name, "."+zone)
}

// principalArns turns account IDs into account-root ARNs (an allowed root lets every role of that
// account connect, including the one a consumer's `cdk synth` uses for LookupSupportedAzs —
// aws-cdk#28851) and keeps ARNs as they are.
func principalArns(principals []string, partition string) []string {
	out := make([]string, 0, len(principals))
	for _, p := range principals {
		if awsid.Account.MatchString(p) {
			p = "arn:" + partition + ":iam::" + p + ":root"
		}
		out = append(out, p)
	}
	return out
}

// AccountsOf returns the distinct account IDs named by principals (IDs and ARNs), in order.
func AccountsOf(principals []string) []string {
	var out []string
	for _, p := range principals {
		id := p
		if principalArn.MatchString(p) {
			id = strings.Split(p, ":")[4]
		}
		if awsid.Account.MatchString(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// certificateArn is an ACM certificate ARN: partition, Region, account.
var certificateArn = regexp.MustCompile(`^arn:([^:]+):acm:([^:]*):([^:]*):certificate/[^/]+$`)

// checkCertificateArn refuses a certificate (imported by ARN) of another partition, Region or
// account than the stack: "Certificates in ACM are regional resources" (ACM User Guide,
// "Supported Regions"), and a listener uses a certificate of its own account — ACM grants the
// load balancer its key when the two are associated (ACM User Guide, "What to do when a
// working certificate fails unexpectedly"); another account's ARN fails at the listener with
// CertificateNotFound (reported in terraform-provider-aws#17505).
func (p *ProviderProps) checkCertificateArn(stack awscdk.Stack, bad func(string, ...any)) {
	arn := *p.Certificate.CertificateArn()
	if tree.IsToken(arn) {
		return
	}
	m := certificateArn.FindStringSubmatch(arn)
	if m == nil {
		bad("Certificate has the ARN %q, which is not an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>): fix the value", arn)
		return
	}
	partition, region, account := m[1], m[2], m[3]
	if r := *stack.Region(); !tree.IsToken(r) {
		if pt, _ := awsid.PartitionOf(r); pt.Name != "" && partition != pt.Name {
			bad("Certificate %s is in partition %s, but the stack is in %s (%s): use a certificate of the stack's partition", arn, partition, pt.Name, r)
		}
		if region != r {
			bad("Certificate %s is in Region %s, but the stack is in %s: ACM certificates are regional (ACM User Guide, \"Supported Regions\") and a listener takes one of its own Region; request or import the certificate in %s", arn, region, r, r)
		}
	}
	if a := *stack.Account(); !tree.IsToken(a) && account != a {
		bad("Certificate %s is in account %s, but the stack is in account %s: a listener uses an ACM certificate of its own account (another account's ARN fails with CertificateNotFound); request or import the certificate in account %s", arn, account, a, a)
	}
}

// validateTLS checks the certificate of the TLS listeners against the private DNS name.
func (p *ProviderProps) validateTLS(stack awscdk.Stack, bad func(string, ...any)) {
	tls := p.hasProtocol(TLS)
	name := p.PrivateDnsName
	switch {
	case !tls && p.Certificate != nil:
		bad("Certificate is set but no listener is TLS: set Protocol: provider.TLS on the listeners that terminate TLS, or drop Certificate")
	case tls && p.Certificate == nil && name == "":
		bad("Listeners has a TLS listener but neither Certificate nor PrivateDnsName is set: consumers' TLS clients check the certificate against the name they connect to; set PrivateDnsName with HostedZone (a certificate for it is created and DNS-validated) or give Certificate")
	case tls && p.Certificate == nil && p.HostedZone == nil:
		bad("Listeners has a TLS listener in external DNS mode (no HostedZone) but no Certificate: request an ACM certificate for %q in the stack's Region, validate it in your DNS, and pass it (awscertificatemanager.Certificate_FromCertificateArn); or set HostedZone to have one created", name)
	case tls && p.Certificate == nil && !tree.IsToken(name) && len(name) > 64:
		// ACM: a certificate's domain name has at most 64 characters (aws-cdk-lib's Certificate
		// refuses longer ones; RequestCertificate DomainName, ACM API reference).
		bad("PrivateDnsName %q is %d characters long, but an ACM certificate's domain name has at most 64: give Certificate for a wildcard of a parent domain (such as *.%s), or use a shorter name", name, len(name), name[strings.Index(name, ".")+1:])
	}
	if p.Certificate != nil {
		p.checkCertificateArn(stack, bad)
	}
	if p.Certificate == nil || name == "" || tree.IsToken(name) {
		return
	}
	names := certificateNames(p.Certificate)
	if len(names) == 0 {
		return // imported by ARN, or names known only at deploy: docs/use-cases.md says what to create
	}
	for _, n := range names {
		if covers(n, name) {
			return
		}
	}
	bad("Certificate %s is for %q, which does not cover PrivateDnsName %q: TLS clients of the service would refuse it; request the certificate for %q (or a wildcard of its parent domain)", *p.Certificate.Node().Path(), names, name, name)
}

// certificateNames are the literal names of a certificate defined in this app (its domain name
// and subject alternative names); nil for an imported certificate or when any name is a token.
func certificateNames(c awscertificatemanager.ICertificate) []string {
	cfn, ok := c.Node().DefaultChild().(awscertificatemanager.CfnCertificate)
	if !ok || cfn == nil {
		return nil
	}
	names := []string{*cfn.DomainName()}
	if sans := cfn.SubjectAlternativeNames(); sans != nil {
		for _, s := range *sans {
			names = append(names, *s)
		}
	}
	for _, n := range names {
		if tree.IsToken(n) {
			return nil
		}
	}
	return names
}

// covers reports whether a certificate name matches host: equal (case-insensitive), or a
// wildcard that stands for exactly one leftmost label (RFC 6125 6.4.3, as TLS clients check it).
func covers(certName, host string) bool {
	certName, host = strings.ToLower(certName), strings.ToLower(host)
	if rest, ok := strings.CutPrefix(certName, "*."); ok {
		i := strings.Index(host, ".")
		return i > 0 && host[i+1:] == rest
	}
	return certName == host
}
