package test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/lambda/enabler"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// endpointWorld resolves a consumer template the way CloudFormation would after the endpoint is
// created: DnsEntries has the regional entry, then one zonal entry per subnet in the same Region
// and none across Regions (PrivateLink cross-Region docs: "You must use regional DNS").
func endpointWorld(t *testing.T, tpl assertions.Template, account, region string) World {
	w := World{Account: account, Region: region, Refs: map[string]string{}, Attrs: map[string]any{}}
	for id, r := range Resources(tpl, "AWS::EC2::VPCEndpoint") {
		entries := []any{"Z7HUB22UULQXV:vpce-0a1b2c3d4e5f60718-abcdefgh.vpce-svc-0123456789abcdef0." + region + ".vpce.amazonaws.com"}
		if p := Props(r); p["VpcEndpointType"] == "Interface" && p["ServiceRegion"] == nil {
			for i := range p["SubnetIds"].([]any) {
				entries = append(entries, fmt.Sprintf("Z7HUB22UULQXV:vpce-0a1b2c3d4e5f60718-abcdefgh-%s%c.vpce-svc-0123456789abcdef0.%s.vpce.amazonaws.com", region, 'a'+i, region))
			}
		}
		w.Attrs[id+".DnsEntries"] = entries
		w.Attrs[id+".Id"] = "vpce-0a1b2c3d4e5f60718"
		w.Refs[id] = "vpce-0a1b2c3d4e5f60718"
	}
	for id := range Resources(tpl, "Custom::EndpointPreflight") {
		w.Attrs[id+".PrivateDnsName"] = "api.example.com"
	}
	for id := range Resources(tpl, "AWS::EC2::Instance") {
		w.Attrs[id+".InstanceId"] = "i-0123456789abcdef0"
	}
	for id := range Resources(tpl, "AWS::StepFunctions::StateMachine") {
		w.Attrs[id+".Name"] = id
		w.Attrs[id+".Arn"] = "arn:aws:states:" + region + ":" + account + ":stateMachine:" + id
	}
	return w
}

func TestEveryConsumerOutputResolvesAgainstTheEndpointAWSCreates(t *testing.T) {
	for _, name := range []string{"default", "route53", "crossregion-proxy"} {
		t.Run(name, func(t *testing.T) {
			f := Golden(t, name)
			tpl := f.Templates[privatelinkapp.ConsumerStackName]
			region, _ := AppConfigs[name]["consumerRegion"].(string)
			if region == "" {
				region = "eu-west-1"
			}
			w := endpointWorld(t, tpl, "222222222222", region)
			raw := tpl.ToJSON()
			for id, o := range (*raw)["Outputs"].(map[string]any) {
				v := w.Resolve(t, o.(map[string]any)["Value"])
				if s := fmt.Sprint(v); strings.Contains(s, "${Token") || s == "" {
					t.Errorf("output %s resolves to %q", id, s)
				}
			}
		})
	}
	cross := Golden(t, "crossregion-proxy").Templates[privatelinkapp.ConsumerStackName]
	cross.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(1))
	if outs := cross.FindOutputs(jsii.String("*"), M("Description", assertions.Match_StringLikeRegexp(jsii.String("zonal")))); len(*outs) != 0 {
		t.Errorf("a cross-region consumer outputs zonal DNS names, which its endpoint does not have: %v", *outs)
	}
}

// policyOf returns the statements of the policies attached to role, by policy logical ID.
func statementsFor(tpl assertions.Template, role string) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for id, pol := range Resources(tpl, "AWS::IAM::Policy") {
		if fmt.Sprint(Props(pol)["Roles"]) != "[map[Ref:"+role+"]]" {
			continue
		}
		for _, st := range Props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			out[id] = append(out[id], st.(map[string]any))
		}
	}
	return out
}

func TestTheConsumerFunctionMayDoEachCallBeforeItsFirstUse(t *testing.T) {
	tpl := Golden(t, "crossregion-proxy").Templates[privatelinkapp.ConsumerStackName]
	w := endpointWorld(t, tpl, "222222222222", "eu-central-1")
	_, preflight := Only(t, Resources(tpl, "Custom::EndpointPreflight"))
	fnID := Props(preflight)["ServiceToken"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	fn := Resources(tpl, "AWS::Lambda::Function")[fnID]
	role := Props(fn)["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	fnDeps := fmt.Sprint(fn["DependsOn"])
	var multiRegion, associate bool
	for polID, sts := range statementsFor(tpl, role) {
		for _, st := range sts {
			res := fmt.Sprint(w.Resolve(t, st["Resource"]))
			switch st["Action"] {
			case "vpce:AllowMultiRegion":
				multiRegion = true
				// The preflight's DescribeVpcEndpointServices(ServiceRegions) is the first
				// cross-region call: the policy must be in force when the function first runs.
				if !strings.Contains(fnDeps, polID) {
					t.Errorf("vpce:AllowMultiRegion is in %s, which the function does not depend on (DependsOn %s)", polID, fnDeps)
				}
				if res != "[arn:aws:ec2:eu-central-1:222222222222:vpc-endpoint/* arn:aws:ec2:eu-west-1:*:vpc-endpoint-service/*]" {
					t.Errorf("vpce:AllowMultiRegion on %s", res)
				}
			case "route53:AssociateVPCWithHostedZone":
				associate = true
			}
		}
	}
	if !multiRegion {
		t.Error("the cross-region consumer's function has no vpce:AllowMultiRegion")
	}
	if associate {
		t.Error("private DNS is off in this configuration, yet the function may associate hosted zones")
	}

	// With private DNS: the enabler may associate AWS's managed zone with this VPC only, and
	// runs after that permission exists.
	tpl = Golden(t, "default").Templates[privatelinkapp.ConsumerStackName]
	w = endpointWorld(t, tpl, "222222222222", "eu-west-1")
	_, enabler := Only(t, Resources(tpl, "Custom::PrivateDnsEnabler"))
	_, preflight = Only(t, Resources(tpl, "Custom::EndpointPreflight"))
	role = Props(Resources(tpl, "AWS::Lambda::Function")[Props(preflight)["ServiceToken"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)])["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	vpcID, _ := Only(t, Resources(tpl, "AWS::EC2::VPC"))
	found := map[string]bool{}
	for polID, sts := range statementsFor(tpl, role) {
		for _, st := range sts {
			action := fmt.Sprint(st["Action"])
			found[action] = true
			if action == "route53:AssociateVPCWithHostedZone" || action == "ec2:ModifyVpcEndpoint" {
				if !strings.Contains(fmt.Sprint(enabler["DependsOn"]), polID) {
					t.Errorf("%s is in %s, which the enabler does not depend on", action, polID)
				}
			}
			if action == "route53:AssociateVPCWithHostedZone" {
				// Any zone (AWS's managed one has an unknown ID), for requests that name no VPC
				// but this one: route53:VPCs, "VPCId=<id>,VPCRegion=<region>" (Route 53
				// Developer Guide, "Using IAM policy conditions for fine-grained access control").
				if res := fmt.Sprint(w.Resolve(t, st["Resource"])); res != "arn:aws:route53:::hostedzone/*" {
					t.Errorf("AssociateVPCWithHostedZone on %s, want any zone", res)
				}
				if cond, want := fmt.Sprint(w.Resolve(t, st["Condition"])), "map[StringEqualsIfExists:map[route53:VPCs:VPCId=<"+vpcID+">,VPCRegion=eu-west-1]]"; cond != want {
					t.Errorf("AssociateVPCWithHostedZone condition %s, want %s", cond, want)
				}
				if strings.Contains(fmt.Sprint(st["Sid"]), "Only") {
					t.Errorf("Sid %v says only: a request without route53:VPCs is not narrowed", st["Sid"])
				}
			}
		}
	}
	for _, a := range []string{"ec2:ModifyVpcEndpoint", "route53:AssociateVPCWithHostedZone", "ec2:DescribeVpcs"} {
		if !found[a] {
			t.Errorf("the enabler's role lacks %s", a)
		}
	}
}

func TestAConsumerInAVpcItWasGivenAdmitsEveryIpv6RangeOfThatVpc(t *testing.T) {
	tpl := Synth(t, "consumer-given-dual-stack-vpc", func(app awscdk.App) error {
		stack := ProviderStack(app, "GivenDualStackVpc")
		vpc := awsec2.NewVpc(stack, jsii.String("Own"), &awsec2.VpcProps{AvailabilityZones: jsii.Strings("eu-west-1a"), NatGateways: jsii.Number(0),
			IpProtocol: awsec2.IpProtocol_DUAL_STACK, RestrictDefaultSecurityGroup: jsii.Bool(false),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("I"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
		consumer.NewConsumer(stack, "Api", &consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc})
		return nil
	}).Templates["GivenDualStackVpc"]
	blockID, _ := Only(t, Resources(tpl, "AWS::EC2::VPCCidrBlock"))
	for id, sg := range Resources(tpl, "AWS::EC2::SecurityGroup") {
		if !strings.HasPrefix(fmt.Sprint(Props(sg)["GroupDescription"]), "PrivateLink endpoint") {
			continue
		}
		rules := fmt.Sprint(Props(sg)["SecurityGroupIngress"])
		if !strings.Contains(rules, "CidrIpv6:map[Fn::Select:[0 map[Fn::GetAtt:[Own") || !strings.Contains(fmt.Sprint(sg["DependsOn"]), blockID) {
			t.Fatalf("%s admits %s (DependsOn %v), want the VPC's IPv6 range after its association %s", id, rules, sg["DependsOn"], blockID)
		}
		return
	}
	t.Fatal("no endpoint security group")
}

func TestAConsumerInAnImportedVpcSaysItsIpv6ClientsNeedAllowedIpv6Cidrs(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "ImportedVpc")
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Imported"), &awsec2.VpcAttributes{
		VpcId: jsii.String("vpc-0123456789abcdef0"), AvailabilityZones: jsii.Strings("eu-west-1a"), IsolatedSubnetIds: jsii.Strings("subnet-0123456789abcdef0"), VpcCidrBlock: jsii.String("10.1.0.0/16"),
	})
	consumer.NewConsumer(stack, "Api", &consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc})
	warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("ConsumerProps.Vpc vpc-0123456789abcdef0 is not defined in this stack.*AllowedIpv6Cidrs")))
	if len(*warnings) != 1 {
		t.Fatalf("%d warnings naming AllowedIpv6Cidrs, want 1", len(*warnings))
	}
}

// Each consumer account asks for acceptance of its own endpoint only: its function may invoke
// the acceptor's alias for its account and nothing else, and each alias admits its account
// alone, with no permission for anyone to invoke the acceptor unqualified (so no account can
// speak for another). The request's ServiceToken is the consumer's own function, so deleting
// the consumer stack never calls the provider, which may be gone.
func TestEachConsumerAccountMayAskTheAcceptorThroughItsOwnAliasOnly(t *testing.T) {
	f := Golden(t, "consumers")
	p := f.JSON[privatelinkapp.ProviderStackName]
	pw := World{Account: "111111111111", Region: "eu-west-1", Stack: privatelinkapp.ProviderStackName}
	admitted := map[string]string{} // alias name -> principal
	for id, r := range Resources(f.Templates[privatelinkapp.ProviderStackName], "AWS::Lambda::Permission") {
		props := pw.Resolve(t, Props(r)).(map[string]any)
		principal := fmt.Sprint(props["Principal"])
		if !strings.HasSuffix(principal, ".amazonaws.com") {
			alias, ok := p["Resources"].(map[string]any)[strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(Props(r)["FunctionName"]), "map[Ref:"), "]")].(map[string]any)
			if !ok || alias["Type"] != "AWS::Lambda::Alias" {
				t.Errorf("permission %s lets %s invoke %v, which is not an alias", id, principal, Props(r)["FunctionName"])
				continue
			}
			admitted[fmt.Sprint(alias["Properties"].(map[string]any)["Name"])] = principal
		}
	}
	want := map[string]string{"consumer-222222222222": "222222222222", "consumer-333333333333": "333333333333", "consumer-444444444444": "444444444444"}
	if !reflect.DeepEqual(admitted, want) {
		t.Errorf("aliases admit %v, want %v", admitted, want)
	}
	for _, account := range []string{"222222222222", "333333333333", "444444444444"} {
		stack := privatelinkapp.ConsumerStackName + "-" + account
		tpl := f.Templates[stack]
		alias := "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider:consumer-" + account
		_, req := Only(t, Resources(tpl, "Custom::EndpointAcceptanceRequest"))
		fn, _ := Only(t, Resources(tpl, "AWS::Lambda::Function"))
		if fmt.Sprint(Props(req)["ServiceToken"]) != "map[Fn::GetAtt:["+fn+" Arn]]" || Props(req)["AcceptorArn"] != alias {
			t.Errorf("%s: the request is served by %v for %v, want its own function %s for %s", stack, Props(req)["ServiceToken"], Props(req)["AcceptorArn"], fn, alias)
		}
		var invokes []string
		cw := World{Account: account, Region: map[string]string{"444444444444": "eu-central-1"}[account], Stack: stack}
		if cw.Region == "" {
			cw.Region = "eu-west-1"
		}
		for _, pol := range Resources(tpl, "AWS::IAM::Policy") {
			for _, st := range AsAnyList(Props(pol)["PolicyDocument"].(map[string]any)["Statement"]) {
				st := st.(map[string]any)
				if strings.Contains(fmt.Sprint(st["Action"]), "lambda:") {
					invokes = append(invokes, fmt.Sprint(st["Action"])+" "+fmt.Sprint(cw.Resolve(t, st["Resource"])))
				}
			}
		}
		if !slices.Equal(invokes, []string{"lambda:InvokeFunction " + alias}) {
			t.Errorf("%s may invoke %v, want only %s", stack, invokes, alias)
		}
	}
}

func TestAConsumerOfAProviderInTheSameStackWaitsForItsPermissionsAndVerification(t *testing.T) {
	tpl := Synth(t, "same-stack", func(app awscdk.App) error {
		stack := ProviderStack(app, "SameStack")
		p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"},
			PrivateDnsName: "api.example.com", HostedZone: Zone(stack),
		})
		consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p, Ports: []provider.ServicePort{{Port: 443}}, AvailabilityZoneIds: []string{"euw1-az1"}})
		return nil
	}).Templates["SameStack"]
	perms, _ := Only(t, Resources(tpl, "AWS::EC2::VPCEndpointServicePermissions"))
	verification, _ := Only(t, Resources(tpl, "Custom::PrivateDnsVerification"))
	_, preflight := Only(t, Resources(tpl, "Custom::EndpointPreflight"))
	deps := fmt.Sprint(preflight["DependsOn"])
	if !strings.Contains(deps, perms) || !strings.Contains(deps, verification) {
		t.Fatalf("the preflight depends on %s, want the permissions %s and the verification %s", deps, perms, verification)
	}
	w := serviceWorld(tpl, "111111111111", "eu-west-1")
	for id, ep := range Resources(tpl, "AWS::EC2::VPCEndpoint") {
		if got := w.Resolve(t, Props(ep)["ServiceName"]); got != "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0" {
			t.Errorf("%s connects to %v", id, got)
		}
	}
}

func TestTheEnablerRunsAgainWhenTheEndpointChangesInPlace(t *testing.T) {
	tpl := Golden(t, "default").Templates[privatelinkapp.ConsumerStackName]
	_, enabler := Only(t, Resources(tpl, "Custom::PrivateDnsEnabler"))
	w := endpointWorld(t, tpl, "222222222222", "eu-west-1")
	for id := range Resources(tpl, "AWS::EC2::SecurityGroup") {
		w.Attrs[id+".GroupId"] = "sg-" + id
	}
	got := fmt.Sprint(w.Resolve(t, Props(enabler)["EndpointConfig"]))
	_, ep := Only(t, Resources(tpl, "AWS::EC2::VPCEndpoint"))
	subnets := w.Resolve(t, Props(ep)["SubnetIds"]).([]any)
	sgs := w.Resolve(t, Props(ep)["SecurityGroupIds"]).([]any)
	want := fmt.Sprintf("%s,%s|%s|dualstack|dualstack", subnets[0], subnets[1], sgs[0])
	if got != want {
		t.Fatalf("EndpointConfig = %q, want the endpoint's subnets, security group and IP types %q", got, want)
	}
}

func TestTheEnablerMayOnlyTouchThisConsumersEndpoints(t *testing.T) {
	tpl := Golden(t, "default").Templates[privatelinkapp.ConsumerStackName]
	w := endpointWorld(t, tpl, "222222222222", "eu-west-1")
	const tag = "privatelink:consumer"
	tpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), M("VpcEndpointType", "Interface",
		"Tags", assertions.Match_ArrayWith(&[]any{M("Key", tag, "Value", "PrivateLinkConsumer/Consumer")})))
	var modify []string
	for _, pol := range Resources(tpl, "AWS::IAM::Policy") {
		for _, st := range Props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			if st["Action"] == "ec2:ModifyVpcEndpoint" {
				modify = append(modify, fmt.Sprintf("%v if %v", w.Resolve(t, st["Resource"]), st["Condition"]))
			}
		}
	}
	want := []string{
		"arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-0a1b2c3d4e5f60718 if <nil>",
		"arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/* if map[StringEquals:map[aws:ResourceTag/" + tag + ":PrivateLinkConsumer/Consumer]]",
	}
	if strings.Join(modify, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ModifyVpcEndpoint granted on\n%s\nwant\n%s", strings.Join(modify, "\n"), strings.Join(want, "\n"))
	}
}

func TestTheDeployRuleSpeaksTheEnablersInput(t *testing.T) {
	// The constructs never import handler code: the input key is written twice, held equal here.
	if consumer.ReassertEvent != enabler.ReassertEvent {
		t.Fatalf("the rule sends %q, the enabler reads %q", consumer.ReassertEvent, enabler.ReassertEvent)
	}
	// The statuses the rule fires on are those the enabler takes for a stack at rest.
	tpl := Golden(t, "default").Templates[privatelinkapp.ConsumerStackName]
	rules := 0
	for id, r := range Resources(tpl, "AWS::Events::Rule") {
		pattern, ok := Props(r)["EventPattern"].(map[string]any)
		if !ok {
			continue
		}
		rules++
		got := fmt.Sprint(pattern["detail"].(map[string]any)["status-details"].(map[string]any)["status"])
		if want := fmt.Sprint(ToAny(enabler.SettledStatuses)); got != want {
			t.Errorf("rule %s fires on %s, the enabler acts on %s", id, got, want)
		}
	}
	if rules != 1 {
		t.Errorf("%d deploy rules in the default consumer, want 1", rules)
	}
}
