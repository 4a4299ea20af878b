package link

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/internal/synth/nag"
)

// IsolatedVpc is a dual-stack VPC with only isolated subnets, built by NewIsolatedVpc.
// Anything that reads Ipv6CidrBlock must depend on Ipv6Cidr: VPC.Ipv6CidrBlocks is empty until
// the association exists, and Fn::Select of it then fails (aws-cdk#36714).
type IsolatedVpc struct {
	// Vpc is the VPC as CDK constructs take it (an awsec2.IVpc over the resources below).
	Vpc awsec2.IVpc
	// Resource is the AWS::EC2::VPC.
	Resource awsec2.CfnVPC
	// Ipv6CidrBlock is the VPC's Amazon-provided /56, as a token, which exists only once
	// Ipv6Cidr is created.
	Ipv6CidrBlock *string
	// Ipv6Cidr is the association of that /56 with the VPC (AWS::EC2::VPCCidrBlock).
	Ipv6Cidr awsec2.CfnVPCCidrBlock
	// Subnets, one per AZ, in the order of the AZs.
	Subnets []awsec2.CfnSubnet
	// AvailabilityZoneIds the subnets are placed in; nil when they are placed by AZ name (a
	// stack whose Region is unknown at synth, see NewIsolatedVpc).
	AvailabilityZoneIds []string
}

// NewIsolatedVpc creates a dual-stack VPC (10.0.0.0/16 plus an Amazon-provided IPv6 /56) with
// one isolated /20 + /64 subnet per Availability Zone ID in azIDs, DNS support and hostnames on,
// and no NAT gateway, internet gateway, egress-only gateway or public IPv4: nothing in it can
// reach the internet, and nothing costs money until something is placed in it.
//
// Subnets are placed by AZ ID (AWS::EC2::Subnet AvailabilityZoneId), which names the same
// physical zone in every account — unlike AZ names, which AWS maps per account. Default: the
// Region's first two AZ IDs (awsid.DefaultAZIDs), so a provider and a consumer on their defaults
// share their zones. In a stack whose Region is unknown at synth, the default is the first two
// AZ names of the deploying account (Fn::GetAZs), which no other account is guaranteed to share.
//
// It is built from the CloudFormation resources rather than awsec2.Vpc because awsec2.Vpc reads
// the stack's availability zones even when given its AZs, which in a stack with a concrete
// account and Region is a context lookup: `cdk synth` would need credentials (aws-cdk-lib
// aws-ec2/lib/vpc.ts, "Given VPC 'availabilityZones' must be a subset of the stack's").
func NewIsolatedVpc(scope constructs.Construct, id string, azIDs []string) *IsolatedVpc {
	c := constructs.NewConstruct(scope, jsii.String(id))
	if len(azIDs) == 0 {
		azIDs = awsid.DefaultAZIDs(*awscdk.Stack_Of(c).Region(), false)
	}
	// placements are the subnets' AZ IDs, or (no ID known) Fn::GetAZs names.
	placements := *jsii.Strings(azIDs...)
	byName := len(azIDs) == 0
	if byName {
		for i := range 2 {
			placements = append(placements, awscdk.Fn_Select(jsii.Number(i), awscdk.Fn_GetAzs(jsii.String(""))))
		}
	}
	if len(placements) > 16 {
		panic(fmt.Errorf("privatelink: %d availability zones for %s: a /16 holds 16 /20 subnets; give at most 16", len(placements), *c.Node().Path()))
	}
	path := *c.Node().Path()
	vpc := awsec2.NewCfnVPC(c, jsii.String("Resource"), &awsec2.CfnVPCProps{
		CidrBlock:          jsii.String("10.0.0.0/16"),
		EnableDnsSupport:   jsii.Bool(true),
		EnableDnsHostnames: jsii.Bool(true),
		Tags:               &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String(path)}},
	})
	c.Node().SetDefaultChild(vpc)
	ipv6 := awsec2.NewCfnVPCCidrBlock(c, jsii.String("Ipv6Cidr"), &awsec2.CfnVPCCidrBlockProps{
		VpcId: vpc.Ref(), AmazonProvidedIpv6CidrBlock: jsii.Bool(true),
	})
	ipv6Block := awscdk.Fn_Select(jsii.Number(0), vpc.AttrIpv6CidrBlocks())
	// 256 /64s of the /56, as aws-cdk-lib's dual-stack Vpc allocates them.
	ipv6Subnets := awscdk.Fn_Cidr(ipv6Block, jsii.Number(256), jsii.String("64"))

	out := &IsolatedVpc{Resource: vpc, Ipv6CidrBlock: ipv6Block, Ipv6Cidr: ipv6, AvailabilityZoneIds: azIDs}
	var subnetIDs, routeTableIDs, cidrs, azNames []*string
	for i, place := range placements {
		n := strconv.Itoa(i + 1)
		cidr := fmt.Sprintf("10.0.%d.0/20", 16*i)
		var azName, azID *string
		if byName {
			azName = place
		} else {
			azID = place
		}
		subnet := awsec2.NewCfnSubnet(c, jsii.String("IsolatedSubnet"+n), &awsec2.CfnSubnetProps{
			VpcId:                       vpc.Ref(),
			AvailabilityZone:            azName,
			AvailabilityZoneId:          azID,
			CidrBlock:                   jsii.String(cidr),
			Ipv6CidrBlock:               awscdk.Fn_Select(jsii.Number(i), ipv6Subnets),
			AssignIpv6AddressOnCreation: jsii.Bool(true),
			MapPublicIpOnLaunch:         jsii.Bool(false),
			Tags:                        &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String(path + "/IsolatedSubnet" + n)}},
		})
		// The subnet's IPv6 range comes out of the VPC's /56, which exists only once associated.
		subnet.Node().AddDependency(ipv6)
		rt := awsec2.NewCfnRouteTable(c, jsii.String("IsolatedRouteTable"+n), &awsec2.CfnRouteTableProps{
			VpcId: vpc.Ref(),
			Tags:  &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String(path + "/IsolatedSubnet" + n)}},
		})
		awsec2.NewCfnSubnetRouteTableAssociation(c, jsii.String("IsolatedRouteTableAssociation"+n), &awsec2.CfnSubnetRouteTableAssociationProps{
			SubnetId: subnet.Ref(), RouteTableId: rt.Ref(),
		})
		out.Subnets = append(out.Subnets, subnet)
		subnetIDs, routeTableIDs, cidrs = append(subnetIDs, subnet.Ref()), append(routeTableIDs, rt.Ref()), append(cidrs, jsii.String(cidr))
		// The AZ name as the deploying account sees it, known at deploy: what CDK constructs
		// placed in the subnet (an instance, for one) are given.
		azNames = append(azNames, subnet.AttrAvailabilityZone())
	}
	out.Vpc = awsec2.Vpc_FromVpcAttributes(c, jsii.String("Attributes"), &awsec2.VpcAttributes{
		VpcId:                        vpc.Ref(),
		VpcCidrBlock:                 vpc.AttrCidrBlock(),
		AvailabilityZones:            &azNames,
		IsolatedSubnetIds:            &subnetIDs,
		IsolatedSubnetRouteTableIds:  &routeTableIDs,
		IsolatedSubnetIpv4CidrBlocks: &cidrs,
	})
	nag.Suppress(c, "AwsSolutions-VPC7", nag.FlowLogs)
	return out
}
