package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

func TestConsumerDefaultIsDualStackWithPrivateDnsOffAtCreationAndEnabledByACustomResource(t *testing.T) {
	tpl := AppWith(t, "default", AppConfigs["default"]).Templates[privatelinkapp.ConsumerStackName]
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), M(
		"VpcEndpointType", "Interface", "IpAddressType", "dualstack", "DnsOptions", M("DnsRecordIpType", "dualstack"), "PrivateDnsEnabled", false,
	))
	tpl.HasResourceProperties(jsii.String("Custom::PrivateDnsEnabler"), M("PrivateDnsEnabled", "true", "TimeoutSeconds", "600", "ConsumerAccount", "222222222222"))
	tpl.HasResource(jsii.String("AWS::EC2::VPCEndpoint"), M("DependsOn", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("ConsumerPreflight"))})))
	tpl.HasResourceProperties(jsii.String("Custom::EndpointPreflight"), M("Ipv6", "true", "PrivateDns", "true"))
	// The acceptance request: served by the consumer's own function, which invokes the
	// acceptor's alias for this account.
	tpl.HasResourceProperties(jsii.String("Custom::EndpointAcceptanceRequest"), M(
		"ServiceToken", M("Fn::GetAtt", []any{"ConsumerFunctionC32BE202", "Arn"}),
		"AcceptorArn", "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider:consumer-222222222222"))
	for _, typ := range []string{"AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::EIP"} {
		tpl.ResourceCountIs(jsii.String(typ), jsii.Number(0))
	}
}

// The bar of one cdk deploy --all: three consumer accounts, one in another Region, and no
// outputs file. Each consumer stack depends on the provider's in the cloud assembly, and its
// endpoint's service name is read when it deploys: Fn::GetStackOutput of an output the provider
// stack has, in the provider's Region, through a role of the provider's account that trusts this
// consumer's execution role and may describe the provider stack. No placeholder anywhere.
func TestEveryConsumerReadsTheServiceNameFromTheProviderWhenItDeploys(t *testing.T) {
	f := AppWith(t, "consumers", AppConfigs["consumers"])
	want := map[string]string{"PrivateLinkConsumer-222222222222": "eu-west-1", "PrivateLinkConsumer-333333333333": "eu-west-1", "PrivateLinkConsumer-444444444444": "eu-central-1"}
	if got := slices.Sorted(maps.Keys(f.Stacks)); !slices.Equal(got, append(slices.Sorted(maps.Keys(want)), privatelinkapp.ProviderStackName)) {
		t.Fatalf("stacks %v, want the provider and %v", got, slices.Sorted(maps.Keys(want)))
	}
	prov := f.JSON[privatelinkapp.ProviderStackName]
	pw := World{Account: "111111111111", Region: "eu-west-1", Stack: privatelinkapp.ProviderStackName}
	_, perms := Only(t, Resources(f.Templates[privatelinkapp.ProviderStackName], "AWS::EC2::VPCEndpointServicePermissions"))
	if got := Props(perms)["AllowedPrincipals"]; !reflect.DeepEqual(got, []any{"arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root", "arn:aws:iam::444444444444:root"}) {
		t.Errorf("allowed principals %v, want the three consumer accounts", got)
	}
	for stack, region := range want {
		var deps []string
		for _, d := range *f.Stacks[stack].Dependencies() {
			deps = append(deps, *d.StackName())
		}
		if !slices.Equal(deps, []string{privatelinkapp.ProviderStackName}) {
			t.Errorf("%s depends on %v, want [%s]: cdk deploy --all must deploy the provider first", stack, deps, privatelinkapp.ProviderStackName)
		}
		if raw, _ := json.Marshal(f.JSON[stack]); strings.Contains(string(raw), "vpce-svc-00000000000000000") {
			t.Errorf("%s holds the placeholder service name", stack)
		}
		account := strings.TrimPrefix(stack, privatelinkapp.ConsumerStackName+"-")
		_, ep := Only(t, Resources(f.Templates[stack], "AWS::EC2::VPCEndpoint"))
		var ref map[string]any
		EachObject(Props(ep)["ServiceName"], func(x map[string]any) {
			if v, ok := x["Fn::GetStackOutput"].(map[string]any); ok {
				ref = v
			}
		})
		if ref == nil {
			t.Errorf("%s: endpoint ServiceName %v is not read at deploy time (no Fn::GetStackOutput)", stack, Props(ep)["ServiceName"])
			continue
		}
		cw := World{Account: account, Region: region, Stack: stack}
		args := cw.Resolve(t, ref).(map[string]any)
		output, ok := prov["Outputs"].(map[string]any)[fmt.Sprint(args["OutputName"])].(map[string]any)
		switch {
		case args["StackName"] != privatelinkapp.ProviderStackName || args["Region"] != "eu-west-1":
			t.Errorf("%s reads stack %v in %v, want %s in eu-west-1", stack, args["StackName"], args["Region"], privatelinkapp.ProviderStackName)
		case !ok:
			t.Errorf("%s reads output %v, which the provider stack does not have", stack, args["OutputName"])
		case args["OutputName"] != "PrivateLinkServiceIdProvider2281708E" || fmt.Sprint(output["Value"]) != "map[Fn::GetAtt:[Provider2281708E ServiceId]]":
			t.Errorf("%s reads output %v = %v, not the service's ID", stack, args["OutputName"], output["Value"])
		}
		name := cw.Resolve(t, Props(ep)["ServiceName"])
		if name != "com.amazonaws.vpce.eu-west-1.<output PrivateLinkProvider."+fmt.Sprint(args["OutputName"])+">" {
			t.Errorf("%s: endpoint ServiceName resolves to %v", stack, name)
		}
		// The role: in the provider's account, one per consumer account, trusting that account
		// when the caller is its execution role, allowed to describe the provider stack alone.
		roleArn := fmt.Sprint(args["RoleArn"])
		if !strings.HasPrefix(roleArn, "arn:aws:iam::111111111111:role/PrivateLinkReader-"+account+"-") {
			t.Errorf("%s reads through %s, not a reader role of its own in the provider's account", stack, roleArn)
		}
		var trusted, described bool
		for id, r := range Resources(f.Templates[privatelinkapp.ProviderStackName], "AWS::IAM::Role") {
			p := pw.Resolve(t, Props(r)).(map[string]any)
			if roleArn != "arn:aws:iam::111111111111:role/"+fmt.Sprint(p["RoleName"]) {
				continue
			}
			doc, _ := json.Marshal(p["AssumeRolePolicyDocument"])
			trusted = string(doc) == `{"Statement":[{"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::`+account+`:role/cdk-hnb659fds-cfn-exec-role-`+account+`-`+region+`"}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"}}],"Version":"2012-10-17"}`
			if !trusted {
				t.Errorf("%s's reader role trusts %s", stack, doc)
			}
			// Its only permission, inline (in force as soon as the role exists).
			inline, _ := json.Marshal(p["Policies"])
			described = string(inline) == `[{"PolicyDocument":{"Statement":[{"Action":"cloudformation:DescribeStacks","Effect":"Allow","Resource":"arn:aws:cloudformation:eu-west-1:111111111111:stack/PrivateLinkProvider/`+pw.StackUUID()+`","Sid":"DescribeTheProviderStackOnly"}],"Version":"2012-10-17"},"PolicyName":"DescribeTheProviderStack"}]`
			if !described {
				t.Errorf("%s's reader role may %s", stack, inline)
			}
			for _, pol := range Resources(f.Templates[privatelinkapp.ProviderStackName], "AWS::IAM::Policy") {
				if fmt.Sprint(Props(pol)["Roles"]) == "[map[Ref:"+id+"]]" {
					t.Errorf("%s's reader role has another policy, %v", stack, Props(pol)["PolicyDocument"])
				}
			}
		}
		if !trusted || !described {
			t.Errorf("%s reads through %s: trusts its execution role %v, may describe the provider stack %v", stack, roleArn, trusted, described)
		}
	}
	if raw, _ := json.Marshal(prov); strings.Contains(string(raw), "vpce-svc-00000000000000000") {
		t.Error("the provider stack holds the placeholder service name")
	}
	for stack := range f.Stacks {
		found, err := f.Annotations(stack)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range found {
			if a.Level == "warning" && strings.Contains(a.Text, "laceholder") {
				t.Errorf("%s warns: %s", stack, a.Text)
			}
		}
	}
}

// A weak reference is read again only when the consuming stack is updated, and cdk deploy skips
// a stack whose template did not change. A provider whose endpoint service is replaced (a new
// logical ID, as a renamed construct gives it: a new service ID) must still change every
// consumer's template in another account, so that the next deploy --all updates it: the output
// it reads is named after the service's logical ID, so the endpoint's ServiceName reads another
// output, and a new ServiceName replaces the endpoint (AWS::EC2::VPCEndpoint ServiceName:
// "Update requires: Replacement").
func TestAReplacedServiceChangesEveryConsumersTemplate(t *testing.T) {
	synth := func(providerID string) (string, map[string]any) {
		f := Synth(t, "replaced-service-"+providerID, func(app awscdk.App) error {
			ps := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{Env: EuWest1})
			p := provider.NewProvider(ps, providerID, &provider.ProviderProps{
				AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"},
			})
			cs := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")}})
			consumer.NewConsumer(cs, "Consumer", &consumer.ConsumerProps{Provider: p})
			return nil
		}, NoControlTowerCheck)
		_, ep := Only(t, Resources(f.Templates["Consumer"], "AWS::EC2::VPCEndpoint"))
		var name string
		EachObject(Props(ep)["ServiceName"], func(x map[string]any) {
			if v, ok := x["Fn::GetStackOutput"].(map[string]any); ok {
				name = fmt.Sprint(v["OutputName"])
			}
		})
		return name, f.JSON["Provider"]["Outputs"].(map[string]any)
	}
	before, _ := synth("Service")
	after, outputs := synth("ServiceV2")
	if before == after || before == "" {
		t.Fatalf("the consumer reads output %q before and %q after the service is replaced: its template must change, or cdk deploy skips it", before, after)
	}
	if _, ok := outputs[after]; !ok {
		t.Errorf("the consumer reads output %s, which the provider stack does not have after the replacement (it has %v)", after, slices.Sorted(maps.Keys(outputs)))
	}
}

func TestConsumerSecurityGroupAdmitsIPv4AndIPv6OnTheServicePortsOnly(t *testing.T) {
	tpl := AppWith(t, "default", AppConfigs["default"]).Templates[privatelinkapp.ConsumerStackName]
	tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), M(
		"GroupDescription", "PrivateLink endpoint: service ports from allowed clients only",
		"SecurityGroupIngress", []any{
			Like("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIp", assertions.Match_AnyValue()),
			Like("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "CidrIpv6", assertions.Match_AnyValue()),
		},
		// No egress: CDK's placeholder rule that matches nothing.
		"SecurityGroupEgress", []any{Like("CidrIp", "255.255.255.255/32", "Description", "Disallow all traffic")},
	))
}

func TestConsumerCrossRegionUsesServiceRegionAndAllowMultiRegion(t *testing.T) {
	f := AppWith(t, "crossregion-proxy", AppConfigs["crossregion-proxy"])
	c := f.Templates[privatelinkapp.ConsumerStackName]
	c.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), M("ServiceRegion", "eu-west-1"))
	// A cross-region consumer asks for acceptance too: its function calls the acceptor in the
	// provider's Region, where a ServiceToken could not reach.
	c.HasResourceProperties(jsii.String("Custom::EndpointAcceptanceRequest"), M(
		"AcceptorArn", "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider:consumer-222222222222"))
	c.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M("PolicyDocument", M("Statement", assertions.Match_ArrayWith(&[]any{Like("Sid", "CrossRegionEndpoint", "Action", "vpce:AllowMultiRegion")}))))
	p := f.Templates[privatelinkapp.ProviderStackName]
	p.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpointService"), M("SupportedRegions", []string{"eu-west-1", "eu-central-1"}))
	p.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), jsii.Number(2))
}

func TestConsumerRefusesADualStackEndpointOnSubnetsWithoutIPv6(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "ConsumerV4")
	vpc := awsec2.NewVpc(stack, jsii.String("V4"), &awsec2.VpcProps{AvailabilityZones: jsii.Strings("eu-west-1a"), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("I"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	props := &consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc}
	msg := Refusal(t, func() error { return props.Validate(stack, "Api") }, func() { consumer.NewConsumer(stack, "Api", props) })
	MustContain(t, msg, `ConsumerProps.IpAddressType "dualstack" needs IPv6 on every endpoint subnet`,
		"ConsumerV4/V4/ISubnet1 has no IPv6 CIDR", `give a dual-stack VPC or set IpAddressType to "ipv4"`)
}

func TestConsumerRefusesPrivateDnsInAVpcWithoutDnsHostnames(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "ConsumerNoDns")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{AvailabilityZones: jsii.Strings("eu-west-1a"), NatGateways: jsii.Number(0),
		IpProtocol: awsec2.IpProtocol_DUAL_STACK, EnableDnsHostnames: jsii.Bool(false),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("I"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	props := &consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc}
	msg := Refusal(t, func() error { return props.Validate(stack, "Api") }, func() { consumer.NewConsumer(stack, "Api", props) })
	MustContain(t, msg, "ConsumerProps.PrivateDns needs DNS support and DNS hostnames", "ConsumerNoDns/Vpc has EnableDnsHostnames off",
		"set EnableDnsHostnames to true on the VPC", "or set PrivateDns to false")
}

func TestConsumerLookupSupportedAzsPlacesTheEndpointOnlyInServedAzs(t *testing.T) {
	const name = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
	tpl := Synth(t, "consumer-lookup", func(app awscdk.App) error {
		// What `cdk synth` would have cached after the lookup: the service serves one of our two AZs.
		app.Node().SetContext(jsii.String("endpoint-service-availability-zones:account=111111111111:region=eu-west-1:serviceName="+name), []string{"eu-west-1b"})
		stack := ProviderStack(app, "ConsumerLookup")
		// A VPC the user brings, whose subnets are placed by AZ name: where the lookup applies.
		vpc := awsec2.NewVpc(stack, jsii.String("Own"), &awsec2.VpcProps{AvailabilityZones: jsii.Strings("eu-west-1a", "eu-west-1b"), NatGateways: jsii.Number(0),
			IpProtocol: awsec2.IpProtocol_DUAL_STACK, RestrictDefaultSecurityGroup: jsii.Bool(false),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("I"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
		consumer.NewConsumer(stack, "Api", &consumer.ConsumerProps{
			ServiceName: name, Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc, LookupSupportedAzs: true,
		})
		return nil
	}).Templates["ConsumerLookup"]
	endpoints := tpl.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), nil)
	for id, r := range *endpoints {
		subnets := (*r)["Properties"].(map[string]any)["SubnetIds"].([]any)
		if len(subnets) != 1 {
			t.Fatalf("%s is in %d subnets %v, want only the one in eu-west-1b", id, len(subnets), subnets)
		}
		if ref := subnets[0].(map[string]any)["Ref"]; !strings.Contains(ref.(string), "Subnet2") {
			t.Errorf("%s is in %v, want the second AZ's subnet", id, ref)
		}
	}
	if len(*endpoints) != 1 {
		t.Fatalf("%d endpoints, want 1", len(*endpoints))
	}
	// One subnet means DnsEntries holds the regional name and one zonal name: selecting a second
	// zonal entry would fail the deploy.
	outputs := tpl.FindOutputs(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String("^Endpoint zonal DNS names"))))
	raw, _ := json.Marshal(outputs)
	if n := strings.Count(string(raw), `"Fn::Select":[`); n != 2 { // the name part of entry 1, and entry 1 itself
		t.Errorf("zonal DNS names output selects %d times, want 2 (one zonal entry): %s", n, raw)
	}
	if strings.Contains(string(raw), `"Fn::Select":[2,`) {
		t.Errorf("zonal DNS names output selects DnsEntries[2], which does not exist with one subnet: %s", raw)
	}
	// The preflight checks the subnets the endpoint really gets, not the VPC's selection.
	for id, r := range *tpl.FindResources(jsii.String("Custom::EndpointPreflight"), nil) {
		got, _ := json.Marshal((*r)["Properties"].(map[string]any)["SubnetIds"])
		if !strings.Contains(string(got), "Subnet2") || strings.Contains(string(got), "Subnet1") {
			t.Errorf("%s checks subnets %s, want only the endpoint's (the second AZ's)", id, got)
		}
	}
}

func TestTestClientIsReachableThroughSSMWithoutInternet(t *testing.T) {
	tpl := AppWith(t, "route53", AppConfigs["route53"]).Templates[privatelinkapp.ConsumerStackName]
	tpl.ResourceCountIs(jsii.String("AWS::EC2::Instance"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(4))
	tpl.HasOutput(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String("^Run on the test client"))))
	tpl.ResourceCountIs(jsii.String("AWS::EC2::InternetGateway"), jsii.Number(0))
}

// normalise replaces what changes without a template change: asset hashes depend on the Go
// toolchain and module versions that built the Lambda, not on the template.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}(\.zip)?`)

// Every function of every configuration runs the one bootstrap, each as the handler its job
// needs: one build and one asset per app, whatever it deploys.
func TestEveryFunctionRunsTheOneBootstrapAsTheHandlerOfItsJob(t *testing.T) {
	handlers := map[string]string{ // by the description the library gives each function
		"Accepts PrivateLink connections":    handler.Acceptor,
		"Waits for private DNS verification": handler.Provider,
		"Checks the endpoint service":        handler.Enabler,
	}
	keys := map[string]bool{}
	served := map[string]int{}
	for name, ctx := range AppConfigs {
		for stack, tpl := range AppWith(t, name, ctx).Templates {
			for id, fn := range Resources(tpl, "AWS::Lambda::Function") {
				p := fn["Properties"].(map[string]any)
				if p["Runtime"] != "provided.al2023" {
					continue // aws-cdk-lib's own Node.js functions
				}
				want := ""
				for prefix, h := range handlers {
					if strings.HasPrefix(fmt.Sprint(p["Description"]), prefix) {
						want = h
					}
				}
				got := p["Environment"].(map[string]any)["Variables"].(map[string]any)[handler.Env]
				if got != want || want == "" || p["Handler"] != "bootstrap" {
					t.Errorf("%s/%s %s (%q) has %s %v and Handler %v, want %q and bootstrap", name, stack, id, p["Description"], handler.Env, got, p["Handler"], want)
				}
				served[want]++
				keys[fmt.Sprint(p["Code"].(map[string]any)["S3Key"])] = true
			}
		}
	}
	if len(keys) != 1 || len(served) != len(handler.All) {
		t.Fatalf("the functions run %d different code assets %v and handlers %v: want one asset serving all of %v", len(keys), slices.Collect(maps.Keys(keys)), served, handler.All)
	}
}

func TestSnapshots(t *testing.T) {
	for name, ctx := range AppConfigs {
		f := AppWith(t, name, ctx)
		for stack, tpl := range f.JSON {
			t.Run(name+"/"+stack, func(t *testing.T) {
				raw, _ := json.MarshalIndent(tpl, "", "  ")
				got := assetHash.ReplaceAllString(string(raw), "<asset-hash>") + "\n"
				file := filepath.Join("testdata", name+"."+stack+".template.json")
				if *Update {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run `go test ./test/app ./test/docs -update` to create it)", err)
				}
				if diff := diffJSON(string(want), got); diff != "" {
					t.Fatalf("%s differs from the synthesized template (run `go test ./test/app ./test/docs -update` if the change is intended):\n%s", file, diff)
				}
			})
		}
	}
}

// diffJSON reports the first differing resources and properties of two templates.
func diffJSON(want, got string) string {
	var a, b map[string]any
	if json.Unmarshal([]byte(want), &a) != nil || json.Unmarshal([]byte(got), &b) != nil {
		if want != got {
			return "golden file is not valid JSON"
		}
		return ""
	}
	var out []string
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		xm, xok := x.(map[string]any)
		ym, yok := y.(map[string]any)
		if xok && yok {
			for k := range xm {
				walk(path+"."+k, xm[k], ym[k])
			}
			for k := range ym {
				if _, ok := xm[k]; !ok {
					walk(path+"."+k, nil, ym[k])
				}
			}
			return
		}
		xs, _ := json.Marshal(x)
		ys, _ := json.Marshal(y)
		if string(xs) != string(ys) && len(out) < 20 {
			out = append(out, "  "+path+"\n    golden: "+trim(string(xs))+"\n    now:    "+trim(string(ys)))
		}
	}
	walk("", a, b)
	return strings.Join(out, "\n")
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestCdkNagAwsSolutionsIsClean(t *testing.T) {
	nag := regexp.MustCompile(`AwsSolutions-.*`) // as Match_StringLikeRegexp matches it
	for _, name := range AppConfigNames() {
		if AppConfigs[name]["nag"] != "true" {
			t.Fatalf("configuration %s is synthesized without cdk-nag", name)
		}
		f := AppWith(t, name, AppConfigs[name])
		for _, stack := range slices.Sorted(maps.Keys(f.Stacks)) {
			found, err := f.Annotations(stack)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range found {
				if (a.Level == "error" || a.Level == "warning") && nag.MatchString(a.Text) {
					t.Errorf("%s/%s: cdk-nag %s at %s: %s", name, stack, a.Level, a.Path, a.Text)
				}
			}
		}
	}
}

// Fixture.Annotations reads the manifest instead of synthesizing the app again: it must find what
// assertions.Annotations_FromStack finds, level by level.
func TestFixtureAnnotationsAreWhatAssertionsFind(t *testing.T) {
	f := Synth(t, "annotations-harness", func(app awscdk.App) error {
		stack := awscdk.NewStack(app, jsii.String("Harness"), &awscdk.StackProps{Env: EuWest1})
		logs := awslogs.NewLogGroup(stack, jsii.String("Logs"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_YEAR})
		awscdk.Annotations_Of(logs).AddWarningV2(jsii.String("AwsSolutions-TEST1"), jsii.String("AwsSolutions-TEST1: a warning"), nil)
		awscdk.Annotations_Of(logs).AddError(jsii.String("AwsSolutions-TEST2: an error"))
		awscdk.Annotations_Of(stack).AddInfo(jsii.String("an info"))
		return nil
	}, NoControlTowerCheck)
	got, err := f.Annotations("Harness")
	if err != nil {
		t.Fatal(err)
	}
	ann := assertions.Annotations_FromStack(f.Stacks["Harness"])
	var want []Annotation
	for level, found := range map[string]*[]*cxapi.SynthesisMessage{
		"error":   ann.FindError(jsii.String("*"), assertions.Match_AnyValue()),
		"warning": ann.FindWarning(jsii.String("*"), assertions.Match_AnyValue()),
		"info":    ann.FindInfo(jsii.String("*"), assertions.Match_AnyValue()),
	} {
		for _, m := range *found {
			want = append(want, Annotation{Level: level, Path: *m.Id, Text: fmt.Sprint(m.Entry.Data)})
		}
	}
	key := func(as []Annotation) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Level+" "+a.Path+" "+a.Text)
		}
		slices.Sort(out)
		return out
	}
	if g, w := key(got), key(want); !slices.Equal(g, w) || len(g) != 3 {
		t.Errorf("Fixture.Annotations:\n%s\nassertions.Annotations:\n%s\nwant the same three", strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}

// The snapshot fixtures run with cdk-nag on; `cdk synth` runs with it off (the app's default).
// The checks must only annotate, so both give the golden templates.
func TestCdkNagChangesNoTemplate(t *testing.T) {
	withNag := AppWith(t, "default", AppConfigs["default"])
	withoutNag := AppWith(t, "default-without-nag", map[string]any{"nag": "false"})
	for stack, tpl := range withNag.JSON {
		if !reflect.DeepEqual(tpl, withoutNag.JSON[stack]) {
			t.Errorf("%s: the template with cdk-nag on differs from the one without", stack)
		}
	}
	// And the fixtures differ where it matters: only the first runs cdk-nag's aspect.
	for _, c := range []struct {
		f    *Fixture
		want int
	}{{withNag, 1}, {withoutNag, 0}} {
		app := c.f.Stacks[privatelinkapp.ProviderStackName].Node().Scope()
		n := 0
		for _, a := range *awscdk.Aspects_Of(app).All() {
			if _, ok := a.(cdknag.AwsSolutionsChecks); ok {
				n++
			}
		}
		if n != c.want {
			t.Errorf("%d AwsSolutions aspects on the app, want %d", n, c.want)
		}
	}
}

// The tests' apps synthesize without aws-cdk-lib's CloudFormation Validate plugin, and Main checks
// their templates with it when the tests end (CloudFormationValidate). That check finds what an
// app's own synth reports: a property AWS::SNS::Topic does not have, in a stack of a known
// environment and in an environment-agnostic one (no account or Region to resolve pseudo
// parameters with); not the W3010 (literal Availability Zones) aws-cdk-lib's Stack acknowledges
// when a VPC reads stack.availabilityZones, nor a finding a construct acknowledged.
func TestTheTestsValidateTheirTemplatesAsAnAppsSynthDoes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs aws-cdk-lib's CloudFormation Validate plugin, which -short does not")
	}
	build := func(app awscdk.App) {
		stack := ProviderStack(app, "Invalid")
		awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0)})
		topic := awscdk.NewCfnResource(stack, jsii.String("Topic"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::SNS::Topic")})
		topic.AddPropertyOverride(jsii.String("NoSuchProperty"), jsii.Number(1))
		other := awscdk.NewCfnResource(stack, jsii.String("Acked"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::SNS::Topic")})
		other.AddPropertyOverride(jsii.String("NoSuchPropertyEither"), jsii.Number(1))
		awscdk.Validations_Of(other).Acknowledge(&awscdk.Acknowledgment{Id: jsii.String("CloudFormation-Validate::F3002"), Reason: jsii.String("the test's own")})
		agnostic := awscdk.NewStack(app, jsii.String("Agnostic"), nil)
		awscdk.NewCfnResource(agnostic, jsii.String("Topic"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::SNS::Topic")}).
			AddPropertyOverride(jsii.String("NoSuchProperty"), jsii.Number(1))
	}
	dir := t.TempDir()
	synthApp := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	// The app's synth runs the plugin CloudFormationValidate uses, registered as aws-cdk-lib
	// documents (AppProps.builtinCloudFormationValidation): it then runs no built-in instance
	// (synthesis-validation.js hasUserRegisteredCloudFormationValidatePlugin) and reports through
	// the same pipeline, and the process builds one engine instead of two.
	awscdk.Validations_Of(synthApp).AddPlugins(ValidatePlugin())
	build(synthApp)
	synthApp.Synth(nil)
	inSynth, err := validationReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	// As NewApp's, but not among the assemblies Main checks: its findings are on purpose.
	testApp := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), BuiltinCloudFormationValidation: jsii.Bool(false)})
	build(testApp)
	testApp.Synth(nil)
	found, err := CloudFormationValidate(map[string]string{*testApp.Outdir(): "the harness"})
	if err != nil {
		t.Fatal(err)
	}
	// Each finding as "rule stack/resource".
	line := regexp.MustCompile(`^(\S+) \(\w+\): .* \[the harness, stack (\S+), resource (\S+)\]$`)
	var atEnd []string
	for _, f := range found {
		m := line.FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("CloudFormationValidate's finding %q does not name rule, stack and resource", f)
		}
		atEnd = append(atEnd, m[1]+" "+m[2]+"/"+m[3])
	}
	slices.Sort(atEnd)
	if want := []string{"F3002 Agnostic/Topic", "F3002 Invalid/Topic"}; !slices.Equal(inSynth, want) || !slices.Equal(atEnd, inSynth) {
		t.Fatalf("the synth's own report: %q, CloudFormationValidate: %q; want both %q", inSynth, atEnd, want)
	}
}

// validationReport is what aws-cdk-lib's validation plugins reported in the synth of the cloud
// assembly at dir (validation-report.json), each finding as "rule construct-path", sorted; the
// constructs' own annotations, which @aws-cdk/core:annotationsInValidationReport copies into the
// report, left out.
func validationReport(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if err != nil {
		return nil, err
	}
	var report struct {
		PluginReports []struct {
			Violations []struct {
				RuleName            string
				ViolatingConstructs []struct{ ConstructPath string }
			}
		}
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range report.PluginReports {
		for _, v := range r.Violations {
			if strings.HasPrefix(v.RuleName, "Annotation::") {
				continue
			}
			for _, c := range v.ViolatingConstructs {
				out = append(out, v.RuleName+" "+c.ConstructPath)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
