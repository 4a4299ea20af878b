package test

import (
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// defaultProvider is the construct on its defaults, external-DNS mode, with an acceptor.
func defaultProvider(t *testing.T) assertions.Template {
	return Synth(t, "provider-default", func(app awscdk.App) error {
		stack := ProviderStack(app, "Default")
		p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"},
			Listeners:           []provider.Listener{{Port: 443}},
			AllowedPrincipals:   []string{"222222222222", "arn:aws:iam::333333333333:role/deployer"},
			PrivateDnsName:      "api.example.com",
		})
		acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
		return nil
	}).Templates["Default"]
}

// optionsProvider has a given VPC, proxy protocol, cross-region, Route 53 mode.
func optionsProvider(t *testing.T) assertions.Template {
	return Synth(t, "provider-options", func(app awscdk.App) error {
		stack := ProviderStack(app, "Options")
		vpc := provider.NewIsolatedVpc(stack, "OwnVpc", []string{"euw1-az1", "euw1-az3"}).Vpc
		p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			Vpc:                 vpc,
			Listeners:           []provider.Listener{{Port: 8443, TargetPort: 9443}},
			ProxyProtocolV2:     true,
			AllowedPrincipals:   []string{"222222222222"},
			AllowedRegions:      []string{"us-east-1"},
			PrivateDnsName:      "api.example.com",
			HostedZone:          Zone(stack),
			VerificationTimeout: 5 * time.Minute,
			ContributorInsights: true,
		})
		acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p, NotAllowed: acceptor.Reject})
		return nil
	}).Templates["Options"]
}

func TestProviderDefaultIsAnInternalDualStackNLBBehindAnAcceptanceRequiredService(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), M(
		"Scheme", "internal", "Type", "network", "IpAddressType", "dualstack",
		"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "off",
		"LoadBalancerAttributes", assertions.Match_ArrayWith(&[]any{M("Key", "load_balancing.cross_zone.enabled", "Value", "true")}),
	))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), M(
		"AcceptanceRequired", true, "SupportedIpAddressTypes", []string{"ipv4", "ipv6"}, "PrivateDnsName", "api.example.com",
	))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointServicePermissions"), M(
		"AllowedPrincipals", []string{"arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/deployer"},
	))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), M("Port", 443, "Protocol", "TCP"))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), M("Port", 443, "Protocol", "TCP", "HealthCheckProtocol", "TCP", "HealthCheckIntervalSeconds", 10))
}

func TestProviderDefaultVpcIsIsolatedDualStackWithNothingThatReachesTheInternet(t *testing.T) {
	tpl := defaultProvider(t)
	for _, typ := range []string{"AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::EIP", "AWS::EC2::Route"} {
		tpl.ResourceCountIs(jsii.String(typ), jsii.Number(0))
	}
	tpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(2))
	tpl.ResourceCountIs(jsii.String("AWS::EC2::VPCCidrBlock"), jsii.Number(1))
	tpl.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), M("MapPublicIpOnLaunch", false, "AssignIpv6AddressOnCreation", true))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), M("AvailabilityZoneId", "euw1-az2"))
}

func TestProviderNLBSecurityGroupAdmitsListenerPortsFromTheVpcOverIPv4AndIPv6(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), M(
		"GroupDescription", assertions.Match_StringLikeRegexp(jsii.String("PrivateLink NLB")),
		"SecurityGroupIngress", []any{
			M("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIp", assertions.Match_AnyValue()),
			M("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIpv6", assertions.Match_AnyValue()),
		},
		"SecurityGroupEgress", []any{M("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIp", assertions.Match_AnyValue())},
	))
}

func TestProviderExternalDnsModeOutputsTheTxtRecordAndCreatesNoRecordOrWaiter(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("Custom::PrivateDnsVerification"), jsii.Number(0))
	tpl.HasOutput(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String("^TXT record name")), "Value", M("Fn::Join", []any{"", []any{
		M("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"PrivateDnsNameConfiguration.Name"})), ".api.example.com"}})))
	tpl.HasOutput(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String("^TXT record value")), "Value", M("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"PrivateDnsNameConfiguration.Value"}))))
	for _, desc := range []string{"^Endpoint service name", "^Endpoint service ID", "^Internal NLB DNS name", "^Private DNS name consumers"} {
		tpl.HasOutput(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String(desc))))
	}
}

func TestProviderRoute53ModeWritesTheTxtRecordAndWaitsForVerification(t *testing.T) {
	tpl := optionsProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), M(
		"Type", "TXT", "HostedZoneId", "Z0123456789ABCDEFGHIJ", "TTL", "60",
		"ResourceRecords", []any{M("Fn::Join", []any{"", []any{"\"", M("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"PrivateDnsNameConfiguration.Value"})), "\""}})},
	))
	tpl.HasResource(jsii.String("Custom::PrivateDnsVerification"), M(
		"Properties", M("PrivateDnsName", "api.example.com", "TimeoutSeconds", "300"),
		"DependsOn", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("ProviderVerificationRecord"))}),
	))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), M(
		"Runtime", "provided.al2023", "Architectures", []string{"arm64"}, "Handler", "bootstrap", "Timeout", 300, "Environment", M("Variables", Like("PRIVATELINK_HANDLER", "provider")),
		"Description", assertions.Match_StringLikeRegexp(jsii.String("Waits for private DNS verification")),
	))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M("PolicyDocument", M("Statement", assertions.Match_ArrayWith(&[]any{
		Like("Sid", "StartVerificationOfThisServiceOnly", "Action", "ec2:StartVpcEndpointServicePrivateDnsVerification",
			"Resource", M("Fn::Join", []any{"", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("vpc-endpoint-service/"))})})),
		Like("Sid", "CrossRegionService", "Action", "vpce:AllowMultiRegion", "Resource", assertions.Match_AnyValue()),
	}))))
}

func TestProviderOptionsReachTheTemplate(t *testing.T) {
	tpl := optionsProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), M("SupportedRegions", []string{"eu-west-1", "us-east-1"}, "ContributorInsightsEnabled", true))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), M(
		"Port", 9443, "TargetGroupAttributes", assertions.Match_ArrayWith(&[]any{M("Key", "proxy_protocol_v2.enabled", "Value", "true")}),
	))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), M("Port", 8443))
	// The given VPC is used: one VPC in the stack, the NLB in its subnets.
	tpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), M("Subnets", assertions.Match_ArrayWith(&[]any{M("Ref", assertions.Match_StringLikeRegexp(jsii.String("OwnVpc")))})))
}

func TestTwoProvidersInOneAppEachVerifyTheirOwnName(t *testing.T) {
	f := Synth(t, "provider-two", func(app awscdk.App) error {
		for _, n := range []struct{ stack, name string }{{"One", "a.example.com"}, {"Two", "b.example.com"}} {
			stack := ProviderStack(app, n.stack)
			provider.NewProvider(stack, "Provider", &provider.ProviderProps{
				AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}},
				PrivateDnsName: n.name, HostedZone: Zone(stack),
			})
		}
		return nil
	})
	for stack, name := range map[string]string{"One": "a.example.com", "Two": "b.example.com"} {
		tpl := f.Templates[stack]
		tpl.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("Custom::PrivateDnsVerification"), M("PrivateDnsName", name))
		tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), M("PrivateDnsName", name))
	}
}

func TestProviderWithAGivenNLBAddsListenersToIt(t *testing.T) {
	tpl := Synth(t, "provider-given-nlb", func(app awscdk.App) error {
		stack := ProviderStack(app, "GivenNlb")
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
	}).Templates["GivenNlb"]
	tpl.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), M(
		"SupportedIpAddressTypes", []string{"ipv4"},
		"NetworkLoadBalancerArns", []any{M("Ref", assertions.Match_StringLikeRegexp(jsii.String("^Own")))},
	))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), M("Port", 80, "LoadBalancerArn", M("Ref", assertions.Match_StringLikeRegexp(jsii.String("^Own")))))
}

func TestAcceptorIsScopedToItsServiceAndItsAllowList(t *testing.T) {
	tpl := defaultProvider(t)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), M(
		"Runtime", "provided.al2023", "Architectures", []string{"arm64"}, "FunctionName", "privatelink-acceptor-Default",
		"Environment", M("Variables", M("ALLOWED_ACCOUNTS", "222222222222,333333333333", "NOT_ALLOWED", "leave-pending")),
	))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M("PolicyDocument", M("Statement", assertions.Match_ArrayWith(&[]any{
		Like("Sid", "DecideOnThisServiceOnly", "Action", "ec2:AcceptVpcEndpointConnections", "Resource", []any{
			M("Fn::Join", []any{"", assertions.Match_ArrayWith(&[]any{":ec2:eu-west-1:111111111111:vpc-endpoint-service/"})}),
			M("Fn::Join", []any{"", assertions.Match_ArrayWith(&[]any{":ec2:eu-west-1:*:vpc-endpoint/*"})}),
		}),
		Like("Sid", "DescribeNeedsStar", "Action", "ec2:DescribeVpcEndpointConnections", "Resource", "*"),
	}))))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointConnectionNotification"), M("ConnectionEvents", []string{"Connect"}))
	tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), M("Protocol", "lambda"))
	tpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), M("PolicyDocument", M("Statement", assertions.Match_ArrayWith(&[]any{
		Like("Sid", "AllowPublishThroughSSLOnly", "Effect", "Deny", "Condition", M("Bool", M("aws:SecureTransport", "false"))),
		Like("Sid", "VpceNotificationsForThisServiceOnly", "Principal", M("Service", "vpce.amazonaws.com"), "Condition", assertions.Match_ObjectLike(M("StringEquals", M("aws:SourceAccount", "111111111111")))),
	}))))
	// Cross-account invoke for exactly the allow-listed accounts, plus SNS.
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(3))
	for _, acct := range []string{"222222222222", "333333333333"} {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), M("Action", "lambda:InvokeFunction", "Principal", acct))
	}
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), M("Principal", "sns.amazonaws.com"))
	tpl.HasResourceProperties(jsii.String("Custom::EndpointAcceptanceSweep"), M("AllowedAccounts", "222222222222,333333333333"))
	// A year: the least AWS Control Tower's CT.CLOUDWATCH.PR.2 accepts.
	tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), M("RetentionInDays", 365))
	tpl.HasOutput(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String("^Acceptor ARN")), "Value", M("Fn::GetAtt", assertions.Match_ArrayWith(&[]any{"Arn"}))))
	// Reject permission only when the policy rejects.
	optionsProvider(t).HasResourceProperties(jsii.String("AWS::IAM::Policy"), M("PolicyDocument", M("Statement", assertions.Match_ArrayWith(&[]any{
		Like("Sid", "DecideOnThisServiceOnly", "Action", []string{"ec2:AcceptVpcEndpointConnections", "ec2:RejectVpcEndpointConnections"}, "Resource", assertions.Match_AnyValue()),
	}))))
}

func TestProviderErrorsThatNeedTheConstructTree(t *testing.T) {
	cases := []struct {
		name  string
		props func(stack awscdk.Stack) *provider.ProviderProps
		want  []string
	}{
		{"rejects a DNS name outside the hosted zone", func(stack awscdk.Stack) *provider.ProviderProps {
			return &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}, PrivateDnsName: "api.example.org", HostedZone: Zone(stack)}
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
			app := NewApp()
			stack := ProviderStack(app, "Err"+string(rune('A'+i)))
			props := c.props(stack)
			MustContain(t, Refusal(t, func() error { return props.Validate(stack, "Provider") }, func() { provider.NewProvider(stack, "Provider", props) }), c.want...)
		})
	}
}

// A key of another Region is a warning at synth, on each construct whose log groups would use it.
func TestALogsKeyOfAnotherRegionIsAWarningOnEachConstructThatUsesIt(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "KeyRegion")
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

	same := ProviderStack(NewApp(), "KeySameRegion")
	provider.NewProvider(same, "Provider", &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"},
		LogsKey: awskms.Key_FromKeyArn(same, jsii.String("Key"), jsii.String("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"))})
	if found := assertions.Annotations_FromStack(same).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("^LogsKey"))); len(*found) != 0 {
		t.Errorf("a key of the stack's Region warns: %v", (*found)[0].Entry.Data)
	}
}

// An imported NLB's source NAT setting is unknown at synth: a UDP listener on it warns, naming
// the setting and how to read it, instead of failing or passing silently.
func TestUDPOnAnImportedDualStackNLBWarnsThatSourceNatIsUnknown(t *testing.T) {
	stack := ProviderStack(NewApp(), "ImportedUdp")
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
