package testkit

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/provider"
)

var EuWest1 = &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}

func ProviderStack(app awscdk.App, name string) awscdk.Stack {
	if key := jsii.String("availability-zones:account=111111111111:region=eu-west-1"); app.Node().TryGetContext(key) == nil {
		app.Node().SetContext(key, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"})
	}
	return awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: EuWest1})
}

func Zone(stack awscdk.Stack) awsroute53.IPublicHostedZone {
	return awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.PublicHostedZoneAttributes{
		HostedZoneId: jsii.String("Z0123456789ABCDEFGHIJ"), ZoneName: jsii.String("example.com"),
	})
}

func ValidProvider() provider.ProviderProps {
	return provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}, PrivateDnsName: "api.example.com"}
}

// scratchStack is a stack of its own app, for props that need a construct (a hosted zone).
// In is a fresh stack of a fresh app in region ("" for an environment-agnostic one): where the
// construct a Validate call asks about would go.
func In(region string) awscdk.Stack {
	var env *awscdk.Environment
	if region != "" {
		env = &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String(region)}
	}
	return awscdk.NewStack(NewApp(), jsii.String("Scratch"), &awscdk.StackProps{Env: env})
}
