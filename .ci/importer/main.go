// Command importer is a stranger's CDK app: it imports the constructs as a versioned module
// from a module proxy (never from a replace directive), so synth must build the Lambdas from
// the read-only module cache. It uses the constructs the way a platform team adding them to an
// existing app does: its own VPCs, NLB and security groups, validation before construction, a
// shared enabler, log settings, and the handoff read from a provider's outputs file. Run by
// ../import-check.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// validated is what every construct here goes through: Validate with the constructor's own
// arguments first, so bad input is a message and an exit code, never a stack trace.
func validated(v interface {
	Validate(constructs.Construct, string) error
}, scope constructs.Construct, id string) {
	if err := v.Validate(scope, id); err != nil {
		fmt.Fprintln(os.Stderr, err)
		jsii.Close()
		os.Exit(1)
	}
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(&awscdk.AppProps{StackTraces: jsii.Bool(false)})
	azIDs := []string{"euw1-az1", "euw1-az2"}
	retain := awscdk.RemovalPolicy_RETAIN

	a := awscdk.NewStack(app, jsii.String("ImporterProvider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	// A new service: TLS in Route 53 mode, the demo target, logs kept two years and retained.
	apiProps := &provider.ProviderProps{
		AvailabilityZoneIds: azIDs,
		Listeners:           []provider.Listener{{Port: 443, Protocol: provider.TLS}},
		DemoTarget:          true,
		AllowedPrincipals:   []string{"222222222222"},
		PrivateDnsName:      "api.example.com",
		HostedZone: awsroute53.HostedZone_FromHostedZoneAttributes(a, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
			HostedZoneId: jsii.String("Z0123456789ABCDEFGHIJ"), ZoneName: jsii.String("example.com"),
		}),
		LogRetention:     awslogs.RetentionDays_TWO_YEARS,
		LogRemovalPolicy: retain,
	}
	validated(apiProps, a, "Api")
	p := provider.NewProvider(a, "Api", apiProps)
	acceptorProps := &acceptor.AcceptorProps{Service: p, Alarms: alarms.Props{Enabled: true, Dashboard: true}, LogRetention: awslogs.RetentionDays_TWO_YEARS}
	validated(acceptorProps, a, "Acceptor")
	acceptor.NewAcceptor(a, "Acceptor", acceptorProps)
	alarms.Subscribe(a, "ops@example.com")

	// An NLB the team already runs, published as it is: its ARN is all AWS needs.
	legacyProps := &provider.ProviderProps{
		LoadBalancer: elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(a, jsii.String("LegacyNlb"), &elbv2.NetworkLoadBalancerAttributes{
			LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/legacy/0123456789abcdef"),
		}),
		ServicePorts:      []provider.ServicePort{{Port: 8443, Protocol: provider.TLS}},
		AllowedPrincipals: []string{"222222222222"},
	}
	validated(legacyProps, a, "Legacy")
	legacyProvider := provider.NewProvider(a, "Legacy", legacyProps)
	// Checked by hand: aws elbv2 describe-load-balancers says dualstack.
	awscdk.Annotations_Of(legacyProvider).AcknowledgeWarning(jsii.String("privatelink:ipv6OnImportedNlb"), jsii.String("the legacy NLB is dualstack"))

	// A service in a VPC of the app's own, targets registered later by instance ID.
	queueVpc := provider.NewIsolatedVpc(a, "QueueVpc", azIDs).Vpc
	queueProps := &provider.ProviderProps{
		Vpc:               queueVpc,
		Listeners:         []provider.Listener{{Port: 5671, TargetType: elbv2.TargetType_INSTANCE}},
		AllowedPrincipals: []string{"222222222222"},
	}
	validated(queueProps, a, "Queue")
	provider.NewProvider(a, "Queue", queueProps)

	b := awscdk.NewStack(app, jsii.String("ImporterConsumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
	// The provider's outputs, as `cdk deploy --outputs-file` wrote them in account A.
	api, err := consumer.ReadHandoffFile("provider-outputs.json", "ImporterProvider", consumer.HandoffIDs{Provider: "Api", Acceptor: "Acceptor"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	legacy, err := consumer.ReadHandoffFile("provider-outputs.json", "ImporterProvider", consumer.HandoffIDs{Provider: "Legacy"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The account's existing VPC: private subnets with egress, no isolated ones.
	vpc := awsec2.Vpc_FromVpcAttributes(b, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId:                      jsii.String("vpc-0123456789abcdef0"),
		VpcCidrBlock:               jsii.String("10.1.0.0/16"),
		AvailabilityZones:          jsii.Strings("eu-west-1a", "eu-west-1b"),
		PrivateSubnetIds:           jsii.Strings("subnet-0123456789abcdef0", "subnet-0123456789abcdef1"),
		PrivateSubnetRouteTableIds: jsii.Strings("rtb-0123456789abcdef0", "rtb-0123456789abcdef1"),
	})
	clients := awsec2.SecurityGroup_FromSecurityGroupId(b, jsii.String("Clients"), jsii.String("sg-0123456789abcdef0"), nil)
	enablerProps := &consumer.EnablerProps{LogRetention: awslogs.RetentionDays_TWO_YEARS, LogRemovalPolicy: retain}
	validated(enablerProps, b, "Enabler")
	enabler := consumer.NewEnabler(b, "Enabler", enablerProps)
	for _, c := range []struct {
		id string
		h  consumer.Handoff
	}{{"Api", api}, {"Legacy", legacy}} {
		props := &consumer.ConsumerProps{
			ServiceName:        c.h.ServiceName,
			Ports:              c.h.Ports,
			AcceptorArn:        c.h.AcceptorArn,
			PrivateDns:         jsii.Bool(c.h.PrivateDnsName != ""), // Legacy has no name to turn on
			Vpc:                vpc,
			SecurityGroups:     []awsec2.ISecurityGroup{clients},
			AllowedPrefixLists: []string{"pl-0123456789abcdef0"},
			AllowedIpv6Cidrs:   []string{"2001:db8:1234:1a00::/56"},
			Enabler:            enabler,
		}
		validated(props, b, c.id)
		consumer.NewConsumer(b, c.id, props)
	}
	// A second endpoint to the service in the same VPC, behind only the team's security group,
	// without private DNS (the first endpoint holds the name); the acceptor found by location.
	direct := &consumer.ConsumerProps{
		ServiceName:           api.ServiceName,
		Ports:                 api.Ports,
		Vpc:                   vpc,
		SecurityGroups:        []awsec2.ISecurityGroup{clients},
		SecurityGroupDisabled: true,
		PrivateDns:            jsii.Bool(false),
		AcceptorArn:           acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: "ImporterProvider"}.Arn(),
		LogRetention:          awslogs.RetentionDays_ONE_YEAR,
	}
	validated(direct, b, "Direct")
	consumer.NewConsumer(b, "Direct", direct)
	app.Synth(nil)
}
