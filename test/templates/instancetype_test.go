package templates

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// The families the library lets through under strict are the pinned CT.EC2.PR.19 rule's own.
func TestTheNitroFamiliesAreThoseOfThePinnedControl(t *testing.T) {
	tools := ControlTowerTools()
	if tools.Skip != "" {
		t.Skip(tools.Skip)
	}
	if tools.Err != nil {
		t.Fatal(tools.Err)
	}
	text, err := os.ReadFile(filepath.Join(tools.Pkg, "rules", "control-tower", "cfn-guard", "ec2", "ct-ec2-pr-19.guard"))
	if err != nil {
		t.Fatal(err)
	}
	var rule []string
	for _, m := range regexp.MustCompile(`/\^([a-z0-9-]+)\\\.\.\+\?\$/`).FindAllStringSubmatch(string(text), -1) {
		rule = append(rule, m[1])
	}
	if len(rule) < 50 {
		t.Fatalf("read %d families from the rule: its pattern changed", len(rule))
	}
	ours := slices.Clone(link.NitroInTransitFamilies)
	slices.Sort(rule)
	slices.Sort(ours)
	if !slices.Equal(ours, rule) {
		t.Errorf("link.NitroInTransitFamilies\n%v\nthe rule's families\n%v", ours, rule)
	}
}

// A walkthrough instance takes a type its AZ offers, and the image of that type's architecture;
// under strict the type passes CT.EC2.PR.19 without a suppression (the fixture's Control Tower
// check fails an unsuppressed failure, and a suppression the instance no longer needs).
func TestTheWalkthroughInstancesTakeATypeTheirAZOffersWithTheImageOfItsArchitecture(t *testing.T) {
	const x86, arm = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"
	f := Synth(t, "instance-types", func(app awscdk.App) error {
		env := &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}
		strict := awscdk.NewStack(app, jsii.String("Strict"), &awscdk.StackProps{Env: env})
		p := strictProvider(strict)
		p.DemoTarget, p.DemoInstanceType, p.AllowedPrincipals = true, "c7a.medium", []string{"222222222222"}
		provider.NewProvider(strict, "Provider", p)
		consumer.NewConsumer(strict, "Consumer", &consumer.ConsumerProps{
			ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}},
			ControlTower: link.ControlTowerStrict, LogsKey: logkey.New(strict, "ConsumerLogsKey"),
			TestClient: true, TestClientInstanceType: "m7g.medium",
		})
		lenient := awscdk.NewStack(app, jsii.String("Default"), &awscdk.StackProps{Env: env})
		provider.NewProvider(lenient, "Provider", &provider.ProviderProps{
			Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"},
			DemoTarget: true, DemoInstanceType: "m7g.medium",
		})
		return nil
	})
	instance := func(stack, id string) (props, metadata map[string]any, image string) {
		t.Helper()
		tpl := f.JSON[stack]
		for logicalID, r := range Resources(f.Templates[stack], "AWS::EC2::Instance") {
			if regexp.MustCompile(`^(Provider|Consumer)` + id + `[0-9A-F]{8}$`).MatchString(logicalID) {
				props = Props(r)
				metadata, _ = r["Metadata"].(map[string]any)
			}
		}
		if props == nil {
			t.Fatalf("%s has no instance %s", stack, id)
		}
		param, _ := props["ImageId"].(map[string]any)["Ref"].(string)
		image, _ = tpl["Parameters"].(map[string]any)[param].(map[string]any)["Default"].(string)
		return props, metadata, image
	}
	for _, c := range []struct{ stack, id, typ, image string }{
		{"Strict", "DemoTarget", "c7a.medium", x86},
		{"Strict", "TestClient", "m7g.medium", arm},
		{"Default", "DemoTarget", "m7g.medium", arm},
	} {
		props, metadata, image := instance(c.stack, c.id)
		if props["InstanceType"] != c.typ || image != c.image {
			t.Errorf("%s/%s is a %v with the image %q; want a %s with %q", c.stack, c.id, props["InstanceType"], image, c.typ, c.image)
		}
		if _, suppressed := metadata["guard"]; suppressed {
			t.Errorf("%s/%s suppresses %v, but CT.EC2.PR.19 accepts a %s", c.stack, c.id, metadata["guard"], c.typ)
		}
	}
}
