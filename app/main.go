package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

func main() {
	defer jsii.Close()
	outdir := "cdk.out"
	if os.Getenv("CDK_OUTDIR") != "" {
		outdir = os.Getenv("CDK_OUTDIR")
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	stack := awscdk.NewStack(app, jsii.String("PrivateLinkProvider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	prov := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
		Listeners:         []provider.Listener{{Port: 443}, {Port: 80}},
		AllowedPrincipals: []string{"222222222222"},
		PrivateDnsName:    "api.example.com",
		DemoTarget:        true,
	})
	acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: prov})
	app.Synth(nil)
}
