package enabler

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

const (
	endpointID  = "vpce-0a1b2c3d4e5f60718"
	serviceName = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
)

// endpoint answers DescribeVpcEndpoints with the XML EC2 sends: element names as in
// aws-sdk-go-v2's awsEc2query_deserializeDocumentVpcEndpoint (dnsEntrySet, not dnsEntries — a
// name the SDK does not know is silently dropped).
func endpoint(state string, privateDNS bool) ec2fake.Handler {
	return func(url.Values) (int, string) { return endpointWith(endpointID, state, privateDNS) }
}

func endpointWith(id, state string, privateDNS bool) (int, string) {
	return ec2fake.OK("DescribeVpcEndpoints", fmt.Sprintf(`<vpcEndpointSet><item><vpcEndpointId>%s</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><serviceName>%s</serviceName><state>%s</state><privateDnsEnabled>%t</privateDnsEnabled><ipAddressType>dualstack</ipAddressType><dnsEntrySet><item><dnsName>%s-abcdefgh.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com</dnsName><hostedZoneId>Z38GZ743OKFT7T</hostedZoneId></item></dnsEntrySet></item></vpcEndpointSet>`, id, serviceName, state, privateDNS, id))
}

func modified(url.Values) (int, string) {
	return ec2fake.OK("ModifyVpcEndpoint", "<return>true</return>")
}

func service(ipTypes, dnsState string, azs ...string) ec2fake.Handler {
	return func(url.Values) (int, string) {
		var types, names, ids strings.Builder
		for _, t := range strings.Split(ipTypes, ",") {
			fmt.Fprintf(&types, "<item>%s</item>", t)
		}
		for _, az := range azs {
			name, id, _ := strings.Cut(az, "=")
			fmt.Fprintf(&names, "<item>%s</item>", name)
			fmt.Fprintf(&ids, "<item>%s</item>", id)
		}
		return ec2fake.OK("DescribeVpcEndpointServices", fmt.Sprintf(`<serviceNameSet><item>%s</item></serviceNameSet><serviceDetailSet><item><serviceName>%s</serviceName><serviceId>vpce-svc-0123456789abcdef0</serviceId><serviceType><item><serviceType>Interface</serviceType></item></serviceType><availabilityZoneSet>%s</availabilityZoneSet><availabilityZoneIdSet>%s</availabilityZoneIdSet><owner>111111111111</owner><acceptanceRequired>true</acceptanceRequired><privateDnsName>api.example.com</privateDnsName><privateDnsNameVerificationState>%s</privateDnsNameVerificationState><supportedIpAddressTypeSet>%s</supportedIpAddressTypeSet></item></serviceDetailSet>`, serviceName, serviceName, names.String(), ids.String(), dnsState, types.String()))
	}
}

func subnets(url.Values) (int, string) {
	return ec2fake.OK("DescribeSubnets", `<subnetSet><item><subnetId>subnet-1</subnetId><availabilityZone>eu-west-1a</availabilityZone><availabilityZoneId>euw1-az3</availabilityZoneId><state>available</state></item><item><subnetId>subnet-2</subnetId><availabilityZone>eu-west-1b</availabilityZone><availabilityZoneId>euw1-az1</availabilityZoneId><state>available</state></item></subnetSet>`)
}

// vpcAttributes answers DescribeVpcAttribute like EC2 does, one attribute per call.
func vpcAttributes(support, hostnames bool) ec2fake.Handler {
	return func(f url.Values) (int, string) {
		value := map[string]bool{"enableDnsSupport": support, "enableDnsHostnames": hostnames}[f.Get("Attribute")]
		return ec2fake.OK("DescribeVpcAttribute", fmt.Sprintf("<vpcId>%s</vpcId><%s><value>%t</value></%s>", f.Get("VpcId"), f.Get("Attribute"), value, f.Get("Attribute")))
	}
}

func enablerFor(t *testing.T, handlers map[string]ec2fake.Handler) (Enabler, *ec2fake.Server) {
	srv := ec2fake.New(t)
	for action, h := range handlers {
		srv.On(action, h)
	}
	c := srv.Client()
	return Enabler{Endpoints: c, Modify: c, Services: c, Subnets: c, Vpcs: c, Log: slog.New(slog.DiscardHandler), Poll: 5 * time.Millisecond, Region: "eu-west-1", IAMWait: time.Second}, srv
}

func TestEnable(t *testing.T) {
	t.Parallel() // it waits on real timers
	props := map[string]any{"VpcEndpointId": endpointID, "PrivateDnsEnabled": "true", "TimeoutSeconds": "1", "ConsumerAccount": "222222222222", "ServiceName": serviceName}
	cases := []struct {
		name       string
		describe   ec2fake.Handler
		modify     ec2fake.Handler
		props      map[string]any
		wantErr    string
		wantModify int
		wantData   string
	}{
		{name: "waits for acceptance, enables private DNS and waits again",
			describe:   ec2fake.Sequence(endpoint("pendingAcceptance", false), endpoint("pending", false), endpoint("available", false), endpoint("pending", true), endpoint("available", true)),
			wantModify: 1, wantData: "PrivateDnsEnabled:true RegionalDnsName:" + endpointID + "-abcdefgh.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com"},
		{name: "retries an authorization error while the new policy propagates",
			describe:   ec2fake.Sequence(endpoint("available", false), endpoint("available", true)),
			modify:     ec2fake.Sequence(ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation."), modified),
			wantModify: 2, wantData: "PrivateDnsEnabled:true"},
		{name: "gives up on an authorization error after its bound, naming the code",
			describe: endpoint("available", false), modify: ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation."),
			wantModify: -1, wantErr: "enable private DNS on " + endpointID + ": operation error EC2: ModifyVpcEndpoint"},
		{name: "keeps polling while a stale read still shows private DNS off after enabling it",
			describe:   ec2fake.Sequence(endpoint("available", false), endpoint("available", false), endpoint("available", false), endpoint("available", true)),
			wantModify: 1, wantData: "PrivateDnsEnabled:true"},
		{name: "fails at the deadline, not at the first stale read, when private DNS never shows on",
			describe: endpoint("available", false), wantModify: 1,
			wantErr: "endpoint " + endpointID + " to " + serviceName + " is still available with private DNS off 1s after enabling it"},
		{name: "fails at once on a partial endpoint",
			describe: endpoint("partial", false), wantErr: "endpoint " + endpointID + " is partial"},
		{name: "fails at once on an expired endpoint",
			describe: endpoint("expired", false), wantErr: "endpoint " + endpointID + " is expired"},
		{name: "does not modify an endpoint whose private DNS is already on",
			describe: endpoint("available", true), wantModify: 0, wantData: "State:available"},
		{name: "leaves private DNS off when not asked",
			describe: endpoint("available", false), props: map[string]any{"PrivateDnsEnabled": "false"}, wantModify: 0, wantData: "PrivateDnsEnabled:false"},
		{name: "fails with the allow-list question when acceptance never comes",
			describe: endpoint("pendingAcceptance", false),
			wantErr:  "still pendingAcceptance after 1s — is account 222222222222 on the provider's allow-list"},
		{name: "fails at once on a rejected endpoint",
			describe: endpoint("rejected", false), wantErr: "endpoint " + endpointID + " is rejected"},
		{name: "retries throttling on the way",
			describe: ec2fake.Sequence(ec2fake.Throttled, endpoint("available", true)), wantData: "State:available"},
		{name: "refuses a malformed endpoint ID", props: map[string]any{"VpcEndpointId": "i-123"}, wantErr: `VpcEndpointId "i-123" is not a VPC endpoint ID`},
		{name: "refuses an out-of-range timeout", props: map[string]any{"TimeoutSeconds": "3600"}, wantErr: "TimeoutSeconds 3600 must be a whole number of seconds between 1 and 3300"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			modify := c.modify
			if modify == nil {
				modify = modified
			}
			e, srv := enablerFor(t, map[string]ec2fake.Handler{"DescribeVpcEndpoints": c.describe, "ModifyVpcEndpoint": modify})
			rp := maps.Clone(props)
			maps.Copy(rp, c.props)
			_, data, err := e.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, EnablerType, rp))
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if n := len(srv.Calls("ModifyVpcEndpoint")); c.wantModify >= 0 && n != c.wantModify || c.wantModify < 0 && n < 2 {
				t.Fatalf("%d ModifyVpcEndpoint calls, want %d", n, c.wantModify)
			}
			if mods := srv.Calls("ModifyVpcEndpoint"); len(mods) > 0 && mods[0].Get("PrivateDnsEnabled") != "true" {
				t.Fatalf("ModifyVpcEndpoint sent %v, want PrivateDnsEnabled=true", mods[0])
			}
			if c.wantData != "" && !containsAll(fmt.Sprint(data), strings.Fields(c.wantData)) {
				t.Fatalf("data = %v, want %s", data, c.wantData)
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	props := map[string]any{"ServiceName": serviceName, "Ipv6": "true", "PrivateDns": "true", "SubnetIds": "subnet-1,subnet-2", "VpcId": "vpc-0123456789abcdef0"}
	cases := []struct {
		name     string
		service  ec2fake.Handler
		vpc      ec2fake.Handler // DescribeVpcAttribute; default: both DNS attributes on
		props    map[string]any
		wantErrs []string
	}{
		{name: "passes a dual-stack verified service serving every AZ of our subnets",
			service: service("ipv4,ipv6", "verified", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1", "eu-west-1c=euw1-az2")},
		{name: "fails when one subnet is in an AZ the service does not serve, naming it by AZ ID",
			service:  service("ipv4,ipv6", "verified", "eu-west-1b=euw1-az1", "eu-west-1c=euw1-az2"),
			wantErrs: []string{"endpoint subnets [subnet-1 in eu-west-1a (euw1-az3)] are in AZs the service does not serve (it serves [eu-west-1b (euw1-az1) eu-west-1c (euw1-az2)]", "use subnets in served AZs only"}},
		{name: "skips the AZ check for a service in another Region, which lists no AZs",
			service: service("ipv4,ipv6", "verified"), props: map[string]any{"ServiceRegion": "us-east-1"}},
		{name: "keeps the AZ check when ServiceRegion is this Region",
			service: service("ipv4,ipv6", "verified"), props: map[string]any{"ServiceRegion": "eu-west-1"},
			wantErrs: []string{"endpoint subnets [subnet-1 in eu-west-1a (euw1-az3) subnet-2 in eu-west-1b (euw1-az1)] are in AZs the service does not serve"}},
		{name: "says so when the service reports no verification state",
			service:  service("ipv4,ipv6", "", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1"),
			wantErrs: []string{"private DNS name api.example.com of service " + serviceName + " reports no verification state, so it is not verified"}},
		{name: "fails on an IPv4-only service when dualstack was asked",
			service:  service("ipv4", "verified", "eu-west-1a=euw1-az3"),
			wantErrs: []string{"supports [ipv4], not ipv6, but the endpoint asks for dualstack"}},
		{name: "fails on an unverified private DNS name",
			service:  service("ipv4,ipv6", "pendingVerification", "eu-west-1a=euw1-az3"),
			wantErrs: []string{"private DNS name api.example.com of service " + serviceName + " is pendingVerification, not verified"}},
		{name: "ignores verification when private DNS is off",
			service: service("ipv4,ipv6", "pendingVerification", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1"), props: map[string]any{"PrivateDns": "false"}},
		{name: "reports every problem at once",
			service:  service("ipv4", "failed", "eu-west-1c=euw1-az2"),
			wantErrs: []string{"not ipv6", "is failed, not verified", "are in AZs the service does not serve"}},
		{name: "fails on a VPC without DNS hostnames, with the command that fixes it",
			service: service("ipv4,ipv6", "verified", "eu-west-1a=euw1-az3"), vpc: vpcAttributes(true, false),
			wantErrs: []string{`VPC vpc-0123456789abcdef0 has enableDnsHostnames off`, `aws ec2 modify-vpc-attribute --vpc-id vpc-0123456789abcdef0 --enable-dns-hostnames '{"Value":true}'`, "or set PrivateDns to false"}},
		{name: "fails on a VPC without DNS support",
			service: service("ipv4,ipv6", "verified", "eu-west-1a=euw1-az3"), vpc: vpcAttributes(false, true),
			wantErrs: []string{`VPC vpc-0123456789abcdef0 has enableDnsSupport off`, "--enable-dns-support"}},
		{name: "ignores the VPC's DNS attributes when private DNS is off",
			service: service("ipv4,ipv6", "verified", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1"), vpc: vpcAttributes(false, false), props: map[string]any{"PrivateDns": "false"}},
		{name: "fails when the service is not visible",
			service:  ec2fake.Fail("InvalidServiceName", "The Vpc Endpoint Service '"+serviceName+"' does not exist"),
			wantErrs: []string{"InvalidServiceName", "is this account an allowed principal of the service?"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vpc := c.vpc
			if vpc == nil {
				vpc = vpcAttributes(true, true)
			}
			e, _ := enablerFor(t, map[string]ec2fake.Handler{"DescribeVpcEndpointServices": c.service, "DescribeSubnets": subnets, "DescribeVpcAttribute": vpc})
			rp := maps.Clone(props)
			maps.Copy(rp, c.props)
			_, _, err := e.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, PreflightType, rp))
			if len(c.wantErrs) == 0 && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			for _, want := range c.wantErrs {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestDeleteNeverTouchesEC2AndAlwaysAnswers(t *testing.T) {
	for _, rt := range []string{PreflightType, EnablerType, "Custom::Unknown"} {
		e, srv := enablerFor(t, nil)
		resp := cfntest.New(t)
		ev := cfntest.Event(cfn.RequestDelete, rt, map[string]any{"VpcEndpointId": endpointID})
		if err := resp.Responder().Handle(context.Background(), ev, e.Handle); err != nil {
			t.Fatal(err)
		}
		if r := resp.Responses(); len(r) != 1 || r[0].Status != cfn.StatusSuccess || r[0].PhysicalResourceID != "existing-id" {
			t.Fatalf("%s delete answered %+v, want one SUCCESS keeping the physical ID", rt, r)
		}
		if n := len(srv.Calls("")); n != 0 {
			t.Fatalf("%s delete made %d EC2 calls", rt, n)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestAnUpdateReassertsPrivateDnsThatTheEndpointUpdateTurnedOff(t *testing.T) {
	// CloudFormation updated the endpoint in place (its template says PrivateDnsEnabled false)
	// and then the enabler, whose EndpointConfig changed with it.
	e, srv := enablerFor(t, map[string]ec2fake.Handler{
		"DescribeVpcEndpoints": ec2fake.Sequence(endpoint("available", false), endpoint("available", true)),
		"ModifyVpcEndpoint":    modified,
	})
	ev := cfntest.Event(cfn.RequestUpdate, EnablerType, map[string]any{"VpcEndpointId": endpointID, "PrivateDnsEnabled": "true", "TimeoutSeconds": "1", "EndpointConfig": "subnet-3,subnet-4|sg-1|dualstack|dualstack"})
	id, data, err := e.Handle(context.Background(), ev)
	if err != nil || id != endpointID || data["PrivateDnsEnabled"] != "true" {
		t.Fatalf("= %q, %v, %v; want private DNS on again", id, data, err)
	}
	if mods := srv.Calls("ModifyVpcEndpoint"); len(mods) != 1 || mods[0].Get("PrivateDnsEnabled") != "true" {
		t.Fatalf("ModifyVpcEndpoint calls %v, want one turning private DNS on", mods)
	}
}

func TestAReplacedEndpointGivesUpTheNameBeforeTheNewOneTakesIt(t *testing.T) {
	const old = "vpce-0000000000000000a"
	// EC2 as the replacement leaves it: the old endpoint still has private DNS on (and so holds
	// the name), the new one is available with it off. ModifyVpcEndpoint applies what it is told.
	// Reads are eventually consistent: the old endpoint still reads as on twice after it was
	// turned off, while EC2 already refuses the name to the new one until it has let it go.
	dns := map[string]bool{old: true, endpointID: false}
	stale := 0
	var order []string
	e, srv := enablerFor(t, map[string]ec2fake.Handler{
		"DescribeVpcEndpoints": func(f url.Values) (int, string) {
			id := f.Get("VpcEndpointId.1")
			if id == old && !dns[old] && stale < 2 {
				stale++
				return endpointWith(id, "available", true)
			}
			return endpointWith(id, "available", dns[id])
		},
		"ModifyVpcEndpoint": func(f url.Values) (int, string) {
			id, on := f.Get("VpcEndpointId"), f.Get("PrivateDnsEnabled") == "true"
			if on && dns[old] {
				return http.StatusBadRequest, ec2fake.Error("InvalidParameter", "private-dns-enabled cannot be set because there is already a conflicting DNS domain for api.example.com in the VPC")
			}
			dns[id] = on
			order = append(order, fmt.Sprintf("%s=%t", id, on))
			return modified(f)
		},
	})
	ev := cfntest.Event(cfn.RequestUpdate, EnablerType, map[string]any{"VpcEndpointId": endpointID, "PrivateDnsEnabled": "true", "TimeoutSeconds": "1"})
	ev.OldResourceProperties = map[string]any{"VpcEndpointId": old, "PrivateDnsEnabled": "true", "TimeoutSeconds": "1"}
	if _, _, err := e.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, " "); got != old+"=false "+endpointID+"=true" {
		t.Fatalf("modifications %q, want the old endpoint's private DNS off before the new one's on", got)
	}
	if stale != 2 {
		t.Fatalf("the old endpoint was read %d times after turning it off, want it read until it shows off", stale)
	}
	if n := len(srv.Calls("ModifyVpcEndpoint")); n != 2 {
		t.Fatalf("%d ModifyVpcEndpoint calls, want 2", n)
	}
}

func TestAfterADeployPrivateDnsThatTheUpdateTurnedOffIsTurnedBackOn(t *testing.T) {
	input := `{"PrivateLinkReassertPrivateDns":{"VpcEndpointId":"` + endpointID + `"}}`
	for _, c := range []struct {
		name       string
		describe   ec2fake.Handler
		wantModify int
	}{
		{"an available endpoint with private DNS off gets it back", endpoint("available", false), 1},
		{"an endpoint with private DNS on is left alone", endpoint("available", true), 0},
		{"an endpoint not accepted yet is the custom resource's to finish", endpoint("pendingAcceptance", false), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, srv := enablerFor(t, map[string]ec2fake.Handler{"DescribeVpcEndpoints": c.describe, "ModifyVpcEndpoint": modified})
			handled, err := e.HandleEvent(context.Background(), []byte(input))
			if !handled || err != nil {
				t.Fatalf("= %v, %v; want handled without error", handled, err)
			}
			mods := srv.Calls("ModifyVpcEndpoint")
			if len(mods) != c.wantModify || len(mods) > 0 && mods[0].Get("PrivateDnsEnabled") != "true" {
				t.Fatalf("ModifyVpcEndpoint calls %v, want %d turning private DNS on", mods, c.wantModify)
			}
		})
	}
	// A late event, delivered while a later deploy runs (one that may replace the endpoint and
	// turn the old one's private DNS off for the new one), leaves the endpoint alone.
	withStack := `{"PrivateLinkReassertPrivateDns":{"VpcEndpointId":"` + endpointID + `","StackId":"arn:aws:cloudformation:eu-west-1:222222222222:stack/Consumer/guid"}}`
	for status, wantModify := range map[cftypes.StackStatus]int{cftypes.StackStatusUpdateInProgress: 0, cftypes.StackStatusUpdateCompleteCleanupInProgress: 0, cftypes.StackStatusUpdateRollbackComplete: 1} {
		e, srv := enablerFor(t, map[string]ec2fake.Handler{"DescribeVpcEndpoints": endpoint("available", false), "ModifyVpcEndpoint": modified})
		e.Stacks = stackIn(status)
		if handled, err := e.HandleEvent(context.Background(), []byte(withStack)); !handled || err != nil {
			t.Fatalf("%s: = %v, %v", status, handled, err)
		}
		if n := len(srv.Calls("ModifyVpcEndpoint")); n != wantModify {
			t.Errorf("stack %s: %d ModifyVpcEndpoint calls, want %d", status, n, wantModify)
		}
	}
	// An endpoint replaced since the event was sent is gone: nothing to do, nothing failed.
	gone, _ := enablerFor(t, map[string]ec2fake.Handler{"DescribeVpcEndpoints": ec2fake.Fail("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '"+endpointID+"' does not exist")})
	if handled, err := gone.HandleEvent(context.Background(), []byte(input)); !handled || err != nil {
		t.Errorf("a gone endpoint = %v, %v; want handled without error", handled, err)
	}
	e, _ := enablerFor(t, nil)
	if handled, _ := e.HandleEvent(context.Background(), []byte(`{"RequestType":"Create"}`)); handled {
		t.Error("a CloudFormation request was taken for the deploy event")
	}
	if _, err := e.HandleEvent(context.Background(), []byte(`{"PrivateLinkReassertPrivateDns":{"VpcEndpointId":"i-1"}}`)); err == nil || !strings.Contains(err.Error(), `VpcEndpointId "i-1" is not a VPC endpoint ID`) {
		t.Errorf("err = %v", err)
	}
}

// stackIn answers DescribeStacks with one stack in status.
type stackIn cftypes.StackStatus

func (s stackIn) DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{{StackStatus: cftypes.StackStatus(s)}}}, nil
}

// In external DNS mode the provider publishes its TXT record while the consumer deploys: with
// TimeoutSeconds the preflight waits for the name to be verified, and when it is not by then it
// fails saying what to publish and run. Any other problem still fails at once.
func TestThePreflightWaitsForThePrivateDnsNameToBeVerified(t *testing.T) {
	t.Parallel() // it waits on real timers
	props := map[string]any{"ServiceName": serviceName, "Ipv6": "true", "PrivateDns": "true", "SubnetIds": "subnet-1", "VpcId": "vpc-0123456789abcdef0", "TimeoutSeconds": "1"}
	t.Run("passes once the name is verified", func(t *testing.T) {
		e, srv := enablerFor(t, map[string]ec2fake.Handler{"DescribeSubnets": subnets, "DescribeVpcAttribute": vpcAttributes(true, true),
			"DescribeVpcEndpointServices": ec2fake.Sequence(service("ipv4,ipv6", "pendingVerification", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1"), service("ipv4,ipv6", "pendingVerification", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1"), service("ipv4,ipv6", "verified", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1"))})
		if _, data, err := e.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, PreflightType, props)); err != nil || data["PrivateDnsName"] != "api.example.com" {
			t.Fatalf("preflight = %v, %v; want it passed once verified", data, err)
		}
		if n := len(srv.Calls("DescribeVpcEndpointServices")); n != 3 {
			t.Fatalf("%d looks at the service, want 3 (twice pending, then verified)", n)
		}
	})
	t.Run("fails at its deadline naming what to publish", func(t *testing.T) {
		e, _ := enablerFor(t, map[string]ec2fake.Handler{"DescribeSubnets": subnets, "DescribeVpcAttribute": vpcAttributes(true, true),
			"DescribeVpcEndpointServices": service("ipv4,ipv6", "pendingVerification", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1")})
		start := time.Now()
		_, _, err := e.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, PreflightType, props))
		MustContainAll(t, err, "private DNS name api.example.com of service "+serviceName+" is pendingVerification, not verified", "still after 1s",
			"publish the TXT record the provider stack outputs", "aws ec2 start-vpc-endpoint-service-private-dns-verification")
		if !cfnresponse.IsPending(err) || time.Since(start) < time.Second {
			t.Fatalf("after %s: %v; want a Pending failure at the 1 s deadline", time.Since(start), err)
		}
	})
	t.Run("fails at once on anything else", func(t *testing.T) {
		e, srv := enablerFor(t, map[string]ec2fake.Handler{"DescribeSubnets": subnets, "DescribeVpcAttribute": vpcAttributes(true, true),
			"DescribeVpcEndpointServices": service("ipv4", "pendingVerification", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1")})
		_, _, err := e.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, PreflightType, props))
		MustContainAll(t, err, "not ipv6", "is pendingVerification, not verified")
		if n := len(srv.Calls("DescribeVpcEndpointServices")); n != 1 {
			t.Fatalf("%d looks at the service, want 1: an IPv4-only service does not become dual-stack by waiting", n)
		}
	})
}

// MustContainAll fails unless err says each of want.
func MustContainAll(t *testing.T, err error, want ...string) {
	t.Helper()
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("err = %v, want it to contain %q", err, w)
		}
	}
}

// A rollback sends the preflight the previous properties as an Update while the endpoint exists:
// it checks nothing then, so a name that is not verified any more (or any other problem) cannot
// leave the stack UPDATE_ROLLBACK_FAILED, and it still answers the attributes.
func TestThePreflightPassesDuringARollback(t *testing.T) {
	t.Parallel()
	props := map[string]any{"ServiceName": serviceName, "Ipv6": "true", "PrivateDns": "true", "SubnetIds": "subnet-1", "VpcId": "vpc-0123456789abcdef0", "TimeoutSeconds": "60"}
	for status, wantWait := range map[string]bool{"UPDATE_ROLLBACK_IN_PROGRESS": false, "UPDATE_IN_PROGRESS": true} {
		t.Run(status, func(t *testing.T) {
			e, srv := enablerFor(t, map[string]ec2fake.Handler{"DescribeSubnets": subnets, "DescribeVpcAttribute": vpcAttributes(true, true),
				"DescribeVpcEndpointServices": service("ipv4,ipv6", "pendingVerification", "eu-west-1a=euw1-az3", "eu-west-1b=euw1-az1")})
			e.Stacks = stackIn(status)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, data, err := e.Handle(ctx, cfntest.Event(cfn.RequestUpdate, PreflightType, props))
			looks := len(srv.Calls("DescribeVpcEndpointServices"))
			if wantWait {
				if err == nil || looks < 2 {
					t.Fatalf("during a forward update: %v after %d looks, want it waiting for the name", err, looks)
				}
				return
			}
			if err != nil || looks != 1 || data["PrivateDnsName"] != "api.example.com" {
				t.Fatalf("during a rollback: %v, %v after %d looks; want success at once with the attributes", data, err, looks)
			}
		})
	}
}
