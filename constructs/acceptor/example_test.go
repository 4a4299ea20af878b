package acceptor_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// The acceptor accepts the connections of the accounts the provider allows and, with Reject,
// rejects the others at once instead of leaving them pending; with alarms, a 15-minute sweep
// reports what is still pending.
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		Listeners:         []provider.Listener{{Port: 443}},
		AllowedPrincipals: []string{"222222222222", "arn:aws:iam::333333333333:role/deployer"},
	})
	a := acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{
		Service:    p,
		NotAllowed: acceptor.Reject,
		Alarms:     alarms.Props{Enabled: true},
	})
	fmt.Println(a.AllowedAccounts(), len(a.Alarms()))
	// Output: [222222222222 333333333333] 3
}

// A consumer stack in account B computes the acceptor's ARN from where the provider stack is:
// the function's name is stable, so nothing is pasted between the accounts.
func ExampleLocation_Arn() {
	fmt.Println(acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: "Provider"}.Arn())
	fmt.Println(acceptor.Location{Account: "111111111111", Region: "cn-north-1", StackName: "Provider"}.Arn())
	// Output:
	// arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-Provider
	// arn:aws-cn:lambda:cn-north-1:111111111111:function:privatelink-acceptor-Provider
}
