// Package guard records, on a resource that deliberately fails an AWS Control Tower proactive
// control, which control and why, in the form of the AWS Guard Rules Registry:
// Metadata.guard.SuppressedRules lists the cfn-guard rule names, and Metadata.guard.Reasons says
// why for each (the registry has no place for a reason; cdk-nag's suppressions carry one).
//
// Control Tower itself does not read this metadata: its proactive controls are CloudFormation
// hooks whose rules have no suppression filter (cdk-validator-cfnguard's copies of them match no
// Metadata; aws-guard-rules-registry#241: "instead you disable the guard rail in control tower").
// A suppression therefore documents a choice and lets the test suite tell a known choice from a
// regression; every suppressed control also has an option that satisfies it, named in the reason.
package guard

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// Control is one Control Tower proactive control: its ID and the name of its cfn-guard rule.
type Control struct{ ID, Rule string }

// The controls this library's resources can fail (rules/control-tower of
// @cdklabs/cdk-validator-cfnguard, which mirrors Control Tower's published controls).
var (
	LambdaInVpc     = Control{"CT.LAMBDA.PR.3", "lambda_inside_vpc_check"}
	LogGroupKms     = Control{"CT.CLOUDWATCH.PR.3", "cloudwatch_log_group_encrypted_check"}
	NlbDeletion     = Control{"CT.ELASTICLOADBALANCING.PR.5", "elbv2_deletion_protection_enabled_check"}
	NlbAccessLogs   = Control{"CT.ELASTICLOADBALANCING.PR.6", "elbv2_logging_enabled_check"}
	NlbCrossZone    = Control{"CT.ELASTICLOADBALANCING.PR.14", "nlb_cross_zone_load_balancing_enabled_check"}
	NitroEncryption = Control{"CT.EC2.PR.19", "ec2_instance_nitro_encryption_in_transit_check"}
	S3AccessLogging = Control{"CT.S3.PR.2", "s3_bucket_logging_enabled_check"}
	S3Notifications = Control{"CT.S3.PR.4", "s3_event_notifications_enabled_check"}
	S3ObjectLock    = Control{"CT.S3.PR.9", "s3_bucket_object_lock_enabled_check"}
	S3Kms           = Control{"CT.S3.PR.10", "s3_bucket_default_encryption_kms_check"}
)

const (
	suppressionsKey = "SuppressedRules"
	reasonsKey      = "Reasons"
)

var metadataKey = "guard"

// Reasons shared by several constructs.
const (
	// LambdaOutsideVpc: the functions only call AWS APIs.
	LambdaOutsideVpc = "the function only calls AWS APIs (EC2, Step Functions, CloudFormation's response URL) and reaches no private resource; " +
		"in a VPC it would need an interface endpoint per API and AZ (about USD 7.30 a month each) or a NAT gateway, for no isolation gain: " +
		"its role already limits it to this service's resources"
	// LogsWithoutKms: the log groups hold identifiers, not data.
	// DemoInstance: the walkthrough's instances are the cheapest that work.
	DemoInstance = "a throw-away instance of the walkthrough carrying its curl checks, t4g.nano by default (about USD 3 a month); the cheapest type the control accepts, c7g.medium, costs about USD 26 a month. " +
		"Where the control is on, use ControlTower strict (app: -c controlTower=strict) or a type of link.NitroInTransitFamilies (ProviderProps.DemoInstanceType, ConsumerProps.TestClientInstanceType; app: -c demoInstanceType=, -c testClientInstanceType=), " +
		"or turn the instance off (ProviderProps.DemoTarget, ConsumerProps.TestClient; app: -c demoTarget=false, -c testClient=false)"
	LogsWithoutKms = "the log group holds connection and endpoint IDs, account IDs and ARNs, no payload or secret; CloudWatch Logs encrypts it at rest with its own keys. " +
		"Set LogsKey (app: -c logsKey=true) where the control is on: a customer managed key costs USD 1 a month"
)

// Suppress records on c's CloudFormation resource (c itself or its default child) that it fails
// control deliberately, for reason. Earlier suppressions on the same resource are kept.
func Suppress(c constructs.IConstruct, control Control, reason string) {
	res := cfnResource(c)
	rules, reasons := []any{}, map[string]any{}
	if old, ok := res.GetMetadata(&metadataKey).(map[string]any); ok {
		if r, ok := old[suppressionsKey].([]any); ok {
			rules = r
		}
		if r, ok := old[reasonsKey].(map[string]any); ok {
			reasons = r
		}
	}
	if _, ok := reasons[control.Rule]; !ok {
		rules = append(rules, control.Rule)
	}
	reasons[control.Rule] = control.ID + ": " + reason
	res.AddMetadata(&metadataKey, map[string]any{suppressionsKey: rules, reasonsKey: reasons})
}

func cfnResource(c constructs.IConstruct) awscdk.CfnResource {
	if r, ok := c.(awscdk.CfnResource); ok {
		return r
	}
	if r, ok := c.Node().DefaultChild().(awscdk.CfnResource); ok {
		return r
	}
	panic(fmt.Sprintf("guard: %s has no CloudFormation resource to carry a suppression", *c.Node().Path()))
}
