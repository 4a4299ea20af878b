package app

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// caller is a function calling the fake EC2 API: its account, Region and role.
type caller struct{ account, region, role string }

// ec2API registers on srv the EC2 actions the library's handlers call, answered from the fake's
// state with the XML element names aws-sdk-go-v2's EC2 deserializers read, and authorized against
// c's role at the moment of the call.
func (a *fakeAWS) ec2API(srv *ec2fake.Server, c caller) {
	deny := func(action, res string) (int, string) {
		a.denied = append(a.denied, fmt.Sprintf("%s %s on %s", c.role, action, res))
		return http.StatusForbidden, ec2fake.Error("UnauthorizedOperation", "You are not authorized to perform this operation. User: "+c.role+" is not authorized to perform: "+action+" on resource: "+res)
	}
	handle := func(action string, h func(f url.Values) (int, string)) {
		srv.On(action, func(f url.Values) (int, string) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.calls++
			return h(f)
		})
	}
	// Describe* calls have no resource-level permissions (Service Authorization Reference).
	describe := func(action string, h func(f url.Values) (int, string)) {
		handle(action, func(f url.Values) (int, string) {
			if res := a.authorize(c.role, "ec2:"+action, nil, "*"); res != "" {
				return deny("ec2:"+action, res)
			}
			return h(f)
		})
	}

	describe("DescribeVpcEndpointServiceConfigurations", func(f url.Values) (int, string) {
		var b strings.Builder
		for _, id := range List(f, "ServiceId") {
			s := a.services[id]
			if s == nil || s.deleted || s.account != c.account {
				return http.StatusBadRequest, ec2fake.Error("InvalidVpcEndpointServiceId.NotFound", "The VpcEndpointService Id '"+id+"' does not exist")
			}
			fmt.Fprintf(&b, `<item><serviceId>%s</serviceId><serviceName>%s</serviceName><serviceState>Available</serviceState><privateDnsName>%s</privateDnsName><privateDnsNameConfiguration><state>%s</state><type>TXT</type><value>%s</value><name>%s</name></privateDnsNameConfiguration></item>`, s.id, s.name, s.privateDNSName, s.state, s.value, s.label)
		}
		return ec2fake.OK("DescribeVpcEndpointServiceConfigurations", "<serviceConfigurationSet>"+b.String()+"</serviceConfigurationSet>")
	})

	handle("StartVpcEndpointServicePrivateDnsVerification", func(f url.Values) (int, string) {
		s := a.services[f.Get("ServiceId")]
		if s == nil || s.deleted {
			return http.StatusBadRequest, ec2fake.Error("InvalidVpcEndpointServiceId.NotFound", "The VpcEndpointService Id does not exist")
		}
		if res := a.authorize(c.role, "ec2:StartVpcEndpointServicePrivateDnsVerification", nil, serviceArn(s)); res != "" {
			return deny("ec2:StartVpcEndpointServicePrivateDnsVerification", res)
		}
		a.verify(s)
		return ec2fake.OK("StartVpcEndpointServicePrivateDnsVerification", "<return>true</return>")
	})

	describe("DescribeVpcEndpointConnections", func(f url.Values) (int, string) {
		fl := filters(f)
		var b strings.Builder
		for _, id := range sortedKeys(a.endpoints) {
			e := a.endpoints[id]
			s := a.services[e.service]
			if e.aws || s == nil || s.account != c.account || e.state == "deleted" {
				continue
			}
			// "vpc-endpoint-region - The Region of the endpoint or cross-region to find
			// endpoints for other Regions" (EC2 API reference); whether an unfiltered call lists
			// cross-region connections is not documented: the fake does not.
			cross := e.region != s.region
			if r := fl["vpc-endpoint-region"]; r != nil && !(slices.Contains(r, "cross-region") && cross || slices.Contains(r, e.region)) || r == nil && cross {
				continue
			}
			if v := fl["service-id"]; v != nil && !slices.Contains(v, s.id) ||
				fl["vpc-endpoint-id"] != nil && !slices.Contains(fl["vpc-endpoint-id"], e.id) ||
				fl["vpc-endpoint-state"] != nil && !slices.Contains(fl["vpc-endpoint-state"], e.state) {
				continue
			}
			fmt.Fprintf(&b, `<item><serviceId>%s</serviceId><vpcEndpointId>%s</vpcEndpointId><vpcEndpointOwner>%s</vpcEndpointOwner><vpcEndpointState>%s</vpcEndpointState><vpcEndpointRegion>%s</vpcEndpointRegion></item>`, s.id, e.id, e.account, e.state, e.region)
		}
		return ec2fake.OK("DescribeVpcEndpointConnections", "<vpcEndpointConnectionSet>"+b.String()+"</vpcEndpointConnectionSet>")
	})

	decide := func(action, to string) {
		handle(action, func(f url.Values) (int, string) {
			s := a.services[f.Get("ServiceId")]
			if s == nil || s.deleted {
				return http.StatusBadRequest, ec2fake.Error("InvalidVpcEndpointServiceId.NotFound", "The VpcEndpointService Id does not exist")
			}
			var bad strings.Builder
			for _, id := range List(f, "VpcEndpointId") {
				e := a.endpoints[id]
				if e == nil || e.service != s.id {
					fmt.Fprintf(&bad, "<item><error><code>InvalidVpcEndpoint.NotFound</code><message>not found</message></error><resourceId>%s</resourceId></item>", id)
					continue
				}
				// Authorized on the service and on the endpoint (Service Authorization
				// Reference, AcceptVpcEndpointConnections / RejectVpcEndpointConnections), plus
				// vpce:AllowMultiRegion for a connection from another Region (PrivateLink guide,
				// cross-Region access).
				if res := a.authorize(c.role, "ec2:"+action, nil, serviceArn(s), endpointArn(e)); res != "" {
					return deny("ec2:"+action, res)
				}
				if e.region != s.region {
					if res := a.authorize(c.role, "vpce:AllowMultiRegion", nil, serviceArn(s), endpointArn(e)); res != "" {
						return deny("vpce:AllowMultiRegion", res)
					}
				}
				// Accept takes pendingAcceptance connections only; reject takes pending and
				// available ones too (EC2 API reference).
				if to == "available" && e.state != "pendingAcceptance" || to == "rejected" && !slices.Contains([]string{"pendingAcceptance", "pending", "available"}, e.state) {
					fmt.Fprintf(&bad, "<item><error><code>InvalidVpcEndpointState</code><message>The VPC endpoint is in state %s.</message></error><resourceId>%s</resourceId></item>", e.state, id)
					continue
				}
				// Accepted connections go pending → available in a minute or two; the fake
				// skips the wait.
				e.state = to
			}
			return ec2fake.OK(action, "<unsuccessful>"+bad.String()+"</unsuccessful>")
		})
	}
	decide("AcceptVpcEndpointConnections", "available")
	decide("RejectVpcEndpointConnections", "rejected")

	handle("DescribeVpcEndpointServices", func(f url.Values) (int, string) {
		if res := a.authorize(c.role, "ec2:DescribeVpcEndpointServices", nil, "*"); res != "" {
			return deny("ec2:DescribeVpcEndpointServices", res)
		}
		regions := List(f, "ServiceRegion")
		var b strings.Builder
		for _, name := range List(f, "ServiceName") {
			var s *fService
			for _, x := range a.services {
				if x.name == name && !x.deleted {
					s = x
				}
			}
			// Only allowed principals see a service (PrivateLink guide, "Manage permissions").
			if s == nil || !slices.Contains(s.principals, rootArn(c.account, s.region)) && !slices.Contains(s.principals, "*") && s.account != c.account {
				return http.StatusBadRequest, ec2fake.Error("InvalidServiceName", "The Vpc Endpoint Service '"+name+"' does not exist")
			}
			cross := s.region != c.region
			if cross {
				if !slices.Contains(regions, s.region) {
					return http.StatusBadRequest, ec2fake.Error("InvalidServiceName", "The Vpc Endpoint Service '"+name+"' does not exist")
				}
				// The caller needs vpce:AllowMultiRegion (PrivateLink guide, cross-Region
				// access); the resource it is checked on is not documented: the service's ARN.
				if res := a.authorize(c.role, "vpce:AllowMultiRegion", nil, serviceArn(s)); res != "" {
					return deny("vpce:AllowMultiRegion", res)
				}
			}
			var names, ids strings.Builder
			if !cross { // no AZs for a service in another Region (terraform-provider-aws#44186)
				for _, id := range s.azIDs {
					fmt.Fprintf(&names, "<item>%s</item>", azName(c.account, id))
					fmt.Fprintf(&ids, "<item>%s</item>", id)
				}
			}
			fmt.Fprintf(&b, `<item><serviceName>%s</serviceName><serviceId>%s</serviceId><serviceRegion>%s</serviceRegion><availabilityZoneSet>%s</availabilityZoneSet><availabilityZoneIdSet>%s</availabilityZoneIdSet><owner>%s</owner><privateDnsName>%s</privateDnsName><privateDnsNameVerificationState>%s</privateDnsNameVerificationState><supportedIpAddressTypeSet>%s</supportedIpAddressTypeSet></item>`,
				s.name, s.id, s.region, names.String(), ids.String(), s.account, s.privateDNSName, s.state, items(s.ipTypes))
			if s.privateDNSName != "" && s.state != "verified" && a.onUnverifiedLook != nil {
				// Someone is waiting for the name: the provider's user acts now (the rehearsal's
				// hook), and a later look sees the result.
				a.onUnverifiedLook(s)
			}
		}
		return ec2fake.OK("DescribeVpcEndpointServices", "<serviceDetailSet>"+b.String()+"</serviceDetailSet>")
	})

	describe("DescribeSubnets", func(f url.Values) (int, string) {
		var b strings.Builder
		for _, id := range List(f, "SubnetId") {
			s := a.subnets[id]
			if s == nil {
				return http.StatusBadRequest, ec2fake.Error("InvalidSubnetID.NotFound", "The subnet ID '"+id+"' does not exist")
			}
			fmt.Fprintf(&b, `<item><subnetId>%s</subnetId><vpcId>%s</vpcId><availabilityZone>%s</availabilityZone><availabilityZoneId>%s</availabilityZoneId><state>available</state></item>`, id, s.vpc, s.azName, s.azID)
		}
		return ec2fake.OK("DescribeSubnets", "<subnetSet>"+b.String()+"</subnetSet>")
	})

	// DescribeVpcAttribute is authorized on the VPC (Service Authorization Reference, Amazon
	// EC2: DescribeVpcAttribute, resource type vpc*), not on "*".
	handle("DescribeVpcAttribute", func(f url.Values) (int, string) {
		// The ARN carries the VPC's owner account (a VPC shared through RAM: not the caller's).
		v := a.vpcs[f.Get("VpcId")]
		owner := c.account
		if v != nil {
			owner = v.account
		}
		p, _ := awsid.PartitionOf(c.region)
		vpcArn := fmt.Sprintf("arn:%s:ec2:%s:%s:vpc/%s", p.Name, c.region, owner, f.Get("VpcId"))
		if res := a.authorize(c.role, "ec2:DescribeVpcAttribute", nil, vpcArn); res != "" {
			return deny("ec2:DescribeVpcAttribute", res)
		}
		if v == nil {
			return http.StatusBadRequest, ec2fake.Error("InvalidVpcID.NotFound", "The vpc ID does not exist")
		}
		attr := f.Get("Attribute")
		on := map[string]bool{"enableDnsSupport": v.dnsSupport, "enableDnsHostnames": v.dnsHostnames}[attr]
		return ec2fake.OK("DescribeVpcAttribute", fmt.Sprintf("<vpcId>%s</vpcId><%s><value>%t</value></%s>", f.Get("VpcId"), attr, on, attr))
	})

	describe("DescribeVpcEndpoints", func(f url.Values) (int, string) {
		var b strings.Builder
		for _, id := range List(f, "VpcEndpointId") {
			e := a.endpoints[id]
			if e == nil || e.state == "deleted" {
				return http.StatusBadRequest, ec2fake.Error("InvalidVpcEndpointId.NotFound", "The VpcEndpoint Id '"+id+"' does not exist")
			}
			fmt.Fprintf(&b, `<item><vpcEndpointId>%s</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><state>%s</state><privateDnsEnabled>%t</privateDnsEnabled><dnsEntrySet><item><dnsName>%s-x.%s.%s.vpce.amazonaws.com</dnsName></item></dnsEntrySet></item>`, e.id, e.state, e.privateDNS, e.id, e.service, e.region)
		}
		return ec2fake.OK("DescribeVpcEndpoints", "<vpcEndpointSet>"+b.String()+"</vpcEndpointSet>")
	})

	handle("ModifyVpcEndpoint", func(f url.Values) (int, string) {
		e := a.endpoints[f.Get("VpcEndpointId")]
		if e == nil || e.state == "deleted" {
			return http.StatusBadRequest, ec2fake.Error("InvalidVpcEndpointId.NotFound", "The VpcEndpoint Id does not exist")
		}
		if res := a.authorize(c.role, "ec2:ModifyVpcEndpoint", e.tags, endpointArn(e)); res != "" {
			return deny("ec2:ModifyVpcEndpoint", res)
		}
		s := a.services[e.service]
		if s != nil && s.region != e.region {
			if res := a.authorize(c.role, "vpce:AllowMultiRegion", e.tags, endpointArn(e)); res != "" {
				return deny("vpce:AllowMultiRegion", res)
			}
		}
		on := f.Get("PrivateDnsEnabled") == "true"
		if on && !e.privateDNS {
			// Private DNS is refused before acceptance ("Private DNS can only be enabled after
			// the endpoint connection is accepted"), without a verified name, or in a VPC
			// without DNS support and hostnames (PrivateLink guide, private DNS).
			v := a.vpcs[e.vpc]
			switch {
			case e.state != "available":
				return http.StatusBadRequest, ec2fake.Error("InvalidParameter", "Private DNS can only be enabled after the endpoint connection is accepted by the owner of "+s.name)
			case s.state != "verified":
				return http.StatusBadRequest, ec2fake.Error("InvalidParameter", "Private DNS name "+s.privateDNSName+" of "+s.name+" is not verified")
			case !v.dnsSupport || !v.dnsHostnames:
				return http.StatusBadRequest, ec2fake.Error("InvalidParameter", "enableDnsSupport and enableDnsHostnames must be true for VPC "+e.vpc)
			}
			// EC2 associates an AWS-managed private hosted zone with the VPC on the caller's
			// behalf: route53:AssociateVPCWithHostedZone and ec2:DescribeVpcs are dependent
			// actions (Service Authorization Reference); the zone's ID is AWS's. The request
			// carries route53:VPCs for the endpoint's VPC ("VPCId=<id>,VPCRegion=<region>",
			// Route 53 Developer Guide, "Using IAM policy conditions…"): AWS does not say
			// whether EC2's call does, and this is the reading under which a policy can fail.
			p, _ := awsid.PartitionOf(e.region)
			vpcs := map[string][]string{"route53:VPCs": {"VPCId=" + e.vpc + ",VPCRegion=" + e.region}}
			if res := a.authorizeIn(c.role, "route53:AssociateVPCWithHostedZone", nil, vpcs, "arn:"+p.Name+":route53:::hostedzone/Z0AWSMANAGED00000000"); res != "" {
				return deny("route53:AssociateVPCWithHostedZone", res)
			}
			if res := a.authorize(c.role, "ec2:DescribeVpcs", nil, "*"); res != "" {
				return deny("ec2:DescribeVpcs", res)
			}
			// One VPC holds a private DNS name once ("conflicting DNS domain",
			// terraform-provider-aws#17535).
			for _, o := range a.endpoints {
				if o != e && o.vpc == e.vpc && o.privateDNS && o.state != "deleted" && a.services[o.service] != nil && a.services[o.service].privateDNSName == s.privateDNSName {
					return http.StatusBadRequest, ec2fake.Error("InvalidParameter", "private-dns-enabled cannot be set because there is already a conflicting DNS domain for "+s.privateDNSName+" in the VPC "+e.vpc)
				}
			}
		}
		e.privateDNS = on
		return ec2fake.OK("ModifyVpcEndpoint", "<return>true</return>")
	})
}

// rootArn is an account's root principal in region's partition.
func rootArn(account, region string) string {
	p, _ := awsid.PartitionOf(region)
	return "arn:" + p.Name + ":iam::" + account + ":root"
}

func items(values []string) string {
	var b strings.Builder
	for _, v := range values {
		fmt.Fprintf(&b, "<item>%s</item>", v)
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
