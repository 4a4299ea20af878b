package provider

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2targets "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2targets"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/guard"
	"github.com/privatelink-go/privatelink/internal/nag"
)

// demoTarget adds one t4g.nano Amazon Linux 2023 instance serving "Hello World from <host>" on
// every listener port. Why an instance: it needs no internet (python3 ships in the AMI, the AMI ID
// comes from a public SSM parameter resolved by CloudFormation), it is the cheapest compute an NLB
// can target (~USD 3/month), and its hostname in the body shows which target answered. An ALB
// fixed response would cost more and could not name the host; Lambda is not an NLB target.
func (p *provider) demoTarget() {
	sg := awsec2.NewSecurityGroup(p.Construct, jsii.String("DemoSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              p.vpc,
		Description:      jsii.String("PrivateLink demo target: listener ports from the NLB only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	var units strings.Builder
	for _, l := range p.props.Listeners {
		port := l.TargetPort
		if port == 0 {
			port = l.Port
		}
		sg.AddIngressRule(p.sg, awsec2.Port_Tcp(jsii.Number(port)), jsii.String("from the NLB"), nil)
		fmt.Fprintf(&units, `cat > /etc/systemd/system/hello-%[1]d.service <<'UNIT'
[Unit]
Description=PrivateLink demo target on port %[1]d
After=network-online.target
[Service]
ExecStart=/usr/bin/python3 -m http.server %[1]d --bind :: --directory /srv/hello
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable --now hello-%[1]d.service
`, port)
	}
	userData := awsec2.UserData_ForLinux(nil)
	userData.AddCommands(jsii.String("set -eu"),
		jsii.String("mkdir -p /srv/hello && echo \"Hello World from $(hostname -f)\" > /srv/hello/index.html"),
		jsii.String(units.String()))

	p.demo = awsec2.NewInstance(p.Construct, jsii.String("DemoTarget"), &awsec2.InstanceProps{
		Vpc:          p.vpc,
		VpcSubnets:   p.props.VpcSubnets,
		InstanceType: awsec2.NewInstanceType(jsii.String("t4g.nano")),
		MachineImage: awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{
			CpuType: awsec2.AmazonLinuxCpuType_ARM_64,
		}),
		SecurityGroup: sg,
		UserData:      userData,
		// IMDSv2 in the instance's own MetadataOptions (no launch template); detailed monitoring and
		// no public IPv4 said outright, as Control Tower's CT.EC2.PR.13 and CT.EC2.PR.8 require.
		HttpTokens:               awsec2.HttpTokens_REQUIRED,
		DetailedMonitoring:       jsii.Bool(true),
		AssociatePublicIpAddress: jsii.Bool(false),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(8), &awsec2.EbsDeviceOptions{
				Encrypted: jsii.Bool(true), VolumeType: awsec2.EbsDeviceVolumeType_GP3,
			}),
		}},
	})
	nag.Suppress(p.demo, "AwsSolutions-EC29", nag.DemoInstance)
	guard.Suppress(p.demo, guard.NitroEncryption, guard.DemoInstance)
	for i, tg := range p.targetGroups {
		port := p.props.Listeners[i].TargetPort
		if port == 0 {
			port = p.props.Listeners[i].Port
		}
		tg.AddTarget(elbv2targets.NewInstanceTarget(p.demo, jsii.Number(port)))
	}
}
