package templates

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// The families the library lets through under strict are the pinned CT.EC2.PR.19 rule's own,
// every entry of its list read.
func TestTheNitroFamiliesAreThoseOfThePinnedControl(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(root, "node_modules", "@cdklabs", "cdk-validator-cfnguard", "rules", "control-tower", "cfn-guard", "ec2", "ct-ec2-pr-19.guard"))
	if err != nil {
		t.Fatalf("%v: run `npm ci` in the module root, as `make test` does", err)
	}
	list := string(text)
	start := strings.Index(list, "NITRO_ENCRYPTION_IN_TRANSIT_INSTANCE_TYPES = [")
	end := strings.Index(list[max(start, 0):], "]")
	if start < 0 || end < 0 {
		t.Fatal("the rule has no NITRO_ENCRYPTION_IN_TRANSIT_INSTANCE_TYPES list: its shape changed")
	}
	list = list[start : start+end]
	var rule []string
	for _, m := range regexp.MustCompile(`/\^([a-z0-9-]+)\\\.\.\+\?\$/`).FindAllStringSubmatch(list, -1) {
		rule = append(rule, m[1])
	}
	if entries := strings.Count(list, "/^"); entries != len(rule) || entries < 50 {
		t.Fatalf("read %d families of the rule's %d entries: an entry has another shape", len(rule), entries)
	}
	ours := slices.Clone(link.NitroInTransitFamilies)
	slices.Sort(rule)
	slices.Sort(ours)
	if !slices.Equal(ours, rule) {
		t.Errorf("link.NitroInTransitFamilies\n%v\nthe rule's families\n%v", ours, rule)
	}
}

// link.InstanceFamilies, which the constructs warn about a family outside of, are those of the
// EC2 model of the aws-sdk-go-v2 go.mod pins; and every type of that model passes the synth's
// check in the default mode, but for those refused on purpose: High Memory and Mac types, and
// the three whose names aws-cdk-lib cannot parse (aws-ec2/lib/instance-types.js,
// InstanceType.architecture throws "Malformed instance type identifier").
func TestTheInstanceTypeChecksKnowEveryTypeOfTheSDKsEC2Model(t *testing.T) {
	families := map[string]bool{}
	var refused []string
	for _, v := range types.InstanceType("").Values() {
		family, _, _ := strings.Cut(string(v), ".")
		families[family] = true
		why := link.InstanceTypeProblem("DemoInstanceType", string(v), "")
		if why != "" && !strings.Contains(why, "is a High Memory or Mac type") {
			refused = append(refused, string(v))
		}
	}
	if len(families) < 200 {
		t.Fatalf("%d families in the SDK's model: it did not load", len(families))
	}
	ours := slices.Clone(link.InstanceFamilies)
	slices.Sort(ours)
	if sdk := slices.Sorted(maps.Keys(families)); !slices.Equal(ours, sdk) {
		t.Errorf("link.InstanceFamilies\n%v\nthe families of aws-sdk-go-v2's ec2 InstanceType enum\n%v", ours, sdk)
	}
	slices.Sort(refused)
	if want := []string{"p6-b200.48xlarge", "p6-b300.48xlarge", "p6e-gb200.36xlarge"}; !slices.Equal(refused, want) {
		t.Errorf("the default mode refuses %v of the SDK's types, want only %v", refused, want)
	}
}

// A family no SDK model knows is warned about, naming the prop, and still synthesized: AWS adds
// families after any SDK release.
func TestAnUnknownInstanceFamilyIsWarnedAboutNotRefused(t *testing.T) {
	stack := In("eu-west-1")
	awscdk.NewCfnWaitConditionHandle(stack, jsii.String("Something"), nil)
	typ, _ := link.DemoInstance(stack, "TestClientInstanceType", "zz9.large", "")
	known, _ := link.DemoInstance(stack, "DemoInstanceType", "m7g.medium", "")
	if *typ.ToString() != "zz9.large" || *known.ToString() != "m7g.medium" {
		t.Fatalf("types %s and %s, want zz9.large and m7g.medium", *typ.ToString(), *known.ToString())
	}
	warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("InstanceType")))
	if len(*warnings) != 1 || fmt.Sprint((*warnings)[0].Entry.Data) != `TestClientInstanceType "zz9.large": the family zz9 is none that aws-sdk-go-v2's EC2 model (v1.349.0) knows, so the instance's creation may fail: check the spelling (aws ec2 describe-instance-types --instance-types zz9.large); if AWS added the family since, ignore this warning [ack: privatelink:unknownInstanceFamily]` {
		for _, w := range *warnings {
			t.Log(w.Entry.Data)
		}
		t.Fatalf("%d warnings, want the one on zz9.large", len(*warnings))
	}
}

func TestAWalkthroughInstanceTypeIsCheckedAtSynthInEitherMode(t *testing.T) {
	cases := []struct{ typ, strict, lenient string }{
		{"c7a.medium", "", ""},
		{"t3.micro", `DemoInstanceType "t3.micro" with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails an instance whose type is not a Nitro type that encrypts traffic in transit (docs/compliance.md lists its families, link.NitroInTransitFamilies): use one such as m7g.medium or c6gn.medium (arm64) or c7a.medium (x86_64), or leave it empty for c7g.medium`, ""},
		{"c7g.small", `DemoInstanceType "c7g.small": no family CT.EC2.PR.19 accepts comes in size small (medium is the smallest): use c7g.medium or larger, or leave it empty for c7g.medium`, ""},
		{"M7G.medium", `DemoInstanceType "M7G.medium" is not an EC2 instance type (family, generation, options, a dot and a size — nano, micro, small, medium, large, xlarge, 2xlarge and up, metal, metal-24xl and the like — in lower case, like m7g.medium): fix the value, or leave it empty for c7g.medium`,
			`DemoInstanceType "M7G.medium" is not an EC2 instance type (family, generation, options, a dot and a size — nano, micro, small, medium, large, xlarge, 2xlarge and up, metal, metal-24xl and the like — in lower case, like m7g.medium): fix the value, or leave it empty for t4g.nano`},
		// A misspelt size would fail only the instance's creation, under strict a rollback that
		// stops at the protected NLB (docs/compliance.md).
		{"m7g.mediun", `DemoInstanceType "m7g.mediun" is not an EC2 instance type (family, generation, options, a dot and a size`, `DemoInstanceType "m7g.mediun" is not an EC2 instance type`},
		{"c7a.2xl", `DemoInstanceType "c7a.2xl" is not an EC2 instance type`, `DemoInstanceType "c7a.2xl" is not an EC2 instance type`},
		{"m7i.metal-24xl", "", ""},
		{"u-6tb1.56xlarge", `DemoInstanceType "u-6tb1.56xlarge" is a High Memory or Mac type (tens of dollars an hour behind a quota of its own, or Dedicated Hosts only), not one for a walkthrough instance: use a small type such as m7g.medium, or leave it empty for c7g.medium`,
			`DemoInstanceType "u-6tb1.56xlarge" is a High Memory or Mac type`},
		{"mac2.metal", `DemoInstanceType "mac2.metal" is a High Memory or Mac type`, `DemoInstanceType "mac2.metal" is a High Memory or Mac type`},
		{"mac-m4.metal", `DemoInstanceType "mac-m4.metal" is a High Memory or Mac type`, `DemoInstanceType "mac-m4.metal" is a High Memory or Mac type`},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			stack := In("eu-west-1")
			p := strictProvider(stack)
			p.DemoTarget, p.DemoInstanceType = true, c.typ
			WantValidation(t, p.Validate(stack, "Provider"), c.strict, "privatelink: ProviderProps.")
			lenient := ValidProvider()
			lenient.DemoTarget, lenient.DemoInstanceType = true, c.typ
			WantValidation(t, lenient.Validate(stack, "Lenient"), c.lenient, "privatelink: ProviderProps.")
		})
	}
}

// A walkthrough instance takes another type, and the image of that type's architecture; a type
// CT.EC2.PR.19 accepts carries no suppression of it, one it fails keeps it. The fixture's own
// Control Tower check (testkit.Synth) fails an unsuppressed failure and a suppression without a
// failure, so it proves the verdicts with the pinned rule.
func TestTheWalkthroughInstancesTakeAnotherTypeWithTheImageOfItsArchitecture(t *testing.T) {
	const x86, arm = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"
	const svc = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
	f := Synth(t, "instance-types", func(app awscdk.App) error {
		env := &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}
		strict := awscdk.NewStack(app, jsii.String("Strict"), &awscdk.StackProps{Env: env})
		p := strictProvider(strict)
		p.DemoTarget, p.DemoInstanceType, p.AllowedPrincipals = true, "c7a.medium", []string{"222222222222"}
		provider.NewProvider(strict, "Provider", p)
		consumer.NewConsumer(strict, "Consumer", &consumer.ConsumerProps{
			ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}},
			ControlTower: link.ControlTowerStrict, LogsKey: logkey.New(strict, "ConsumerLogsKey"),
			TestClient: true, TestClientInstanceType: "m7g.medium",
		})
		lenient := awscdk.NewStack(app, jsii.String("Default"), &awscdk.StackProps{Env: env})
		provider.NewProvider(lenient, "Provider", &provider.ProviderProps{
			Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"},
			DemoTarget: true, DemoInstanceType: "m7g.medium",
		})
		consumer.NewConsumer(lenient, "Consumer", &consumer.ConsumerProps{
			ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, TestClient: true, TestClientInstanceType: "t3.micro",
		})
		return nil
	})
	for _, c := range []struct {
		stack, id, typ, image string
		suppressed            bool
	}{
		{"Strict", "ProviderDemoTarget", "c7a.medium", x86, false},
		{"Strict", "ConsumerTestClient", "m7g.medium", arm, false},
		{"Default", "ProviderDemoTarget", "m7g.medium", arm, false},
		{"Default", "ConsumerTestClient", "t3.micro", x86, true},
	} {
		var logicalID string
		var props map[string]any
		for id, r := range Resources(f.Templates[c.stack], "AWS::EC2::Instance") {
			if regexp.MustCompile(`^` + c.id + `[0-9A-F]{8}$`).MatchString(id) {
				logicalID, props = id, Props(r)
			}
		}
		if props == nil {
			t.Fatalf("%s has no instance %s", c.stack, c.id)
		}
		param, _ := props["ImageId"].(map[string]any)["Ref"].(string)
		image, _ := f.JSON[c.stack]["Parameters"].(map[string]any)[param].(map[string]any)["Default"].(string)
		if props["InstanceType"] != c.typ || image != c.image {
			t.Errorf("%s/%s is a %v with the image %q; want a %s with %q", c.stack, c.id, props["InstanceType"], image, c.typ, c.image)
		}
		rules, _ := GuardMetadata(f.JSON[c.stack], logicalID)
		if got := slices.Contains(rules, guard.NitroEncryption.Rule); got != c.suppressed {
			t.Errorf("%s/%s (%s) suppresses %s: %v, want %v", c.stack, c.id, c.typ, guard.NitroEncryption.ID, got, c.suppressed)
		}
	}
}
