package privatelinkapp

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// Stack names: also the keys of an outputs file.
const (
	ProviderStackName = "PrivateLinkProvider"
	// ConsumerStackName is the one consumer's stack; with several consumer accounts each is
	// ConsumerStackName-<account ID> (ConsumerStackNameFor).
	ConsumerStackName = "PrivateLinkConsumer"
)

// ConsumerStackNameFor is the stack name of the consumer in account when the app has several
// consumer accounts (several), else ConsumerStackName.
func ConsumerStackNameFor(account string, several bool) string {
	if !several {
		return ConsumerStackName
	}
	return ConsumerStackName + "-" + account
}

// Stacks are the app's stacks and their main constructs.
type Stacks struct {
	Provider          awscdk.Stack
	ProviderConstruct provider.Provider
	AcceptorConstruct acceptor.Acceptor
	// Consumers are the consumer stacks, one per consumer account, in consumerAccount's order.
	Consumers []ConsumerStack
	// Consumer and ConsumerConstruct are the first consumer's (Consumers[0]).
	Consumer          awscdk.Stack
	ConsumerConstruct consumer.Consumer
	Config            Config
}

// ConsumerStack is one consumer account's stack.
type ConsumerStack struct {
	Stack     awscdk.Stack
	Construct consumer.Consumer
	Consumer
}

// Build adds both stacks to app, configured from its context.
func Build(app awscdk.App) (*Stacks, error) {
	all, _ := app.Node().GetAllContext(nil).(map[string]any)
	cfg, err := LoadConfig(all)
	if err != nil {
		return nil, err
	}
	s := &Stacks{Config: cfg}

	s.Provider = awscdk.NewStack(app, jsii.String(ProviderStackName), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(cfg.ProviderAccount), Region: jsii.String(cfg.ProviderRegion)},
		Description: jsii.String("PrivateLink provider: internal dual-stack NLB published as a VPC endpoint service"),
	})
	props := &provider.ProviderProps{
		AvailabilityZoneIds: cfg.AzIds,
		AllowedPrincipals:   cfg.consumerAccounts(),
		PrivateDnsName:      cfg.PrivateDnsName,
		DemoTarget:          cfg.DemoTarget,
		DemoInstanceType:    cfg.DemoInstanceType,
		ProxyProtocolV2:     cfg.ProxyProtocol,
		VerificationTimeout: cfg.VerificationTimeout,
		DeletionProtection:  cfg.DeletionProtection,
		AccessLogs:          cfg.AccessLogs,
		Alarms:              cfg.alarms(),
		LogsKey:             logsKey(s.Provider, cfg),
		ControlTower:        cfg.ControlTower,
	}
	for _, p := range cfg.Ports {
		props.Listeners = append(props.Listeners, provider.Listener{Port: p, Protocol: cfg.ListenerProtocol})
	}
	if cfg.ControlTower.Strict() && cfg.AccessLogsBucket == "" {
		// The access-log bucket created under strict is encrypted with this key and retained
		// after the stack: the key must outlive it too, or the logs kept could not be read.
		props.LogsKey.(awskms.Key).ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	}
	if cfg.AccessLogsBucket != "" {
		props.AccessLogsBucket = awss3.Bucket_FromBucketName(s.Provider, jsii.String("AccessLogsBucket"), jsii.String(cfg.AccessLogsBucket))
		props.AccessLogs = false
	}
	if cfg.ServerAccessLogsBucket != "" {
		props.ServerAccessLogsBucket = awss3.Bucket_FromBucketName(s.Provider, jsii.String("ServerAccessLogsBucket"), jsii.String(cfg.ServerAccessLogsBucket))
	}
	if cfg.CertificateArn != "" {
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(s.Provider, jsii.String("Certificate"), jsii.String(cfg.CertificateArn))
	}
	props.AllowedRegions = cfg.consumerRegions()
	if cfg.HostedZoneId != "" {
		props.HostedZone = awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes(s.Provider, jsii.String("Zone"), &awsroute53.PublicHostedZoneAttributes{
			HostedZoneId: jsii.String(cfg.HostedZoneId), ZoneName: jsii.String(cfg.HostedZoneName),
		})
	}
	if err := construct(func() {
		s.ProviderConstruct = provider.NewProvider(s.Provider, "Provider", props)
		s.AcceptorConstruct = acceptor.NewAcceptor(s.Provider, "Acceptor", &acceptor.AcceptorProps{Service: s.ProviderConstruct, LogsKey: props.LogsKey, Alarms: cfg.alarms(), ControlTower: cfg.ControlTower})
	}); err != nil {
		return nil, err
	}

	// Each consumer reads the service name from the provider stack when it deploys: aws-cdk-lib
	// turns the cross-account reference into Fn::GetStackOutput, with a role in the provider
	// stack that the consumer's CloudFormation execution role assumes (ConsumerProps.Provider).
	several := len(cfg.Consumers) > 1
	for _, k := range cfg.Consumers {
		stack := awscdk.NewStack(app, jsii.String(ConsumerStackNameFor(k.Account, several)), &awscdk.StackProps{
			Env:         &awscdk.Environment{Account: jsii.String(k.Account), Region: jsii.String(k.Region)},
			Description: jsii.String("PrivateLink consumer: dual-stack interface endpoint with private DNS after acceptance"),
		})
		cprops := &consumer.ConsumerProps{
			Provider:               s.ProviderConstruct,
			AvailabilityZoneIds:    k.AzIds,
			PrivateDns:             jsii.Bool(cfg.PrivateDnsName != ""),
			TestClient:             cfg.TestClient,
			TestClientInstanceType: cfg.TestClientInstanceType,
			AcceptanceTimeout:      cfg.AcceptanceTimeout,
			LogsKey:                logsKey(stack, cfg),
			Alarms:                 cfg.alarms(),
			ControlTower:           cfg.ControlTower,
			// The acceptor's stable name gives its ARN without pasting; every consumer, in
			// any Region, asks it for acceptance.
			AcceptorArn: acceptor.Location{Account: cfg.ProviderAccount, Region: cfg.ProviderRegion, StackName: ProviderStackName}.Arn(),
		}
		if k.CrossRegion(cfg) {
			cprops.ServiceRegion = cfg.ProviderRegion
		}
		var c consumer.Consumer
		if err := construct(func() { c = consumer.NewConsumer(stack, "Consumer", cprops) }); err != nil {
			return nil, err
		}
		s.Consumers = append(s.Consumers, ConsumerStack{Stack: stack, Construct: c, Consumer: k})
		if cfg.AlarmEmail != "" {
			alarms.Subscribe(stack, cfg.AlarmEmail)
		}
	}
	s.Consumer, s.ConsumerConstruct = s.Consumers[0].Stack, s.Consumers[0].Construct

	for _, n := range cfg.Notes {
		awscdk.Annotations_Of(s.Provider).AddInfo(jsii.String(n))
	}
	if cfg.AlarmEmail != "" {
		alarms.Subscribe(s.Provider, cfg.AlarmEmail)
	}
	if cfg.Nag {
		ApplyNag(app)
	}
	return s, nil
}

// logsKey is the stack's key for its log groups when the logsKey context key asks for one.
func logsKey(stack awscdk.Stack, cfg Config) awskms.IKey {
	if !cfg.LogsKey {
		return nil
	}
	return logkey.New(stack, "LogsKey")
}

// ApplyNag applies cdk-nag's AwsSolutions checks to every stack of app; the library's own
// suppressions are added where the constructs make a deliberate choice.
func ApplyNag(app awscdk.App) {
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// construct runs f, turning the panic a construct raises for bad input (its props' Validate
// error, naming the prop and the fix) into an error, so the CLI prints the message instead of a Go stack trace.
// Anything else still panics: that is a bug, and its trace is wanted.
func construct(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && strings.HasPrefix(e.Error(), "privatelink: ") {
				err = inAppWords(e)
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

// fieldKeys name the context keys that set each props field the app fills in.
var fieldKeys = map[string]string{
	"ProviderProps.Listeners": "ports, listenerProtocol", "ProviderProps.AvailabilityZoneIds": "azIds",
	"ProviderProps.AllowedPrincipals": "consumerAccount", "ProviderProps.AllowedRegions": "consumerRegion",
	"ProviderProps.PrivateDnsName": "privateDnsName", "ProviderProps.HostedZone": "hostedZoneId, hostedZoneName",
	"ProviderProps.Certificate": "certificateArn", "ProviderProps.VerificationTimeout": "verificationTimeout",
	"ProviderProps.DemoTarget": "demoTarget", "ProviderProps.DemoInstanceType": "demoInstanceType", "ProviderProps.ProxyProtocolV2": "proxyProtocol",
	"ProviderProps.AccessLogs": "accessLogs", "ProviderProps.AccessLogsBucket": "accessLogsBucket", "ProviderProps.ServerAccessLogsBucket": "serverAccessLogsBucket", "ProviderProps.DeletionProtection": "deletionProtection",
	"ProviderProps.Alarms": "alarms", "ProviderProps.LogsKey": "logsKey", "ProviderProps.ControlTower": "controlTower",
	"AcceptorProps.ControlTower": "controlTower", "AcceptorProps.LogsKey": "logsKey", "ConsumerProps.ControlTower": "controlTower",
	"ConsumerProps.Provider": "consumerAccount", "ConsumerProps.ServiceRegion": "region, consumerRegion, consumerAccount",
	"ConsumerProps.Ports": "ports, listenerProtocol", "ConsumerProps.AvailabilityZoneIds": "consumerAzIds",
	"ConsumerProps.PrivateDns": "privateDnsName", "ConsumerProps.TestClient": "testClient", "ConsumerProps.TestClientInstanceType": "testClientInstanceType",
	"ConsumerProps.AcceptanceTimeout": "acceptanceTimeout", "ConsumerProps.AcceptorArn": "providerAccount, region",
	"ConsumerProps.Alarms": "alarms", "ConsumerProps.LogsKey": "logsKey",
}

var propsField = regexp.MustCompile(`\b(?:Provider|Consumer|Acceptor)Props\.[A-Za-z0-9]+`)

// inAppWords prefixes each of a construct's messages with the context keys behind the fields it
// names, so a CLI user learns which -c key to change. LoadConfig refuses what it can in the
// app's own words first; this covers what only the constructs check.
func inAppWords(err error) error {
	var out []error
	for _, line := range strings.Split(err.Error(), "\n") {
		var keys []string
		for _, f := range propsField.FindAllString(line, -1) {
			if k, ok := fieldKeys[f]; ok && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			line = fmt.Sprintf("context key(s) %s: %s", strings.Join(keys, "; "), line)
		}
		out = append(out, errors.New(line))
	}
	if len(out) == 1 {
		// One message: keep the construct's error underneath for errors.Is and errors.As.
		return fmt.Errorf("%s%w", strings.TrimSuffix(out[0].Error(), err.Error()), err)
	}
	return errors.Join(out...)
}

// consumerAccounts are the consumer accounts, in consumerAccount's order.
func (c Config) consumerAccounts() []string {
	var out []string
	for _, k := range c.Consumers {
		out = append(out, k.Account)
	}
	return out
}

// consumerRegions are the consumers' Regions other than the provider's, each once: the
// service's SupportedRegions.
func (c Config) consumerRegions() []string {
	var out []string
	for _, k := range c.Consumers {
		if k.CrossRegion(c) && !slices.Contains(out, k.Region) {
			out = append(out, k.Region)
		}
	}
	return out
}

// alarms turns on the constructs' alarms and dashboard when the alarms context key says so.
func (c Config) alarms() alarms.Props { return alarms.Props{Enabled: c.Alarms, Dashboard: c.Alarms} }
