package test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

func TestProviderPropsValidate(t *testing.T) {
	no := false
	cases := []struct {
		name string
		edit func(p *provider.ProviderProps)
		want string
	}{
		{"accepts the smallest valid props", func(*provider.ProviderProps) {}, ""},
		{"rejects no listeners", func(p *provider.ProviderProps) { p.Listeners = nil }, "ProviderProps.Listeners is empty"},
		{"rejects a port out of range", func(p *provider.ProviderProps) { p.Listeners = []provider.Listener{{Port: 70000}} }, "Listeners[0].Port 70000 is out of range: use a TCP port from 1 to 65535"},
		{"rejects port zero", func(p *provider.ProviderProps) { p.Listeners = []provider.Listener{{Port: 0}} }, "Listeners[0].Port 0 is out of range"},
		{"rejects a duplicate port", func(p *provider.ProviderProps) { p.Listeners = []provider.Listener{{Port: 443}, {Port: 443}} }, "Listeners[1].Port 443 is listed twice"},
		{"rejects a malformed account ID", func(p *provider.ProviderProps) { p.AllowedPrincipals = []string{"22222222222"} }, `AllowedPrincipals[0] "22222222222" is neither a 12-digit account ID nor an IAM principal ARN`},
		{"rejects a malformed ARN", func(p *provider.ProviderProps) { p.AllowedPrincipals = []string{"arn:aws:iam::222222222222:group/x"} }, `AllowedPrincipals[0] "arn:aws:iam::222222222222:group/x" is neither`},
		{"accepts a role ARN", func(p *provider.ProviderProps) { p.AllowedPrincipals = []string{"arn:aws:iam::222222222222:role/app"} }, ""},
		{"rejects no acceptance without principals", func(p *provider.ProviderProps) { p.AcceptanceRequired = &no; p.AllowedPrincipals = nil }, "AcceptanceRequired is false and AllowedPrincipals is empty"},
		{"rejects everyone without acceptance", func(p *provider.ProviderProps) { p.AcceptanceRequired = &no; p.AllowedPrincipals = []string{"*"} }, `AllowedPrincipals[0] is "*" with AcceptanceRequired false`},
		{"rejects two dots in the DNS name", func(p *provider.ProviderProps) { p.PrivateDnsName = "api..example.com" }, `PrivateDnsName "api..example.com" is not a valid DNS name (two dots in a row)`},
		{"rejects a single-label DNS name", func(p *provider.ProviderProps) { p.PrivateDnsName = "api" }, "is not a fully qualified domain name"},
		{"rejects a label with an underscore", func(p *provider.ProviderProps) { p.PrivateDnsName = "my_api.example.com" }, `has an invalid label "my_api"`},
		{"rejects upper case", func(p *provider.ProviderProps) { p.PrivateDnsName = "API.example.com" }, "has upper-case letters"},
		{"rejects a trailing dot", func(p *provider.ProviderProps) { p.PrivateDnsName = "api.example.com." }, "ends with a dot"},
		{"rejects an unknown IP type", func(p *provider.ProviderProps) { p.SupportedIpAddressTypes = []string{"ipv5"} }, `has an unknown type "ipv5"`},
		{"rejects a bad region", func(p *provider.ProviderProps) { p.AllowedRegions = []string{"europe"} }, `AllowedRegions[0] "europe" is not an AWS Region`},
		{"rejects a wait over 55 minutes", func(p *provider.ProviderProps) {
			p.VerificationTimeout = 56 * time.Minute
			p.HostedZone = Zone(scratchStack())
		}, "VerificationTimeout 56m0s is out of range: use 1m to 55m in whole seconds, such as 45m (CloudFormation waits at most an hour for a custom resource"},
		{"accepts a wait of 55 minutes", func(p *provider.ProviderProps) {
			p.VerificationTimeout = 55 * time.Minute
			p.HostedZone = Zone(scratchStack())
		}, ""},
		{"rejects a wait in fractions of a second", func(p *provider.ProviderProps) {
			p.VerificationTimeout = 90*time.Second + time.Millisecond
			p.HostedZone = Zone(scratchStack())
		}, "VerificationTimeout 1m30.001s is out of range: use 1m to 55m in whole seconds"},
		{"rejects the demo target with proxy protocol", func(p *provider.ProviderProps) { p.DemoTarget = true; p.ProxyProtocolV2 = true }, "DemoTarget with ProxyProtocolV2"},
		{"rejects an unknown listener protocol", func(p *provider.ProviderProps) { p.Listeners[0].Protocol = "HTTPS" }, `Listeners[0].Protocol "HTTPS" is not a listener protocol: use TCP, TLS, UDP or TCP_UDP`},
		{"rejects TLS settings on a TCP listener", func(p *provider.ProviderProps) { p.Listeners[0].AlpnPolicy = elbv2.AlpnPolicy_HTTP2_ONLY },
			"Listeners[0] (port 443, TCP) has SslPolicy or AlpnPolicy, which only a TLS listener uses: set Protocol to TLS or drop them"},
		{"rejects a UDP health check", func(p *provider.ProviderProps) {
			p.Listeners[0] = provider.Listener{Port: 53, Protocol: provider.UDP, HealthCheck: &elbv2.HealthCheck{Protocol: elbv2.Protocol_UDP}}
		}, "Listeners[0].HealthCheck.Protocol UDP cannot health-check a target (ELB checks over TCP, HTTP or HTTPS only)"},
		{"rejects TLS without a name or a certificate", func(p *provider.ProviderProps) { p.Listeners[0].Protocol = provider.TLS; p.PrivateDnsName = "" },
			"Listeners has a TLS listener but neither Certificate nor PrivateDnsName is set"},
		{"rejects TLS in external DNS mode without a certificate", func(p *provider.ProviderProps) { p.Listeners[0].Protocol = provider.TLS },
			`Listeners has a TLS listener in external DNS mode (no HostedZone) but no Certificate: request an ACM certificate for "api.example.com" in the stack's Region`},
		{"accepts TLS in Route 53 mode: the certificate is created", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.HostedZone = Zone(scratchStack())
		}, ""},
		{"rejects a name too long for a created certificate", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.PrivateDnsName = strings.Repeat("a", 60) + ".example.com"
			p.HostedZone = Zone(scratchStack())
		}, "is 72 characters long, but an ACM certificate's domain name has at most 64: give Certificate for a wildcard of a parent domain (such as *.example.com)"},
		{"rejects a certificate whose names do not cover the private DNS name", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.Certificate = awscertificatemanager.NewCertificate(scratchStack(), jsii.String("Other"), &awscertificatemanager.CertificateProps{
				DomainName: jsii.String("*.api.example.com"), SubjectAlternativeNames: jsii.Strings("example.com")})
		}, `is for ["*.api.example.com" "example.com"], which does not cover PrivateDnsName "api.example.com": TLS clients of the service would refuse it`},
		{"accepts a wildcard certificate of the parent domain", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.Certificate = awscertificatemanager.NewCertificate(scratchStack(), jsii.String("Wildcard"), &awscertificatemanager.CertificateProps{DomainName: jsii.String("*.example.com")})
		}, ""},
		{"accepts an imported certificate, whose names are unknown at synth", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(scratchStack(), jsii.String("Imported"), jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"))
		}, ""},
		{"rejects an imported certificate of another Region", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(scratchStack(), jsii.String("Elsewhere"), jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"))
		}, "Certificate arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 is in Region us-east-1, but the stack is in eu-west-1: ACM certificates are regional"},
		{"rejects an imported certificate of another account", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(scratchStack(), jsii.String("OtherAccount"), jsii.String("arn:aws:acm:eu-west-1:999999999999:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"))
		}, "Certificate arn:aws:acm:eu-west-1:999999999999:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 is in account 999999999999, but the stack is in account 111111111111"},
		{"rejects an imported certificate of another partition", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(scratchStack(), jsii.String("OtherPartition"), jsii.String("arn:aws-cn:acm:eu-west-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"))
		}, "is in partition aws-cn, but the stack is in aws (eu-west-1)"},
		{"rejects a certificate without a TLS listener", func(p *provider.ProviderProps) {
			p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(scratchStack(), jsii.String("Unused"), jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"))
		}, "Certificate is set but no listener is TLS"},
		{"rejects an alarm topic with alarms off", func(p *provider.ProviderProps) {
			p.Alarms = alarms.Props{Topic: awssns.NewTopic(scratchStack(), jsii.String("Ops"), nil), Dashboard: true}
		}, "Alarms.Topic is set but Enabled is false: no alarm would notify it; set Enabled or drop Topic"},
		{"accepts proxy protocol behind TLS", func(p *provider.ProviderProps) {
			p.Listeners[0].Protocol = provider.TLS
			p.HostedZone = Zone(scratchStack())
			p.ProxyProtocolV2 = true
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ValidProvider()
			c.edit(&p)
			err := p.Validate(In("eu-west-1"), "Under")
			WantValidation(t, err, c.want, "privatelink: ProviderProps.")
		})
	}
}

func TestProviderPropsValidateReportsEveryProblemAtOnce(t *testing.T) {
	p := provider.ProviderProps{Listeners: []provider.Listener{{Port: 0}}, AllowedPrincipals: []string{"x"}, PrivateDnsName: "a..b"}
	err := ErrString(p.Validate(In("eu-west-1"), "Under"))
	MustContain(t, err, "Port 0", `"x" is neither`, "two dots")
}

func TestConsumerPropsValidate(t *testing.T) {
	const svc = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
	no := false
	cases := []struct {
		name, region string
		props        consumer.ConsumerProps
		want         string
	}{
		{"accepts the smallest valid props", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}}, ""},
		{"rejects a malformed service name", "eu-west-1", consumer.ConsumerProps{ServiceName: "vpce-svc-123", Ports: []provider.ServicePort{{Port: 443}}}, `ServiceName "vpce-svc-123" is not an endpoint service name`},
		{"rejects a port out of range", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 0}}}, "Ports[0].Port 0 is out of range"},
		{"rejects an unknown protocol", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 53, Protocol: "DNS"}}}, `Ports[0].Protocol "DNS" is not a listener protocol`},
		{"rejects a port listed for two protocols", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 53, Protocol: provider.UDP}, {Port: 53}}},
			"Ports[1].Port 53 is listed twice: an NLB has one listener per port (TCP_UDP carries both)"},
		{"rejects no ports", "eu-west-1", consumer.ConsumerProps{ServiceName: svc}, "Ports is empty"},
		{"rejects a cross-region service without ServiceRegion", "eu-central-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}}, `ServiceRegion is empty but ServiceName "` + svc + `" is in eu-west-1 and this stack is in eu-central-1: set ServiceRegion to "eu-west-1"`},
		{"accepts a cross-region service with ServiceRegion", "eu-central-1", consumer.ConsumerProps{ServiceName: svc, ServiceRegion: "eu-west-1", Ports: []provider.ServicePort{{Port: 443}}}, ""},
		{"rejects a ServiceRegion that contradicts the name", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, ServiceRegion: "us-east-1", Ports: []provider.ServicePort{{Port: 443}}}, `ServiceRegion "us-east-1" differs from the Region in ServiceName`},
		{"rejects IPv6 clients with an ipv4-only DNS record type", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, DnsRecordIpType: "ipv4", AllowedIpv6Cidrs: []string{"2001:db8::/56"}}, `DnsRecordIpType "ipv4" gives the private DNS name no AAAA record`},
		{"accepts IPv6 clients with private DNS off", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, DnsRecordIpType: "ipv4", PrivateDns: &no, AllowedIpv6Cidrs: []string{"2001:db8::/56"}}, ""},
		{"rejects a dualstack DNS type on an ipv4 endpoint", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, IpAddressType: "ipv4", DnsRecordIpType: "dualstack"}, `DnsRecordIpType "dualstack" needs IPv6 addresses on the endpoint`},
		{"rejects an IPv4 CIDR in the IPv6 list", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, AllowedIpv6Cidrs: []string{"10.0.0.0/8"}}, `AllowedIpv6Cidrs[0] "10.0.0.0/8" is not an IPv6 CIDR`},
		{"rejects a timeout under a minute", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, AcceptanceTimeout: time.Second}, "AcceptanceTimeout 1s is out of range: use 1m to 55m in whole seconds"},
		{"accepts a wait of 55 minutes", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, AcceptanceTimeout: 55 * time.Minute}, ""},
		{"rejects a malformed acceptor ARN", "eu-west-1", consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, AcceptorArn: "arn:aws:lambda:eu-west-1:1:function:x"}, `AcceptorArn "arn:aws:lambda:eu-west-1:1:function:x" is not a Lambda function ARN`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.props.Validate(In(c.region), "Consumer")
			WantValidation(t, err, c.want, "privatelink: ConsumerProps.")
		})
	}
}

func TestAppConfig(t *testing.T) {
	cases := []struct {
		name string
		ctx  map[string]any
		want string
	}{
		{"accepts the defaults", map[string]any{}, ""},
		{"ignores CDK's own keys", map[string]any{"@aws-cdk/core:checkSecretUsage": true, "aws:cdk:enable-path-metadata": true}, ""},
		{"rejects an unknown key by name", map[string]any{"prots": "443"}, `context key "prots" is unknown`},
		{"rejects a malformed account", map[string]any{"consumerAccount": "2222"}, `context key "consumerAccount" has "2222", whose account "2222" is not a 12-digit AWS account ID`},
		{"rejects a malformed provider account", map[string]any{"providerAccount": "1111"}, `context key "providerAccount" is "1111": use a 12-digit AWS account ID`},
		{"accepts several consumer accounts, one in another Region", map[string]any{"consumerAccount": "222222222222, 333333333333@eu-central-1"}, ""},
		{"rejects a non-boolean flag", map[string]any{"testClient": "yes"}, `context key "testClient" is "yes": use true or false`},
		{"rejects an AZ ID of another Region", map[string]any{"azIds": "use1-az1"}, `context key "azIds" has "use1-az1", which is an Availability Zone ID of us-east-1, not of eu-west-1`},
		{"rejects a non-numeric port", map[string]any{"ports": "https"}, `context key "ports" has "https", which is not a port number`},
		{"rejects half a hosted zone", map[string]any{"hostedZoneId": "Z1"}, `"hostedZoneId" ("Z1") and "hostedZoneName" ("") go together`},
		{"rejects one account for both sides", map[string]any{"consumerAccount": "111111111111"}, `context key "consumerAccount" has "111111111111", which is the provider's account`},
		{"rejects an unknown listener protocol", map[string]any{"listenerProtocol": "QUIC"}, `context key "listenerProtocol" is "QUIC": use TCP, TLS, UDP or TCP_UDP`},
		{"accepts a protocol in lower case", map[string]any{"listenerProtocol": "udp"}, ""},
		{"rejects TLS in external DNS mode without a certificate", map[string]any{"listenerProtocol": "TLS"},
			`context key "listenerProtocol" is TLS in external DNS mode but "certificateArn" is empty: request an ACM certificate for api.example.com in eu-west-1`},
		{"rejects TLS without a private DNS name", map[string]any{"listenerProtocol": "TLS", "privateDnsName": ""}, `context key "listenerProtocol" is TLS but "privateDnsName" is empty`},
		{"rejects a certificate without TLS", map[string]any{"certificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e"}, `context key "certificateArn" is set but "listenerProtocol" is TCP`},
		{"rejects a certificate of another Region", map[string]any{"listenerProtocol": "TLS", "certificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e"},
			`context key "certificateArn" is in us-east-1 but the provider is in eu-west-1: ACM certificates are regional`},
		{"rejects a malformed certificate ARN", map[string]any{"listenerProtocol": "TLS", "certificateArn": "arn:aws:iam::111111111111:server-certificate/x"}, "which is not an ACM certificate ARN"},
		{"accepts TLS in external DNS mode with a certificate", map[string]any{"listenerProtocol": "TLS", "certificateArn": "arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e"}, ""},
		{"rejects a certificate of another account", map[string]any{"listenerProtocol": "TLS", "certificateArn": "arn:aws:acm:eu-west-1:999999999999:certificate/0b1c2d3e"},
			`context key "certificateArn" is in account 999999999999 but the provider is in 111111111111 ("providerAccount")`},
		{"rejects an alarm email without alarms", map[string]any{"alarmEmail": "ops@example.com"}, `context key "alarmEmail" is set but "alarms" is false: nothing would be sent; add -c alarms=true or drop alarmEmail`},
		{"rejects an alarm email that is no address", map[string]any{"alarms": "true", "alarmEmail": "ops"}, `context key "alarmEmail" is "ops", which is not an email address`},
		{"accepts alarms with an email", map[string]any{"alarms": "true", "alarmEmail": "ops@example.com"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := privatelinkapp.LoadConfig(c.ctx)
			WantValidation(t, err, c.want)
		})
	}
}

func scratchStack() awscdk.Stack {
	return awscdk.NewStack(NewApp(), jsii.String("Scratch"), &awscdk.StackProps{Env: EuWest1})
}

// The acceptor runs where the service is: a consumer in eu-central-1 of a service in eu-west-1
// names the acceptor in eu-west-1 (its function calls it there), never one of its own Region.
func TestConsumerRefusesAnAcceptorOutsideTheServicesRegion(t *testing.T) {
	p := consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", ServiceRegion: "eu-west-1", Ports: []provider.ServicePort{{Port: 443}},
		AcceptorArn: "arn:aws:lambda:eu-central-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider"}
	MustContain(t, ErrString(p.Validate(In("eu-central-1"), "Under")), `ConsumerProps.AcceptorArn "arn:aws:lambda:eu-central-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider" is in eu-central-1 but the service is in eu-west-1`,
		"give the acceptor of the provider's stack, in the service's Region")
	p.AcceptorArn = "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider"
	if err := p.Validate(In("eu-central-1"), "Under"); err != nil {
		t.Errorf("the acceptor in the service's Region is refused: %v", err)
	}
	// A ServiceRegion known only at deploy: the Region comes from the service name, never from
	// this stack's.
	p.ServiceRegion = *awscdk.Aws_REGION()
	if err := p.Validate(In("eu-central-1"), "Under"); err != nil {
		t.Errorf("the acceptor in the service's Region is refused with a token ServiceRegion: %v", err)
	}
}

func TestConsumerRefusesAProviderWithAServiceNameOrALookup(t *testing.T) {
	var p provider.Provider
	Synth(t, "consumer-validate-provider", func(app awscdk.App) error {
		p = provider.NewProvider(ProviderStack(app, "P"), "Provider", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"}})
		return nil
	})
	both := consumer.ConsumerProps{Provider: p, ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}}
	MustContain(t, ErrString(both.Validate(In("eu-west-1"), "Under")), `ConsumerProps.ServiceName "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0" and Provider are both set`, "drop ServiceName")
	lookup := consumer.ConsumerProps{Provider: p, LookupSupportedAzs: true, Ports: []provider.ServicePort{{Port: 443}}}
	MustContain(t, ErrString(lookup.Validate(In("eu-west-1"), "Under")), "ConsumerProps.LookupSupportedAzs needs a literal ServiceName at synth", "or comes from Provider")
	// The created VPC's default zones are the Region's first two; the provider serves one.
	MustContain(t, ErrString((&consumer.ConsumerProps{Provider: p}).Validate(In("eu-west-1"), "Under")),
		`ConsumerProps.AvailabilityZoneIds (default: the Region's first two, ["euw1-az1" "euw1-az2"]) include ["euw1-az2"], which the provider P/Provider does not serve (its AZ IDs are ["euw1-az1"])`)
	if err := (&consumer.ConsumerProps{Provider: p, AvailabilityZoneIds: []string{"euw1-az1"}}).Validate(In("eu-west-1"), "Under"); err != nil {
		t.Fatalf("a Provider alone is refused: %v", err)
	}
}

func TestConsumerRefusesAProviderOfAnotherAccountOrRegion(t *testing.T) {
	var p provider.Provider
	Synth(t, "consumer-validate-provider-elsewhere", func(app awscdk.App) error {
		p = provider.NewProvider(ProviderStack(app, "P"), "Provider", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
		return nil
	})
	// Another account: aws-cdk-lib reads the name through a role trusting the consumer stack's
	// execution role, which a synthesizer without one cannot give.
	otherAccount := awscdk.NewStack(NewApp(), jsii.String("B"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")}})
	if err := (&consumer.ConsumerProps{Provider: p}).Validate(otherAccount, "Consumer"); err != nil {
		t.Errorf("a provider of another account is refused with the default synthesizer: %v", err)
	}
	legacy := awscdk.NewStack(NewApp(), jsii.String("Legacy"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String("eu-west-1")}, Synthesizer: awscdk.NewLegacyStackSynthesizer()})
	MustContain(t, ErrString((&consumer.ConsumerProps{Provider: p}).Validate(legacy, "Consumer")),
		"ConsumerProps.Provider P/Provider is in account 111111111111 and this consumer's stack Legacy in account 333333333333, but the stack's synthesizer has no CloudFormation execution role",
		"use the default awscdk.DefaultStackSynthesizer", "or give ServiceName (the provider stack's ServiceName output), Ports and AcceptorArn instead")
	MustContain(t, ErrString((&consumer.ConsumerProps{Provider: p}).Validate(In("eu-central-1"), "Consumer")),
		`ConsumerProps.Provider P/Provider is in Region eu-west-1, but this consumer's stack Scratch is in eu-central-1 and ServiceRegion is "": for cross-region PrivateLink set ServiceRegion to "eu-west-1"`)
	// Cross-region with ServiceRegion naming the provider's Region is what cross-region means.
	if err := ErrString((&consumer.ConsumerProps{Provider: p, ServiceRegion: "eu-west-1"}).Validate(In("eu-central-1"), "Consumer")); strings.Contains(err, "is in Region") {
		t.Errorf("a cross-region Provider with its ServiceRegion is refused: %s", err)
	}
	if err := (&consumer.ConsumerProps{Provider: p}).Validate(In("eu-west-1"), "Consumer"); err != nil {
		t.Fatalf("a Provider of the same account and Region is refused: %v", err)
	}
}
