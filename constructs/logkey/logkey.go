// Package logkey creates the KMS key that encrypts the CloudWatch log groups of this module's
// constructs, for accounts where AWS Control Tower's CT.CLOUDWATCH.PR.3 is on. Pass it as
// LogsKey to the provider, acceptor and consumer of a stack; one key per stack and Region is
// enough (USD 1 a month, plus requests).
package logkey

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// New adds a symmetric key that satisfies Control Tower's KMS controls: yearly automatic
// rotation (CT.KMS.PR.1) and a statement that denies kms:CreateGrant unless the grant is for an
// AWS resource or the caller is an AWS service (CT.KMS.PR.3; CloudWatch Logs needs no grants).
// The constructs that use it add the statement CloudWatch Logs needs. The key is scheduled for
// deletion (30 days) with its stack, whose log groups are deleted too.
func New(scope constructs.Construct, id string) awskms.Key {
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the CloudWatch log groups of the PrivateLink constructs"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("GrantsOnlyForAWSResources"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}), nil)
	return key
}
