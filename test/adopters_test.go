package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	elbv2targets "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2targets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

const someService = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"

// normalVpc is a VPC as most accounts have one: public subnets and private subnets with egress,
// dual-stack, no isolated subnets.
func normalVpc(stack awscdk.Stack, id string) awsec2.Vpc {
	return awsec2.NewVpc(stack, jsii.String(id), &awsec2.VpcProps{
		AvailabilityZones: jsii.Strings("eu-west-1a", "eu-west-1b"), NatGateways: jsii.Number(1),
		IpProtocol: awsec2.IpProtocol_DUAL_STACK, RestrictDefaultSecurityGroup: jsii.Bool(false),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("Public"), SubnetType: awsec2.SubnetType_PUBLIC},
			{Name: jsii.String("App"), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		},
	})
}

func endpointOf(t *testing.T, tpl assertions.Template) map[string]any {
	t.Helper()
	for _, r := range Resources(tpl, "AWS::EC2::VPCEndpoint") {
		if strings.HasPrefix(fmt.Sprint(Props(r)["ServiceName"]), "com.amazonaws.vpce.") {
			return Props(r)
		}
	}
	t.Fatal("no endpoint to a vpce-svc service")
	return nil
}

func TestAConsumerInAVpcWithoutIsolatedSubnetsUsesItsPrivateSubnets(t *testing.T) {
	tpl := Synth(t, "consumer-normal-vpc", func(app awscdk.App) error {
		stack := ProviderStack(app, "NormalVpc")
		consumer.NewConsumer(stack, "Api", &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Vpc: normalVpc(stack, "Normal"), TestClient: true})
		return nil
	}, NoControlTowerCheck).Templates["NormalVpc"]
	want := []string{"NormalAppSubnet1Subnet", "NormalAppSubnet2Subnet"}
	got := Refs(endpointOf(t, tpl)["SubnetIds"])
	if len(got) != 2 || !strings.HasPrefix(got[0], want[0]) || !strings.HasPrefix(got[1], want[1]) {
		t.Fatalf("endpoint subnets %v, want the private subnets %v…", got, want)
	}
	_, client := Only(t, Resources(tpl, "AWS::EC2::Instance"))
	// A dual-stack subnet's instance gets its subnet through its network interface.
	if s := fmt.Sprint(Props(client)["SubnetId"], Props(client)["NetworkInterfaces"]); !strings.Contains(s, "NormalAppSubnet1Subnet") {
		t.Errorf("the test client is in %s, want a private subnet", s)
	}
}

func TestAConsumerSaysWhichSubnetsToGiveWhenTheVpcHasNoPrivateOnes(t *testing.T) {
	stack := ProviderStack(NewApp(), "PublicOnly")
	vpc := awsec2.NewVpc(stack, jsii.String("Public"), &awsec2.VpcProps{AvailabilityZones: jsii.Strings("eu-west-1a"), NatGateways: jsii.Number(0),
		IpProtocol: awsec2.IpProtocol_DUAL_STACK, RestrictDefaultSecurityGroup: jsii.Bool(false),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("P"), SubnetType: awsec2.SubnetType_PUBLIC}}})
	props := &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc}
	msg := Refusal(t, func() error { return props.Validate(stack, "Api") }, func() { consumer.NewConsumer(stack, "Api", props) })
	MustContain(t, msg, "ConsumerProps.Subnets is not set and Vpc PublicOnly/Public has no private subnets (isolated or with egress)", "give Subnets, such as &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC}")

	props.Subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
	msg = Refusal(t, func() error { return props.Validate(stack, "Api") }, func() { consumer.NewConsumer(stack, "Api", props) })
	MustContain(t, msg, "ConsumerProps.Subnets selects no subnets of Vpc PublicOnly/Public (There are no 'Isolated' subnet groups in this VPC. Available types: Public)")

	props.Subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC}
	if err := props.Validate(stack, "Api"); err != nil {
		t.Fatalf("public subnets given by name are refused: %v", err)
	}
}

func TestAConsumerTakesExistingSecurityGroupsAndPrefixLists(t *testing.T) {
	f := Synth(t, "consumer-existing-groups", func(app awscdk.App) error {
		stack := ProviderStack(app, "ExistingGroups")
		vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
		shared := awsec2.SecurityGroup_FromSecurityGroupId(stack, jsii.String("Shared"), jsii.String("sg-0123456789abcdef0"), nil)
		consumer.NewConsumer(stack, "Both", &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc,
			SecurityGroups: []awsec2.ISecurityGroup{shared}, AllowedPrefixLists: []string{"pl-0123456789abcdef0"}})
		// A second endpoint to the same service in the VPC: private DNS is the first one's.
		consumer.NewConsumer(stack, "Only", &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Vpc: vpc, PrivateDns: jsii.Bool(false),
			SecurityGroups: []awsec2.ISecurityGroup{shared}, SecurityGroupDisabled: true})
		return nil
	})
	tpl := f.Templates["ExistingGroups"]
	groups := map[string][]string{}
	for _, r := range Resources(tpl, "AWS::EC2::VPCEndpoint") {
		if strings.HasPrefix(fmt.Sprint(Props(r)["ServiceName"]), "com.amazonaws.vpce.") {
			tags := fmt.Sprint(Props(r)["Tags"])
			groups[tags] = Refs(Props(r)["SecurityGroupIds"])
		}
	}
	if len(groups) != 2 {
		t.Fatalf("%d endpoints, want 2", len(groups))
	}
	for tags, ids := range groups {
		switch {
		case strings.Contains(tags, "ExistingGroups/Both"):
			if len(ids) != 2 || !strings.HasPrefix(ids[0], "BothSecurityGroup") || ids[1] != "sg-0123456789abcdef0" {
				t.Errorf("Both's endpoint has groups %v, want its own then sg-0123456789abcdef0", ids)
			}
		case strings.Contains(tags, "ExistingGroups/Only"):
			if !slices.Equal(ids, []string{"sg-0123456789abcdef0"}) {
				t.Errorf("Only's endpoint has groups %v, want just sg-0123456789abcdef0", ids)
			}
		}
	}
	for id, sg := range Resources(tpl, "AWS::EC2::SecurityGroup") {
		if strings.HasPrefix(id, "OnlySecurityGroup") {
			t.Errorf("SecurityGroupDisabled still created %s", id)
		}
		if strings.HasPrefix(id, "BothSecurityGroup") && Props(sg)["SecurityGroupIngress"] != nil {
			t.Errorf("Both's group admits %v besides the prefix list", Props(sg)["SecurityGroupIngress"])
		}
	}
	// aws-cdk-lib writes a prefix-list peer as its own ingress resource.
	_, rule := Only(t, Resources(tpl, "AWS::EC2::SecurityGroupIngress"))
	if got := fmt.Sprint(Props(rule)); got != "map[Description:service port 443 FromPort:443 GroupId:map[Fn::GetAtt:[BothSecurityGroup667586B9 GroupId]] IpProtocol:tcp SourcePrefixListId:pl-0123456789abcdef0 ToPort:443]" {
		t.Errorf("the ingress rule is %s, want TCP 443 from pl-0123456789abcdef0 into Both's group", got)
	}
	// The enabler re-asserts private DNS when the endpoint's groups change: it is told all of them.
	for _, r := range Resources(tpl, "Custom::PrivateDnsEnabler") {
		cfg, _ := json.Marshal(Props(r)["EndpointConfig"])
		if strings.Contains(string(cfg), "Both") && !strings.Contains(string(cfg), "sg-0123456789abcdef0") {
			t.Errorf("Both's EndpointConfig %s does not name the given group", cfg)
		}
	}
}

func TestSecurityGroupMistakesAreRefusedNamingTheField(t *testing.T) {
	cases := []struct {
		name string
		edit func(stack awscdk.Stack, p *consumer.ConsumerProps)
		want string
	}{
		{"no group at all", func(_ awscdk.Stack, p *consumer.ConsumerProps) { p.SecurityGroupDisabled = true },
			"ConsumerProps.SecurityGroupDisabled leaves the endpoint without a security group (EC2 would attach the VPC's default group): give SecurityGroups"},
		{"rules for a group not created", func(stack awscdk.Stack, p *consumer.ConsumerProps) {
			p.SecurityGroupDisabled, p.AllowedIpv4Cidrs = true, []string{"10.1.0.0/16"}
			p.SecurityGroups = []awsec2.ISecurityGroup{awsec2.SecurityGroup_FromSecurityGroupId(stack, jsii.String("G"), jsii.String("sg-0123456789abcdef0"), nil)}
		}, "ConsumerProps.SecurityGroupDisabled with AllowedSecurityGroups, AllowedIpv4Cidrs, AllowedIpv6Cidrs or AllowedPrefixLists: those are rules of the created group"},
		{"a prefix list name", func(_ awscdk.Stack, p *consumer.ConsumerProps) {
			p.AllowedPrefixLists = []string{"com.amazonaws.global.cloudfront.origin-facing"}
		},
			`ConsumerProps.AllowedPrefixLists[0] "com.amazonaws.global.cloudfront.origin-facing" is not a managed prefix list ID (pl- and 8 to 17 hex digits`},
		{"a group of another VPC", func(stack awscdk.Stack, p *consumer.ConsumerProps) {
			p.SecurityGroups = []awsec2.ISecurityGroup{awsec2.SecurityGroup_FromSecurityGroupId(stack, jsii.String("G"), jsii.String("sg-0123456789abcdef0"), nil)}
		}, "ConsumerProps.SecurityGroups are given but Vpc is not: the endpoint's VPC would be created here, and a security group belongs to the VPC it was made in"},
		{"more groups than an interface takes", func(stack awscdk.Stack, p *consumer.ConsumerProps) {
			p.Vpc = provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
			for i := range 16 {
				p.SecurityGroups = append(p.SecurityGroups, awsec2.SecurityGroup_FromSecurityGroupId(stack, jsii.String(fmt.Sprint("G", i)), jsii.String(fmt.Sprintf("sg-%017x", i)), nil))
			}
		}, "ConsumerProps.SecurityGroups gives the endpoint 17 security groups, but a network interface takes at most 16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stack := ProviderStack(NewApp(), "Groups")
			p := &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}}
			c.edit(stack, p)
			MustContain(t, Refusal(t, func() error { return p.Validate(stack, "Api") }, func() { consumer.NewConsumer(stack, "Api", p) }), c.want)
		})
	}
}

func TestOneEnablerServesEveryConsumerOfItsStack(t *testing.T) {
	var e consumer.Enabler
	var cs []consumer.Consumer
	tpl := Synth(t, "shared-enabler", func(app awscdk.App) error {
		stack := ProviderStack(app, "SharedEnabler")
		e = consumer.NewEnabler(stack, "Enabler", &consumer.EnablerProps{LogRetention: awslogs.RetentionDays_TWO_YEARS})
		for _, id := range []string{"Orders", "Billing"} {
			cs = append(cs, consumer.NewConsumer(stack, id, &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Enabler: e}))
		}
		cs = append(cs, consumer.NewConsumer(stack, "Remote", &consumer.ConsumerProps{
			ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", ServiceRegion: "us-east-1", Ports: []provider.ServicePort{{Port: 443}}, Enabler: e,
		}))
		return nil
	}).Templates["SharedEnabler"]
	fnID, _ := Only(t, Resources(tpl, "AWS::Lambda::Function"))
	if !strings.HasPrefix(fnID, "EnablerFunction") {
		t.Fatalf("the only function is %s, want the shared enabler's", fnID)
	}
	if n := len(Resources(tpl, "AWS::StepFunctions::StateMachine")); n != 1 {
		t.Errorf("%d wait state machines, want the shared enabler's one", n)
	}
	for id, r := range Resources(tpl, "Custom::PrivateDnsEnabler") {
		if token := fmt.Sprint(Props(r)["ServiceToken"]); token != "map[Fn::GetAtt:["+fnID+" Arn]]" {
			t.Errorf("%s is served by %s, want %s", id, token, fnID)
		}
	}
	for _, c := range cs {
		if *c.Function().Node().Path() != *e.Function().Node().Path() || c.Enabler() != e || c.LogGroups() != nil {
			t.Errorf("%s: Function %s, Enabler %v, LogGroups %v; want the shared ones (and no log groups of its own)", *c.Node().Path(), *c.Function().Node().Path(), c.Enabler(), c.LogGroups())
		}
	}
	// Each consumer's own policy on the shared role, naming its own endpoint only.
	policies := Resources(tpl, "AWS::IAM::Policy")
	for _, id := range []string{"Orders", "Billing", "Remote"} {
		found := false
		for pid, p := range policies {
			if !strings.HasPrefix(pid, id+"EnablePrivateDnsPolicy") {
				continue
			}
			found = true
			doc, _ := json.Marshal(Props(p))
			if !strings.Contains(string(doc), `:vpc-endpoint/",{"Ref":"`+id) || !strings.Contains(fmt.Sprint(Props(p)["Roles"]), "EnablerRole") {
				t.Errorf("%s: %s", pid, doc)
			}
		}
		if !found {
			t.Errorf("no EnablePrivateDnsPolicy for %s", id)
		}
	}
	// IAM counts a role's inline policies together, without whitespace, against 10,240
	// characters: what one consumer adds, resolved with real-length IDs, backs the enabler's
	// warning after 11 consumers.
	w := World{Account: "222222222222", Region: "eu-west-1", Refs: map[string]string{}}
	for id := range Resources(tpl, "") {
		w.Refs[id] = "vpce-0123456789abcdef0"
		if strings.Contains(id, "Vpc") {
			w.Refs[id] = "vpc-0123456789abcdef0"
		}
	}
	w.Attrs = map[string]any{}
	for id := range Resources(tpl, "") {
		w.Attrs[id+".Arn"] = "arn:aws:logs:eu-west-1:222222222222:log-group:SharedEnabler-EnablerFunctionLogs0123456789-ABCDEFGHIJKL"
		w.Attrs[id+".Name"] = "EnablerWaitStateMachine0123456789-ABCDEFGHIJKL"
	}
	own, base, vpcs, stacks := 0, 0, 0, 0
	for pid, p := range policies {
		doc, _ := json.Marshal(w.Resolve(t, Props(p)["PolicyDocument"]))
		if strings.HasPrefix(pid, "Orders") {
			own = len(doc)
		} else if strings.HasPrefix(pid, "Enabler") {
			base += len(doc)
			vpcs += strings.Count(string(doc), `"Sid":"DescribeAttributesOfTheEndpointsVpc`)
			stacks += strings.Count(string(doc), `"Sid":"DescribeThisStackOnly"`)
		}
	}
	// The enabler's estimate (rolePolicyBase 1,050 + 210 per Region + 160 per consumer VPC + 190
	// for reading its stack's status; 800 + path per consumer) must not be below what IAM will
	// count.
	if est := 1050 + 210 + 160*vpcs + 190*stacks; base > est {
		t.Errorf("the role's own policies are %d characters with one Region and %d VPCs, above the enabler's estimate %d", base, vpcs, est)
	}
	if est := 800 + len("SharedEnabler/Orders"); own > est {
		t.Errorf("Orders' policy is %d characters, above the enabler's estimate %d", own, est)
	}
	t.Logf("role's own policies %d characters, each consumer %d", base, own)
	// The shared role reads what any consumer needs, and may reach us-east-1's services once.
	_, role := Only(t, filter(policies, "EnablerRoleDefaultPolicy"))
	doc, _ := json.Marshal(Props(role))
	for _, want := range []string{`"ec2:DescribeSubnets"`, `"ec2:DescribeVpcAttribute"`, `"Sid":"CrossRegionEndpointuseast1"`, `:ec2:us-east-1:*:vpc-endpoint-service/*`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("the shared role's policy lacks %s: %s", want, doc)
		}
	}
	for _, lg := range Resources(tpl, "AWS::Logs::LogGroup") {
		if Props(lg)["RetentionInDays"] != float64(731) {
			t.Errorf("a shared enabler log group keeps logs %v days, want 731 (EnablerProps.LogRetention)", Props(lg)["RetentionInDays"])
		}
	}
}

func filter(rs map[string]map[string]any, prefix string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range rs {
		if strings.HasPrefix(id, prefix) {
			out[id] = r
		}
	}
	return out
}

func TestASharedEnablerIsRefusedWhereItCannotServe(t *testing.T) {
	app := NewApp()
	other := ProviderStack(app, "OtherStack")
	e := consumer.NewEnabler(other, "Enabler", nil)
	stack := ProviderStack(app, "ThisStack")
	p := &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Enabler: e, LogRetention: awslogs.RetentionDays_ONE_DAY}
	MustContain(t, Refusal(t, func() error { return p.Validate(stack, "Api") }, func() { consumer.NewConsumer(stack, "Api", p) }),
		"ConsumerProps.Enabler OtherStack/Enabler is in another stack than this consumer (ThisStack)",
		"ConsumerProps.LogsKey, LogRetention or LogRemovalPolicy is set with Enabler: they apply to a function this consumer would create; set them in the EnablerProps of OtherStack/Enabler")
}

func TestLogRetentionAndRemovalReachEveryLogGroupAndTheGetters(t *testing.T) {
	var p provider.Provider
	var a acceptor.Acceptor
	var c consumer.Consumer
	var stack awscdk.Stack
	tpl := Synth(t, "log-settings", func(app awscdk.App) error {
		stack = ProviderStack(app, "LogSettings")
		p = provider.NewProvider(stack, "Provider", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"},
			PrivateDnsName: "api.example.com", HostedZone: Zone(stack), LogRetention: awslogs.RetentionDays_TWO_YEARS, LogRemovalPolicy: awscdk.RemovalPolicy_RETAIN})
		a = acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p, LogRetention: awslogs.RetentionDays_TWO_YEARS, LogRemovalPolicy: awscdk.RemovalPolicy_RETAIN})
		c = consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p, AvailabilityZoneIds: []string{"euw1-az1"}, LogRetention: awslogs.RetentionDays_TWO_YEARS, LogRemovalPolicy: awscdk.RemovalPolicy_RETAIN})
		return nil
	}).Templates["LogSettings"]
	groups := Resources(tpl, "AWS::Logs::LogGroup")
	if len(groups) != 5 {
		t.Fatalf("%d log groups, want 5 (provider function and waits, acceptor, enabler and waits)", len(groups))
	}
	w := World{Account: "111111111111", Region: "eu-west-1", Stack: "LogSettings"}
	for id, lg := range groups {
		if Props(lg)["RetentionInDays"] != float64(731) || lg["DeletionPolicy"] != "Retain" || lg["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: RetentionInDays %v, DeletionPolicy %v, UpdateReplacePolicy %v; want 731 and Retain", id, Props(lg)["RetentionInDays"], lg["DeletionPolicy"], lg["UpdateReplacePolicy"])
		}
		// A group kept after its stack, with a fixed name, would block the stack's next
		// create (AlreadyExists): named ones end in the stack's UUID.
		if name, ok := Props(lg)["LogGroupName"]; ok {
			if got := fmt.Sprint(w.Resolve(t, name)); !strings.HasPrefix(got, "/aws/vendedlogs/states/") || !strings.HasSuffix(got, "-"+w.StackUUID()) {
				t.Errorf("%s is named %s, want /aws/vendedlogs/states/…-<stack UUID>", id, got)
			}
		}
	}
	var got []string
	for _, g := range slices.Concat(p.LogGroups(), a.LogGroups(), c.LogGroups()) {
		got = append(got, *stack.GetLogicalId(g.Node().DefaultChild().(awscdk.CfnElement)))
	}
	var want []string
	for id := range groups {
		want = append(want, id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the getters give %v, want every log group %v", got, want)
	}
}

func TestLogSettingsAWSRefusesAreRefusedAtSynth(t *testing.T) {
	stack := ProviderStack(NewApp(), "BadLogs")
	p := &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"}, LogRetention: "FORTNIGHT", LogRemovalPolicy: awscdk.RemovalPolicy_SNAPSHOT}
	MustContain(t, Refusal(t, func() error { return p.Validate(stack, "Provider") }, func() { provider.NewProvider(stack, "Provider", p) }),
		`ProviderProps.LogRetention "FORTNIGHT" is not a retention CloudWatch Logs accepts: use an awslogs.RetentionDays constant`,
		`LogRemovalPolicy "SNAPSHOT" cannot apply to a log group (CloudFormation snapshots data stores only): use awscdk.RemovalPolicy_DESTROY or awscdk.RemovalPolicy_RETAIN`)
}

const someNlbArn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/api/0123456789abcdef"

func TestAProviderPublishesAGivenNlbAsItIs(t *testing.T) {
	var p provider.Provider
	f := Synth(t, "nlb-as-it-is", func(app awscdk.App) error {
		stack := ProviderStack(app, "AsItIs")
		// Only what AWS needs: the ARN.
		nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerAttributes{LoadBalancerArn: jsii.String(someNlbArn)})
		p = provider.NewProvider(stack, "Provider", &provider.ProviderProps{LoadBalancer: nlb, ServicePorts: []provider.ServicePort{{Port: 443, Protocol: provider.TLS}}, AllowedPrincipals: []string{"111111111111"}})
		consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p})
		return nil
	})
	tpl := f.Templates["AsItIs"]
	for _, typ := range []string{"AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancingV2::LoadBalancer"} {
		if n := len(Resources(tpl, typ)); n != 0 {
			t.Errorf("%d %s, want none: the NLB is published as it is", n, typ)
		}
	}
	_, svc := Only(t, Resources(tpl, "AWS::EC2::VPCEndpointService"))
	if arns := fmt.Sprint(Props(svc)["NetworkLoadBalancerArns"]); arns != "["+someNlbArn+"]" {
		t.Errorf("the service publishes %s, want [%s]", arns, someNlbArn)
	}
	if found := f.Warnings(t, "AsItIs", "^ProviderProps.LoadBalancer is imported, so whether it is dualstack is unknown at synth, but SupportedIpAddressTypes includes ipv6"); len(found) != 1 {
		t.Errorf("%d warnings that an imported NLB may not be dualstack, want 1", len(found))
	}
	outputs := f.JSON["AsItIs"]["Outputs"].(map[string]any)
	if v := outputs["ProviderPorts"].(map[string]any)["Value"]; v != "443/TLS" {
		t.Errorf("ProviderPorts is %v, want 443/TLS", v)
	}
	if _, ok := outputs["ProviderLoadBalancerDnsName"]; ok {
		t.Error("an NLB imported by ARN alone has no DNS name to output")
	}
	// The consumer learns the port from ServicePorts.
	for id, sg := range Resources(tpl, "AWS::EC2::SecurityGroup") {
		if strings.HasPrefix(id, "ConsumerSecurityGroup") && !strings.Contains(fmt.Sprint(Props(sg)["SecurityGroupIngress"]), "FromPort:443") {
			t.Errorf("the consumer's group admits %v, want port 443", Props(sg)["SecurityGroupIngress"])
		}
	}
}

func TestAGivenNlbAsItIsNeedsItsPortsOrItsVpc(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "AsItIsErrors")
	nlb := elbv2.NetworkLoadBalancer_FromNetworkLoadBalancerAttributes(stack, jsii.String("Nlb"), &elbv2.NetworkLoadBalancerAttributes{LoadBalancerArn: jsii.String(someNlbArn)})
	withListeners := &provider.ProviderProps{LoadBalancer: nlb, Listeners: []provider.Listener{{Port: 443}}, ServicePorts: []provider.ServicePort{{Port: 443}}, AllowedPrincipals: []string{"111111111111"}}
	badPorts := &provider.ProviderProps{LoadBalancer: nlb, ServicePorts: []provider.ServicePort{{Port: 70000}, {Port: 443, Protocol: "HTTPS"}, {Port: 443}}, AllowedPrincipals: []string{"111111111111"}}
	MustContain(t, Refusal(t, func() error { return badPorts.Validate(stack, "P0") }, func() { provider.NewProvider(stack, "P0", badPorts) }),
		"ProviderProps.ServicePorts[0].Port 70000 is out of range: use a port from 1 to 65535",
		`ProviderProps.ServicePorts[1].Protocol "HTTPS" is not a listener protocol: use TCP, TLS, UDP or TCP_UDP`,
		"ProviderProps.ServicePorts[2].Port 443 is listed twice")
	MustContain(t, Refusal(t, func() error { return withListeners.Validate(stack, "P1") }, func() { provider.NewProvider(stack, "P1", withListeners) }),
		"ProviderProps.ServicePorts [443] describe the listeners of a LoadBalancer published as it is, but Listeners are given",
		"ProviderProps.LoadBalancer AsItIsErrors/Nlb has no VPC (imported without Vpc), but Listeners adds target groups, which live in its VPC: import it with Vpc in NetworkLoadBalancerAttributes, or leave Listeners empty")

	p := provider.NewProvider(stack, "P2", &provider.ProviderProps{LoadBalancer: nlb, AllowedPrincipals: []string{"111111111111"}})
	c := &consumer.ConsumerProps{Provider: p}
	MustContain(t, Refusal(t, func() error { return c.Validate(stack, "C") }, func() { consumer.NewConsumer(stack, "C", c) }),
		"ConsumerProps.Ports is empty and the provider AsItIsErrors/P2 publishes its NLB as it is without ServicePorts, so the service's ports are unknown: list them here, or in ProviderProps.ServicePorts")

	again := &provider.ProviderProps{LoadBalancer: nlb, AllowedPrincipals: []string{"111111111111"}}
	MustContain(t, Refusal(t, func() error { return again.Validate(stack, "P3") }, func() { provider.NewProvider(stack, "P3", again) }),
		"ProviderProps.LoadBalancer AsItIsErrors/Nlb is already published by the provider AsItIsErrors/P2")
}

func TestAListenerWithoutTargetsGetsIPTargetsUnlessItSaysOtherwise(t *testing.T) {
	var stack awscdk.Stack
	tpl := Synth(t, "target-types", func(app awscdk.App) error {
		stack = ProviderStack(app, "TargetTypes")
		provider.NewProvider(stack, "Provider", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, AllowedPrincipals: []string{"111111111111"},
			Listeners: []provider.Listener{{Port: 443}, {Port: 8443, TargetType: elbv2.TargetType_INSTANCE}, {Port: 9443, TargetType: elbv2.TargetType_ALB},
				// An ALB known from its target alone gets the same group.
				{Port: 10443, Targets: []elbv2.INetworkLoadBalancerTarget{elbv2targets.NewAlbArnTarget(jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/0123456789abcdef"), jsii.Number(10443))}}}})
		return nil
	}).Templates["TargetTypes"]
	got := map[string]any{}
	for _, tg := range Resources(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup") {
		got[fmt.Sprint(Props(tg)["Port"])] = Props(tg)["TargetType"]
		if Props(tg)["Port"] == float64(9443) || Props(tg)["Port"] == float64(10443) {
			if attrs := Props(tg)["TargetGroupAttributes"]; attrs != nil {
				t.Errorf("the ALB target group on %v sets %v: an alb group takes no proxy protocol attribute", Props(tg)["Port"], attrs)
			}
			// ELB checks an ALB over HTTP or HTTPS and fixes its unhealthy threshold and timeout.
			if hc := fmt.Sprint(Props(tg)["HealthCheckProtocol"], " ", Props(tg)["HealthCheckPath"], " ", Props(tg)["UnhealthyThresholdCount"], " ", Props(tg)["HealthCheckTimeoutSeconds"]); hc != "HTTP / <nil> <nil>" {
				t.Errorf("the ALB target group's health check is %s, want HTTP / with ELB's fixed threshold and timeout", hc)
			}
		}
	}
	if want := map[string]any{"10443": "alb", "443": "ip", "8443": "instance", "9443": "alb"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("target types by port %v, want %v", got, want)
	}
	empty := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("empty TargetGroup")))
	if len(*empty) != 0 {
		t.Errorf("aws-cdk-lib still warns: %v", (*empty)[0].Entry.Data)
	}
}

func TestATargetTypeThatCannotServeIsRefusedNamingTheListener(t *testing.T) {
	cases := []struct {
		name     string
		listener func(scope constructs.Construct) provider.Listener
		want     string
	}{
		{"an ALB behind TLS", func(constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, Protocol: provider.TLS, TargetType: elbv2.TargetType_ALB}
		}, "ProviderProps.Listeners[0] forwards to an Application Load Balancer (TargetType ALB), which needs a TCP listener, but Protocol is TLS"},
		{"an ALB target behind TLS", func(constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, Protocol: provider.TLS, Targets: []elbv2.INetworkLoadBalancerTarget{
				elbv2targets.NewAlbArnTarget(jsii.String("arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/0123456789abcdef"), jsii.Number(443))}}
		}, "ProviderProps.Listeners[0] forwards to an Application Load Balancer (TargetType ALB), which needs a TCP listener, but Protocol is TLS"},
		{"an ALB checked over TCP", func(constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, TargetType: elbv2.TargetType_ALB, HealthCheck: &elbv2.HealthCheck{Protocol: elbv2.Protocol_TCP}}
		}, `ProviderProps.Listeners[0].HealthCheck.Protocol "TCP" cannot check an Application Load Balancer target, which ELB checks over HTTP or HTTPS only`},
		{"a Lambda", func(constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, TargetType: elbv2.TargetType_LAMBDA}
		}, `ProviderProps.Listeners[0].TargetType "LAMBDA" is not a Network Load Balancer target type`},
		{"a type its targets are not", func(constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, TargetType: elbv2.TargetType_INSTANCE, Targets: []elbv2.INetworkLoadBalancerTarget{elbv2targets.NewIpTarget(jsii.String("10.0.0.10"), nil, nil)}}
		}, "ProviderProps.Listeners[0].TargetType INSTANCE, but its Targets are IP targets: drop TargetType (it follows the targets) or give INSTANCE targets"},
		{"IP targets where the demo instance goes", func(scope constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, TargetType: elbv2.TargetType_IP}
		}, "ProviderProps.Listeners[0].TargetType IP with DemoTarget: the demo instance joins every listener's target group by instance ID"},
		{"mixed targets", func(constructs.Construct) provider.Listener {
			return provider.Listener{Port: 443, Targets: []elbv2.INetworkLoadBalancerTarget{
				elbv2targets.NewIpTarget(jsii.String("10.0.0.10"), nil, nil), elbv2targets.NewInstanceIdTarget(jsii.String("i-0123456789abcdef0"), nil),
			}}
		}, `ProviderProps.Listeners[0].Targets mix target types ["IP" "INSTANCE"]: a target group holds one type`},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stack := ProviderStack(NewApp(), fmt.Sprint("Types", i))
			p := &provider.ProviderProps{AllowedPrincipals: []string{"111111111111"}, PrivateDnsName: "api.example.com", HostedZone: Zone(stack), Listeners: []provider.Listener{c.listener(stack)},
				DemoTarget: strings.Contains(c.name, "demo")}
			MustContain(t, Refusal(t, func() error { return p.Validate(stack, "Provider") }, func() { provider.NewProvider(stack, "Provider", p) }), c.want)
		})
	}
}

// The helper reads the names the constructs really write: the outputs file is made from the
// synthesized default provider template's own output keys.
func TestTheHandoffReadsTheProvidersOutputsIntoTypedValues(t *testing.T) {
	tpl := Golden(t, "default").JSON[privatelinkapp.ProviderStackName]
	outputs := map[string]string{}
	for key := range tpl["Outputs"].(map[string]any) {
		outputs[key] = "value of " + key
	}
	outputs["ProviderServiceName"] = someService
	outputs["ProviderPorts"] = "443/TLS,53/UDP"
	outputs["AcceptorFunctionArn"] = acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: privatelinkapp.ProviderStackName}.Arn()
	raw, _ := json.Marshal(map[string]any{privatelinkapp.ProviderStackName: outputs})
	file := filepath.Join(t.TempDir(), "cdk-outputs.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := consumer.ReadHandoffFile(file, privatelinkapp.ProviderStackName, consumer.HandoffIDs{Acceptor: "Acceptor"})
	if err != nil {
		t.Fatal(err)
	}
	want := consumer.Handoff{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443, Protocol: provider.TLS}, {Port: 53, Protocol: provider.UDP}},
		PrivateDnsName: "value of ProviderPrivateDnsName", AcceptorArn: "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider"}
	if fmt.Sprint(h) != fmt.Sprint(want) || h.ServiceRegion() != "eu-west-1" {
		t.Errorf("handoff %+v (Region %s), want %+v", h, h.ServiceRegion(), want)
	}

	// The same from `aws cloudformation describe-stacks`.
	var described struct {
		Stacks []struct{ Outputs []map[string]string }
	}
	described.Stacks = make([]struct{ Outputs []map[string]string }, 1)
	for k, v := range outputs {
		described.Stacks[0].Outputs = append(described.Stacks[0].Outputs, map[string]string{"OutputKey": k, "OutputValue": v})
	}
	raw, _ = json.Marshal(described)
	h2, err := consumer.ReadHandoffStack(strings.NewReader(string(raw)), consumer.HandoffIDs{Provider: "Provider", Acceptor: "Acceptor"})
	if err != nil || fmt.Sprint(h2) != fmt.Sprint(want) {
		t.Errorf("from describe-stacks: %+v, %v; want %+v", h2, err, want)
	}

	// An outputs file written before outputs had stable names still reads.
	old, err := consumer.HandoffFromOutputs(map[string]string{"ProviderServiceName1C87132C": someService, "AcceptorFunctionArnEA3F0B77": want.AcceptorArn}, consumer.HandoffIDs{Acceptor: "Acceptor"})
	if err != nil || old.ServiceName != someService || old.AcceptorArn != want.AcceptorArn {
		t.Errorf("hashed names: %+v, %v", old, err)
	}
	_, err = consumer.HandoffFromOutputs(map[string]string{"ApiServiceName": someService}, consumer.HandoffIDs{})
	MustContain(t, ErrString(err), `no ProviderServiceName output among ["ApiServiceName"]: these are not the outputs of a provider with the construct ID "Provider"; set HandoffIDs.Provider to its ID`)
	h3, err := consumer.HandoffFromOutputs(map[string]string{"ApiServiceName": someService, "AcceptorFunctionArn": "arn:…"}, consumer.HandoffIDs{Provider: "Api"})
	if err != nil || h3.ServiceName != someService || h3.AcceptorArn != "" {
		t.Errorf("a provider called Api, no acceptor named: %+v, %v; want no AcceptorArn", h3, err)
	}
	_, err = consumer.HandoffFromOutputs(map[string]string{"ApiServiceName": someService}, consumer.HandoffIDs{Provider: "Api", Acceptor: "Acceptor"})
	MustContain(t, ErrString(err), `no AcceptorFunctionArn output among ["ApiServiceName"]: these are not the outputs of a stack with an acceptor whose construct ID is "Acceptor"`)
	_, err = consumer.HandoffFromOutputs(map[string]string{"ProviderServiceName": someService, "ProviderPorts": "443/HTTPS"}, consumer.HandoffIDs{})
	MustContain(t, ErrString(err), `output ProviderPorts: service port "443/HTTPS" is not <port>/<protocol>, such as 443/TLS: Protocol "HTTPS" is not a listener protocol`)
}

func TestTheAcceptorsArnIsBuiltFromItsLocationInEachPartition(t *testing.T) {
	for _, c := range []struct {
		loc  acceptor.Location
		want string
	}{
		{acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: "Api Provider"}, "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-Api-Provider"},
		{acceptor.Location{Account: "111111111111", Region: "cn-north-1", FunctionName: "accept"}, "arn:aws-cn:lambda:cn-north-1:111111111111:function:accept"},
		{acceptor.Location{Account: "111111111111", Region: "us-gov-west-1", StackName: "P"}, "arn:aws-us-gov:lambda:us-gov-west-1:111111111111:function:privatelink-acceptor-P"},
	} {
		if got := c.loc.Arn(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.loc, got, c.want)
		}
	}
	// A Location missing its stack name gives an ARN the consumer refuses, naming it.
	p := &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, AcceptorArn: acceptor.Location{Account: "111111111111", Region: "eu-west-1"}.Arn()}
	MustContain(t, ErrString(p.Validate(In("eu-west-1"), "Api")), `ConsumerProps.AcceptorArn "arn:aws:lambda:eu-west-1:111111111111:function:" is not a Lambda function ARN`)
}

func TestValidateRefusesWhatOnlyTheTreeKnowsAsTheConstructorsDo(t *testing.T) {
	app := NewApp()
	stack := ProviderStack(app, "Tree")
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"}})
	acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
	nested := constructs.NewConstruct(stack, jsii.String("Team"))

	sameID := &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"}}
	MustContain(t, Refusal(t, func() error { return sameID.Validate(stack, "Provider") }, func() { provider.NewProvider(stack, "Provider", sameID) }),
		`privatelink: NewProvider id "Provider" is already used by another construct in Tree: give this one another ID`)
	MustContain(t, Refusal(t, func() error { return sameID.Validate(nested, "Provider") }, func() { provider.NewProvider(nested, "Provider", sameID) }),
		`privatelink: NewProvider id "Provider" gives the same stack output names (Provider…) as Tree/Provider in the same stack`)

	second := &acceptor.AcceptorProps{Service: p}
	MustContain(t, Refusal(t, func() error { return second.Validate(stack, "Acceptor2") }, func() { acceptor.NewAcceptor(stack, "Acceptor2", second) }),
		`AcceptorProps.FunctionName "privatelink-acceptor-Tree" is already used by the acceptor Tree/Acceptor in the same account and Region`)

	MustContain(t, ErrString(sameID.Validate(app, "Provider")), `privatelink: NewProvider's scope "" is not in a stack: create it in an awscdk.Stack`)
}

func TestASharedEnablerWarnsBeforeItsRolesPoliciesOutgrowIAMsLimit(t *testing.T) {
	stack := ProviderStack(NewApp(), "ManyConsumers")
	e := consumer.NewEnabler(stack, "Enabler", nil)
	warned := func() int {
		return len(*assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(
			"^Enabler ManyConsumers/Enabler: its role's inline policies come to about 10024 characters with this many consumers .* IAM limits a role's inline policies to 10,240 together"))))
	}
	add := func(i int) {
		consumer.NewConsumer(stack, fmt.Sprint("C", i), &consumer.ConsumerProps{ServiceName: someService, Ports: []provider.ServicePort{{Port: 443}}, Enabler: e, AvailabilityZoneIds: []string{"euw1-az1"}})
	}
	// The limit's two sides only: each look at the annotations synthesizes the app again.
	for i := range 8 {
		add(i)
	}
	if n := warned(); n != 0 {
		t.Fatalf("after 8 consumers: %d warnings, want none", n)
	}
	add(8)
	if n := warned(); n != 1 {
		t.Fatalf("after 9 consumers: %d warnings, want 1", n)
	}
}

// Binding a target is not read-only in aws-cdk-lib: an Auto Scaling group records the group it
// joins. Validate must not bind it elsewhere (a group of another app: "Cannot reference across
// apps"); the target joins the provider's group, as instance targets.
func TestAnAutoScalingGroupTargetJoinsOnlyTheProvidersTargetGroup(t *testing.T) {
	tpl := Synth(t, "asg-target", func(app awscdk.App) error {
		stack := ProviderStack(app, "AsgTarget")
		vpc := provider.NewIsolatedVpc(stack, "Vpc", []string{"euw1-az1"}).Vpc
		asg := awsautoscaling.NewAutoScalingGroup(stack, jsii.String("Fleet"), &awsautoscaling.AutoScalingGroupProps{
			Vpc: vpc, InstanceType: awsec2.NewInstanceType(jsii.String("t4g.nano")),
			MachineImage: awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{CpuType: awsec2.AmazonLinuxCpuType_ARM_64}),
		})
		provider.NewProvider(stack, "Provider", &provider.ProviderProps{Vpc: vpc, AllowedPrincipals: []string{"111111111111"},
			Listeners: []provider.Listener{{Port: 443, Targets: []elbv2.INetworkLoadBalancerTarget{asg}}}})
		return nil
	}, NoControlTowerCheck).Templates["AsgTarget"]
	tgID, tg := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup"))
	if Props(tg)["TargetType"] != "instance" {
		t.Errorf("the group's target type is %v, want instance", Props(tg)["TargetType"])
	}
	_, group := Only(t, Resources(tpl, "AWS::AutoScaling::AutoScalingGroup"))
	if arns := fmt.Sprint(Props(group)["TargetGroupARNs"]); arns != "[map[Ref:"+tgID+"]]" {
		t.Errorf("the Auto Scaling group joins %s, want only [Ref %s]", arns, tgID)
	}
}

// Retained logs under a key deleted with the stack could never be read again.
func TestRetainedLogsUnderAKeyDeletedWithTheStackWarn(t *testing.T) {
	stack := ProviderStack(NewApp(), "RetainedLogs")
	key := logkey.New(stack, "LogsKey")
	for id, removal := range map[string]awscdk.RemovalPolicy{"Destroyed": awscdk.RemovalPolicy_DESTROY, "Retained": awscdk.RemovalPolicy_RETAIN} {
		provider.NewProvider(stack, id, &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}, LogsKey: key, LogRemovalPolicy: removal})
	}
	found := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(
		"^LogRemovalPolicy keeps the log groups after the stack, but LogsKey RetainedLogs/LogsKey is deleted with it")))
	if len(*found) != 1 || !strings.Contains(*(*found)[0].Id, "Retained") {
		t.Fatalf("%d warnings, want 1 on the retained provider's function", len(*found))
	}
}

// The constructs are constructs to CDK itself (jsii's override pattern), not Go structs around
// one: anything that takes a construct takes them.
func TestTheConstructsGoWhereverCDKTakesAConstruct(t *testing.T) {
	stack := ProviderStack(NewApp(), "AnyConstruct")
	p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{AvailabilityZoneIds: []string{"euw1-az1"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"}})
	a := acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
	e := consumer.NewEnabler(stack, "Enabler", nil)
	c := consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p, AvailabilityZoneIds: []string{"euw1-az1"}, Enabler: e})
	for _, x := range []constructs.IConstruct{p, a, e, c} {
		if got := *awscdk.Stack_Of(x).StackName(); got != "AnyConstruct" {
			t.Errorf("Stack_Of(%s) is %s", *x.Node().Path(), got)
		}
		awscdk.Annotations_Of(x).AcknowledgeWarning(jsii.String("privatelink:none"), jsii.String("passed to CDK"))
	}
	c.Node().AddDependency(a)
	if deps := *c.Node().Dependencies(); len(deps) != 1 || *deps[0].Node().Path() != "AnyConstruct/Acceptor" {
		t.Errorf("the consumer depends on %v, want the acceptor", deps)
	}
}

// The wait machine's LogGroupArn has at most 256 characters (AWS::StepFunctions::StateMachine
// CloudWatchLogsLogGroup), even for the longest stack name CloudFormation takes (128) in the
// longest partition and Region.
func TestTheWaitLogGroupsArnFitsStepFunctionsForTheLongestStackName(t *testing.T) {
	name := strings.Repeat("S", 128)
	tpl := Synth(t, "long-stack-name", func(app awscdk.App) error {
		stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-gov-west-1")}})
		consumer.NewConsumer(stack, strings.Repeat("C", 60), &consumer.ConsumerProps{ServiceName: "com.amazonaws.vpce.us-gov-west-1.vpce-svc-0123456789abcdef0", Ports: []provider.ServicePort{{Port: 443}}})
		return nil
	}, NoControlTowerCheck).Templates[name]
	w := World{Account: "111111111111", Region: "us-gov-west-1", Stack: name}
	for id, lg := range Resources(tpl, "AWS::Logs::LogGroup") {
		if n, ok := Props(lg)["LogGroupName"]; ok {
			arn := "arn:aws-us-gov:logs:us-gov-west-1:111111111111:log-group:" + fmt.Sprint(w.Resolve(t, n)) + ":*"
			if len(arn) > 256 {
				t.Errorf("%s's ARN is %d characters: %s", id, len(arn), arn)
			}
		}
	}
}
