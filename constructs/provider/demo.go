package provider

import (
	"fmt"
	"strconv"
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
	var eni awsec2.CfnNetworkInterface
	for i, tg := range p.targetGroups {
		l := p.props.Listeners[i]
		if !(l.Protocol.IsUDP() && p.props.dualStack()) {
			tg.AddTarget(elbv2targets.NewInstanceTarget(p.demo, jsii.Number(l.targetPort())))
			continue
		}
		// An IPv6 target group (UDP on a dualstack NLB) takes IP targets, and an instance's IPv6
		// address is no attribute of AWS::EC2::Instance: the instance gets its interface from
		// an AWS::EC2::NetworkInterface, whose PrimaryIpv6Address is one.
		if eni == nil {
			eni = p.demoInterface(sg)
		}
		tg.AddTarget(elbv2targets.NewIpTarget(eni.AttrPrimaryIpv6Address(), jsii.Number(l.targetPort()), nil))
	}
}

// demoInterface gives the demo instance a network interface with a primary IPv6 address, in
// the first of the NLB's subnets, carrying the demo's security group.
func (p *provider) demoInterface(sg awsec2.ISecurityGroup) awsec2.CfnNetworkInterface {
	subnet := (*p.vpc.SelectSubnets(p.props.VpcSubnets).Subnets)[0]
	eni := awsec2.NewCfnNetworkInterface(p.Construct, jsii.String("DemoTargetInterface"), &awsec2.CfnNetworkInterfaceProps{
		SubnetId:          subnet.SubnetId(),
		GroupSet:          &[]any{sg.SecurityGroupId()},
		Ipv6AddressCount:  jsii.Number(1),
		EnablePrimaryIpv6: jsii.Bool(true),
		Description:       jsii.String("PrivateLink demo target (its IPv6 address is the UDP target)"),
	})
	// RunInstances takes either a new interface's settings or an existing interface's ID: the
	// whole list is replaced (no public IPv4 either way: the interface is private).
	cfn := p.demo.Node().DefaultChild().(awsec2.CfnInstance)
	cfn.AddPropertyOverride(jsii.String("NetworkInterfaces"), []map[string]any{{"DeviceIndex": "0", "NetworkInterfaceId": eni.Ref()}})
	guard.Suppress(p.demo, guard.Ec2NoPublicIp, "the instance's only interface is an existing AWS::EC2::NetworkInterface (the UDP target's IPv6 address), and EC2 assigns a public IPv4 address only to a new interface "+
		"(EC2 API reference, InstanceNetworkInterfaceSpecification.AssociatePublicIpAddress), so it has none; the subnet is isolated either way")
	return eni
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
