package provider_test

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	elbv2targets "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2targets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// The smallest provider (account A): a dual-stack NLB published as an endpoint service that
// account B may connect to, a demo target behind it, the private DNS name verified through the
// TXT record in the outputs (external DNS mode), and the acceptor. The README's smallest
// example is this function's body (test/docs/readme_test.go keeps them equal).
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		Listeners:         []provider.Listener{{Port: 443}},
		AllowedPrincipals: []string{"222222222222"}, // account B
		PrivateDnsName:    "api.example.com",        // publish the TxtRecord outputs in your DNS
		DemoTarget:        true,                     // Hello World until your targets exist
	})
	acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
	app.Synth(nil)
	fmt.Println(outputNames(app, "Provider"))
	// Output: [AcceptorFunctionArn ProviderLoadBalancerDnsName ProviderPorts ProviderPrivateDnsName ProviderServiceId ProviderServiceName ProviderTxtRecordName ProviderTxtRecordValue]
}

// Route 53 mode with TLS: the TXT record goes into the hosted zone and the deploy waits until
// the name is verified; the NLB terminates TLS with an ACM certificate for the name, created and
// DNS-validated in the same zone. Targets are given; they get the decrypted stream on 8080.
func Example_route53WithTls() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	zone := awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.PublicHostedZoneAttributes{
		HostedZoneId: jsii.String("Z0123456789ABCDEFGHIJ"), ZoneName: jsii.String("example.com"),
	})
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		Listeners: []provider.Listener{{
			Port: 443, Protocol: provider.TLS, TargetPort: 8080,
			Targets: []elbv2.INetworkLoadBalancerTarget{elbv2targets.NewIpTarget(jsii.String("10.0.0.10"), nil, nil)},
		}},
		AllowedPrincipals: []string{"222222222222"},
		PrivateDnsName:    "api.example.com",
		HostedZone:        zone,
	})
	fmt.Println(p.Ports(), p.Certificate() != nil, p.Verification() != nil)
	// Output: [443/TLS] true true
}

// An NLB the platform already runs, with its own listeners and targets, published as it is:
// AWS needs only its ARN. ServicePorts tells consumers (and the Ports output) what it serves.
func Example_existingLoadBalancer() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerAttributes{
		LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/api/0123456789abcdef"),
	})
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		LoadBalancer:      nlb,
		ServicePorts:      []provider.ServicePort{{Port: 443, Protocol: provider.TLS}},
		AllowedPrincipals: []string{"222222222222"},
	})
	fmt.Println(p.Ports(), len(p.Listeners()))
	// Output: [443/TLS] 0
}

// Validate reports every problem the constructor would refuse, before anything is created.
func ExampleProviderProps_Validate() {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Provider"), nil)
	props := &provider.ProviderProps{
		Listeners:         []provider.Listener{{Port: 70000}},
		AllowedPrincipals: []string{"22222222222"},
	}
	fmt.Println(props.Validate(stack, "Provider"))
	// Output:
	// privatelink: ProviderProps.Listeners[0].Port 70000 is out of range: use a TCP port from 1 to 65535
	// privatelink: ProviderProps.AllowedPrincipals[0] "22222222222" is neither a 12-digit account ID nor an IAM principal ARN (arn:aws:iam::111111111111:root|role/…|user/…): fix the value
}

// outputNames are the synthesized stack's output names: stable, as consumer.HandoffFromOutputs
// reads them.
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
