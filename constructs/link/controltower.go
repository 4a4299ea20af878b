package link

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
)

// ControlTower says how a construct meets AWS Control Tower's proactive controls: CloudFormation
// hooks that fail a resource before it is created and read no suppression (docs/compliance.md).
type ControlTower string

const (
	// ControlTowerDefault keeps the library's defaults, cheapest to run: the controls they fail
	// are listed in docs/compliance.md, each with the option that meets it.
	ControlTowerDefault ControlTower = ""
	// ControlTowerStrict makes templates that pass every proactive control: the construct's
	// Lambda functions run in its VPC and reach AWS through VPC endpoints (FunctionEndpoints),
	// and the construct refuses at synth any setting a control would refuse at deploy, naming
	// the control and the setting that meets it.
	ControlTowerStrict ControlTower = "strict"
)

// LogsKeyMissing is why a construct under ControlTowerStrict refuses a nil LogsKey.
const LogsKeyMissing = "LogsKey is nil with ControlTower strict, but Control Tower's CT.CLOUDWATCH.PR.3 fails a log group without a KMS key: give a key (logkey.New(stack, \"LogsKey\"))"

// Strict says c is ControlTowerStrict.
func (c ControlTower) Strict() bool { return c == ControlTowerStrict }

// Problem returns why c is not a ControlTower value, or "".
func (c ControlTower) Problem() string {
	if c == ControlTowerDefault || c == ControlTowerStrict {
		return ""
	}
	return fmt.Sprintf("ControlTower %q is not a mode: use link.ControlTowerStrict (\"strict\") or leave it empty", string(c))
}

// FunctionEndpoints are the VPC endpoints a construct's functions call AWS through under
// ControlTowerStrict, when the VPC already has them: interface endpoints with private DNS on
// (the functions' security group is let in on 443 through each endpoint's Connections) and the
// S3 gateway endpoint on the functions' subnets' route tables (CloudFormation's pre-signed
// response URL). A VPC holds one endpoint with private DNS per service: where yours has them,
// give them here instead of having the construct create a second.
type FunctionEndpoints = gofunc.Endpoints

// DemoInstanceType is the default instance type of the walkthrough's instances (the provider's
// demo target, the consumer's test client): t4g.nano, the cheapest arm64 type (about USD 3 a
// month), or under ControlTowerStrict c7g.medium, the cheapest arm64 type in CT.EC2.PR.19's list
// of Nitro types that encrypt traffic in transit (about USD 26 a month). c7g is not offered in
// every AZ (aws ec2 describe-instance-type-offerings --location-type availability-zone-id
// --filters Name=instance-type,Values=c7g.medium): ProviderProps.DemoInstanceType and
// ConsumerProps.TestClientInstanceType take another.
func DemoInstanceType(c ControlTower) awsec2.InstanceType {
	if c.Strict() {
		return awsec2.NewInstanceType(jsii.String("c7g.medium"))
	}
	return awsec2.NewInstanceType(jsii.String("t4g.nano"))
}

// NitroInTransitFamilies are the instance families CT.EC2.PR.19 accepts: the Nitro types that
// encrypt traffic between instances in transit. The list is the rule's own, in the pinned rule
// set (@cdklabs/cdk-validator-cfnguard, rules/control-tower/cfn-guard/ec2/ct-ec2-pr-19.guard,
// NITRO_ENCRYPTION_IN_TRANSIT_INSTANCE_TYPES, one /^family\..+?$/ pattern each); a test compares
// them.
var NitroInTransitFamilies = []string{
	"c5a", "c5ad", "c5n", "c6a", "c6gn", "c6i", "c6id", "c6in", "c7a", "c7g", "c7gd", "c7gn", "c7i",
	"d3", "d3en", "dl1", "dl2q",
	"g4ad", "g4dn", "g5",
	"hpc6a", "hpc6id", "hpc7a", "hpc7g",
	"i3en", "i4g", "i4i", "im4gn", "inf1", "inf2", "is4gen",
	"m5dn", "m5n", "m5zn", "m6a", "m6i", "m6id", "m6idn", "m6in", "m7a", "m7g", "m7gd", "m7i-flex", "m7i",
	"p3dn", "p4d", "p4de", "p5",
	"r5dn", "r5n", "r6a", "r6i", "r6id", "r6idn", "r6in", "r7a", "r7g", "r7gd", "r7i", "r7iz",
	"trn1", "trn1n",
	"u-12tb1", "u-18tb1", "u-24tb1", "u-3tb1", "u-6tb1", "u-9tb1",
	"vt1",
	"x2idn", "x2iedn", "x2iezn",
}

// instanceType is the shape of an instance type whose architecture aws-cdk-lib can tell
// (aws-ec2/lib/instance-types.js, InstanceType.architecture: family, generation, options, a dot
// and a size; it throws on anything else), with the sizes EC2 names: nano, micro, small, medium,
// large, xlarge, <n>xlarge, metal and metal-<n>xl (n from 2). A test holds every type of
// aws-sdk-go-v2's EC2 model to it, so a misspelt size ("mediun") is refused here instead of
// failing the instance's creation.
var instanceType = regexp.MustCompile(`^[a-z]+\d{1,2}[a-z-]*\.(nano|micro|small|medium|large|xlarge|([2-9]|[1-9]\d+)xlarge|metal|metal-([2-9]|[1-9]\d+)xl)$`)

// EC2ModelVersion is the version of module github.com/aws/aws-sdk-go-v2/service/ec2 whose
// InstanceType enum InstanceSizes is (a test holds both to go.mod).
const EC2ModelVersion = "v1.349.0"

// InstanceSizes are the sizes of each family of aws-sdk-go-v2's EC2 model (types.InstanceType
// of EC2ModelVersion, 1437 types), smallest first; a test holds the table to the enum. Kept here
// rather than imported so the constructs do not compile the SDK's EC2 types. Under strict a type
// of an accepted family must be in it (every one of those families is); otherwise a type outside
// it is warned about, not refused: AWS adds families and sizes after any SDK release.
var InstanceSizes = map[string]string{
	"a1":           "medium large xlarge 2xlarge 4xlarge metal",
	"c1":           "medium xlarge",
	"c3":           "large xlarge 2xlarge 4xlarge 8xlarge",
	"c4":           "large xlarge 2xlarge 4xlarge 8xlarge",
	"c5":           "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal",
	"c5a":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
	"c5ad":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
	"c5d":          "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal",
	"c5n":          "large xlarge 2xlarge 4xlarge 9xlarge 18xlarge metal",
	"c6a":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal",
	"c6g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"c6gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"c6gn":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
	"c6i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"c6id":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"c6in":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"c7a":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl",
	"c7g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"c7gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"c7gn":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"c7i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"c7i-flex":     "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
	"c8a":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"c8g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"c8gb":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"c8gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"c8gn":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"c8i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"c8i-flex":     "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
	"c8ib":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"c8id":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"c8in":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"c8ine":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge",
	"c9g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl",
	"c9gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl",
	"cc1":          "4xlarge",
	"cc2":          "8xlarge",
	"cg1":          "4xlarge",
	"cr1":          "8xlarge",
	"d2":           "xlarge 2xlarge 4xlarge 8xlarge",
	"d3":           "xlarge 2xlarge 4xlarge 8xlarge",
	"d3en":         "xlarge 2xlarge 4xlarge 6xlarge 8xlarge 12xlarge",
	"dl1":          "24xlarge",
	"dl2q":         "24xlarge",
	"f1":           "2xlarge 4xlarge 16xlarge",
	"f2":           "6xlarge 12xlarge 48xlarge",
	"g2":           "2xlarge 8xlarge",
	"g3":           "4xlarge 8xlarge 16xlarge",
	"g3s":          "xlarge",
	"g4ad":         "xlarge 2xlarge 4xlarge 8xlarge 16xlarge",
	"g4dn":         "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"g5":           "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
	"g5g":          "xlarge 2xlarge 4xlarge 8xlarge 16xlarge metal",
	"g6":           "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
	"g6e":          "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge",
	"g6f":          "large xlarge 2xlarge 4xlarge",
	"g7":           "2xlarge 4xlarge 8xlarge 12xlarge 24xlarge 48xlarge",
	"g7e":          "2xlarge 4xlarge 8xlarge 12xlarge 24xlarge 48xlarge",
	"gr6":          "4xlarge 8xlarge",
	"gr6f":         "4xlarge",
	"h1":           "2xlarge 4xlarge 8xlarge 16xlarge",
	"hi1":          "4xlarge",
	"hpc6a":        "48xlarge",
	"hpc6id":       "32xlarge",
	"hpc7a":        "12xlarge 24xlarge 48xlarge 96xlarge",
	"hpc7g":        "4xlarge 8xlarge 16xlarge",
	"hpc8a":        "96xlarge",
	"hs1":          "8xlarge",
	"i2":           "xlarge 2xlarge 4xlarge 8xlarge",
	"i3":           "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge metal",
	"i3en":         "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal",
	"i4g":          "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge",
	"i4i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"i7i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"i7ie":         "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 18xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"i8g":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"i8ge":         "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 18xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"im4gn":        "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge",
	"inf1":         "xlarge 2xlarge 6xlarge 24xlarge",
	"inf2":         "xlarge 8xlarge 24xlarge 48xlarge",
	"is4gen":       "medium large xlarge 2xlarge 4xlarge 8xlarge",
	"m1":           "small medium large xlarge",
	"m2":           "xlarge 2xlarge 4xlarge",
	"m3":           "medium large xlarge 2xlarge",
	"m4":           "large xlarge 2xlarge 4xlarge 10xlarge 16xlarge",
	"m5":           "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"m5a":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
	"m5ad":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
	"m5d":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"m5dn":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"m5n":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"m5zn":         "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge metal",
	"m6a":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal",
	"m6g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"m6gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"m6i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"m6id":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"m6idn":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"m6in":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"m7a":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl",
	"m7g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"m7gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"m7i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m7i-flex":     "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
	"m8a":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m8azn":        "medium large xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal-12xl metal-24xl",
	"m8g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m8gb":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m8gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m8gn":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m8i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"m8i-flex":     "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
	"m8ib":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"m8id":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"m8idb":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"m8idn":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"m8in":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"m8ine":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge",
	"m9g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"m9gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"mac-m3ultra":  "metal",
	"mac-m4":       "metal",
	"mac-m4max":    "metal",
	"mac-m4pro":    "metal",
	"mac1":         "metal",
	"mac2":         "metal",
	"mac2-m1ultra": "metal",
	"mac2-m2":      "metal",
	"mac2-m2pro":   "metal",
	"p2":           "xlarge 8xlarge 16xlarge",
	"p3":           "2xlarge 8xlarge 16xlarge",
	"p3dn":         "24xlarge",
	"p4d":          "24xlarge",
	"p4de":         "24xlarge",
	"p5":           "4xlarge 48xlarge",
	"p5e":          "48xlarge",
	"p5en":         "48xlarge",
	"p6-b200":      "48xlarge",
	"p6-b300":      "48xlarge",
	"p6e-gb200":    "36xlarge",
	"r3":           "large xlarge 2xlarge 4xlarge 8xlarge",
	"r4":           "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge",
	"r5":           "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"r5a":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
	"r5ad":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge",
	"r5b":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"r5d":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"r5dn":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"r5n":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal",
	"r6a":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal",
	"r6g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"r6gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"r6i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"r6id":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"r6idn":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"r6in":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal",
	"r7a":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl",
	"r7g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"r7gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"r7i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"r7iz":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 32xlarge metal-16xl metal-32xl",
	"r8a":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"r8g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"r8gb":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"r8gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"r8gn":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"r8i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"r8i-flex":     "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
	"r8ib":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"r8id":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"r8idb":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"r8idn":        "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"r8in":         "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
	"r9g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl",
	"r9gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl",
	"t1":           "micro",
	"t2":           "nano micro small medium large xlarge 2xlarge",
	"t3":           "nano micro small medium large xlarge 2xlarge",
	"t3a":          "nano micro small medium large xlarge 2xlarge",
	"t4g":          "nano micro small medium large xlarge 2xlarge",
	"t8i":          "nano micro small medium",
	"trn1":         "2xlarge 32xlarge",
	"trn1n":        "32xlarge",
	"trn2":         "3xlarge 48xlarge",
	"trn2u":        "48xlarge",
	"u-12tb1":      "112xlarge metal",
	"u-18tb1":      "112xlarge metal",
	"u-24tb1":      "112xlarge metal",
	"u-3tb1":       "56xlarge",
	"u-6tb1":       "56xlarge 112xlarge metal",
	"u-9tb1":       "112xlarge metal",
	"u7i-12tb":     "224xlarge",
	"u7i-6tb":      "112xlarge",
	"u7i-8tb":      "112xlarge",
	"u7ib-12tb":    "224xlarge",
	"u7in-16tb":    "224xlarge",
	"u7in-24tb":    "224xlarge",
	"u7in-32tb":    "224xlarge",
	"u7inh-32tb":   "480xlarge",
	"vt1":          "3xlarge 6xlarge 24xlarge",
	"x1":           "16xlarge 32xlarge",
	"x1e":          "xlarge 2xlarge 4xlarge 8xlarge 16xlarge 32xlarge",
	"x2gd":         "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal",
	"x2idn":        "16xlarge 24xlarge 32xlarge metal",
	"x2iedn":       "xlarge 2xlarge 4xlarge 8xlarge 16xlarge 24xlarge 32xlarge metal",
	"x2iezn":       "2xlarge 4xlarge 6xlarge 8xlarge 12xlarge metal",
	"x8aedz":       "large xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal-12xl metal-24xl",
	"x8g":          "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
	"x8i":          "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 64xlarge 96xlarge metal-48xl metal-96xl",
	"z1d":          "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge metal",
}

// offeredSizes are family's sizes in InstanceSizes, none for a family it does not hold.
func offeredSizes(family string) []string { return strings.Fields(InstanceSizes[family]) }

// highMemory and mac are families a walkthrough instance cannot be: High Memory types
// (u-6tb1.56xlarge, u7i-12tb.224xlarge) cost tens of dollars an hour behind a quota of their own,
// and aws-cdk-lib cannot tell their architecture; Mac types (mac1, mac2-m2pro, mac-m4) run on
// Dedicated Hosts only and not Amazon Linux (Amazon EC2 User Guide, "Amazon EC2 Mac instances").
var highMemory, mac = regexp.MustCompile(`^u(-\d+tb\d|\d[a-z]*-\d+tb)\.`), regexp.MustCompile(`^mac`)

// InstanceTypeProblem returns why name cannot be the type of a walkthrough instance under c
// (field names the prop), or "". An empty name is the default, DemoInstanceType.
func InstanceTypeProblem(field, name string, c ControlTower) string {
	if name == "" {
		return ""
	}
	if highMemory.MatchString(name) || mac.MatchString(name) {
		return fmt.Sprintf("%s %q is a High Memory or Mac type (tens of dollars an hour behind a quota of its own, or Dedicated Hosts only), not one for a walkthrough instance: use a small type such as m7g.medium, or leave it empty for %s", field, name, *DemoInstanceType(c).ToString())
	}
	family, size, _ := strings.Cut(name, ".")
	if !instanceType.MatchString(name) {
		if slices.Contains(offeredSizes(family), size) {
			// p6-b200.48xlarge and the like: the digits after the dash defeat its pattern.
			return fmt.Sprintf("%s %q is an EC2 type whose architecture aws-cdk-lib cannot tell from its name (InstanceType.architecture), so no image can be chosen for it: use another type, such as m7g.medium, or leave it empty for %s", field, name, *DemoInstanceType(c).ToString())
		}
		return fmt.Sprintf("%s %q is not an EC2 instance type (family, generation, options, a dot and a size — nano, micro, small, medium, large, xlarge, 2xlarge and up, metal, metal-24xl and the like — in lower case, like m7g.medium): fix the value, or leave it empty for %s", field, name, *DemoInstanceType(c).ToString())
	}
	if !c.Strict() {
		return ""
	}
	if !slices.Contains(NitroInTransitFamilies, family) {
		return fmt.Sprintf("%s %q with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails an instance whose type is not a Nitro type that encrypts traffic in transit (docs/compliance.md lists its families, link.NitroInTransitFamilies): use one such as m7g.medium or c6gn.medium (arm64) or c7a.medium (x86_64), or leave it empty for c7g.medium", field, name)
	}
	if sizes := offeredSizes(family); !slices.Contains(sizes, size) {
		// The families CT.EC2.PR.19 accepts predate the SDK's model, which lists all their sizes;
		// a type EC2 does not offer would fail only the instance's creation, and under strict
		// that rollback stops at the protected NLB.
		return fmt.Sprintf("%s %q: EC2 offers %s in the sizes %s (aws-sdk-go-v2's EC2 model %s), not %s: use %s.%s or another of them, or leave it empty for c7g.medium", field, name, family, strings.Join(sizes, ", "), EC2ModelVersion, size, family, sizes[0])
	}
	return ""
}

// DemoInstance is the type and Amazon Linux 2023 image of a walkthrough instance under scope:
// name (checked by InstanceTypeProblem; field names its prop), or DemoInstanceType(c) when
// empty; the image's architecture is the type's, as aws-cdk-lib tells it (Graviton families are
// arm64). A type not in InstanceSizes gets the warning privatelink:unknownInstanceType.
func DemoInstance(scope constructs.Construct, field, name string, c ControlTower) (awsec2.InstanceType, awsec2.IMachineImage) {
	t := DemoInstanceType(c)
	if name != "" {
		t = awsec2.NewInstanceType(jsii.String(name))
		family, size, _ := strings.Cut(name, ".")
		if sizes := offeredSizes(family); !slices.Contains(sizes, size) {
			known := "the family " + family + " is none that aws-sdk-go-v2's EC2 model " + EC2ModelVersion + " knows"
			if len(sizes) > 0 {
				known = "aws-sdk-go-v2's EC2 model " + EC2ModelVersion + " knows " + family + " in the sizes " + strings.Join(sizes, ", ") + " only"
			}
			region := *awscdk.Stack_Of(scope).Region()
			if strings.Contains(region, "${Token[") {
				region = "<region>"
			}
			awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("privatelink:unknownInstanceType"), jsii.String(fmt.Sprintf(
				"%s %q: %s, so the instance's creation may fail: check the spelling and where it is offered (aws ec2 describe-instance-type-offerings --region %s --location-type availability-zone-id --filters Name=instance-type,Values=%s); if AWS added it since, ignore this warning", field, name, known, region, name)), nil)
		}
	}
	cpu := awsec2.AmazonLinuxCpuType_X86_64
	if t.Architecture() == awsec2.InstanceArchitecture_ARM_64 {
		cpu = awsec2.AmazonLinuxCpuType_ARM_64
	}
	return t, awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{CpuType: cpu})
}

// NitroInTransit says CT.EC2.PR.19 accepts t.
func NitroInTransit(t awsec2.InstanceType) bool {
	family, _, _ := strings.Cut(*t.ToString(), ".")
	return slices.Contains(NitroInTransitFamilies, family)
}
