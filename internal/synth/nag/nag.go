// Package nag records, next to each deliberate choice, why a cdk-nag AwsSolutions rule does not
// apply. The suppressions are metadata only; they change nothing unless cdk-nag runs.
package nag

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Suppress marks rule as not applying to c (and its children) for reason.
func Suppress(c constructs.IConstruct, rule, reason string) {
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{{Id: jsii.String(rule), Reason: jsii.String(reason)}}, jsii.Bool(true))
}

// SuppressValidationFailure marks one rule's validation failure on c (cdk-nag could not
// evaluate the rule, which says nothing about compliance) as explained by reason. Only that
// rule's failure is suppressed (appliesTo), so any other rule that cannot evaluate c still shows.
func SuppressValidationFailure(c constructs.IConstruct, rule, reason string) {
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("CdkNagValidationFailure"), Reason: jsii.String(reason), AppliesTo: &[]any{rule},
	}}, jsii.Bool(true))
}

// Reasons shared by several constructs.
const (
	DescribeStar = "the EC2 Describe* actions granted on * have no resource types in the Service Authorization Reference (ec2:DescribeVpcAttribute, which has, is scoped to its VPC); " +
		"log stream ARNs are only known at run time, hence <log group ARN>:*; every write action is scoped to one service or endpoint, " +
		"and accept/reject (and vpce:AllowMultiRegion) name endpoints as vpc-endpoint/* in any account because consumers' endpoints live in their own accounts"
	FlowLogs = "The VPC is isolated (no internet, NAT or egress-only gateway) and holds only the NLB/endpoint ENIs; " +
		"flow logs are a per-GB cost left to the user (vpc.AddFlowLog) rather than forced by the library"
	VpcCidrRule  = "AwsSolutions-EC23 (no 0.0.0.0/0 ingress) cannot evaluate a rule whose source is the VPC CIDR reference; the source is the VPC's own CIDR, never the internet"
	DemoInstance = "Throw-away demo/test instance of the walkthrough: termination protection would block teardown"
)
