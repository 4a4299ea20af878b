package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// strictProvider is the smallest provider the strict mode accepts, in stack.
func strictProvider(stack awscdk.Stack) *provider.ProviderProps {
	return &provider.ProviderProps{
		Listeners:              []provider.Listener{{Port: 443}},
		ControlTower:           link.ControlTowerStrict,
		LogsKey:                logkey.New(stack, "LogsKey"),
		DeletionProtection:     true,
		AccessLogs:             true,
		ServerAccessLogsBucket: awss3.Bucket_FromBucketName(stack, jsii.String("ServerLogs"), jsii.String("my-s3-access-logs")),
	}
}

func TestUnderControlTowerStrictTheProviderRefusesWhatAControlWouldFail(t *testing.T) {
	cases := []struct {
		name string
		edit func(p *provider.ProviderProps, stack awscdk.Stack)
		want string
	}{
		{"accepts the smallest strict props", func(*provider.ProviderProps, awscdk.Stack) {}, ""},
		{"accepts an existing access-log bucket instead", func(p *provider.ProviderProps, stack awscdk.Stack) {
			p.AccessLogs, p.ServerAccessLogsBucket = false, nil
			p.AccessLogsBucket = awss3.Bucket_FromBucketName(stack, jsii.String("NlbLogs"), jsii.String("my-nlb-logs"))
		}, ""},
		{"rejects an unknown mode", func(p *provider.ProviderProps, _ awscdk.Stack) { p.ControlTower = "lenient" },
			`ControlTower "lenient" is not a mode: use link.ControlTowerStrict ("strict") or leave it empty`},
		{"rejects log groups without a key", func(p *provider.ProviderProps, _ awscdk.Stack) { p.LogsKey = nil },
			`LogsKey is nil with ControlTower strict, but Control Tower's CT.CLOUDWATCH.PR.3 fails a log group without a KMS key: give a key (logkey.New(stack, "LogsKey"))`},
		{"rejects an unprotected NLB", func(p *provider.ProviderProps, _ awscdk.Stack) { p.DeletionProtection = false },
			"DeletionProtection is false with ControlTower strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.5"},
		{"rejects cross-zone off", func(p *provider.ProviderProps, _ awscdk.Stack) { p.CrossZoneDisabled = true },
			"CrossZoneDisabled is set with ControlTower strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.14"},
		{"rejects an NLB without access logs", func(p *provider.ProviderProps, _ awscdk.Stack) { p.AccessLogs, p.ServerAccessLogsBucket = false, nil },
			"AccessLogs is false with ControlTower strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.6 fails an NLB without access logs"},
		{"rejects a created log bucket whose own logs have nowhere to go", func(p *provider.ProviderProps, _ awscdk.Stack) { p.ServerAccessLogsBucket = nil },
			"ServerAccessLogsBucket is nil with ControlTower strict while AccessLogs creates the access-log bucket, but Control Tower's CT.S3.PR.2 fails a bucket without server access logging, and their destination can be neither the bucket itself nor another bucket of this template: CT.S3.PR.9 requires Object Lock of every bucket, and a bucket with Object Lock cannot be a destination of server access logs"},
		{"rejects server access logs outside the strict mode", func(p *provider.ProviderProps, _ awscdk.Stack) { p.ControlTower = "" },
			"ServerAccessLogsBucket is set, but only the access-log bucket created under ControlTower strict"},
		{"rejects a demo type without a demo target", func(p *provider.ProviderProps, _ awscdk.Stack) { p.DemoInstanceType = "m7g.medium" },
			`DemoInstanceType "m7g.medium" is set, but ProviderProps.DemoTarget is false: there is no demo instance; drop DemoInstanceType or set DemoTarget`},
		{"rejects endpoints outside the strict mode", func(p *provider.ProviderProps, _ awscdk.Stack) {
			p.ControlTower, p.ServerAccessLogsBucket, p.FunctionEndpoints = "", nil, &link.FunctionEndpoints{}
		}, "FunctionEndpoints is set, but ControlTower is not strict"},
		{"rejects given endpoints that lack one the function calls", func(p *provider.ProviderProps, stack awscdk.Stack) {
			p.FunctionEndpoints = &link.FunctionEndpoints{EC2: awsec2.InterfaceVpcEndpoint_FromInterfaceVpcEndpointAttributes(stack, jsii.String("Ec2"), &awsec2.InterfaceVpcEndpointAttributes{
				VpcEndpointId: jsii.String("vpce-0123456789abcdef0"), Port: jsii.Number(443),
			})}
		}, "FunctionEndpoints lacks CloudFormation (com.amazonaws.<region>.cloudformation), S3 (the gateway endpoint com.amazonaws.<region>.s3, for CloudFormation's pre-signed response URL), which the function calls from its VPC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stack := In("eu-west-1")
			p := strictProvider(stack)
			c.edit(p, stack)
			err := p.Validate(stack, "Provider")
			WantValidation(t, err, c.want, "privatelink: ProviderProps.")
		})
	}
}

func TestUnderControlTowerStrictTheConsumerAndEnablerRefuseWhatAControlWouldFail(t *testing.T) {
	const svc = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
	base := func(stack awscdk.Stack) consumer.ConsumerProps {
		return consumer.ConsumerProps{ServiceName: svc, Ports: []provider.ServicePort{{Port: 443}}, ControlTower: link.ControlTowerStrict, LogsKey: logkey.New(stack, "LogsKey")}
	}
	t.Run("accepts the smallest strict props", func(t *testing.T) {
		stack := In("eu-west-1")
		p := base(stack)
		if err := p.Validate(stack, "Consumer"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rejects log groups without a key", func(t *testing.T) {
		stack := In("eu-west-1")
		p := base(stack)
		p.LogsKey = nil
		MustContain(t, ErrString(p.Validate(stack, "Consumer")), "privatelink: ConsumerProps.LogsKey is nil with ControlTower strict, but Control Tower's CT.CLOUDWATCH.PR.3")
	})
	t.Run("takes a test client of a type the control accepts and refuses one it fails", func(t *testing.T) {
		stack := In("eu-west-1")
		p := base(stack)
		p.TestClient, p.TestClientInstanceType = true, "m7g.medium"
		if err := p.Validate(stack, "Consumer"); err != nil {
			t.Fatal(err)
		}
		p.TestClientInstanceType = "t3.micro"
		MustContain(t, ErrString(p.Validate(stack, "Consumer")), `privatelink: ConsumerProps.TestClientInstanceType "t3.micro" with ControlTower strict, but Control Tower's CT.EC2.PR.19 fails an instance whose type is not a Nitro type that encrypts traffic in transit`)
		p.TestClient = false
		MustContain(t, ErrString(p.Validate(stack, "Consumer")), `privatelink: ConsumerProps.TestClientInstanceType "t3.micro" is set, but ConsumerProps.TestClient is false: there is no test client; drop TestClientInstanceType or set TestClient`)
	})
	t.Run("rejects an enabler that is not strict", func(t *testing.T) {
		stack := In("eu-west-1")
		p := base(stack)
		p.LogsKey = nil
		p.Enabler = consumer.NewEnabler(stack, "Shared", nil)
		MustContain(t, ErrString(p.Validate(stack, "Consumer")), "privatelink: ConsumerProps.ControlTower is strict but Enabler Scratch/Shared is not, so its function runs outside any VPC (Control Tower's CT.LAMBDA.PR.3)")
	})
	t.Run("a strict enabler needs a VPC and a key", func(t *testing.T) {
		stack := In("eu-west-1")
		err := (&consumer.EnablerProps{ControlTower: link.ControlTowerStrict}).Validate(stack, "Shared")
		MustContain(t, ErrString(err), "privatelink: EnablerProps.Vpc is nil with ControlTower strict, but Control Tower's CT.LAMBDA.PR.3 fails a function outside a VPC",
			"privatelink: EnablerProps.LogsKey is nil with ControlTower strict")
	})
	t.Run("given endpoints must hold the Lambda one with an acceptor of the same Region", func(t *testing.T) {
		stack := In("eu-west-1")
		p := base(stack)
		p.AcceptorArn = acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: "PrivateLinkProvider"}.Arn()
		p.FunctionEndpoints = &link.FunctionEndpoints{}
		MustContain(t, ErrString(p.Validate(stack, "Consumer")), "privatelink: ConsumerProps.FunctionEndpoints lacks EC2 (com.amazonaws.<region>.ec2), StepFunctions (com.amazonaws.<region>.states), CloudFormation (com.amazonaws.<region>.cloudformation), Lambda (com.amazonaws.<region>.lambda), S3")
	})
}

func TestUnderControlTowerStrictTheAcceptorNeedsAVpc(t *testing.T) {
	stack := In("eu-west-1")
	svc := provider.NewProvider(stack, "Provider", &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}})
	// A provider of this library lends its VPC; AllowedAccounts alone (another service) does not.
	if err := (&acceptor.AcceptorProps{Service: svc, ControlTower: link.ControlTowerStrict, LogsKey: logkey.New(stack, "LogsKey")}).Validate(stack, "Acceptor"); err != nil {
		t.Fatalf("a strict acceptor of a provider of this library: %v", err)
	}
	err := (&acceptor.AcceptorProps{Service: svc, ControlTower: link.ControlTowerStrict}).Validate(stack, "Acceptor2")
	MustContain(t, ErrString(err), "privatelink: AcceptorProps.LogsKey is nil with ControlTower strict")
	err = (&acceptor.AcceptorProps{Service: svc, Vpc: svc.Vpc()}).Validate(stack, "Acceptor3")
	MustContain(t, ErrString(err), "privatelink: AcceptorProps.Vpc, VpcSubnets or FunctionEndpoints is set, but ControlTower is not strict")
}

func TestTheAppsStrictModeTurnsOnWhatTheControlsNeed(t *testing.T) {
	cases := []struct {
		name string
		ctx  map[string]any
		want string
	}{
		{"rejects an unknown mode", map[string]any{"controlTower": "on"}, `context key "controlTower" is "on": use strict, or leave the key out for the defaults`},
		{"rejects log groups without a key", map[string]any{"controlTower": "strict", "logsKey": "false"}, `context key "logsKey" is false with controlTower=strict, but Control Tower's CT.CLOUDWATCH.PR.3 fails a log group without a KMS key: drop logsKey=false`},
		{"rejects an unprotected NLB", map[string]any{"controlTower": "strict", "deletionProtection": "false"}, `context key "deletionProtection" is false with controlTower=strict`},
		{"rejects an NLB without access logs", map[string]any{"controlTower": "strict", "accessLogs": "false"}, `context key "accessLogs" is false with controlTower=strict, but Control Tower's CT.ELASTICLOADBALANCING.PR.6`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := privatelinkapp.LoadConfig(c.ctx)
			MustContain(t, ErrString(err), c.want)
		})
	}
	cfg, err := privatelinkapp.LoadConfig(map[string]any{"controlTower": "strict"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.LogsKey || !cfg.DeletionProtection || !cfg.AccessLogs || !cfg.ControlTower.Strict() {
		t.Errorf("controlTower=strict gives logsKey %v, deletionProtection %v, accessLogs %v, mode %q; want all on", cfg.LogsKey, cfg.DeletionProtection, cfg.AccessLogs, cfg.ControlTower)
	}
}
