package test

import (
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
)

var euWest1 = &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}

func providerStack(app awscdk.App, name string) awscdk.Stack {
	if key := jsii.String("availability-zones:account=111111111111:region=eu-west-1"); app.Node().TryGetContext(key) == nil {
		app.Node().SetContext(key, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"})
	}
	return awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: euWest1})
}

func zone(stack awscdk.Stack) awsroute53.IPublicHostedZone {
	return awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.PublicHostedZoneAttributes{
		HostedZoneId: jsii.String("Z0123456789ABCDEFGHIJ"), ZoneName: jsii.String("example.com"),
	})
}

// defaultProvider is the construct on its defaults, external-DNS mode, with an acceptor.
func defaultProvider(t *testing.T) assertions.Template {
	return synth(t, "provider-default", func(app awscdk.App) error {
		stack := providerStack(app, "Default")
		p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"},
			Listeners:           []provider.Listener{{Port: 443}},
			AllowedPrincipals:   []string{"222222222222", "arn:aws:iam::333333333333:role/deployer"},
			PrivateDnsName:      "api.example.com",
		})
		acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
		return nil
	}).templates["Default"]
}

// optionsProvider has a given VPC, proxy protocol, cross-region, Route 53 mode.
func optionsProvider(t *testing.T) assertions.Template {
	return synth(t, "provider-options", func(app awscdk.App) error {
		stack := providerStack(app, "Options")
		vpc := provider.NewIsolatedVpc(stack, "OwnVpc", []string{"euw1-az1", "euw1-az3"}).Vpc
		p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			Vpc:                 vpc,
			Listeners:           []provider.Listener{{Port: 8443, TargetPort: 9443}},
			ProxyProtocolV2:     true,
			AllowedPrincipals:   []string{"222222222222"},
			AllowedRegions:      []string{"us-east-1"},
			PrivateDnsName:      "api.example.com",
			HostedZone:          zone(stack),
			VerificationTimeout: 5 * time.Minute,
			ContributorInsights: true,
		})
		acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p, NotAllowed: acceptor.Reject})
		return nil
	}).templates["Options"]
}

func TestProviderDefaultIsAnInternalDualStackNLBBehindAnAcceptanceRequiredService(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), m(
		"Scheme", "internal", "Type", "network", "IpAddressType", "dualstack",
		"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "off",
		"LoadBalancerAttributes", assertions.Match_ArrayWith(&[]any{m("Key", "load_balancing.cross_zone.enabled", "Value", "true")}),
	))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), m(
		"AcceptanceRequired", true, "SupportedIpAddressTypes", []string{"ipv4", "ipv6"}, "PrivateDnsName", "api.example.com",
	))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointServicePermissions"), m(
		"AllowedPrincipals", []string{"arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/deployer"},
	))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), m("Port", 443, "Protocol", "TCP"))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), m("Port", 443, "Protocol", "TCP", "HealthCheckProtocol", "TCP", "HealthCheckIntervalSeconds", 10))
}

func TestProviderDefaultVpcIsIsolatedDualStackWithNothingThatReachesTheInternet(t *testing.T) {
	tpl := defaultProvider(t)
	for _, typ := range []string{"AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::EIP", "AWS::EC2::Route"} {
		tpl.ResourceCountIs(jsii.String(typ), jsii.Number(0))
	}
	tpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(2))
	tpl.ResourceCountIs(jsii.String("AWS::EC2::VPCCidrBlock"), jsii.Number(1))
	tpl.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), m("MapPublicIpOnLaunch", false, "AssignIpv6AddressOnCreation", true))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), m("AvailabilityZoneId", "euw1-az2"))
}

func TestProviderNLBSecurityGroupAdmitsListenerPortsFromTheVpcOverIPv4AndIPv6(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), m(
		"GroupDescription", assertions.Match_StringLikeRegexp(jsii.String("PrivateLink NLB")),
		"SecurityGroupIngress", []any{
			m("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIp", assertions.Match_AnyValue()),
			m("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIpv6", assertions.Match_AnyValue()),
		},
		"SecurityGroupEgress", []any{m("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIp", assertions.Match_AnyValue())},
	))
}

func TestProviderExternalDnsModeOutputsTheTxtRecordAndCreatesNoRecordOrWaiter(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("Custom::PrivateDnsVerification"), jsii.Number(0))
	tpl.HasOutput(jsii.String("*"), m("Description", assertions.Match_StringLikeRegexp(jsii.String("^TXT record name")), "Value", m("Fn::Join", []any{"", []any{
		m("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"PrivateDnsNameConfiguration.Name"})), ".api.example.com"}})))
	tpl.HasOutput(jsii.String("*"), m("Description", assertions.Match_StringLikeRegexp(jsii.String("^TXT record value")), "Value", m("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"PrivateDnsNameConfiguration.Value"}))))
	for _, desc := range []string{"^Endpoint service name", "^Endpoint service ID", "^Internal NLB DNS name", "^Private DNS name consumers"} {
		tpl.HasOutput(jsii.String("*"), m("Description", assertions.Match_StringLikeRegexp(jsii.String(desc))))
	}
}

func TestProviderRoute53ModeWritesTheTxtRecordAndWaitsForVerification(t *testing.T) {
	tpl := optionsProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), m(
		"Type", "TXT", "HostedZoneId", "Z0123456789ABCDEFGHIJ", "TTL", "60",
		"ResourceRecords", []any{m("Fn::Join", []any{"", []any{"\"", m("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"PrivateDnsNameConfiguration.Value"})), "\""}})},
	))
	tpl.HasResource(jsii.String("Custom::PrivateDnsVerification"), m(
		"Properties", m("PrivateDnsName", "api.example.com", "TimeoutSeconds", "300"),
		"DependsOn", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("ProviderVerificationRecord"))}),
	))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), m(
		"Runtime", "provided.al2023", "Architectures", []string{"arm64"}, "Handler", "bootstrap", "Timeout", 300, "Environment", m("Variables", like("PRIVATELINK_HANDLER", "provider")),
		"Description", assertions.Match_StringLikeRegexp(jsii.String("Waits for private DNS verification")),
	))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), m("PolicyDocument", m("Statement", assertions.Match_ArrayWith(&[]any{
		like("Sid", "StartVerificationOfThisServiceOnly", "Action", "ec2:StartVpcEndpointServicePrivateDnsVerification",
			"Resource", m("Fn::Join", []any{"", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("vpc-endpoint-service/"))})})),
		like("Sid", "CrossRegionService", "Action", "vpce:AllowMultiRegion", "Resource", assertions.Match_AnyValue()),
	}))))
}

func TestProviderOptionsReachTheTemplate(t *testing.T) {
	tpl := optionsProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), m("SupportedRegions", []string{"eu-west-1", "us-east-1"}, "ContributorInsightsEnabled", true))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), m(
		"Port", 9443, "TargetGroupAttributes", assertions.Match_ArrayWith(&[]any{m("Key", "proxy_protocol_v2.enabled", "Value", "true")}),
	))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), m("Port", 8443))
	// The given VPC is used: one VPC in the stack, the NLB in its subnets.
	tpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), m("Subnets", assertions.Match_ArrayWith(&[]any{m("Ref", assertions.Match_StringLikeRegexp(jsii.String("OwnVpc")))})))
}

func TestTwoProvidersInOneAppEachVerifyTheirOwnName(t *testing.T) {
	f := synth(t, "provider-two", func(app awscdk.App) error {
		for _, n := range []struct{ stack, name string }{{"One", "a.example.com"}, {"Two", "b.example.com"}} {
			stack := providerStack(app, n.stack)
			provider.NewProvider(stack, "Provider", &provider.ProviderProps{
				AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}},
				PrivateDnsName: n.name, HostedZone: zone(stack),
			})
		}
		return nil
	})
	for stack, name := range map[string]string{"One": "a.example.com", "Two": "b.example.com"} {
		tpl := f.templates[stack]
		tpl.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("Custom::PrivateDnsVerification"), m("PrivateDnsName", name))
		tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), m("PrivateDnsName", name))
	}
}

func TestProviderWithAGivenNLBAddsListenersToIt(t *testing.T) {
	tpl := synth(t, "provider-given-nlb", func(app awscdk.App) error {
		stack := providerStack(app, "GivenNlb")
		vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
		nlb := elbv2.NewNetworkLoadBalancer(stack, jsii.String("Own"), &elbv2.NetworkLoadBalancerProps{Vpc: vpc})
		for _, c := range []guard.Control{guard.NlbDeletion, guard.NlbAccessLogs, guard.NlbCrossZone} {
			guard.Suppress(nlb, c, "the user's own NLB, as given: its settings are not the provider's to change")
		}
		provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			LoadBalancer: nlb, SupportedIpAddressTypes: []string{"ipv4"},
			Listeners: []provider.Listener{{Port: 80}}, AllowedPrincipals: []string{"222222222222"},
		})
		return nil
	}).templates["GivenNlb"]
	tpl.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), m(
		"SupportedIpAddressTypes", []string{"ipv4"},
		"NetworkLoadBalancerArns", []any{m("Ref", assertions.Match_StringLikeRegexp(jsii.String("^Own")))},
	))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), m("Port", 80, "LoadBalancerArn", m("Ref", assertions.Match_StringLikeRegexp(jsii.String("^Own")))))
}

func TestAcceptorIsScopedToItsServiceAndItsAllowList(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), m(
		"Runtime", "provided.al2023", "Architectures", []string{"arm64"}, "FunctionName", "privatelink-acceptor-Default",
		"Environment", m("Variables", m("ALLOWED_ACCOUNTS", "222222222222,333333333333", "NOT_ALLOWED", "leave-pending")),
	))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), m("PolicyDocument", m("Statement", assertions.Match_ArrayWith(&[]any{
		like("Sid", "DecideOnThisServiceOnly", "Action", "ec2:AcceptVpcEndpointConnections", "Resource", []any{
			m("Fn::Join", []any{"", assertions.Match_ArrayWith(&[]any{":ec2:eu-west-1:111111111111:vpc-endpoint-service/"})}),
			m("Fn::Join", []any{"", assertions.Match_ArrayWith(&[]any{":ec2:eu-west-1:*:vpc-endpoint/*"})}),
		}),
		like("Sid", "DescribeNeedsStar", "Action", "ec2:DescribeVpcEndpointConnections", "Resource", "*"),
	}))))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointConnectionNotification"), m("ConnectionEvents", []string{"Connect"}))
	tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), m("Protocol", "lambda"))
	tpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), m("PolicyDocument", m("Statement", assertions.Match_ArrayWith(&[]any{
		like("Sid", "AllowPublishThroughSSLOnly", "Effect", "Deny", "Condition", m("Bool", m("aws:SecureTransport", "false"))),
		like("Sid", "VpceNotificationsForThisServiceOnly", "Principal", m("Service", "vpce.amazonaws.com"), "Condition", assertions.Match_ObjectLike(m("StringEquals", m("aws:SourceAccount", "111111111111")))),
	}))))
	// Cross-account invoke for exactly the allow-listed accounts, plus SNS.
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(3))
	for _, acct := range []string{"222222222222", "333333333333"} {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), m("Action", "lambda:InvokeFunction", "Principal", acct))
	}
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), m("Principal", "sns.amazonaws.com"))
	tpl.HasResourceProperties(jsii.String("Custom::EndpointAcceptanceSweep"), m("AllowedAccounts", "222222222222,333333333333"))
	// A year: the least AWS Control Tower's CT.CLOUDWATCH.PR.2 accepts.
	tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), m("RetentionInDays", 365))
	tpl.HasOutput(jsii.String("*"), m("Description", assertions.Match_StringLikeRegexp(jsii.String("^Acceptor ARN")), "Value", m("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"Arn"}))))
	// Reject permission only when the policy rejects.
	optionsProvider(t).HasResourceProperties(jsii.String("AWS::IAM::Policy"), m("PolicyDocument", m("Statement", assertions.Match_ArrayWith(&[]any{
		like("Sid", "DecideOnThisServiceOnly", "Action", []string{"ec2:AcceptVpcEndpointConnections", "ec2:RejectVpcEndpointConnections"}, "Resource", assertions.Match_AnyValue()),
	}))))
}

func TestProviderErrorsThatNeedTheConstructTree(t *testing.T) {
	cases := []struct {
		name  string
		props func(stack awscdk.Stack) *provider.ProviderProps
		want  []string
	}{
		{"rejects a DNS name outside the hosted zone", func(stack awscdk.Stack) *provider.ProviderProps {
			return &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}, PrivateDnsName: "api.example.org", HostedZone: zone(stack)}
		}, []string{`ProviderProps.PrivateDnsName "api.example.org" is outside HostedZone "example.com"`, "use a name ending in .example.com"}},
		{"rejects IPv6 on a VPC without IPv6 subnets", func(stack awscdk.Stack) *provider.ProviderProps {
			vpc := awsec2.NewVpc(stack, jsii.String("V4"), &awsec2.VpcProps{AvailabilityZones: jsii.Strings("eu-west-1a"), NatGateways: jsii.Number(0),
				SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("I"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
			return &provider.ProviderProps{Vpc: vpc, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}}
		}, []string{"subnet", "has no IPv6 CIDR but SupportedIpAddressTypes", `set SupportedIpAddressTypes to ["ipv4"]`}},
		{"rejects IPv6 on an IPv4 NLB", func(stack awscdk.Stack) *provider.ProviderProps {
			vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			nlb := elbv2.NewNetworkLoadBalancer(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerProps{Vpc: vpc})
			return &provider.ProviderProps{LoadBalancer: nlb, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}}
		}, []string{`ProviderProps.LoadBalancer has IP address type "ipv4"`, "make the NLB dualstack"}},
		{"rejects UDP on a given dualstack NLB without IPv6 source NAT", func(stack awscdk.Stack) *provider.ProviderProps {
			vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			nlb := elbv2.NewNetworkLoadBalancer(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerProps{Vpc: vpc, IpAddressType: elbv2.IpAddressType_DUAL_STACK})
			return &provider.ProviderProps{LoadBalancer: nlb, Listeners: []provider.Listener{{Port: 53, Protocol: provider.UDP}}, AllowedPrincipals: []string{"222222222222"}}
		}, []string{"ProviderProps.LoadBalancer ErrD/Nlb is dualstack without EnablePrefixForIpv6SourceNat, so it cannot carry UDP over IPv6", "EnablePrefixForIpv6SourceNat: jsii.Bool(true)"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := providerStack(app, "Err"+string(rune('A'+i)))
			props := c.props(stack)
			mustContain(t, refusal(t, func() error { return props.Validate(stack, "Provider") }, func() { provider.NewProvider(stack, "Provider", props) }), c.want...)
		})
	}
}

// A key of another Region is a warning at synth, on each construct whose log groups would use it.
func TestALogsKeyOfAnotherRegionIsAWarningOnEachConstructThatUsesIt(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := providerStack(app, "KeyRegion")
	key := awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}, LogsKey: key})
	acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p, LogsKey: key})
	found := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(
		`^LogsKey arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab is a key of us-east-1, but the log groups are in eu-west-1: .* give a key of eu-west-1 \(logkey.New makes one\)`)))
	var paths []string
	for _, msg := range *found {
		paths = append(paths, *msg.Id)
	}
	if len(paths) != 2 {
		t.Fatalf("warnings at %v, want one on the provider's function and one on the acceptor's", paths)
	}

	same := providerStack(awscdk.NewApp(nil), "KeySameRegion")
	provider.NewProvider(same, "Provider", &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"},
		LogsKey: awskms.Key_FromKeyArn(same, jsii.String("Key"), jsii.String("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"))})
	if found := assertions.Annotations_FromStack(same).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("^LogsKey"))); len(*found) != 0 {
		t.Errorf("a key of the stack's Region warns: %v", (*found)[0].Entry.Data)
	}
}

// An imported NLB's source NAT setting is unknown at synth: a UDP listener on it warns, naming
// the setting and how to read it, instead of failing or passing silently.
func TestUDPOnAnImportedDualStackNLBWarnsThatSourceNatIsUnknown(t *testing.T) {
	stack := providerStack(awscdk.NewApp(nil), "ImportedUdp")
	vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
	nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerAttributes{
		LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/api/0123456789abcdef"), Vpc: vpc,
		LoadBalancerDnsName: jsii.String("api-0123456789abcdef.elb.eu-west-1.amazonaws.com"),
	})
	provider.NewProvider(stack, "Provider", &provider.ProviderProps{LoadBalancer: nlb, Listeners: []provider.Listener{{Port: 53, Protocol: provider.UDP}}, AllowedPrincipals: []string{"222222222222"}})
	found := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(
		`^ProviderProps.LoadBalancer is imported, so whether it can carry UDP over IPv6 is unknown at synth: a dualstack NLB needs EnablePrefixForIpv6SourceNat on`)))
	if len(*found) != 1 {
		t.Fatalf("%d warnings, want 1", len(*found))
	}
}
