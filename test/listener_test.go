package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// resolvedChecks is the test client's check commands as the consumer's deploy resolves them.
func resolvedChecks(t *testing.T, tpl assertions.Template) string {
	t.Helper()
	w := endpointWorld(t, tpl, "222222222222", "eu-west-1")
	return w.Resolve(t, Output(t, tpl, "Run on the test client")).(string)
}

func TestATLSListenerInRoute53ModeTerminatesTLSWithACertificateForThePrivateDnsNameValidatedInTheZone(t *testing.T) {
	f := Golden(t, "route53-tls")
	tpl := f.Templates[privatelinkapp.ProviderStackName]

	certID, cert := Only(t, Resources(tpl, "AWS::CertificateManager::Certificate"))
	mustEqualJSON(t, Props(cert)["DomainName"], "api.example.com")
	mustEqualJSON(t, Props(cert)["ValidationMethod"], "DNS")
	// The validation CNAME goes into the zone that holds the TXT verification record.
	mustEqualJSON(t, Props(cert)["DomainValidationOptions"], []any{map[string]any{"DomainName": "api.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ"}})

	_, listener := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::Listener"))
	mustEqualJSON(t, Props(listener)["Protocol"], "TLS")
	mustEqualJSON(t, Props(listener)["Certificates"], []any{map[string]any{"CertificateArn": map[string]any{"Ref": certID}}})
	mustEqualJSON(t, Props(listener)["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
	if _, ok := Props(listener)["AlpnPolicy"]; ok {
		t.Errorf("ALPN is opt-in, but the listener has %v", Props(listener)["AlpnPolicy"])
	}
	// Targets get the decrypted stream over TCP on their port: the demo target is unchanged.
	_, tg := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup"))
	mustEqualJSON(t, Props(tg)["Protocol"], "TCP")
	mustEqualJSON(t, Props(tg)["Port"], 443)
	mustEqualJSON(t, Props(tg)["TargetType"], "instance")

	consumer := f.Templates[privatelinkapp.ConsumerStackName]
	consumer.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), M(
		"GroupDescription", "PrivateLink endpoint: service ports from allowed clients only",
		"SecurityGroupIngress", []any{
			Like("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "Description", "service port 443/TLS"),
			Like("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443, "Description", "service port 443/TLS"),
		}))
	// By the name on the certificate, which private DNS resolves inside the VPC: no --resolve,
	// no -k, and no check by the endpoint's own name (the certificate does not name it).
	if got, want := resolvedChecks(t, consumer), "curl -4 -sS https://api.example.com:443/ ; curl -6 -sS https://api.example.com:443/"; got != want {
		t.Errorf("test client checks:\n got %s\nwant %s", got, want)
	}
}

func TestAccessLogsOnRequestGoToABucketWhosePolicyLetsLogDeliveryWriteBeforeTheNLBTurnsThemOn(t *testing.T) {
	tpl := Golden(t, "route53-tls").Templates[privatelinkapp.ProviderStackName]
	w := World{Account: "111111111111", Region: "eu-west-1", Refs: map[string]string{}, Attrs: map[string]any{}}
	bucketID, bucket := Only(t, Resources(tpl, "AWS::S3::Bucket"))
	w.Refs[bucketID] = "logs-bucket"
	w.Attrs[bucketID+".Arn"] = "arn:aws:s3:::logs-bucket"
	if bucket["DeletionPolicy"] != "Retain" {
		t.Errorf("the log bucket's DeletionPolicy is %v: a bucket with objects would fail the stack's deletion", bucket["DeletionPolicy"])
	}
	mustEqualJSON(t, Props(bucket)["OwnershipControls"], map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}})

	policyID, policy := Only(t, Resources(tpl, "AWS::S3::BucketPolicy"))
	doc, _ := json.Marshal(w.Resolve(t, Props(policy)["PolicyDocument"]))
	// The ELB User Guide's NLB policy ("Enable access logs for your Network Load Balancer"):
	// log delivery only, for this account's deliveries from this Region.
	for _, want := range []string{
		`{"Action":"s3:GetBucketAcl","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:logs:eu-west-1:111111111111:*"},"StringEquals":{"aws:SourceAccount":"111111111111"}},"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Resource":"arn:aws:s3:::logs-bucket","Sid":"AWSLogDeliveryAclCheck"}`,
		`{"Action":"s3:PutObject","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:logs:eu-west-1:111111111111:*"},"StringEquals":{"aws:SourceAccount":"111111111111","s3:x-amz-acl":"bucket-owner-full-control"}},"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Resource":"arn:aws:s3:::logs-bucket/AWSLogs/111111111111/*","Sid":"AWSLogDeliveryWrite"}`,
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"`,
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("bucket policy %s\nlacks %s", doc, want)
		}
	}
	var resolved struct{ Statement []map[string]any }
	_ = json.Unmarshal(doc, &resolved)
	for _, st := range resolved.Statement {
		if st["Effect"] != "Allow" {
			continue
		}
		principal, _ := json.Marshal(st["Principal"])
		cond, _ := json.Marshal(st["Condition"])
		switch {
		case !strings.Contains(string(principal), "delivery.logs.amazonaws.com"):
			// The Region's ELB account (ALB and Classic delivery) has no business here.
			t.Errorf("the bucket policy allows %s, which NLB log delivery is not", principal)
		case !strings.Contains(string(cond), `"aws:SourceAccount":"111111111111"`):
			t.Errorf("a log delivery statement is not conditioned on the source account: %s", cond)
		}
	}
	_, nlb := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
	attrs, _ := json.Marshal(w.Resolve(t, Props(nlb)["LoadBalancerAttributes"]))
	for _, want := range []string{`{"Key":"access_logs.s3.enabled","Value":"true"}`, `{"Key":"access_logs.s3.bucket","Value":"logs-bucket"}`} {
		if !strings.Contains(string(attrs), want) {
			t.Errorf("NLB attributes %s lack %s", attrs, want)
		}
	}
	if deps, _ := json.Marshal(nlb["DependsOn"]); !strings.Contains(string(deps), policyID) {
		t.Errorf("the NLB depends on %s, not on the bucket policy %s: ELB would find no permission to write", deps, policyID)
	}
}

func TestAUDPListenerOnADualStackNLBUsesIPv6SourceNatAndAnIPv6TargetGroupCheckedOverTCP(t *testing.T) {
	f := Golden(t, "udp")
	tpl := f.Templates[privatelinkapp.ProviderStackName]

	_, nlb := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
	mustEqualJSON(t, Props(nlb)["IpAddressType"], "dualstack")
	mustEqualJSON(t, Props(nlb)["EnablePrefixForIpv6SourceNat"], "on")
	subnets := Resources(tpl, "AWS::EC2::Subnet")
	mappings, _ := Props(nlb)["SubnetMappings"].([]any)
	if len(mappings) != len(subnets) || len(mappings) != 2 {
		t.Fatalf("%d subnet mappings for %d subnets, want one per subnet (2)", len(mappings), len(subnets))
	}
	for _, mp := range mappings {
		mp := mp.(map[string]any)
		ref, _ := mp["SubnetId"].(map[string]any)
		if _, ok := subnets[ref["Ref"].(string)]; !ok || mp["SourceNatIpv6Prefix"] != "auto_assigned" {
			t.Errorf("subnet mapping %v: want a subnet of the VPC with SourceNatIpv6Prefix auto_assigned", mp)
		}
	}
	if _, ok := Props(nlb)["Subnets"]; ok {
		t.Error("the NLB has Subnets and SubnetMappings; CloudFormation takes one of them")
	}

	_, listener := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::Listener"))
	mustEqualJSON(t, Props(listener)["Protocol"], "UDP")
	mustEqualJSON(t, Props(listener)["Port"], 5000)
	_, tg := Only(t, Resources(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup"))
	for k, v := range map[string]any{"Protocol": "UDP", "IpAddressType": "ipv6", "TargetType": "instance", "HealthCheckProtocol": "TCP", "Port": 5000} {
		mustEqualJSON(t, Props(tg)[k], v)
	}
	if _, ok := Props(tg)["HealthCheckPort"]; ok {
		t.Errorf("health check port %v, want the traffic port (ELB's default)", Props(tg)["HealthCheckPort"])
	}
	// Proxy protocol is off here, ELB's default: a UDP group carries no attribute for it.
	if strings.Contains(fmt.Sprint(Props(tg)["TargetGroupAttributes"]), "proxy_protocol_v2") {
		t.Errorf("a UDP target group with proxy protocol off sets it: %v", Props(tg)["TargetGroupAttributes"])
	}
	// The demo target is registered by instance ID, which an IPv6 target group takes from an
	// instance with a primary IPv6 address: its launch template's interface gives it one, and a
	// replaced instance brings its own.
	instanceID, instance := Only(t, Resources(tpl, "AWS::EC2::Instance"))
	mustEqualJSON(t, Props(tg)["Targets"], []any{map[string]any{"Id": map[string]any{"Ref": instanceID}, "Port": 5000}})
	ltID, lt := Only(t, Resources(tpl, "AWS::EC2::LaunchTemplate"))
	mustEqualJSON(t, Props(instance)["LaunchTemplate"], map[string]any{"LaunchTemplateId": map[string]any{"Ref": ltID}, "Version": map[string]any{"Fn::GetAtt": []any{ltID, "LatestVersionNumber"}}})
	if _, ok := Props(instance)["NetworkInterfaces"]; ok {
		t.Error("the instance has its own NetworkInterfaces, which would override the launch template's")
	}
	ni := Props(lt)["LaunchTemplateData"].(map[string]any)["NetworkInterfaces"].([]any)[0].(map[string]any)
	for k, v := range map[string]any{"DeviceIndex": 0, "PrimaryIpv6": true, "Ipv6AddressCount": 1, "AssociatePublicIpAddress": false, "DeleteOnTermination": true} {
		mustEqualJSON(t, ni[k], v)
	}
	// RunInstances wants the instance's zone to be its subnet's.
	subnet := ni["SubnetId"].(map[string]any)["Ref"]
	mustEqualJSON(t, Props(instance)["AvailabilityZone"], map[string]any{"Fn::GetAtt": []any{subnet, "AvailabilityZone"}})

	// The NLB sends UDP and its TCP health checks to the targets over IPv6; the demo target
	// takes both from the NLB; in-VPC clients reach the listener over UDP.
	w := World{Account: "111111111111", Region: "eu-west-1", Refs: map[string]string{}, Attrs: map[string]any{}}
	for id := range Resources(tpl, "AWS::EC2::VPC") {
		w.Attrs[id+".CidrBlock"] = "10.0.0.0/16"
		w.Attrs[id+".Ipv6CidrBlocks"] = []any{"2600:1f18:1:100::/56"}
	}
	for id := range Resources(tpl, "AWS::EC2::SecurityGroup") {
		w.Attrs[id+".GroupId"] = "sg-" + id
	}
	var rules []string
	for _, sg := range Resources(tpl, "AWS::EC2::SecurityGroup") {
		for _, dir := range []string{"SecurityGroupIngress", "SecurityGroupEgress"} {
			for _, r := range AsAnyList(w.Resolve(t, Props(sg)[dir])) {
				r := r.(map[string]any)
				rules = append(rules, dir[13:]+" "+r["IpProtocol"].(string)+" "+jsonString(r["FromPort"])+" "+jsonString(r["CidrIp"])+jsonString(r["CidrIpv6"]))
			}
		}
	}
	for _, sg := range Resources(tpl, "AWS::EC2::SecurityGroupIngress") {
		r := w.Resolve(t, Props(sg)).(map[string]any)
		rules = append(rules, "Ingress "+r["IpProtocol"].(string)+" "+jsonString(r["FromPort"])+" "+jsonString(r["SourceSecurityGroupId"]))
	}
	got := strings.Join(rules, "\n")
	for _, want := range []string{
		`Ingress udp 5000 "10.0.0.0/16"`, `Ingress udp 5000 "2600:1f18:1:100::/56"`,
		`Egress udp 5000 "2600:1f18:1:100::/56"`, `Egress tcp 5000 "2600:1f18:1:100::/56"`,
		`Ingress udp 5000 "sg-ProviderSecurityGroupC68FA868"`, `Ingress tcp 5000 "sg-ProviderSecurityGroupC68FA868"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no rule %s among:\n%s", want, got)
		}
	}
	if strings.Contains(got, `Egress udp 5000 "10.0.0.0/16"`) || strings.Contains(got, `Ingress tcp 5000 "10.0.0.0/16"`) {
		t.Errorf("rules for IPv4 targets or TCP clients of a UDP-only service:\n%s", got)
	}

	consumer := f.Templates[privatelinkapp.ConsumerStackName]
	consumer.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), M(
		"GroupDescription", "PrivateLink endpoint: service ports from allowed clients only",
		"SecurityGroupIngress", []any{
			Like("IpProtocol", "udp", "FromPort", 5000, "ToPort", 5000, "CidrIp", assertions.Match_AnyValue()),
			Like("IpProtocol", "udp", "FromPort", 5000, "ToPort", 5000, "CidrIpv6", assertions.Match_AnyValue()),
		}))
	checks := resolvedChecks(t, consumer)
	for _, want := range []string{
		`python3 -c "import socket as s; a=s.getaddrinfo('vpce-0a1b2c3d4e5f60718-abcdefgh.vpce-svc-0123456789abcdef0.eu-west-1.vpce.amazonaws.com', 5000, s.AF_INET6, s.SOCK_DGRAM)[0]`,
		`python3 -c "import socket as s; a=s.getaddrinfo('api.example.com', 5000, s.AF_INET, s.SOCK_DGRAM)[0]; c=s.socket(a[0], s.SOCK_DGRAM); c.settimeout(5); c.sendto(b'hi', a[4]); print(c.recv(512).decode().strip())"`,
	} {
		if !strings.Contains(checks, want) {
			t.Errorf("test client checks lack %s:\n%s", want, checks)
		}
	}
	if strings.Contains(checks, "curl") {
		t.Errorf("TCP checks for a UDP-only service: %s", checks)
	}
}

func TestListenerOptionsReachTheTemplate(t *testing.T) {
	tpl := Synth(t, "listener-options", func(app awscdk.App) error {
		stack := ProviderStack(app, "ListenerOptions")
		cert := awscertificatemanager.NewCertificate(stack, jsii.String("Wildcard"), &awscertificatemanager.CertificateProps{DomainName: jsii.String("*.example.com")})
		provider.NewProvider(stack, "Provider", &provider.ProviderProps{
			AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"},
			Listeners: []provider.Listener{
				{Port: 443, Protocol: provider.TLS, AlpnPolicy: elbv2.AlpnPolicy_HTTP2_PREFERRED, SslPolicy: elbv2.SslPolicy_FIPS_TLS13_12_RES_PQ, TargetPort: 8080},
				{Port: 53, Protocol: provider.TCPUDP, HealthCheck: &elbv2.HealthCheck{Protocol: elbv2.Protocol_HTTP, Port: jsii.String("8081")}},
			},
			// The header comes first on the target's TCP stream, then the decrypted bytes.
			ProxyProtocolV2:   true,
			Certificate:       cert,
			PrivateDnsName:    "api.example.com",
			AllowedPrincipals: []string{"222222222222"},
		})
		return nil
	}).Templates["ListenerOptions"]
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), M(
		"Port", 443, "Protocol", "TLS", "AlpnPolicy", []any{"HTTP2Preferred"}, "SslPolicy", "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09"))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), M(
		"Port", 8080, "Protocol", "TCP", "TargetGroupAttributes", []any{M("Key", "proxy_protocol_v2.enabled", "Value", "true")}))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), M("Port", 53, "Protocol", "TCP_UDP"))
	tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), M(
		"Port", 53, "Protocol", "TCP_UDP", "IpAddressType", "ipv6", "TargetType", "ip", "HealthCheckProtocol", "HTTP", "HealthCheckPort", "8081"))
	// TCP_UDP needs TCP and UDP rules on the listener, and the health check port over TCP.
	tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), M(
		"GroupDescription", "PrivateLink NLB: listener ports from the VPC, target ports to the VPC",
		"SecurityGroupIngress", assertions.Match_ArrayWith(&[]any{
			Like("IpProtocol", "tcp", "FromPort", 53), Like("IpProtocol", "udp", "FromPort", 53),
		}),
		"SecurityGroupEgress", assertions.Match_ArrayWith(&[]any{
			Like("IpProtocol", "tcp", "FromPort", 8081),
		}),
	))
	tpl.ResourceCountIs(jsii.String("AWS::CertificateManager::Certificate"), jsii.Number(1))
}

func mustEqualJSON(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got %s, want %s", g, w)
	}
}

func jsonString(v any) string {
	if v == nil {
		return ""
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}
