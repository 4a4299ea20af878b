package provider

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/link"
)

// DefaultSslPolicy is the security policy of a TLS listener unless Listener.SslPolicy says
// otherwise: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09. It negotiates TLS 1.3, and TLS 1.2 with
// forward-secret AEAD ciphers only for older clients, and offers hybrid post-quantum key
// exchange (ML-KEM) to clients that support it; it is the console's default and the policy AWS
// recommends ("Security policies for your Network Load Balancer"). Without a policy in the
// template the ELB API applies ELBSecurityPolicy-2016-08 (TLS 1.0 and CBC ciphers), and
// aws-cdk-lib only writes one behind a feature flag.
const DefaultSslPolicy = elbv2.SslPolicy_TLS13_12_RES_PQ

// defaultHealthCheck is every target group's health check unless Listener.HealthCheck is given:
// TCP on the traffic port, also for UDP (ELB health-checks UDP targets over TCP, HTTP or HTTPS,
// never UDP).
func defaultHealthCheck() *elbv2.HealthCheck {
	return &elbv2.HealthCheck{
		Protocol:                elbv2.Protocol_TCP,
		Interval:                awscdk.Duration_Seconds(jsii.Number(10)),
		HealthyThresholdCount:   jsii.Number(3),
		UnhealthyThresholdCount: jsii.Number(3),
	}
}

// targetType is the listener's target type as far as synth knows it: TargetType, else the type
// of its Targets (when of a known kind and all one type), else "".
func (l Listener) targetType() elbv2.TargetType {
	if l.TargetType != "" {
		return l.TargetType
	}
	for _, t := range l.Targets {
		if t != nil {
			if typ := targetTypeOf(t); typ != "" {
				return typ
			}
		}
	}
	return ""
}

func (l Listener) targetPort() int {
	if l.TargetPort == 0 {
		return l.Port
	}
	return l.TargetPort
}

// targetProtocol is the target group's protocol: a TLS listener hands targets the decrypted
// stream over TCP (aws-cdk-lib's addTargets would otherwise inherit TLS and re-encrypt).
func (l Listener) targetProtocol() elbv2.Protocol {
	switch l.Protocol.OrTCP() {
	case UDP:
		return elbv2.Protocol_UDP
	case TCPUDP:
		return elbv2.Protocol_TCP_UDP
	default:
		return elbv2.Protocol_TCP
	}
}

// addListeners adds one listener and target group per ProviderProps.Listeners entry, and the
// NLB security group's rules for them.
func (p *provider) addListeners() {
	// The VPC's IPv6 ranges, read once for every listener's rule (a search of the stack).
	var vpcIpv6 []*string
	if p.sg != nil && p.props.dualStack() {
		vpcIpv6 = link.Ipv6Cidrs(p.vpc, p.sg)
	}
	for _, l := range p.props.Listeners {
		port := strconv.Itoa(l.Port)
		props := &elbv2.BaseNetworkListenerProps{
			Port:     jsii.Number(l.Port),
			Protocol: elbv2.Protocol(l.Protocol.OrTCP()),
		}
		if l.Protocol == TLS {
			props.Certificates = &[]elbv2.IListenerCertificate{elbv2.ListenerCertificate_FromCertificateManager(p.certificate)}
			props.SslPolicy = l.SslPolicy
			if props.SslPolicy == "" {
				props.SslPolicy = DefaultSslPolicy
			}
			if l.AlpnPolicy != "" {
				props.AlpnPolicy = l.AlpnPolicy
			}
		}
		listener := p.lb.AddListener(jsii.String("Listener"+port), props)
		alb := l.targetType() == elbv2.TargetType_ALB
		hc := l.HealthCheck
		switch {
		case hc != nil:
		case alb:
			// ELB checks an ALB target over HTTP or HTTPS and fixes its unhealthy threshold,
			// timeout and success codes ("Use an Application Load Balancer as a target").
			hc = &elbv2.HealthCheck{Protocol: elbv2.Protocol_HTTP, Path: jsii.String("/")}
		default:
			hc = defaultHealthCheck()
		}
		// What addTargets would make (same scope and ID), plus the IP address type it cannot
		// set: "A UDP listener for a dualstack load balancer requires IPv6 target groups" (ELB
		// User Guide, "Listeners"), whose targets are IPv6 addresses or instances with a primary
		// IPv6 address ("Register targets"); the target type follows the first target.
		ipv6Targets := l.Protocol.IsUDP() && p.props.dualStack()
		tgProps := &elbv2.NetworkTargetGroupProps{
			Vpc:             p.vpc,
			Port:            jsii.Number(l.targetPort()),
			Protocol:        l.targetProtocol(),
			Targets:         &l.Targets,
			HealthCheck:     hc,
			ProxyProtocolV2: jsii.Bool(p.props.ProxyProtocolV2),
		}
		if alb {
			// An alb target group takes no proxy protocol attribute ("these attributes always
			// use their default values"); ELB refuses one it does not support.
			tgProps.ProxyProtocolV2 = nil
		}
		if l.Protocol.IsUDP() && !p.props.ProxyProtocolV2 {
			// Off is ELB's default ("proxy_protocol_v2.enabled … The default is false", ELB API
			// reference, TargetGroupAttribute). AWS documents the attribute for TCP data ("The
			// load balancer prepends a proxy protocol header to the TCP data", NLB guide, "Proxy
			// protocol") and says nothing of UDP groups, so a UDP or TCP_UDP group carries it
			// only when it is turned on (aws-cdk-lib writes an explicit false as given).
			tgProps.ProxyProtocolV2 = nil
		}
		if ipv6Targets {
			tgProps.IpAddressType = elbv2.TargetGroupIpAddressType_IPV6
		}
		tgProps.TargetType = l.TargetType
		if l.TargetType == "" && len(l.Targets) == 0 && !p.props.DemoTarget {
			// Registered later: IP, the likelier kind (ECS tasks, addresses; few instances have
			// a primary IPv6 address), instead of leaving ELB's default, instance, implicit
			// (aws-cdk-lib warns that an empty target group should specify targetType).
			tgProps.TargetType = elbv2.TargetType_IP
		}
		tg := elbv2.NewNetworkTargetGroup(listener, jsii.String("TargetsGroup"), tgProps)
		listener.AddTargetGroups(jsii.String("Targets"), tg)
		p.listeners = append(p.listeners, listener)
		p.targetGroups = append(p.targetGroups, tg)

		if p.sg == nil {
			continue
		}
		// In-VPC clients and health checks only; PrivateLink traffic is governed by
		// EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic (see ProviderProps).
		for _, sgPort := range l.Protocol.SecurityGroupPorts(l.Port) {
			p.sg.AddIngressRule(awsec2.Peer_Ipv4(p.vpc.VpcCidrBlock()), sgPort, jsii.String("listener "+port+" from the VPC (IPv4)"), nil)
			for _, cidr := range vpcIpv6 {
				p.sg.AddIngressRule(awsec2.Peer_Ipv6(cidr), sgPort, jsii.String("listener "+port+" from the VPC (IPv6)"), nil)
			}
		}
		// The NLB reaches its targets (traffic and health checks) through this group: IPv4
		// targets in the VPC's IPv4 range, an IPv6 target group's in its IPv6 ranges.
		targets := []awsec2.IPeer{awsec2.Peer_Ipv4(p.vpc.VpcCidrBlock())}
		if ipv6Targets {
			targets = nil
			for _, cidr := range vpcIpv6 {
				targets = append(targets, awsec2.Peer_Ipv6(cidr))
			}
		}
		tp := l.targetPort()
		// Health checks are TCP (HTTP and HTTPS too): a UDP listener's targets are checked over
		// TCP on the traffic port unless the check names another port.
		hcPort := tp
		if hc.Port != nil && *hc.Port != "traffic-port" {
			hcPort, _ = strconv.Atoi(*hc.Port)
		}
		for _, peer := range targets {
			for _, sgPort := range l.Protocol.SecurityGroupPorts(tp) {
				p.sg.AddEgressRule(peer, sgPort, jsii.String("targets on "+strconv.Itoa(tp)), nil)
			}
			if hcPort != 0 && (hcPort != tp || !l.Protocol.IsTCP()) {
				p.sg.AddEgressRule(peer, awsec2.Port_Tcp(jsii.Number(hcPort)), jsii.String("health checks on "+strconv.Itoa(hcPort)), nil)
			}
		}
	}
}
