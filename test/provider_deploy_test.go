package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/regioninfo"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/spec/waitspec"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// What AWS puts in PrivateDnsNameConfiguration: the TXT label alone, and the value.
var verificationAttrs = map[string]any{"PrivateDnsNameConfiguration.Name": "_6e86v84tqgqubxbwii1m", "PrivateDnsNameConfiguration.Value": "vpce:l6p0ERxlTZXIKXNpkOo5"}

// serviceWorld resolves a provider template with its endpoint services' attributes set.
func serviceWorld(tpl assertions.Template, account, region string) World {
	mappings, _ := (*tpl.ToJSON())["Mappings"].(map[string]any)
	w := World{Account: account, Region: region, Refs: map[string]string{}, Attrs: map[string]any{}, Mappings: mappings}
	for id := range Resources(tpl, "AWS::EC2::VPCEndpointService") {
		w.Refs[id] = "vpce-svc-0123456789abcdef0"
		w.Attrs[id+".ServiceId"] = "vpce-svc-0123456789abcdef0"
		for k, v := range verificationAttrs {
			w.Attrs[id+"."+k] = v
		}
	}
	return w
}

func TestTheVerificationTxtRecordIsWhereAWSLooksForIt(t *testing.T) {
	f := Synth(t, "provider-txt-names", func(app awscdk.App) error {
		apex := ProviderStack(app, "Apex")
		provider.NewProvider(apex, "Provider", &provider.ProviderProps{
			AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}},
			PrivateDnsName: "example.com", HostedZone: Zone(apex),
		})
		two := ProviderStack(app, "TwoInOneZone")
		z := Zone(two)
		for _, n := range []string{"a", "b"} {
			provider.NewProvider(two, "Provider"+n, &provider.ProviderProps{
				AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}},
				PrivateDnsName: n + ".api.example.com", HostedZone: z,
			})
		}
		return nil
	})
	route53 := Golden(t, "route53").Templates[privatelinkapp.ProviderStackName]
	cases := []struct {
		name  string
		tpl   assertions.Template
		names []string
	}{
		{"a name below the zone apex", route53, []string{"_6e86v84tqgqubxbwii1m.api.example.com."}},
		{"the zone apex itself", f.Templates["Apex"], []string{"_6e86v84tqgqubxbwii1m.example.com."}},
		{"two providers in one zone, each at its own name", f.Templates["TwoInOneZone"], []string{"_6e86v84tqgqubxbwii1m.a.api.example.com.", "_6e86v84tqgqubxbwii1m.b.api.example.com."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serviceWorld(c.tpl, "111111111111", "eu-west-1")
			var got []string
			for _, r := range Resources(c.tpl, "AWS::Route53::RecordSet") {
				p := Props(r)
				got = append(got, w.Resolve(t, p["Name"]).(string))
				if v := w.Resolve(t, p["ResourceRecords"]); fmt.Sprint(v) != `["vpce:l6p0ERxlTZXIKXNpkOo5"]` {
					t.Errorf("record value %v, want the service's value quoted", v)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, c.names) {
				t.Fatalf("TXT records at %q, want %q", got, c.names)
			}
		})
	}
	// External DNS mode tells the user the same name, without the trailing dot.
	tpl := Golden(t, "default").Templates[privatelinkapp.ProviderStackName]
	if got := serviceWorld(tpl, "111111111111", "eu-west-1").Resolve(t, Output(t, tpl, "TXT record name")); got != "_6e86v84tqgqubxbwii1m.api.example.com" {
		t.Fatalf("TxtRecordName output = %q", got)
	}
}

// functionTimeouts maps each Lambda's logical ID to its timeout in seconds.
func functionTimeouts(tpl assertions.Template) map[string]float64 {
	out := map[string]float64{}
	for id, r := range Resources(tpl, "AWS::Lambda::Function") {
		out[id], _ = Props(r)["Timeout"].(float64)
	}
	return out
}

// TestEveryCustomResourceIsBoundedAndWaitsCoverTheirTimeout: CloudFormation's ServiceTimeout is
// a function's timeout plus a margin for a custom resource answered in one invocation, and for
// one that waits in its function's state machine its TimeoutSeconds plus
// waitspec.WaitMargin — at most 3600 s (AWS::CloudFormation::CustomResource, ServiceTimeout).
func TestEveryCustomResourceIsBoundedAndWaitsCoverTheirTimeout(t *testing.T) {
	margin := 120.0
	configs := map[string]map[string]any{"route53-long-waits": {"verificationTimeout": "45m", "acceptanceTimeout": "40m"}}
	for k, v := range AppConfigs["route53"] {
		configs["route53-long-waits"][k] = v
	}
	for _, name := range []string{"default", "route53", "crossregion-proxy"} {
		configs[name] = AppConfigs[name]
	}
	waits := map[string]float64{}
	for name, cfg := range configs {
		f := Golden
		if _, app := AppConfigs[name]; !app {
			f = func(t testing.TB, name string) *Fixture { return AppWith(t, name, cfg) }
		}
		for stack, tpl := range f(t, name).Templates {
			timeouts := functionTimeouts(tpl)
			n := 0
			for id, r := range Resources(tpl, "") {
				typ := r["Type"].(string)
				if !strings.HasPrefix(typ, "Custom::") && typ != "AWS::CloudFormation::CustomResource" {
					continue
				}
				n++
				p := Props(r)
				var want float64
				switch token := p["ServiceToken"].(type) {
				case string: // the provider's acceptor, in another account
					want = acceptor.FunctionTimeout.Seconds() + margin
				case map[string]any:
					want = timeouts[token["Fn::GetAtt"].([]any)[0].(string)] + margin
				}
				if _, waiting := p[waitspec.StateMachineProperty]; waiting {
					wait, _ := strconv.ParseFloat(fmt.Sprint(p["TimeoutSeconds"]), 64)
					want = wait + waitspec.WaitMargin.Seconds()
					waits[name+" "+typ] = wait
				}
				if got := p["ServiceTimeout"]; got != fmt.Sprint(want) || want > 3600 {
					t.Errorf("%s/%s %s (%s) ServiceTimeout = %v, want %v, at most 3600", name, stack, id, typ, got, want)
				}
			}
			if n == 0 {
				t.Errorf("%s/%s has no custom resource", name, stack)
			}
		}
	}
	// The consumer's preflight waits as long as its enabler (acceptanceTimeout): for a private DNS
	// name the provider verifies while the consumer deploys.
	want := map[string]float64{
		"default Custom::PrivateDnsEnabler": 600, "crossregion-proxy Custom::PrivateDnsEnabler": 600,
		"default Custom::EndpointPreflight": 600, "crossregion-proxy Custom::EndpointPreflight": 600,
		"route53 Custom::PrivateDnsVerification": 1800, "route53 Custom::PrivateDnsEnabler": 600, "route53 Custom::EndpointPreflight": 600,
		"route53-long-waits Custom::PrivateDnsVerification": 2700, "route53-long-waits Custom::PrivateDnsEnabler": 2400, "route53-long-waits Custom::EndpointPreflight": 2400,
	}
	if !maps.Equal(waits, want) {
		t.Errorf("waits (TimeoutSeconds) = %v, want %v", waits, want)
	}
}

func TestACrossRegionServiceKeepsItsHostRegionAndScopesAllowMultiRegion(t *testing.T) {
	tpl := Golden(t, "crossregion-proxy").Templates[privatelinkapp.ProviderStackName]
	_, svc := Only(t, Resources(tpl, "AWS::EC2::VPCEndpointService"))
	if got := fmt.Sprint(Props(svc)["SupportedRegions"]); got != "[eu-west-1 eu-central-1]" {
		t.Errorf("SupportedRegions = %s, want the host Region eu-west-1 and eu-central-1", got)
	}
	w := serviceWorld(tpl, "111111111111", "eu-west-1")
	var grants int
	for _, pol := range Resources(tpl, "AWS::IAM::Policy") {
		for _, st := range Props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			if st["Action"] != "vpce:AllowMultiRegion" {
				continue
			}
			grants++
			res := fmt.Sprint(w.Resolve(t, st["Resource"]))
			if res != "[arn:aws:ec2:eu-west-1:111111111111:vpc-endpoint-service/vpce-svc-0123456789abcdef0 arn:aws:ec2:*:*:vpc-endpoint/*]" {
				t.Errorf("vpce:AllowMultiRegion on %s, want this service and the endpoints that connect to it", res)
			}
		}
	}
	if grants != 2 {
		t.Errorf("%d vpce:AllowMultiRegion grants, want 2 (the provider's function and the acceptor)", grants)
	}
}

func TestProviderNamesAndArnsFollowThePartition(t *testing.T) {
	for _, c := range []struct{ region, partition, prefix string }{
		{"cn-north-1", "aws-cn", "cn.com.amazonaws.vpce"}, {"us-gov-west-1", "aws-us-gov", "com.amazonaws.vpce"}, {"eu-west-1", "aws", "com.amazonaws.vpce"},
		{"us-iso-east-1", "aws-iso", "gov.ic.c2s.vpce"}, {"us-isob-east-1", "aws-iso-b", "gov.sgov.sc2s.vpce"}, {"eu-isoe-west-1", "aws-iso-e", "uk.adc-e.cloud.vpce"},
		{"us-isof-south-1", "aws-iso-f", "gov.ic.hci.csp.vpce"}, {"eusc-de-east-1", "aws-eusc", "eu.amazonaws.vpce"},
	} {
		t.Run(c.region, func(t *testing.T) {
			tpl := Synth(t, "provider-partition-"+c.region, func(app awscdk.App) error {
				stack := awscdk.NewStack(app, jsii.String("P"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String(c.region)}})
				// The isolated partitions' AZ IDs are not in the library's table: any
				// well-formed ID is taken there.
				azs := awsid.AZIDsOf(c.region)
				if azs == nil {
					azs = []string{"xx1-az1"}
				}
				p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
					AvailabilityZoneIds: azs[:1], Listeners: []provider.Listener{{Port: 443}},
					AllowedPrincipals: []string{"222222222222", "arn:" + c.partition + ":iam::333333333333:role/consumer"},
				})
				acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
				return nil
			}).Templates["P"]
			w := serviceWorld(tpl, "111111111111", c.region)
			if got := w.Resolve(t, Output(t, tpl, "Endpoint service name")); got != c.prefix+"."+c.region+".vpce-svc-0123456789abcdef0" {
				t.Errorf("ServiceName = %v", got)
			}
			_, perms := Only(t, Resources(tpl, "AWS::EC2::VPCEndpointServicePermissions"))
			if got := fmt.Sprint(Props(perms)["AllowedPrincipals"]); got != "[arn:"+c.partition+":iam::222222222222:root arn:"+c.partition+":iam::333333333333:role/consumer]" {
				t.Errorf("AllowedPrincipals = %s", got)
			}
			// Every ARN a policy names is in the stack's partition.
			for id, pol := range Resources(tpl, "AWS::IAM::Policy") {
				for _, st := range Props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
					res := w.Resolve(t, st.(map[string]any)["Resource"])
					list, ok := res.([]any)
					if !ok {
						list = []any{res}
					}
					for _, r := range list {
						if s := fmt.Sprint(r); s != "*" && !strings.HasPrefix(s, "arn:"+c.partition+":") {
							t.Errorf("%s grants on %s, outside partition %s", id, s, c.partition)
						}
					}
				}
			}
		})
	}
}

func TestServiceNamePrefixesAreAwsCdkLibsForEveryRegion(t *testing.T) {
	for _, p := range awsid.Partitions {
		checked := 0
		for _, r := range p.Regions {
			want := regioninfo.RegionInfo_Get(jsii.String(r)).VpcEndpointServiceNamePrefix()
			if want == nil {
				// A Region the SDK lists before aws-cdk-lib's region-info does (sa-west-1 in
				// aws-cdk-lib 2.277): nothing to hold it to.
				continue
			}
			checked++
			if *want != awsid.ServiceNamePrefix(r) {
				t.Errorf("%s: prefix %s, aws-cdk-lib region-info says %s", r, awsid.ServiceNamePrefix(r), *want)
			}
		}
		if checked == 0 {
			t.Errorf("partition %s: aws-cdk-lib region-info knows none of its Regions", p.Name)
		}
	}
}

func TestAnEnvironmentAgnosticServiceNameFollowsThePartitionAtDeploy(t *testing.T) {
	tpl := Synth(t, "provider-agnostic", func(app awscdk.App) error {
		stack := awscdk.NewStack(app, jsii.String("P"), nil)
		nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerAttributes{
			LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/api/0123456789abcdef")})
		provider.NewProvider(stack, "Provider", &provider.ProviderProps{LoadBalancer: nlb, SupportedIpAddressTypes: []string{"ipv4"}, AllowedPrincipals: []string{"222222222222"}})
		return nil
	}).Templates["P"]
	for _, p := range awsid.Partitions {
		w := serviceWorld(tpl, "111111111111", p.Regions[0])
		if got, want := w.Resolve(t, Output(t, tpl, "Endpoint service name")), p.ServiceNamePrefix()+"."+p.Regions[0]+".vpce-svc-0123456789abcdef0"; got != want {
			t.Errorf("in %s the ServiceName output is %v, want %s", p.Regions[0], got, want)
		}
	}
}

// aws-cdk-lib copies a mapping that another stack's token reads into that stack
// (MappingCopy…), so the partition lookup works in the consumer's template too.
func TestAnAgnosticConsumerOfAnAgnosticProviderReadsNoMappingOfAnotherTemplate(t *testing.T) {
	f := Synth(t, "agnostic-pair", func(app awscdk.App) error {
		ps := awscdk.NewStack(app, jsii.String("P"), nil)
		nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(ps, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerAttributes{
			LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/api/0123456789abcdef")})
		p := provider.NewProvider(ps, "Provider", &provider.ProviderProps{LoadBalancer: nlb, SupportedIpAddressTypes: []string{"ipv4"}, ServicePorts: []provider.ServicePort{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
		cs := awscdk.NewStack(app, jsii.String("C"), nil)
		vpc := awsec2.NewVpc(cs, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Isolated"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
		consumer.NewConsumer(cs, "Consumer", &consumer.ConsumerProps{Provider: p, Vpc: vpc, IpAddressType: consumer.IPv4})
		return nil
	}, NoControlTowerCheck)
	c := f.JSON["C"]
	mappings, _ := c["Mappings"].(map[string]any)
	var missing []string
	EachObject(c["Resources"], func(x map[string]any) {
		if fm, ok := x["Fn::FindInMap"].([]any); ok {
			if _, has := mappings[fmt.Sprint(fm[0])]; !has {
				missing = append(missing, fmt.Sprint(fm[0]))
			}
		}
	})
	if len(missing) > 0 {
		t.Errorf("the consumer's template looks up mappings it does not have: %v", missing)
	}

	_, ep := Only(t, Resources(f.Templates["C"], "AWS::EC2::VPCEndpoint"))
	w := serviceWorld(f.Templates["C"], "222222222222", "us-iso-east-1")
	if got := fmt.Sprint(w.Resolve(t, Props(ep)["ServiceName"])); !strings.HasPrefix(got, "gov.ic.c2s.vpce.us-iso-east-1.") {
		t.Errorf("in us-iso-east-1 the endpoint's ServiceName is %s", got)
	}
}

func TestDeletingTheServiceRejectsItsConnectionsFirst(t *testing.T) {
	tpl := Golden(t, "default").Templates[privatelinkapp.ProviderStackName]
	svcID, _ := Only(t, Resources(tpl, "AWS::EC2::VPCEndpointService"))
	_, cleanup := Only(t, Resources(tpl, "Custom::EndpointServiceCleanup"))
	// Referencing the service makes CloudFormation delete the cleanup (and so reject) first.
	if got := fmt.Sprint(Props(cleanup)["ServiceId"]); got != "map[Fn::GetAtt:["+svcID+" ServiceId]]" {
		t.Fatalf("cleanup ServiceId = %s, want the service's", got)
	}
	w := serviceWorld(tpl, "111111111111", "eu-west-1")
	fn := Props(cleanup)["ServiceToken"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	role := Props(Resources(tpl, "AWS::Lambda::Function")[fn])["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	var found bool
	for _, pol := range Resources(tpl, "AWS::IAM::Policy") {
		if fmt.Sprint(Props(pol)["Roles"]) != "[map[Ref:"+role+"]]" {
			continue
		}
		for _, st := range Props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			if st["Action"] == "ec2:RejectVpcEndpointConnections" {
				found = true
				if got := fmt.Sprint(w.Resolve(t, st["Resource"])); got != "[arn:aws:ec2:eu-west-1:111111111111:vpc-endpoint-service/vpce-svc-0123456789abcdef0 arn:aws:ec2:eu-west-1:*:vpc-endpoint/*]" {
					t.Errorf("reject granted on %s", got)
				}
			}
		}
	}
	if !found {
		t.Fatal("the cleanup function's role cannot reject connections")
	}
}

func TestProviderRefusesAtSynthWhatAWSWouldRefuseAtDeploy(t *testing.T) {
	cases := []struct {
		name  string
		build func(stack awscdk.Stack)
		want  []string
	}{
		{"two providers publishing one NLB", func(stack awscdk.Stack) {
			vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			nlb := elbv2.NewNetworkLoadBalancer(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerProps{Vpc: vpc})
			for _, id := range []string{"One", "Two"} {
				provider.NewProvider(stack, id, &provider.ProviderProps{LoadBalancer: nlb, SupportedIpAddressTypes: []string{"ipv4"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
			}
		}, []string{"ProviderProps.LoadBalancer", "/Nlb is already published by the provider", "/One", "an NLB backs at most one endpoint service"}},
		{"two providers publishing one imported NLB", func(stack awscdk.Stack) {
			vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			for _, id := range []string{"One", "Two"} {
				nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String(id+"Nlb"), &elbv2.NetworkLoadBalancerAttributes{
					LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/api/0123456789abcdef"), Vpc: vpc,
					LoadBalancerDnsName: jsii.String("api-0123456789abcdef.elb.eu-west-1.amazonaws.com"),
				})
				provider.NewProvider(stack, id, &provider.ProviderProps{LoadBalancer: nlb, SupportedIpAddressTypes: []string{"ipv4"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
			}
		}, []string{"/TwoNlb is already published by the provider", "/One"}},
		{"two acceptors with one function name", func(stack awscdk.Stack) {
			for _, id := range []string{"One", "Two"} {
				p := provider.NewProvider(stack, id, &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
				acceptor.NewAcceptor(stack, id+"Acceptor", &acceptor.AcceptorProps{Service: p})
			}
		}, []string{`AcceptorProps.FunctionName "privatelink-acceptor-Err2" is already used by the acceptor`, "/OneAcceptor", "set a different FunctionName on one of them"}},
		{"a hosted zone that is not a parent of the name", func(stack awscdk.Stack) {
			provider.NewProvider(stack, "P", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, PrivateDnsName: "api.example.org", HostedZone: Zone(stack)})
		}, []string{`ProviderProps.PrivateDnsName "api.example.org" is outside HostedZone "example.com"`}},
		{"a hosted zone ID that is not one", func(stack awscdk.Stack) {
			z := awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes(stack, jsii.String("Z"), &awsroute53.PublicHostedZoneAttributes{HostedZoneId: jsii.String("/hostedzone/Z0123"), ZoneName: jsii.String("example.com")})
			provider.NewProvider(stack, "P", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, PrivateDnsName: "api.example.com", HostedZone: z})
		}, []string{`ProviderProps.HostedZone has the ID "/hostedzone/Z0123", which is not a Route 53 hosted zone ID`, "without /hostedzone/"}},
		{"a second provider given the NLB the first one created", func(stack awscdk.Stack) {
			first := provider.NewProvider(stack, "One", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
			provider.NewProvider(stack, "Two", &provider.ProviderProps{LoadBalancer: first.LoadBalancer(), Listeners: []provider.Listener{{Port: 8443}}, AllowedPrincipals: []string{"222222222222"}})
		}, []string{"ProviderProps.LoadBalancer Err5/One/LoadBalancer is already published by the provider Err5/One", "an NLB backs at most one endpoint service"}},
		{"a private hosted zone for the verification record", func(stack awscdk.Stack) {
			vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			z := awsroute53.NewPrivateHostedZone(stack, jsii.String("Internal"), &awsroute53.PrivateHostedZoneProps{ZoneName: jsii.String("example.com"), Vpc: vpc})
			provider.NewProvider(stack, "P", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, PrivateDnsName: "api.example.com", HostedZone: z})
		}, []string{"ProviderProps.HostedZone Err6/Internal is a private hosted zone, but AWS verifies the private DNS name's TXT record through public DNS", "give the public zone of \"api.example.com\"", "or leave HostedZone unset"}},
		{"a hosted zone created with VPCs", func(stack awscdk.Stack) {
			vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			z := awsroute53.NewHostedZone(stack, jsii.String("WithVpcs"), &awsroute53.HostedZoneProps{ZoneName: jsii.String("example.com"), Vpcs: &[]awsec2.IVpc{vpc}})
			provider.NewProvider(stack, "P", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, PrivateDnsName: "api.example.com", HostedZone: z})
		}, []string{"ProviderProps.HostedZone Err7/WithVpcs is a private hosted zone"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := NewApp()
			stack := ProviderStack(app, fmt.Sprintf("Err%d", i))
			MustContain(t, PanicMessage(func() { c.build(stack) }), c.want...)
		})
	}
}

func TestValidateRefusesAPrivateZoneImportedByIDWithoutPanicking(t *testing.T) {
	stack := In("eu-west-1")
	p := ValidProvider()
	p.HostedZone = awsroute53.PrivateHostedZone_FromPrivateHostedZoneId(stack, jsii.String("Internal"), jsii.String("Z0123456789ABCDEFGHIJ"))
	var err error
	if msg := PanicMessage(func() { err = p.Validate(stack, "Provider") }); msg != "" {
		t.Fatalf("Validate panicked: %s", msg)
	}
	MustContain(t, ErrString(err), "ProviderProps.HostedZone Scratch/Internal is a private hosted zone")
	// A public zone imported by ID alone has no name to check the private DNS name against,
	// which is no reason to refuse it.
	p.HostedZone = awsroute53.PublicHostedZone_FromPublicHostedZoneId(stack, jsii.String("Public"), jsii.String("Z0123456789ABCDEFGHIJ"))
	if msg := PanicMessage(func() { err = p.Validate(stack, "Provider") }); msg != "" || err != nil {
		t.Fatalf("a public zone imported by ID: panic %q, error %v", msg, err)
	}
}

func TestProviderPropsRefuseWhatAWSWouldRefuse(t *testing.T) {
	cases := []struct {
		name string
		edit func(p *provider.ProviderProps)
		want string
	}{
		{"a verification timeout without a hosted zone", func(p *provider.ProviderProps) { p.VerificationTimeout = 5 * time.Minute },
			"VerificationTimeout 5m0s is set without HostedZone: only Route 53 mode waits for verification"},
		{"an IPv4 address as the private DNS name", func(p *provider.ProviderProps) { p.PrivateDnsName = "10.0.0.1" }, `PrivateDnsName "10.0.0.1" is an IP address`},
		{"an IPv6 address as the private DNS name", func(p *provider.ProviderProps) { p.PrivateDnsName = "2001:db8::1" }, `PrivateDnsName "2001:db8::1" is an IP address`},
		{"a name ending in a numeric label", func(p *provider.ProviderProps) { p.PrivateDnsName = "api.example.123" }, `ends in the all-numeric label "123"`},
		{"the same AZ twice", func(p *provider.ProviderProps) { p.AvailabilityZoneIds = []string{"euw1-az1", "euw1-az1"} }, `AvailabilityZoneIds[1] "euw1-az1" is listed twice`},
		{"something that is no AZ ID", func(p *provider.ProviderProps) { p.AvailabilityZoneIds = []string{"eu-west-11"} }, `AvailabilityZoneIds[0] "eu-west-11" is not an Availability Zone ID (a Region code, -az and a number, such as euw1-az1)`},
		{"an AZ name where an ID goes", func(p *provider.ProviderProps) { p.AvailabilityZoneIds = []string{"eu-west-1a"} }, `AvailabilityZoneIds[0] "eu-west-1a" is an Availability Zone name, not an ID`},
		{"an AZ ID of another Region", func(p *provider.ProviderProps) { p.AvailabilityZoneIds = []string{"use1-az1"} }, `AvailabilityZoneIds[0] "use1-az1" is an Availability Zone ID of us-east-1, not of eu-west-1`},
		{"an AZ ID the Region does not have", func(p *provider.ProviderProps) { p.AvailabilityZoneIds = []string{"euw1-az4"} }, `AvailabilityZoneIds[0] "euw1-az4" does not exist in eu-west-1`},
		{"a made-up Region", func(p *provider.ProviderProps) { p.AllowedRegions = []string{"eu-middle-1"} }, `AllowedRegions[0] "eu-middle-1" is not an AWS Region`},
		{"a Region of another partition", func(p *provider.ProviderProps) { p.AllowedRegions = []string{"cn-north-1"} }, `AllowedRegions[0] "cn-north-1" is in another partition than the stack's Region eu-west-1: PrivateLink cannot cross partitions`},
		{"a Region listed twice", func(p *provider.ProviderProps) { p.AllowedRegions = []string{"us-east-1", "us-east-1"} }, `AllowedRegions[1] "us-east-1" is listed twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ValidProvider()
			c.edit(&p)
			MustContain(t, ErrString(p.Validate(In("eu-west-1"), "Under")), "privatelink: ProviderProps.", c.want)
		})
	}
}

func TestTheAppExplainsBadInputInsteadOfPanicking(t *testing.T) {
	cases := []struct {
		name string
		ctx  map[string]any
		want []string
	}{
		{"a hosted zone that is not a parent of the name", map[string]any{"hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.org"},
			[]string{`context key "privateDnsName" (api.example.com) is outside "hostedZoneName" (example.org)`, "give a name ending in .example.org"}},
		{"an empty AZ list", map[string]any{"azIds": ""}, []string{`context key "azIds" is empty: give a value (AZ IDs of both VPCs`, "or remove the key (from -c, cdk.json or ~/.cdk.json) for its default"}},
		{"an AZ list of commas", map[string]any{"azIds": " , "}, []string{`context key "azIds" is ",", which lists nothing`}},
		{"no ports", map[string]any{"ports": ""}, []string{`context key "ports" is empty: give a value (comma-separated ports of the service)`}},
		{"a port out of range", map[string]any{"ports": "443,70000"}, []string{`context key "ports" has 70000, which is out of range: use ports from 1 to 65535`}},
		{"a port twice", map[string]any{"ports": "443,443"}, []string{`context key "ports" lists 443 twice`}},
		{"an empty demo target flag", map[string]any{"demoTarget": ""}, []string{`context key "demoTarget" is empty`}},
		{"proxy protocol with the demo target", map[string]any{"proxyProtocol": "true"}, []string{`context key "proxyProtocol" is true but "demoTarget" is true`, "add -c demoTarget=false"}},
		{"a private DNS name in upper case", map[string]any{"privateDnsName": "API.example.com"}, []string{`context key "privateDnsName" is "API.example.com", which has upper-case letters`}},
		{"a name the certificate created for it cannot hold", map[string]any{"listenerProtocol": "TLS", "hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com", "privateDnsName": strings.Repeat("a", 60) + ".example.com"},
			[]string{`context key(s) privateDnsName: privatelink: ProviderProps.PrivateDnsName "` + strings.Repeat("a", 60) + `.example.com" is 72 characters long`}},
		{"provider and consumer in different partitions", map[string]any{"consumerRegion": "cn-north-1"},
			[]string{`"region" (eu-west-1) and "consumerRegion" (cn-north-1) are in different AWS partitions`}},
		{"a hosted zone ID with its path prefix", map[string]any{"hostedZoneId": "/hostedzone/Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com"},
			[]string{`context key "hostedZoneId" is "/hostedzone/Z0123456789ABCDEFGHIJ", which is not a Route 53 hosted zone ID`}},
		{"a made-up Region", map[string]any{"region": "eu-middle-1"}, []string{`context key "region" is "eu-middle-1", which is not an AWS Region`}},
		{"an AZ name where an AZ ID goes", map[string]any{"azIds": "eu-west-1a"}, []string{`context key "azIds" has "eu-west-1a", which is an Availability Zone name, not an ID`, "aws ec2 describe-availability-zones --region eu-west-1"}},
		{"an AZ ID that does not exist in the Region", map[string]any{"azIds": "euw1-az9"}, []string{`context key "azIds" has "euw1-az9", which does not exist in eu-west-1 (its AZ IDs are euw1-az1, euw1-az2, euw1-az3)`}},
		{"an AZ ID of another Region", map[string]any{"azIds": "use1-az1"}, []string{`context key "azIds" has "use1-az1", which is an Availability Zone ID of us-east-1, not of eu-west-1`}},
		{"the same AZ ID twice", map[string]any{"azIds": "euw1-az1,euw1-az1"}, []string{`context key "azIds" lists "euw1-az1" twice`}},
		{"consumer AZ IDs the provider does not serve", map[string]any{"azIds": "euw1-az1,euw1-az2", "consumerAzIds": "euw1-az2,euw1-az3"},
			[]string{`context key "consumerAzIds" has ["euw1-az3"], which the provider does not serve ("azIds" is ["euw1-az1" "euw1-az2"])`}},
		{"a wait of zero", map[string]any{"acceptanceTimeout": "0"}, []string{`context key "acceptanceTimeout" is "0", which is out of range: use 1m to 55m in whole seconds, such as 45m (CloudFormation waits at most an hour`}},
		{"a wait over CloudFormation's hour", map[string]any{"hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com", "verificationTimeout": "2h"},
			[]string{`context key "verificationTimeout" is "2h", which is out of range: use 1m to 55m`}},
		{"a wait that is not a duration", map[string]any{"acceptanceTimeout": "abc"}, []string{`context key "acceptanceTimeout" is "abc", which is not a Go duration: use minutes such as 45m (from 1m to 55m)`}},
		{"a verification wait in external DNS mode", map[string]any{"verificationTimeout": "45m"},
			[]string{`context key "verificationTimeout" is "45m", but only Route 53 mode waits for verification: set hostedZoneId and hostedZoneName, or drop verificationTimeout`}},
		{"the keys of the outputs-file handoff", map[string]any{"serviceName": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", "outputsFile": "cdk-outputs.json"},
			[]string{`context key "outputsFile" is gone: each consumer stack reads the provider's service name when it deploys (Fn::GetStackOutput)`, `context key "serviceName" is gone`, "consumer.ReadHandoffFile"}},
		{"the provider's account among the consumers", map[string]any{"consumerAccount": "222222222222,111111111111"},
			[]string{`context key "consumerAccount" has "111111111111", which is the provider's account ("providerAccount")`}},
		{"a consumer account twice", map[string]any{"consumerAccount": "222222222222,333333333333,222222222222@us-east-1"},
			[]string{`context key "consumerAccount" lists the account 222222222222 twice ("222222222222" and "222222222222@us-east-1"): the app deploys one consumer stack per account`}},
		{"a malformed consumer account", map[string]any{"consumerAccount": "222222222222,33333333333"},
			[]string{`context key "consumerAccount" has "33333333333", whose account "33333333333" is not a 12-digit AWS account ID`, "222222222222@us-east-1 for a consumer in another Region"}},
		{"a malformed consumer Region", map[string]any{"consumerAccount": "222222222222@eu-middle-1"},
			[]string{`context key "consumerAccount" has "222222222222@eu-middle-1", whose Region "eu-middle-1" is not an AWS Region`}},
		{"a consumer Region of another partition", map[string]any{"consumerAccount": "222222222222,333333333333@cn-north-1"},
			[]string{`context key "consumerAccount" has "333333333333@cn-north-1", whose Region cn-north-1 is in the aws-cn partition, but the provider's "region" eu-west-1 is in aws: PrivateLink and Fn::GetStackOutput cannot cross partitions`}},
		{"a demo instance type without the demo target", map[string]any{"demoTarget": "false", "demoInstanceType": "m7g.medium"},
			[]string{`context key(s) demoInstanceType; demoTarget: privatelink: ProviderProps.DemoInstanceType "m7g.medium" is set, but ProviderProps.DemoTarget is false`}},
		{"a test client type the strict mode refuses", map[string]any{"controlTower": "strict", "serverAccessLogsBucket": "my-s3-access-logs", "testClient": "true", "testClientInstanceType": "t4g.nano"},
			[]string{`context key(s) testClientInstanceType: privatelink: ConsumerProps.TestClientInstanceType "t4g.nano" with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails`}},
		{"the old AZ-name keys", map[string]any{"providerAzs": "eu-west-1a", "consumerAzs": "eu-west-1a"},
			[]string{`context key "consumerAzs" is gone`, `use "consumerAzIds"`, `context key "providerAzs" is gone`, `use "azIds"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := NewApp()
			for k, v := range c.ctx {
				app.Node().SetContext(jsii.String(k), v)
			}
			var err error
			if msg := PanicMessage(func() { _, err = privatelinkapp.Build(app) }); msg != "" {
				t.Fatalf("Build panicked: %s", msg)
			}
			MustContain(t, ErrString(err), c.want...)
		})
	}
}

func TestWhatReadsTheVpcIpv6RangeWaitsForItsAssociation(t *testing.T) {
	// VPC.Ipv6CidrBlocks is empty until the AWS::EC2::VPCCidrBlock exists; Fn::Select of it
	// fails before (aws-cdk#36714), so every reader must depend on the association.
	for _, name := range []string{"default", "route53", "crossregion-proxy"} {
		for stack, tpl := range Golden(t, name).Templates {
			blocks := Resources(tpl, "AWS::EC2::VPCCidrBlock")
			n := 0
			for id, r := range Resources(tpl, "") {
				raw := fmt.Sprint(Props(r))
				if !strings.Contains(raw, "Ipv6CidrBlocks") {
					continue
				}
				n++
				deps, _ := r["DependsOn"].([]any)
				waits := false
				for _, d := range deps {
					_, isBlock := blocks[d.(string)]
					waits = waits || isBlock
				}
				if !waits {
					t.Errorf("%s/%s %s reads VPC.Ipv6CidrBlocks without depending on the VPCCidrBlock (DependsOn %v)", name, stack, id, deps)
				}
			}
			if n == 0 {
				t.Errorf("%s/%s: nothing reads the VPC's IPv6 range", name, stack)
			}
		}
	}
}

// writeFile writes content to a new file of the test and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	f := t.TempDir() + "/cdk-outputs.json"
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAWaitingCustomResourceWaitsInAStateMachineThatInvokesItsOwnFunction resolves, for each
// waiting custom resource of both stacks, what AWS reads: the state machine its
// WaitStateMachineArn names runs cfnresponse's definition against the very function of its
// ServiceToken; the machine's role may invoke that function only and be assumed by Step
// Functions for this account only; and the function's permission to start, list and stop the
// machine's executions is a policy in force before the resource is created (it depends on it).
func TestAWaitingCustomResourceWaitsInAStateMachineThatInvokesItsOwnFunction(t *testing.T) {
	ctx := map[string]any{"verificationTimeout": "45m", "acceptanceTimeout": "40m"}
	for k, v := range AppConfigs["route53"] {
		ctx[k] = v
	}
	f := AppWith(t, "route53-long-waits", ctx)
	accounts := map[string]string{privatelinkapp.ProviderStackName: "111111111111", privatelinkapp.ConsumerStackName: "222222222222"}
	n := 0
	for stack, tpl := range f.Templates {
		all := Resources(tpl, "")
		w := World{Account: accounts[stack], Region: "eu-west-1", Refs: map[string]string{}, Attrs: map[string]any{}}
		for id, r := range all {
			switch r["Type"] {
			case "AWS::Lambda::Function":
				w.Attrs[id+".Arn"] = "arn:aws:lambda:eu-west-1:" + w.Account + ":function:" + id
			case "AWS::IAM::Role":
				w.Attrs[id+".Arn"], w.Refs[id] = "arn:aws:iam::"+w.Account+":role/"+id, id
			case "AWS::StepFunctions::StateMachine":
				w.Refs[id] = "arn:aws:states:eu-west-1:" + w.Account + ":stateMachine:" + id
				w.Attrs[id+".Arn"], w.Attrs[id+".Name"] = w.Refs[id], id
			}
		}
		for id, r := range all {
			p := Props(r)
			if _, ok := p[waitspec.StateMachineProperty]; !ok {
				continue
			}
			n++
			fnID := p["ServiceToken"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			fnArn, fnProps := w.Attrs[fnID+".Arn"], Props(all[fnID])
			machineArn := w.Resolve(t, p[waitspec.StateMachineProperty]).(string)
			machineID := machineArn[strings.LastIndex(machineArn, ":")+1:]
			machine := Props(all[machineID])

			// The definition, as Step Functions reads it after DefinitionSubstitutions.
			def := machine["DefinitionString"].(string)
			if want := waitspec.StateMachineDefinition(time.Duration(fnProps["Timeout"].(float64)) * time.Second); def != want {
				t.Errorf("%s: definition differs from waitspec.StateMachineDefinition", machineID)
			}
			// cfn-lint E3601 (StateMachineDefinition.py) checks each Task's Resource against
			// ^arn:aws:… before substituting, and skips only a string that is exactly one
			// substitution key: anything else would be reported to a user running cfn-lint.
			subs := machine["DefinitionSubstitutions"].(map[string]any)
			var parsed struct {
				States map[string]struct{ Type, Resource string }
			}
			if err := json.Unmarshal([]byte(def), &parsed); err != nil {
				t.Fatal(err)
			}
			for name, st := range parsed.States {
				key := strings.TrimSuffix(strings.TrimPrefix(st.Resource, "${"), "}")
				if _, whole := subs[key]; st.Type == "Task" && !strings.HasPrefix(st.Resource, "arn:aws:") && !(whole && st.Resource == "${"+key+"}") {
					t.Errorf("%s: state %s has Resource %q, which cfn-lint E3601 reports (neither arn:aws:… nor one substitution)", machineID, name, st.Resource)
				}
			}
			for k, v := range subs {
				def = strings.ReplaceAll(def, "${"+k+"}", fmt.Sprint(w.Resolve(t, v)))
			}
			if !strings.Contains(def, `"FunctionName":"`+fnArn.(string)+`"`) || !strings.Contains(def, `"Resource":"arn:aws:states:::lambda:invoke"`) || strings.Contains(def, "${") {
				t.Errorf("%s of %s: resolved definition %s does not invoke %s through arn:aws:states:::lambda:invoke", machineID, id, def, fnArn)
			}
			if machine["StateMachineType"] != "STANDARD" {
				t.Errorf("%s: type %v, want STANDARD (exactly-once states)", machineID, machine["StateMachineType"])
			}

			// The machine's role: assumed by Step Functions of this account, invoking this function only.
			role := all[strings.Split(fmt.Sprint(w.Resolve(t, machine["RoleArn"])), "role/")[1]]
			trust, _ := json.Marshal(w.Resolve(t, Props(role)["AssumeRolePolicyDocument"]))
			if !strings.Contains(string(trust), `"Service":"states.amazonaws.com"`) || !strings.Contains(string(trust), `"aws:SourceAccount":"`+w.Account+`"`) {
				t.Errorf("%s role trust = %s, want states.amazonaws.com for account %s only", machineID, trust, w.Account)
			}
			// Inline, so that the role's permissions exist when CreateStateMachine checks the
			// log delivery: invoking this function, and logging and tracing, which the Step
			// Functions Developer Guide grants on * (no resource-level permissions).
			inline, _ := json.Marshal(w.Resolve(t, Props(role)["Policies"]))
			wants := []string{
				`"Action":"lambda:InvokeFunction","Effect":"Allow","Resource":"` + fnArn.(string) + `"}],"Version":"2012-10-17"},"PolicyName":"InvokeTheFunction"`,
				`"Action":["logs:CreateLogDelivery","logs:GetLogDelivery","logs:UpdateLogDelivery","logs:DeleteLogDelivery","logs:ListLogDeliveries","logs:PutResourcePolicy","logs:DescribeResourcePolicies","logs:DescribeLogGroups"],"Effect":"Allow","Resource":"*"`,
				`"Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets"],"Effect":"Allow","Resource":"*"`,
			}
			for _, want := range wants {
				if !strings.Contains(string(inline), want) || strings.Count(string(inline), `"Action"`) != len(wants) {
					t.Errorf("%s role policies = %s, want exactly %d statements, one %s", machineID, inline, len(wants), want)
				}
			}

			// Logging (Control Tower CT.STEPFUNCTIONS.PR.1, PR.2): errors only, without the
			// execution data that holds the response URL, to a group under /aws/vendedlogs/.
			logging, _ := machine["LoggingConfiguration"].(map[string]any)
			dests, _ := logging["Destinations"].([]any)
			if logging["Level"] != "ERROR" || logging["IncludeExecutionData"] != false || len(dests) != 1 {
				t.Errorf("%s logging = %v, want ERROR without execution data to one log group", machineID, logging)
			} else {
				ref := dests[0].(map[string]any)["CloudWatchLogsLogGroup"].(map[string]any)["LogGroupArn"].(map[string]any)["Fn::GetAtt"].([]any)
				group := all[ref[0].(string)]
				name := fmt.Sprint(w.Resolve(t, Props(group)["LogGroupName"]))
				// The machine's LogGroupArn has at most 256 characters
				// (AWS::StepFunctions::StateMachine CloudWatchLogsLogGroup), the longest
				// partition and Region counted.
				arn := "arn:aws-us-gov:logs:us-gov-west-1:111111111111:log-group:" + name + ":*"
				if group["Type"] != "AWS::Logs::LogGroup" || !strings.HasPrefix(name, "/aws/vendedlogs/states/") || len(arn) > 256 || Props(group)["RetentionInDays"] != 365.0 {
					t.Errorf("%s logs to %v named %q (ARN up to %d characters), want a log group kept 365 days under /aws/vendedlogs/states/, its ARN at most 256 characters", machineID, ref, name, len(arn))
				}
			}
			if tracing, _ := machine["TracingConfiguration"].(map[string]any); tracing["Enabled"] != true {
				t.Errorf("%s tracing = %v, want enabled", machineID, tracing)
			}

			// The function's policy on the machine: attached to its role, in force before the resource.
			fnRole := w.Resolve(t, fnProps["Role"]).(string)
			var found bool
			for pid, pr := range all {
				if raw, _ := json.Marshal(pr); pr["Type"] != "AWS::IAM::Policy" || !strings.Contains(string(raw), "states:StartExecution") {
					continue
				}
				doc, _ := json.Marshal(w.Resolve(t, Props(pr)["PolicyDocument"]))
				if !strings.Contains(string(doc), "states:StartExecution") {
					continue
				}
				roles, _ := json.Marshal(w.Resolve(t, Props(pr)["Roles"]))
				if !strings.Contains(string(roles), `"`+fnRole[strings.LastIndex(fnRole, "/")+1:]+`"`) || !strings.Contains(string(doc), machineArn) {
					continue
				}
				found = true
				var policy struct {
					Statement []struct{ Action, Resource any }
				}
				_ = json.Unmarshal(doc, &policy)
				got := map[string]string{}
				for _, st := range policy.Statement {
					actions := AsList(st.Action)
					if a, ok := st.Action.(string); ok {
						actions = []string{a}
					}
					for _, a := range actions {
						got[a] = fmt.Sprint(st.Resource)
					}
				}
				want := map[string]string{
					"states:StartExecution": machineArn, "states:ListExecutions": machineArn,
					"states:StopExecution": "arn:aws:states:eu-west-1:" + w.Account + ":execution:" + machineID + ":*",
				}
				if !maps.Equal(got, want) {
					t.Errorf("%s: policy %s grants %v, want %v", id, pid, got, want)
				}
				if deps, _ := r["DependsOn"].([]any); !slices.Contains(deps, any(pid)) {
					t.Errorf("%s does not depend on %s: its first call may come before the policy exists", id, pid)
				}
			}
			if !found {
				t.Errorf("%s: no policy lets function %s start executions of %s", id, fnID, machineArn)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d waiting custom resources, want 3 (verification, preflight and enabler)", n)
	}
}
