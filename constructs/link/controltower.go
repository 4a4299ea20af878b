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
// large, xlarge, <n>xlarge, metal and metal-<n>xl. A test holds every type of aws-sdk-go-v2's
// ec2 InstanceType enum to the size pattern, so a misspelt size ("mediun") is refused here
// instead of failing the instance's creation.
var instanceType = regexp.MustCompile(`^[a-z]+\d{1,2}[a-z-]*\.(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal|metal-[1-9]\d*xl)$`)

// InstanceFamilies are the families of aws-sdk-go-v2's ec2 InstanceType enum (module
// github.com/aws/aws-sdk-go-v2/service/ec2 v1.349.0, types.InstanceType.Values: 1437 types),
// the part before the dot; a test holds the table to the enum of the version go.mod pins. Kept
// here rather than imported so the constructs do not compile the SDK's ec2 types. A family not
// in it is warned about, not refused: AWS adds families after any SDK release.
var InstanceFamilies = []string{
	"a1",
	"c1", "c3", "c4", "c5", "c5a", "c5ad", "c5d", "c5n", "c6a", "c6g", "c6gd", "c6gn", "c6i", "c6id",
	"c6in", "c7a", "c7g", "c7gd", "c7gn", "c7i", "c7i-flex", "c8a", "c8g", "c8gb", "c8gd", "c8gn",
	"c8i", "c8i-flex", "c8ib", "c8id", "c8in", "c8ine", "c9g", "c9gd", "cc1", "cc2", "cg1", "cr1",
	"d2", "d3", "d3en", "dl1", "dl2q",
	"f1", "f2",
	"g2", "g3", "g3s", "g4ad", "g4dn", "g5", "g5g", "g6", "g6e", "g6f", "g7", "g7e", "gr6", "gr6f",
	"h1", "hi1", "hpc6a", "hpc6id", "hpc7a", "hpc7g", "hpc8a", "hs1",
	"i2", "i3", "i3en", "i4g", "i4i", "i7i", "i7ie", "i8g", "i8ge", "im4gn", "inf1", "inf2", "is4gen",
	"m1", "m2", "m3", "m4", "m5", "m5a", "m5ad", "m5d", "m5dn", "m5n", "m5zn", "m6a", "m6g", "m6gd",
	"m6i", "m6id", "m6idn", "m6in", "m7a", "m7g", "m7gd", "m7i", "m7i-flex", "m8a", "m8azn", "m8g",
	"m8gb", "m8gd", "m8gn", "m8i", "m8i-flex", "m8ib", "m8id", "m8idb", "m8idn", "m8in", "m8ine",
	"m9g", "m9gd", "mac-m3ultra", "mac-m4", "mac-m4max", "mac-m4pro", "mac1", "mac2", "mac2-m1ultra",
	"mac2-m2", "mac2-m2pro",
	"p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6-b300", "p6e-gb200",
	"r3", "r4", "r5", "r5a", "r5ad", "r5b", "r5d", "r5dn", "r5n", "r6a", "r6g", "r6gd", "r6i", "r6id",
	"r6idn", "r6in", "r7a", "r7g", "r7gd", "r7i", "r7iz", "r8a", "r8g", "r8gb", "r8gd", "r8gn", "r8i",
	"r8i-flex", "r8ib", "r8id", "r8idb", "r8idn", "r8in", "r9g", "r9gd",
	"t1", "t2", "t3", "t3a", "t4g", "t8i", "trn1", "trn1n", "trn2", "trn2u",
	"u-12tb1", "u-18tb1", "u-24tb1", "u-3tb1", "u-6tb1", "u-9tb1", "u7i-12tb", "u7i-6tb", "u7i-8tb",
	"u7ib-12tb", "u7in-16tb", "u7in-24tb", "u7in-32tb", "u7inh-32tb",
	"vt1",
	"x1", "x1e", "x2gd", "x2idn", "x2iedn", "x2iezn", "x8aedz", "x8g", "x8i",
	"z1d",
}

// highMemory and mac are families a walkthrough instance cannot be: High Memory types
// (u-6tb1.56xlarge, u7i-12tb.224xlarge) cost tens of dollars an hour behind a quota of their own,
// and aws-cdk-lib cannot tell their architecture; Mac types run on Dedicated Hosts only and not
// Amazon Linux (Amazon EC2 User Guide, "Amazon EC2 Mac instances"): mac1, mac2-m2pro, mac-m4.
var highMemory, mac = regexp.MustCompile(`^u(-\d+tb\d|\d[a-z]*-\d+tb)\.`), regexp.MustCompile(`^mac(\d|-)`)

// InstanceTypeProblem returns why name cannot be the type of a walkthrough instance under c
// (field names the prop), or "". An empty name is the default, DemoInstanceType.
func InstanceTypeProblem(field, name string, c ControlTower) string {
	if name == "" {
		return ""
	}
	if highMemory.MatchString(name) || mac.MatchString(name) {
		return fmt.Sprintf("%s %q is a High Memory or Mac type (tens of dollars an hour behind a quota of its own, or Dedicated Hosts only), not one for a walkthrough instance: use a small type such as m7g.medium, or leave it empty for %s", field, name, *DemoInstanceType(c).ToString())
	}
	if !instanceType.MatchString(name) {
		return fmt.Sprintf("%s %q is not an EC2 instance type (family, generation, options, a dot and a size — nano, micro, small, medium, large, xlarge, 2xlarge and up, metal, metal-24xl and the like — in lower case, like m7g.medium): fix the value, or leave it empty for %s", field, name, *DemoInstanceType(c).ToString())
	}
	family, size, _ := strings.Cut(name, ".")
	if !c.Strict() {
		return ""
	}
	if !slices.Contains(NitroInTransitFamilies, family) {
		return fmt.Sprintf("%s %q with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails an instance whose type is not a Nitro type that encrypts traffic in transit (docs/compliance.md lists its families, link.NitroInTransitFamilies): use one such as m7g.medium or c6gn.medium (arm64) or c7a.medium (x86_64), or leave it empty for c7g.medium", field, name)
	}
	if size == "nano" || size == "micro" || size == "small" {
		// The smallest size of every family in the rule's list is medium (Amazon EC2 Instance
		// Types, "Specifications"); EC2 would refuse the type at the instance's creation.
		return fmt.Sprintf("%s %q: no family CT.EC2.PR.19 accepts comes in size %s (medium is the smallest): use %s.medium or larger, or leave it empty for c7g.medium", field, name, size, family)
	}
	return ""
}

// DemoInstance is the type and Amazon Linux 2023 image of a walkthrough instance under scope:
// name (checked by InstanceTypeProblem; field names its prop), or DemoInstanceType(c) when
// empty; the image's architecture is the type's, as aws-cdk-lib tells it (Graviton families are
// arm64). A family not in InstanceFamilies gets the warning privatelink:unknownInstanceFamily.
func DemoInstance(scope constructs.Construct, field, name string, c ControlTower) (awsec2.InstanceType, awsec2.IMachineImage) {
	t := DemoInstanceType(c)
	if name != "" {
		t = awsec2.NewInstanceType(jsii.String(name))
		if family, _, _ := strings.Cut(name, "."); !slices.Contains(InstanceFamilies, family) {
			awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("privatelink:unknownInstanceFamily"), jsii.String(fmt.Sprintf(
				"%s %q: the family %s is none that aws-sdk-go-v2's EC2 model (v1.349.0) knows, so the instance's creation may fail: check the spelling (aws ec2 describe-instance-types --instance-types %s); if AWS added the family since, ignore this warning", field, name, family, name)), nil)
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
