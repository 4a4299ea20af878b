// Command importer is a stranger's CDK app: it imports the constructs as a versioned module
// from a module proxy (never from a replace directive), so synth must build the Lambdas from
// the read-only module cache. Run by ../import-check.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(&awscdk.AppProps{StackTraces: jsii.Bool(false)})
	azIDs := []string{"euw1-az1", "euw1-az2"}

	a := awscdk.NewStack(app, jsii.String("ImporterProvider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	p := provider.NewProvider(a, "Api", &provider.ProviderProps{
		AvailabilityZoneIds: azIDs,
		Listeners:           []provider.Listener{{Port: 443, Protocol: provider.TLS}},
		DemoTarget:          true,
		AllowedPrincipals:   []string{"222222222222"},
		PrivateDnsName:      "api.example.com",
		HostedZone: awsroute53.HostedZone_FromHostedZoneAttributes(a, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
			HostedZoneId: jsii.String("Z0123456789ABCDEFGHIJ"), ZoneName: jsii.String("example.com"),
		}),
	})
	acceptor.NewAcceptor(a, "Acceptor", &acceptor.AcceptorProps{Service: p, Alarms: alarms.Props{Enabled: true, Dashboard: true}})
	alarms.Subscribe(a, "ops@example.com")

	b := awscdk.NewStack(app, jsii.String("ImporterConsumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
	consumer.NewConsumer(b, "Api", &consumer.ConsumerProps{
		ServiceName:         "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0",
		Ports:               []provider.ServicePort{{Port: 443, Protocol: provider.TLS}},
		AvailabilityZoneIds: azIDs,
		AcceptorArn:         acceptor.FunctionArn("aws", "eu-west-1", "111111111111", acceptor.FunctionNameFor("ImporterProvider")),
	})
	app.Synth(nil)
}
