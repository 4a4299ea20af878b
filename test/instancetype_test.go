package test

import (
	"fmt"
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

// link.InstanceSizes, which the checks read, is the EC2 model of the aws-sdk-go-v2 go.mod pins;
// every type of that model passes the default mode's check but those refused on purpose: High
// Memory and Mac types (exactly the u-*, u7*- and mac* families), and the three whose names
// aws-cdk-lib cannot parse (aws-ec2/lib/instance-types.js, InstanceType.architecture throws
// "Malformed instance type identifier"); under strict, every type of an accepted family.
func TestTheInstanceTypeChecksKnowEveryTypeOfTheSDKsEC2Model(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/aws/aws-sdk-go-v2/service/ec2 " + link.EC2ModelVersion + "\n"; !strings.Contains(string(gomod), want) {
		t.Errorf("go.mod does not require %q: regenerate link.InstanceSizes from that version's enum and update link.EC2ModelVersion", want)
	}
	sdk := map[string][]string{}
	var refused []string
	expensive := map[string]bool{}
	for _, v := range types.InstanceType("").Values() {
		family, size, _ := strings.Cut(string(v), ".")
		sdk[family] = append(sdk[family], size)
		switch why := link.InstanceTypeProblem("DemoInstanceType", string(v), ""); {
		case strings.Contains(why, "is a High Memory or Mac type"):
			expensive[family] = true
		case why != "":
			refused = append(refused, string(v)+": "+why)
		}
		if slices.Contains(link.NitroInTransitFamilies, family) {
			if why := link.InstanceTypeProblem("DemoInstanceType", string(v), link.ControlTowerStrict); why != "" && !strings.Contains(why, "High Memory") {
				t.Errorf("strict refuses %s, a type of an accepted family: %s", v, why)
			}
		}
	}
	if len(sdk) < 200 {
		t.Fatalf("%d families in the SDK's model: it did not load", len(sdk))
	}
	for family, sizes := range sdk {
		ours := strings.Fields(link.InstanceSizes[family])
		slices.Sort(ours)
		slices.Sort(sizes)
		if !slices.Equal(ours, sizes) {
			t.Errorf("link.InstanceSizes[%q] = %v, the SDK's model has %v", family, ours, sizes)
		}
		wantExpensive := regexp.MustCompile(`^(u-|u\d[a-z]*-|mac)`).MatchString(family)
		if expensive[family] != wantExpensive {
			t.Errorf("%s refused as High Memory or Mac: %v, want %v", family, expensive[family], wantExpensive)
		}
	}
	if len(link.InstanceSizes) != len(sdk) {
		t.Errorf("link.InstanceSizes has %d families, the SDK's model %d", len(link.InstanceSizes), len(sdk))
	}
	for _, family := range link.NitroInTransitFamilies {
		if sdk[family] == nil {
			t.Errorf("CT.EC2.PR.19's family %s is not in the SDK's model", family)
		}
	}
	slices.Sort(refused)
	want := []string{"p6-b200.48xlarge", "p6-b300.48xlarge", "p6e-gb200.36xlarge"}
	if len(refused) != len(want) {
		t.Fatalf("the default mode refuses %v of the SDK's types, want only %v", refused, want)
	}
	for i, r := range refused {
		if !strings.HasPrefix(r, want[i]+`: DemoInstanceType "`+want[i]+`" is an EC2 type whose architecture aws-cdk-lib cannot tell from its name`) {
			t.Errorf("refused %s, want %s refused for its name", r, want[i])
		}
	}
}

// A type no SDK model knows is warned about, naming the prop, the sizes known and how to check,
// and still synthesized: AWS adds families and sizes after any SDK release.
func TestAnUnknownInstanceTypeIsWarnedAboutNotRefused(t *testing.T) {
	stack := In("eu-west-1")
	awscdk.NewCfnWaitConditionHandle(stack, jsii.String("Something"), nil)
	for _, typ := range []string{"zz9.large", "m7i.medium", "m7g.medium"} {
		got, _ := link.DemoInstance(stack, "TestClientInstanceType", typ, "")
		if *got.ToString() != typ {
			t.Fatalf("type %s, want %s", *got.ToString(), typ)
		}
	}
	var got []string
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("InstanceType"))) {
		got = append(got, fmt.Sprint(w.Entry.Data))
	}
	want := []string{
		`TestClientInstanceType "zz9.large": the family zz9 is none that aws-sdk-go-v2's EC2 model ` + link.EC2ModelVersion + ` knows, so the instance's creation may fail: check the spelling and where it is offered (aws ec2 describe-instance-type-offerings --region eu-west-1 --location-type availability-zone-id --filters Name=instance-type,Values=zz9.large); if AWS added it since, ignore this warning [ack: privatelink:unknownInstanceType]`,
		`TestClientInstanceType "m7i.medium": aws-sdk-go-v2's EC2 model ` + link.EC2ModelVersion + ` knows m7i in the sizes large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, 24xlarge, 48xlarge, metal-24xl, metal-48xl only, so the instance's creation may fail: check the spelling and where it is offered (aws ec2 describe-instance-type-offerings --region eu-west-1 --location-type availability-zone-id --filters Name=instance-type,Values=m7i.medium); if AWS added it since, ignore this warning [ack: privatelink:unknownInstanceType]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAWalkthroughInstanceTypeIsCheckedAtSynthInEitherMode(t *testing.T) {
	cases := []struct{ typ, strict, lenient string }{
		{"c7a.medium", "", ""},
		{"t3.micro", `DemoInstanceType "t3.micro" with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails an instance whose type is not a Nitro type that encrypts traffic in transit (docs/compliance.md lists its families, link.NitroInTransitFamilies): use one such as m7g.medium or c6gn.medium (arm64) or c7a.medium (x86_64), or leave it empty for c7g.medium`, ""},
		{"c7g.small", `DemoInstanceType "c7g.small": EC2 offers c7g in the sizes medium, large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, metal (aws-sdk-go-v2's EC2 model ` + link.EC2ModelVersion + `), not small: use c7g.medium or another of them, or leave it empty for c7g.medium`, ""},
		// c6i starts at large: strict passed c6i.medium to a failing deploy before.
		{"c6i.medium", `DemoInstanceType "c6i.medium": EC2 offers c6i in the sizes large, xlarge,`, ""},
		{"m7g.1xlarge", `DemoInstanceType "m7g.1xlarge" is not an EC2 instance type`, `DemoInstanceType "m7g.1xlarge" is not an EC2 instance type`},
		{"p6-b200.48xlarge", `DemoInstanceType "p6-b200.48xlarge" is an EC2 type whose architecture aws-cdk-lib cannot tell from its name`, `DemoInstanceType "p6-b200.48xlarge" is an EC2 type whose architecture`},
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
