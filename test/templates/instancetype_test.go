package templates

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
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

func TestAWalkthroughInstanceTypeIsCheckedAtSynthInEitherMode(t *testing.T) {
	cases := []struct{ typ, strict, lenient string }{
		{"c7a.medium", "", ""},
		{"t3.micro", `DemoInstanceType "t3.micro" with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails an instance whose type is not a Nitro type that encrypts traffic in transit (docs/compliance.md lists its families, link.NitroInTransitFamilies): use one such as m7g.medium or c6gn.medium (arm64) or c7a.medium (x86_64), or leave it empty for c7g.medium`, ""},
		{"c7g.small", `DemoInstanceType "c7g.small": no family CT.EC2.PR.19 accepts comes in size small (medium is the smallest): use c7g.medium or larger, or leave it empty for c7g.medium`, ""},
		{"M7G.medium", `DemoInstanceType "M7G.medium" is not an EC2 instance type (family, generation, options, a dot and a size, in lower case, like m7g.medium): fix the value, or leave it empty for c7g.medium`,
			`DemoInstanceType "M7G.medium" is not an EC2 instance type (family, generation, options, a dot and a size, in lower case, like m7g.medium): fix the value, or leave it empty for t4g.nano`},
		{"u-6tb1.56xlarge", `DemoInstanceType "u-6tb1.56xlarge" is a High Memory or Mac type (tens of dollars an hour behind a quota of its own, or Dedicated Hosts only), not one for a walkthrough instance: use a small type such as m7g.medium, or leave it empty for c7g.medium`,
			`DemoInstanceType "u-6tb1.56xlarge" is a High Memory or Mac type`},
		{"mac2.metal", `DemoInstanceType "mac2.metal" is a High Memory or Mac type`, `DemoInstanceType "mac2.metal" is a High Memory or Mac type`},
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
