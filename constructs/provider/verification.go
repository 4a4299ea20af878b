package provider

import (
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/internal/gofunc"
)

// newVerification adds the Lambda that starts private DNS verification and waits for "verified",
// and the custom resource that runs it on every deploy that changes the name or the service.
func newVerification(scope constructs.Construct, stack awscdk.Stack, service awsec2.CfnVPCEndpointService, name string, timeout time.Duration, multiRegion bool) (awslambda.IFunction, awscdk.CustomResource) {
	serviceArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ec2"), Resource: jsii.String("vpc-endpoint-service"), ResourceName: service.AttrServiceId(),
	})
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("StartVerificationOfThisServiceOnly"),
			Actions:   jsii.Strings("ec2:StartVpcEndpointServicePrivateDnsVerification"),
			Resources: jsii.Strings(*serviceArn),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			// EC2 Describe* calls support no resource-level permissions.
			Sid:       jsii.String("DescribeNeedsStar"),
			Actions:   jsii.Strings("ec2:DescribeVpcEndpointServiceConfigurations"),
			Resources: jsii.Strings("*"),
		}),
	}
	if multiRegion {
		// Managing a service with SupportedRegions also requires vpce:AllowMultiRegion
		// (aws-cdk#36216); the action has no resource type.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("CrossRegionService"), Actions: jsii.Strings("vpce:AllowMultiRegion"), Resources: jsii.Strings("*"),
		}))
	}
	fn := gofunc.New(scope, "Verifier", &gofunc.Props{
		Package:     "constructs/provider/verifier",
		Description: "Starts private DNS verification of " + name + " and waits until it is verified",
		// The handler stops waiting at `timeout`; the rest is room to answer CloudFormation.
		Timeout:    timeout + time.Minute,
		Statements: statements,
	})
	cr := awscdk.NewCustomResource(scope, jsii.String("Verification"), &awscdk.CustomResourceProps{
		ServiceToken: fn.Function.FunctionArn(),
		ResourceType: jsii.String("Custom::PrivateDnsVerification"),
		Properties: &map[string]any{
			"ServiceId":      service.AttrServiceId(),
			"PrivateDnsName": name,
			"TimeoutSeconds": strconv.Itoa(int(timeout.Seconds())),
		},
	})
	return fn.Function, cr
}
