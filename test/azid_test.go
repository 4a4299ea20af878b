package test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// subnetAZIDs returns the AvailabilityZoneId of each subnet a list of {"Ref": subnet} names.
func subnetAZIDs(t *testing.T, tpl assertions.Template, refs any) []string {
	t.Helper()
	subnets := resources(tpl, "AWS::EC2::Subnet")
	var out []string
	for _, r := range refs.([]any) {
		id := r.(map[string]any)["Ref"].(string)
		az, ok := props(subnets[id])["AvailabilityZoneId"].(string)
		if !ok {
			t.Fatalf("subnet %s has no literal AvailabilityZoneId: %v", id, props(subnets[id]))
		}
		out = append(out, az)
	}
	return out
}

func TestEverySubnetTheAppCreatesIsPlacedByAZIDAndTheEndpointIsInZonesTheNLBServes(t *testing.T) {
	for _, name := range []string{"default", "route53", "crossregion-proxy"} {
		t.Run(name, func(t *testing.T) {
			f := appWith(t, name, appConfigs[name])
			for stack, tpl := range f.templates {
				for id, s := range resources(tpl, "AWS::EC2::Subnet") {
					if _, byName := props(s)["AvailabilityZone"]; byName || props(s)["AvailabilityZoneId"] == nil {
						t.Errorf("%s %s is placed by %v, want an AvailabilityZoneId and no AvailabilityZone", stack, id, props(s))
					}
				}
			}
			p, c := f.templates[privatelinkapp.ProviderStackName], f.templates[privatelinkapp.ConsumerStackName]
			_, nlb := only(t, resources(p, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
			served := subnetAZIDs(t, p, props(nlb)["Subnets"])
			for id, ep := range resources(c, "AWS::EC2::VPCEndpoint") {
				if props(ep)["VpcEndpointType"] != "Interface" || props(ep)["ServiceRegion"] != nil {
					continue // AWS service endpoints, or cross-region: no AZ has to match
				}
				for _, az := range subnetAZIDs(t, c, props(ep)["SubnetIds"]) {
					if !slices.Contains(served, az) {
						t.Errorf("endpoint %s has a subnet in %s, which the NLB (%v) does not serve", id, az, served)
					}
				}
			}
		})
	}
}

func TestTheDefaultsAreTheRegionsFirstTwoAZIDsOnBothSides(t *testing.T) {
	f := appWith(t, "default", nil)
	for _, stack := range []string{privatelinkapp.ProviderStackName, privatelinkapp.ConsumerStackName} {
		var ids []string
		for _, s := range resources(f.templates[stack], "AWS::EC2::Subnet") {
			ids = append(ids, fmt.Sprint(props(s)["AvailabilityZoneId"]))
		}
		if slices.Sort(ids); !slices.Equal(ids, []string{"euw1-az1", "euw1-az2"}) {
			t.Errorf("%s subnets in %v, want euw1-az1 and euw1-az2", stack, ids)
		}
	}
}

func TestOnCdkJsonAnotherRegionAloneGetsItsOwnFirstTwoAZIDs(t *testing.T) {
	// cdk.json is under every `cdk synth`; a value pinned there (azIds once was) outlives the
	// -c region=… that makes it wrong.
	ctx := maps.Clone(appConfigs["recommended"]) // cdk.json's context
	ctx["region"] = "us-east-1"
	ctx["serviceName"] = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
	f := appWith(t, "cdk-json-us-east-1", ctx)
	for _, stack := range []string{privatelinkapp.ProviderStackName, privatelinkapp.ConsumerStackName} {
		var ids []string
		for _, s := range resources(f.templates[stack], "AWS::EC2::Subnet") {
			ids = append(ids, fmt.Sprint(props(s)["AvailabilityZoneId"]))
		}
		if slices.Sort(ids); !slices.Equal(ids, []string{"use1-az1", "use1-az2"}) {
			t.Errorf("%s subnets in %v, want use1-az1 and use1-az2", stack, ids)
		}
	}
	_, ep := only(t, resources(f.templates[privatelinkapp.ConsumerStackName], "AWS::EC2::VPCEndpoint"))
	if got := props(ep)["ServiceName"]; got != ctx["serviceName"] {
		t.Errorf("endpoint ServiceName %v, want %v", got, ctx["serviceName"])
	}
}

func TestAConsumerOfAProviderInTheSameAppMustUseZonesTheProviderServes(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := providerStack(app, "SameAppAZs")
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
		AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"},
	})
	msg := panicMessage(func() {
		consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p, Ports: []provider.ServicePort{{Port: 443}}, AvailabilityZoneIds: []string{"euw1-az2", "euw1-az3"}})
	})
	mustContain(t, msg, `ConsumerProps.AvailabilityZoneIds ["euw1-az2" "euw1-az3"] include ["euw1-az3"], which the provider SameAppAZs/Provider does not serve (its AZ IDs are ["euw1-az1" "euw1-az2"])`,
		"add these to ProviderProps.AvailabilityZoneIds")
}

func TestLookupSupportedAzsIsOnlyForAVpcYouBring(t *testing.T) {
	p := consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}, LookupSupportedAzs: true}
	mustContain(t, errString(p.Validate(in("eu-west-1"), "Under")), "ConsumerProps.LookupSupportedAzs filters subnets by AZ name, but the VPC this construct creates places its subnets by AZ ID", "drop LookupSupportedAzs")
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
	mustContain(t, errString(err), `context key "azIds" has "apne2-az2", which does not support cross-Region PrivateLink`)
	p := validProvider()
	p.AllowedRegions, p.AvailabilityZoneIds = []string{"us-east-2"}, []string{"use1-az1", "use1-az3"}
	mustContain(t, errString(p.Validate(in("us-east-1"), "Under")), `ProviderProps.AvailabilityZoneIds[1] "use1-az3" does not support cross-Region PrivateLink`, "but AllowedRegions is set")
	c := consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", ServiceRegion: "us-east-1", Ports: []provider.ServicePort{{Port: 443}}, AvailabilityZoneIds: []string{"usw1-az2"}}
	mustContain(t, errString(c.Validate(in("us-west-1"), "Under")), `ConsumerProps.AvailabilityZoneIds[0] "usw1-az2" does not support cross-Region PrivateLink`, "but ServiceRegion is us-east-1")
}
