package logkey_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// A provider stack for an account where AWS Control Tower's CT.CLOUDWATCH.PR.3 is on: one key
// encrypts the log groups of the provider and its acceptor.
func ExampleNew() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	key := logkey.New(stack, "LogsKey")
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		Listeners:          []provider.Listener{{Port: 443}},
		AllowedPrincipals:  []string{"222222222222"},
		DeletionProtection: true, // CT.ELASTICLOADBALANCING.PR.5
		LogsKey:            key,
	})
	a := acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p, LogsKey: key})
	fmt.Println(len(p.LogGroups()), len(a.LogGroups()))
	// Output: 1 1
}
