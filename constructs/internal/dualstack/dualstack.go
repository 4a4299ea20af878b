// Package dualstack holds the synth-time IPv6 checks the provider and the consumer share.
package dualstack

import "github.com/aws/aws-cdk-go/awscdk/v2/awsec2"

// SubnetWithoutIPv6 returns the construct path of the first subnet in sel (nil: the VPC's
// default selection) whose template gives it no IPv6 CIDR, or "" if there is none. Imported
// subnets carry no template and are left to the deploy-time checks.
func SubnetWithoutIPv6(vpc awsec2.IVpc, sel *awsec2.SubnetSelection) string {
	if sel == nil {
		sel = &awsec2.SubnetSelection{}
	}
	for _, s := range *vpc.SelectSubnets(sel).Subnets {
		cfn, ok := s.Node().DefaultChild().(awsec2.CfnSubnet)
		if !ok || cfn == nil {
			continue
		}
		if cfn.Ipv6CidrBlock() == nil && cfn.Ipv6NetmaskLength() == nil && cfn.Ipv6IpamPoolId() == nil {
			return *s.Node().Path()
		}
	}
	return ""
}
