package link

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

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

// Ipv6Cidrs returns the IPv6 CIDRs of vpc known in its stack's template, each as
// Fn::Select(i, VPC.Ipv6CidrBlocks), and makes reader (the resource that will use them) depend on
// the AWS::EC2::VPCCidrBlock resources that create them: the list is empty until they exist, and
// Fn::Select of it fails before (aws-cdk#36714). A VPC defined outside the stack (imported,
// looked up) has none known: nil.
func Ipv6Cidrs(vpc awsec2.IVpc, reader constructs.IConstruct) (cidrs []*string) {
	id := *vpc.VpcId()
	var blocks []constructs.IConstruct
	var cfnVpc awsec2.CfnVPC
	for _, c := range *awscdk.Stack_Of(vpc).Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch r := c.(type) {
		case awsec2.CfnVPC:
			if *r.Ref() == id {
				cfnVpc = r
			}
		case awsec2.CfnVPCCidrBlock:
			if v := r.VpcId(); v != nil && *v == id && (r.AmazonProvidedIpv6CidrBlock() != nil || r.Ipv6CidrBlock() != nil || r.Ipv6IpamPoolId() != nil || r.Ipv6Pool() != nil) {
				blocks = append(blocks, r)
			}
		}
	}
	if cfnVpc == nil {
		return nil
	}
	for i, b := range blocks {
		reader.Node().AddDependency(b)
		cidrs = append(cidrs, awscdk.Fn_Select(jsii.Number(i), cfnVpc.AttrIpv6CidrBlocks()))
	}
	return cidrs
}
