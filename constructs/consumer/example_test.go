package consumer_test

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/link"
)

// The smallest consumer (account B): a dual-stack interface endpoint in a new isolated VPC,
// which asks the provider's acceptor to accept it and then turns private DNS on. The README's
// smallest example is this function's body (test/docs/readme_test.go keeps them equal).
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
	consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{
		ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", // the ProviderServiceName output
		Ports:       []link.ServicePort{{Port: 443}},
		AcceptorArn: acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: "Provider"}.Arn(),
	})
	app.Synth(nil)
	fmt.Println(outputNames(app, "Consumer"))
	// Output: [ConsumerEndpointId ConsumerPrivateDnsName ConsumerRegionalDnsName ConsumerZonalDnsNames]
}

// Two services consumed from a VPC the account already has (private subnets with egress, no
// isolated ones): the endpoints go into its private subnets, carry the clients' existing
// security group besides their own, admit the clients' managed prefix list, and share one
// enabler function.
func Example_existingVpc() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId:                      jsii.String("vpc-0123456789abcdef0"),
		VpcCidrBlock:               jsii.String("10.1.0.0/16"),
		AvailabilityZones:          jsii.Strings("eu-west-1a", "eu-west-1b"),
		PrivateSubnetIds:           jsii.Strings("subnet-0123456789abcdef0", "subnet-0123456789abcdef1"),
		PrivateSubnetRouteTableIds: jsii.Strings("rtb-0123456789abcdef0", "rtb-0123456789abcdef1"),
	})
	clients := awsec2.SecurityGroup_FromSecurityGroupId(stack, jsii.String("Clients"), jsii.String("sg-0123456789abcdef0"), nil)
	enabler := consumer.NewEnabler(stack, "Enabler", nil)
	for _, svc := range []struct{ id, name string }{
		{"Orders", "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"},
		{"Billing", "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef1"},
	} {
		c := consumer.NewConsumer(stack, svc.id, &consumer.ConsumerProps{
			ServiceName:        svc.name,
			Ports:              []link.ServicePort{{Port: 443, Protocol: link.TLS}},
			Vpc:                vpc,
			SecurityGroups:     []awsec2.ISecurityGroup{clients},
			AllowedPrefixLists: []string{"pl-0123456789abcdef0"},
			AllowedIpv6Cidrs:   []string{"2001:db8:1234:1a00::/56"},
			Enabler:            enabler,
		})
		fmt.Println(svc.id, len(c.SecurityGroups()), *c.Function().Node().Path())
	}
	// Output:
	// Orders 2 Consumer/Enabler/Function
	// Billing 2 Consumer/Enabler/Function
}

// The handoff from a deployed provider stack: its outputs (here as a map; in a pipeline,
// consumer.ReadHandoffFile("cdk-outputs.json", "Provider", ids) or
// ReadHandoffStack on `aws cloudformation describe-stacks`) become typed ConsumerProps values.
func Example_handoff() {
	h, err := consumer.HandoffFromOutputs(map[string]string{
		"ProviderServiceName":    "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0",
		"ProviderPorts":          "443/TLS",
		"ProviderPrivateDnsName": "api.example.com",
		"AcceptorFunctionArn":    "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-Provider",
	}, consumer.HandoffIDs{Provider: "Provider", Acceptor: "Acceptor"})
	if err != nil {
		panic(err)
	}
	props := &consumer.ConsumerProps{ServiceName: h.ServiceName, Ports: h.Ports, AcceptorArn: h.AcceptorArn}
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Consumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String(h.ServiceRegion())},
	})
	fmt.Println(h.Ports, props.Validate(stack, "Consumer"))
	// Output: [443/TLS] <nil>
}

// outputNames are the synthesized stack's output names: stable, named after the construct.
func outputNames(app awscdk.App, stack string) []string {
	tpl, _ := app.Synth(nil).GetStackByName(jsii.String(stack)).Template().(map[string]any)
	outputs, _ := tpl["Outputs"].(map[string]any)
	var names []string
	for name := range outputs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
