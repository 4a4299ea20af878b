package test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// subnetAZIDs returns the AvailabilityZoneId of each subnet a list of {"Ref": subnet} names.
func subnetAZIDs(t *testing.T, tpl assertions.Template, refs any) []string {
	t.Helper()
	subnets := Resources(tpl, "AWS::EC2::Subnet")
	var out []string
	for _, r := range refs.([]any) {
		id := r.(map[string]any)["Ref"].(string)
		az, ok := Props(subnets[id])["AvailabilityZoneId"].(string)
		if !ok {
			t.Fatalf("subnet %s has no literal AvailabilityZoneId: %v", id, Props(subnets[id]))
		}
		out = append(out, az)
	}
	return out
}

func TestEverySubnetTheAppCreatesIsPlacedByAZIDAndTheEndpointIsInZonesTheNLBServes(t *testing.T) {
	for _, name := range []string{"default", "route53", "crossregion-proxy"} {
		t.Run(name, func(t *testing.T) {
			f := Golden(t, name)
			for stack, tpl := range f.Templates {
				for id, s := range Resources(tpl, "AWS::EC2::Subnet") {
					if _, byName := Props(s)["AvailabilityZone"]; byName || Props(s)["AvailabilityZoneId"] == nil {
						t.Errorf("%s %s is placed by %v, want an AvailabilityZoneId and no AvailabilityZone", stack, id, Props(s))
					}
				}
			}
			p, c := f.Templates[privatelinkapp.ProviderStackName], f.Templates[privatelinkapp.ConsumerStackName]
			_, nlb := Only(t, Resources(p, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
			served := subnetAZIDs(t, p, Props(nlb)["Subnets"])
			for id, ep := range Resources(c, "AWS::EC2::VPCEndpoint") {
				if Props(ep)["VpcEndpointType"] != "Interface" || Props(ep)["ServiceRegion"] != nil {
					continue // AWS service endpoints, or cross-region: no AZ has to match
				}
				for _, az := range subnetAZIDs(t, c, Props(ep)["SubnetIds"]) {
					if !slices.Contains(served, az) {
						t.Errorf("endpoint %s has a subnet in %s, which the NLB (%v) does not serve", id, az, served)
					}
				}
			}
		})
	}
}

func TestTheDefaultsAreTheRegionsFirstTwoAZIDsOnBothSides(t *testing.T) {
	f := Golden(t, "default")
	for _, stack := range []string{privatelinkapp.ProviderStackName, privatelinkapp.ConsumerStackName} {
		var ids []string
		for _, s := range Resources(f.Templates[stack], "AWS::EC2::Subnet") {
			ids = append(ids, fmt.Sprint(Props(s)["AvailabilityZoneId"]))
		}
		if slices.Sort(ids); !slices.Equal(ids, []string{"euw1-az1", "euw1-az2"}) {
			t.Errorf("%s subnets in %v, want euw1-az1 and euw1-az2", stack, ids)
		}
	}
}

func TestOnCdkJsonAnotherRegionAloneGetsItsOwnFirstTwoAZIDs(t *testing.T) {
	// cdk.json is under every `cdk synth`; a value pinned there (azIds once was) outlives the
	// -c region=… that makes it wrong.
	ctx := maps.Clone(AppConfigs["recommended"]) // cdk.json's context
	ctx["region"] = "us-east-1"
	f := AppWith(t, "cdk-json-us-east-1", ctx)
	for _, stack := range []string{privatelinkapp.ProviderStackName, privatelinkapp.ConsumerStackName} {
		var ids []string
		for _, s := range Resources(f.Templates[stack], "AWS::EC2::Subnet") {
			ids = append(ids, fmt.Sprint(Props(s)["AvailabilityZoneId"]))
		}
		if slices.Sort(ids); !slices.Equal(ids, []string{"use1-az1", "use1-az2"}) {
			t.Errorf("%s subnets in %v, want use1-az1 and use1-az2", stack, ids)
		}
	}
	_, ep := Only(t, Resources(f.Templates[privatelinkapp.ConsumerStackName], "AWS::EC2::VPCEndpoint"))
	cw := World{Account: "222222222222", Region: "us-east-1", Stack: privatelinkapp.ConsumerStackName}
	if got := fmt.Sprint(cw.Resolve(t, Props(ep)["ServiceName"])); !strings.HasPrefix(got, "com.amazonaws.vpce.us-east-1.<output PrivateLinkProvider.") {
		t.Errorf("endpoint ServiceName resolves to %v, want the provider's service in us-east-1", got)
	}
}

func TestAConsumerOfAProviderInTheSameAppMustUseZonesTheProviderServes(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "SameAppAZs")
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"},
	})
	msg := PanicMessage(func() {
		consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p, Ports: []provider.ServicePort{{Port: 443}}, AvailabilityZoneIds: []string{"euw1-az2", "euw1-az3"}})
	})
	MustContain(t, msg, `ConsumerProps.AvailabilityZoneIds ["euw1-az2" "euw1-az3"] include ["euw1-az3"], which the provider SameAppAZs/Provider does not serve (its AZ IDs are ["euw1-az1" "euw1-az2"])`,
		"add these to ProviderProps.AvailabilityZoneIds")
}

func TestLookupSupportedAzsIsOnlyForAVpcYouBring(t *testing.T) {
	p := consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}, LookupSupportedAzs: true}
	MustContain(t, ErrString(p.Validate(In("eu-west-1"), "Under")), "ConsumerProps.LookupSupportedAzs filters subnets by AZ name, but the VPC this construct creates places its subnets by AZ ID", "drop LookupSupportedAzs")
}

func TestCrossRegionDefaultsAndChecksSkipTheZonesAWSExcludes(t *testing.T) {
	cfg, err := privatelinkapp.LoadConfig(map[string]any{"region": "ap-northeast-2", "consumerRegion": "ap-northeast-1"})
	if err != nil {
		t.Fatal(err)
	}
	// apne2-az2 and apne1-az3 do not support cross-Region access (PrivateLink guide).
	if fmt.Sprint(cfg.AzIds, cfg.ConsumerAzIds) != "[apne2-az1 apne2-az3] [apne1-az1 apne1-az2]" {
		t.Errorf("cross-region defaults %v %v", cfg.AzIds, cfg.ConsumerAzIds)
	}
	if same, _ := privatelinkapp.LoadConfig(map[string]any{"region": "ap-northeast-2"}); fmt.Sprint(same.AzIds) != "[apne2-az1 apne2-az2]" {
		t.Errorf("same-region defaults %v, want the first two", same.AzIds)
	}
	_, err = privatelinkapp.LoadConfig(map[string]any{"region": "ap-northeast-2", "consumerRegion": "ap-northeast-1", "azIds": "apne2-az1,apne2-az2"})
	MustContain(t, ErrString(err), `context key "azIds" has "apne2-az2", which does not support cross-Region PrivateLink`)
	p := ValidProvider()
	p.AllowedRegions, p.AvailabilityZoneIds = []string{"us-east-2"}, []string{"use1-az1", "use1-az3"}
	MustContain(t, ErrString(p.Validate(In("us-east-1"), "Under")), `ProviderProps.AvailabilityZoneIds[1] "use1-az3" does not support cross-Region PrivateLink`, "but AllowedRegions is set")
	c := consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", ServiceRegion: "us-east-1", Ports: []provider.ServicePort{{Port: 443}}, AvailabilityZoneIds: []string{"usw1-az2"}}
	MustContain(t, ErrString(c.Validate(In("us-west-1"), "Under")), `ConsumerProps.AvailabilityZoneIds[0] "usw1-az2" does not support cross-Region PrivateLink`, "but ServiceRegion is us-east-1")
}
