package consumer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

// readServiceName is the service name of a same-app provider in another account as stack reads
// it when it deploys: Fn::GetStackOutput (CloudFormation Template Reference: cross-account with a
// RoleArn "assumable by the execution role of the stack being created or updated", weak, resolved
// at stack create or update) of an output of the service's ID, through a role in the provider's
// stack that this stack's execution role may assume and that may only describe that stack.
//
// This, not aws-cdk-lib's cross-account reference (core/lib/private/refs.js), which emits the
// same Fn::GetStackOutput, because of what that one's role does at deploy: its name
// (Names.uniqueResourceName of its path) has no Region, so the same provider stack in two Regions
// of one account fails on the second ("already exists"); its trust names the execution role's
// ARN, which IAM keeps as the role's unique ID, so re-bootstrapping a consumer account silently
// breaks it (IAM User Guide, Principal element: "If your Principal element in a role trust policy
// contains an ARN that points to a specific IAM role, then that ARN transforms to the role
// unique principal ID when you save the policy"); and it is made in prepareApp, after aspects
// ran, so a permissions boundary or tag aspect never sees it. This role is named per provider
// stack, Region and consumer account, trusts the consumer account with aws:PrincipalArn the
// execution role (re-evaluated on each call), and is made here, before aspects.
func readServiceName(stack awscdk.Stack, pr SameAppProvider) string {
	ps := awscdk.Stack_Of(pr)
	account, region := *stack.Account(), *stack.Region()
	providerRegion := *ps.Region()
	execRole := *stack.Synthesizer().CloudFormationExecutionRole()
	// One role per execution role: two consumer stacks of an account and Region with different
	// bootstrap qualifiers have different execution roles, each trusted by its own reader.
	key := strings.Join([]string{*ps.StackName(), providerRegion, *pr.Node().Path(), account, region, execRole}, "|")
	sum := sha256.Sum256([]byte(key))
	hash := hex.EncodeToString(sum[:])[:8]

	// The output of the service's ID, named after the service's logical ID: a replaced service
	// (a new logical ID) gives a new output name, so every consumer's template changes and the
	// next cdk deploy cannot skip it (a weak reference is read again only on an update). The
	// logical ID as it is now: one overridden after this consumer is made is not seen.
	outputName := "PrivateLinkServiceId" + serviceLogicalID(ps, pr)
	if ps.Node().TryFindChild(jsii.String(outputName)) == nil {
		out := awscdk.NewCfnOutput(ps, jsii.String(outputName), &awscdk.CfnOutputProps{
			Description: jsii.String("Endpoint service ID, read by the consumer stacks of other accounts when they deploy (Fn::GetStackOutput)"),
			Value:       pr.ServiceId(),
		})
		out.OverrideLogicalId(jsii.String(outputName))
	}

	roleName := "PrivateLinkReader-" + account + "-" + hash
	readerID := "PrivateLinkReader" + account + hash
	if ps.Node().TryFindChild(jsii.String(readerID)) == nil {
		awsiam.NewRole(ps, jsii.String(readerID), &awsiam.RoleProps{
			RoleName:    jsii.String(roleName),
			Description: jsii.String(fmt.Sprintf("Lets the CloudFormation execution role of account %s in %s read %s's service ID (Fn::GetStackOutput of %s)", account, region, *ps.StackName(), outputName)),
			AssumedBy: awsiam.NewPrincipalWithConditions(awsiam.NewAccountPrincipal(jsii.String(account)), &map[string]any{
				// The execution role by ARN in a condition, not as the principal: evaluated on
				// each call, so a re-created role (a new bootstrap) is trusted again.
				"ArnEquals": map[string]any{"aws:PrincipalArn": awscdk.Fn_Sub(jsii.String(execRole), nil)},
			}),
			// Inline, so the permission exists as soon as the role does: a consumer may resolve
			// the reference seconds after the provider's update made the role.
			InlinePolicies: &map[string]awsiam.PolicyDocument{"DescribeTheProviderStack": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:     jsii.String("DescribeTheProviderStackOnly"),
					Actions: jsii.Strings("cloudformation:DescribeStacks"),
					// The provider stack's own ARN, its ID included (AWS::StackId in its
					// template): DescribeStacks by name is authorized on the stack's full ARN.
					Resources: jsii.Strings(*awscdk.Aws_STACK_ID()),
				})},
			})},
		})
	}
	roleArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("iam"), Region: jsii.String(""), Account: ps.Account(), Resource: jsii.String("role"), ResourceName: jsii.String(roleName),
	})
	id := awscdk.Fn_GetStackOutput(ps.StackName(), jsii.String(outputName), jsii.String(providerRegion), roleArn)
	return awsid.ServiceNamePrefix(providerRegion) + "." + providerRegion + "." + *id
}

// serviceLogicalID is the logical ID of the provider's endpoint service, as far as the
// reference to its ID names one; else a digest of that reference.
func serviceLogicalID(ps awscdk.Stack, pr SameAppProvider) string {
	resolved := ps.Resolve(pr.ServiceId())
	if m, ok := resolved.(map[string]any); ok {
		if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
			return tree.OutputID(fmt.Sprint(ga[0]), "")
		}
		if ref, ok := m["Ref"].(string); ok {
			return tree.OutputID(ref, "")
		}
	}
	sum := sha256.Sum256([]byte(fmt.Sprint(resolved)))
	return hex.EncodeToString(sum[:])[:8]
}
