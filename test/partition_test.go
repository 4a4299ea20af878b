package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// China offers no private DNS names for endpoint services: "You can't assign a private DNS
// name to a VPC endpoint service" (Getting Started with AWS in China, Amazon VPC, Feature
// Availability and Implementation Differences).
func TestInChinaTheAppSynthesizesNoPrivateDnsNameAndTheConsumerEnablesNone(t *testing.T) {
	f := AppWith(t, "china", map[string]any{"region": "cn-north-1"})
	p, c := f.JSON[privatelinkapp.ProviderStackName], f.JSON[privatelinkapp.ConsumerStackName]
	for id, r := range p["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == "AWS::EC2::VPCEndpointService" {
			if n, ok := r["Properties"].(map[string]any)["PrivateDnsName"]; ok {
				t.Errorf("%s has PrivateDnsName %v", id, n)
			}
		}
	}
	seen := 0
	for id, r := range c["Resources"].(map[string]any) {
		r := r.(map[string]any)
		switch r["Type"] {
		case "Custom::PrivateDnsEnabler":
			seen++
			if got := r["Properties"].(map[string]any)["PrivateDnsEnabled"]; got != "false" {
				t.Errorf("%s turns private DNS on (%v)", id, got)
			}
		case "Custom::EndpointPreflight":
			seen++
			if got := r["Properties"].(map[string]any)["PrivateDns"]; got != "false" {
				t.Errorf("%s insists on private DNS (%v)", id, got)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d of the enabler and the preflight in the consumer, want both", seen)
	}
	notes := assertions.Annotations_FromStack(f.Stacks[privatelinkapp.ProviderStackName]).FindInfo(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("privateDnsName defaults to none in cn-north-1")))
	if len(*notes) != 1 {
		t.Errorf("%d notes that privateDnsName defaults to none, want one", len(*notes))
	}
}

func TestInChinaAnExplicitPrivateDnsNameFailsNamingTheKeyAndThePartition(t *testing.T) {
	_, err := privatelinkapp.LoadConfig(map[string]any{"region": "cn-north-1", "privateDnsName": "api.example.com"})
	MustContain(t, ErrString(err), `context key "privateDnsName" is "api.example.com", but "region" cn-north-1 is in the aws-cn partition, where AWS offers no private DNS names for endpoint services`)
	if _, err := privatelinkapp.LoadConfig(map[string]any{"region": "cn-north-1", "privateDnsName": ""}); err != nil {
		t.Errorf("an explicitly empty privateDnsName is refused in China: %v", err)
	}
}

func TestInChinaTheConstructsRefusePrivateDnsAndDefaultItOff(t *testing.T) {
	cn := In("cn-north-1")
	p := ValidProvider()
	MustContain(t, ErrString(p.Validate(cn, "Provider")), `ProviderProps.PrivateDnsName "api.example.com" is set, but the stack's Region cn-north-1 is in the aws-cn partition`)
	svc := "cn.com.amazonaws.vpce.cn-north-1.vpce-svc-0123456789abcdef0"
	on := true
	MustContain(t, ErrString((&consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, PrivateDns: &on}).Validate(cn, "Consumer")),
		"ConsumerProps.PrivateDns is true, but this consumer is in the aws-cn partition (cn-north-1)")
	// An environment-agnostic stack takes the partition from the service name.
	MustContain(t, ErrString((&consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, PrivateDns: &on}).Validate(In(""), "Consumer")),
		"ConsumerProps.PrivateDns is true, but this consumer is in the aws-cn partition (cn-north-1)")
	if err := (&consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}}).Validate(cn, "Consumer"); err != nil {
		t.Errorf("the default is refused in China: %v", err)
	}
}

func TestAnIsolatedPartitionSynthesizesWithItsOwnServiceNamePrefix(t *testing.T) {
	const svc = "gov.ic.c2s.vpce.us-iso-east-1.vpce-svc-0123456789abcdef0"
	f := AppWith(t, "iso", map[string]any{"region": "us-iso-east-1", "azIds": "usie1-az1,usie1-az2"})
	p := f.Templates[privatelinkapp.ProviderStackName]
	w := serviceWorld(p, "111111111111", "us-iso-east-1")
	if got := fmt.Sprint(w.Resolve(t, Output(t, p, "Endpoint service name"))); !strings.HasPrefix(got, "gov.ic.c2s.vpce.us-iso-east-1.vpce-svc-") {
		t.Errorf("the provider's ServiceName output is %s", got)
	}
	_, ep := Only(t, Resources(f.Templates[privatelinkapp.ConsumerStackName], "AWS::EC2::VPCEndpoint"))
	cw := World{Account: "222222222222", Region: "us-iso-east-1", Stack: privatelinkapp.ConsumerStackName}
	if got := fmt.Sprint(cw.Resolve(t, Props(ep)["ServiceName"])); !strings.HasPrefix(got, strings.TrimSuffix(svc, "vpce-svc-0123456789abcdef0")+"<output PrivateLinkProvider.") {
		t.Errorf("endpoint ServiceName resolves to %v, want the provider's service ID after %s", got, strings.TrimSuffix(svc, "vpce-svc-0123456789abcdef0"))
	}
	// AWS documents Fn::GetStackOutput in aws and aws-cn only: the synth says so, with the way out.
	var said bool
	for _, w := range *assertions.Annotations_FromStack(f.Stacks[privatelinkapp.ConsumerStackName]).FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
		said = said || strings.Contains(fmt.Sprint(w.Entry.Data), "is in another stack in us-iso-east-1 (aws-iso), where AWS does not document Fn::GetStackOutput") && strings.Contains(fmt.Sprint(w.Entry.Data), "give ServiceName")
	}
	if !said {
		t.Error("no warning that Fn::GetStackOutput is not documented in aws-iso")
	}
}

func TestACrossRegionServiceIsSweptOnAScheduleEvenWithoutAlarms(t *testing.T) {
	// A cross-region connection may show up later than its consumer's request waits (the
	// acceptor then answers NotVisible and leaves it to the Connect notification): one lost
	// notification would leave it pending for good without the schedule.
	for name, want := range map[string]int{"crossregion-proxy": 1, "default": 0} {
		tpl := Golden(t, name).Templates[privatelinkapp.ProviderStackName]
		rules := 0
		for id, r := range Resources(tpl, "AWS::Events::Rule") {
			if Props(r)["ScheduleExpression"] == "rate(15 minutes)" {
				rules++
				targets := fmt.Sprint(Props(r)["Targets"])
				if !strings.Contains(targets, "AcceptorFunction") {
					t.Errorf("%s: schedule %s targets %s, want the acceptor", name, id, targets)
				}
			}
		}
		if rules != want {
			t.Errorf("%s: %d 15-minute sweeps, want %d", name, rules, want)
		}
	}
}
