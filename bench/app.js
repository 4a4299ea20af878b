// The benchmark peer of the Go app (issue 18): the same two-account architecture written directly
// with aws-cdk-lib in JavaScript, with fewer resources than the Go app (no acceptor sweep, alarms,
// demo target or wait machines). `make bench` synthesizes it and the Go app's built binary side
// by side and prints both medians and their ratio. Not product code: nothing imports it.
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const iam = require('aws-cdk-lib/aws-iam');
const lambda = require('aws-cdk-lib/aws-lambda');
const route53 = require('aws-cdk-lib/aws-route53');

const app = new cdk.App({ outdir: process.env.CDK_OUTDIR || 'cdk.out' });
const region = 'eu-west-1';
const zones = ['eu-west-1a', 'eu-west-1b'];

// A dual-stack VPC with isolated subnets in two zones, as both of the Go app's stacks have.
function dualStackVpc(stack) {
  return new ec2.Vpc(stack, 'Vpc', {
    ipProtocol: ec2.IpProtocol.DUAL_STACK,
    availabilityZones: zones,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

// Account A: an internal dual-stack NLB published as an endpoint service with acceptance
// required, one allowed principal and a verified private DNS name.
const provider = new cdk.Stack(app, 'PeerProvider', { env: { account: '111111111111', region } });
const vpc = dualStackVpc(provider);
const nlb = new elbv2.NetworkLoadBalancer(provider, 'Nlb', {
  vpc,
  internetFacing: false,
  ipAddressType: elbv2.IpAddressType.DUAL_STACK,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
});
const targets = new elbv2.NetworkTargetGroup(provider, 'Targets', {
  vpc,
  port: 443,
  protocol: elbv2.Protocol.TCP,
  targetType: elbv2.TargetType.IP,
});
nlb.addListener('Tcp443', { port: 443, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [targets] });
const service = new ec2.VpcEndpointService(provider, 'Service', {
  vpcEndpointServiceLoadBalancers: [nlb],
  acceptanceRequired: true,
  allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::222222222222:root')],
  supportedIpAddressTypes: [ec2.IpAddressType.IPV4, ec2.IpAddressType.IPV6],
});
new route53.VpcEndpointServiceDomainName(provider, 'PrivateDnsName', {
  endpointService: service,
  domainName: 'api.example.com',
  publicHostedZone: route53.PublicHostedZone.fromHostedZoneAttributes(provider, 'Zone', {
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    zoneName: 'example.com',
  }),
});
// The acceptor's stand-in: one inline Node.js custom resource.
const acceptor = new lambda.Function(provider, 'Acceptor', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ PhysicalResourceId: "accepted" });'),
});
acceptor.addToRolePolicy(new iam.PolicyStatement({
  actions: ['ec2:AcceptVpcEndpointConnections'],
  resources: [service.vpcEndpointServiceId].map((id) => `arn:aws:ec2:${region}:111111111111:vpc-endpoint-service/${id}`),
}));
new cdk.CustomResource(provider, 'Acceptance', { serviceToken: acceptor.functionArn });
new cdk.CfnOutput(provider, 'ServiceName', { value: service.vpcEndpointServiceName });

// Account B: a dual-stack interface endpoint to the service behind its own security group.
const consumer = new cdk.Stack(app, 'PeerConsumer', { env: { account: '222222222222', region } });
const consumerVpc = dualStackVpc(consumer);
const endpoint = new ec2.InterfaceVpcEndpoint(consumer, 'Endpoint', {
  vpc: consumerVpc,
  service: new ec2.InterfaceVpcEndpointService(`com.amazonaws.vpce.${region}.vpce-svc-0123456789abcdef0`, 443),
  ipAddressType: ec2.VpcEndpointIpAddressType.DUALSTACK,
  privateDnsEnabled: false,
  open: false,
});
endpoint.connections.allowFrom(ec2.Peer.ipv4(consumerVpc.vpcCidrBlock), ec2.Port.tcp(443));
new cdk.CfnOutput(consumer, 'EndpointId', { value: endpoint.vpcEndpointId });

app.synth();
