package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2targets "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2targets"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
	"github.com/privatelink-go/privatelink/internal/synth/nag"
)

// demoTarget adds one Amazon Linux 2023 instance (t4g.nano, strict c7g.medium, or DemoInstanceType) serving "Hello World from <host>" on
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
	udp := false
	for _, l := range p.props.Listeners {
		port := l.targetPort()
		// HTTP over TCP on every target port: the traffic of TCP and TLS listeners (the NLB
		// decrypts), and the TCP health check of UDP ones.
		sg.AddIngressRule(p.sg, awsec2.Port_Tcp(jsii.Number(port)), jsii.String("from the NLB"), nil)
		fmt.Fprintf(&units, unit, "hello-"+strconv.Itoa(port), "PrivateLink demo target on port "+strconv.Itoa(port), "/usr/bin/python3 -m http.server "+strconv.Itoa(port)+" --bind :: --directory /srv/hello")
		if l.Protocol.IsUDP() {
			udp = true
			sg.AddIngressRule(p.sg, awsec2.Port_Udp(jsii.Number(port)), jsii.String("from the NLB"), nil)
			fmt.Fprintf(&units, unit, "hello-udp-"+strconv.Itoa(port), "PrivateLink demo target on UDP port "+strconv.Itoa(port), "/usr/bin/python3 /srv/hello/udp.py "+strconv.Itoa(port))
		}
	}
	userData := awsec2.UserData_ForLinux(nil)
	userData.AddCommands(jsii.String("set -eu"),
		jsii.String("mkdir -p /srv/hello && echo \"Hello World from $(hostname -f)\" > /srv/hello/index.html"))
	if udp {
		userData.AddCommands(jsii.String("cat > /srv/hello/udp.py <<'PY'\n" + udpServer + "PY"))
	}
	userData.AddCommands(jsii.String(units.String()))

	instanceType, image := link.DemoInstance(p.Construct, "DemoInstanceType", p.props.DemoInstanceType, p.props.ControlTower)
	p.demo = awsec2.NewInstance(p.Construct, jsii.String("DemoTarget"), &awsec2.InstanceProps{
		Vpc:           p.vpc,
		VpcSubnets:    p.props.VpcSubnets,
		InstanceType:  instanceType,
		MachineImage:  image,
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
	if !link.NitroInTransit(instanceType) {
		guard.Suppress(p.demo, guard.NitroEncryption, guard.DemoInstance)
	}
	primaryIpv6 := false
	for i, tg := range p.targetGroups {
		l := p.props.Listeners[i]
		if l.Protocol.IsUDP() && p.props.dualStack() && !primaryIpv6 {
			// An IPv6 target group (UDP on a dualstack NLB) takes instances by ID only when
			// they have a primary IPv6 address (ELB User Guide, "Register targets").
			p.demoPrimaryIpv6(sg)
			primaryIpv6 = true
		}
		tg.AddTarget(elbv2targets.NewInstanceTarget(p.demo, jsii.Number(l.targetPort())))
	}
}

// demoPrimaryIpv6 launches the demo instance from a launch template whose network interface has
// a primary IPv6 address: AWS::EC2::Instance has no such setting, a launch template's interface
// does (PrimaryIpv6). Registered by instance ID, a replaced instance brings a new interface and
// address, so CloudFormation's create-before-delete never meets an interface or address in use.
func (p *provider) demoPrimaryIpv6(sg awsec2.ISecurityGroup) {
	subnet := (*p.vpc.SelectSubnets(p.props.VpcSubnets).Subnets)[0]
	lt := awsec2.NewCfnLaunchTemplate(p.Construct, jsii.String("DemoTargetLaunchTemplate"), &awsec2.CfnLaunchTemplateProps{
		LaunchTemplateData: &awsec2.CfnLaunchTemplate_LaunchTemplateDataProperty{
			NetworkInterfaces: []any{&awsec2.CfnLaunchTemplate_NetworkInterfaceProperty{
				DeviceIndex: jsii.Number(0), SubnetId: subnet.SubnetId(), Groups: jsii.Strings(*sg.SecurityGroupId()),
				Ipv6AddressCount: jsii.Number(1), PrimaryIpv6: jsii.Bool(true), AssociatePublicIpAddress: jsii.Bool(false),
				// Said outright (the API gives no default): a left-behind interface would block
				// the subnet's and security group's deletion.
				DeleteOnTermination: jsii.Bool(true),
			}},
			// As on the instance itself: IMDSv2 only, detailed monitoring (CT.EC2.PR.10 reads
			// these on a launch template).
			MetadataOptions: &awsec2.CfnLaunchTemplate_MetadataOptionsProperty{HttpTokens: jsii.String("required")},
			Monitoring:      &awsec2.CfnLaunchTemplate_MonitoringProperty{Enabled: jsii.Bool(true)},
		},
	})
	// The launch template's interface replaces the instance's own (RunInstances takes one or the
	// other for device 0).
	cfn := p.demo.Node().DefaultChild().(awsec2.CfnInstance)
	cfn.AddPropertyDeletionOverride(jsii.String("NetworkInterfaces"))
	cfn.AddPropertyOverride(jsii.String("LaunchTemplate"), map[string]any{"LaunchTemplateId": lt.Ref(), "Version": lt.AttrLatestVersionNumber()})
	nag.SuppressValidationFailure(p.demo, "AwsSolutions-EC26", "EC26 cannot read a launch template given by ID; this one sets no block devices, and the instance's own BlockDeviceMappings encrypt its only volume")
}

// unit writes and starts a systemd unit: name, description, command.
const unit = `cat > /etc/systemd/system/%[1]s.service <<'UNIT'
[Unit]
Description=%[2]s
After=network-online.target
[Service]
ExecStart=%[3]s
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable --now %[1]s.service
`

// udpServer answers every datagram with the Hello World line, over IPv4 and IPv6.
const udpServer = `import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
hello = open("/srv/hello/index.html", "rb").read()
while True:
    _, peer = s.recvfrom(2048)
    s.sendto(hello, peer)
`
