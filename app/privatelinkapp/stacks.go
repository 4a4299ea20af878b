package privatelinkapp

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/logkey"
	"github.com/privatelink-go/privatelink/constructs/provider"
)

// Stack names: also the keys of the outputs file.
const (
	ProviderStackName = "PrivateLinkProvider"
	ConsumerStackName = "PrivateLinkConsumer"
)

// PlaceholderServiceName stands in for the provider's service name until it is known.
const placeholderSuffix = "vpce-svc-00000000000000000"

// Stacks are the app's two stacks and their main constructs.
type Stacks struct {
	Provider, Consumer awscdk.Stack
	ProviderConstruct  provider.Provider
	AcceptorConstruct  acceptor.Acceptor
	ConsumerConstruct  consumer.Consumer
	Config             Config
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
		AllowedPrincipals:   []string{cfg.ConsumerAccount},
		PrivateDnsName:      cfg.PrivateDnsName,
		DemoTarget:          cfg.DemoTarget,
		ProxyProtocolV2:     cfg.ProxyProtocol,
		VerificationTimeout: cfg.VerificationTimeout,
		DeletionProtection:  cfg.DeletionProtection,
		AccessLogs:          cfg.AccessLogs,
		Alarms:              cfg.alarms(),
		LogsKey:             logsKey(s.Provider, cfg),
	}
	for _, p := range cfg.Ports {
		props.Listeners = append(props.Listeners, provider.Listener{Port: p, Protocol: cfg.ListenerProtocol})
	}
	if cfg.CertificateArn != "" {
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(s.Provider, jsii.String("Certificate"), jsii.String(cfg.CertificateArn))
	}
	if cfg.ConsumerRegion != cfg.ProviderRegion {
		props.AllowedRegions = []string{cfg.ConsumerRegion}
	}
	if cfg.HostedZoneId != "" {
		props.HostedZone = awsroute53.PublicHostedZone_FromPublicHostedZoneAttributes(s.Provider, jsii.String("Zone"), &awsroute53.PublicHostedZoneAttributes{
			HostedZoneId: jsii.String(cfg.HostedZoneId), ZoneName: jsii.String(cfg.HostedZoneName),
		})
	}
	if err := construct(func() {
		s.ProviderConstruct = provider.NewProvider(s.Provider, "Provider", props)
		s.AcceptorConstruct = acceptor.NewAcceptor(s.Provider, "Acceptor", &acceptor.AcceptorProps{Service: s.ProviderConstruct, LogsKey: props.LogsKey, Alarms: cfg.alarms()})
	}); err != nil {
		return nil, err
	}

	// Typed handoff: context, else the outputs file, else a marked placeholder.
	serviceName, source := cfg.ServiceName, "context"
	if serviceName == "" {
		h, err := consumer.ReadHandoffFile(cfg.OutputsFile, ProviderStackName, consumer.HandoffIDs{Provider: "Provider"})
		switch {
		case err == nil:
			serviceName, source = h.ServiceName, cfg.OutputsFile
			where := fmt.Sprintf("the service name in %s (context key \"outputsFile\")", cfg.OutputsFile)
			if err := cfg.checkServiceName(serviceName, where, "deploy the provider again with --outputs-file "+cfg.OutputsFile+", or pass -c serviceName=…"); err != nil {
				return nil, err
			}
		case errors.Is(err, fs.ErrNotExist):
			// No provider deployed yet: the placeholder below, with its warning.
		default:
			return nil, fmt.Errorf("context key \"outputsFile\": %w; or pass -c serviceName=…", err)
		}
	}
	if serviceName == "" {
		serviceName, source = awsid.ServiceNamePrefix(cfg.ProviderRegion)+"."+cfg.ProviderRegion+"."+placeholderSuffix, "placeholder"
	}

	s.Consumer = awscdk.NewStack(app, jsii.String(ConsumerStackName), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(cfg.ConsumerAccount), Region: jsii.String(cfg.ConsumerRegion)},
		Description: jsii.String("PrivateLink consumer: dual-stack interface endpoint with private DNS after acceptance"),
	})
	cprops := &consumer.ConsumerProps{
		ServiceName:         serviceName,
		Ports:               cfg.servicePorts(),
		AvailabilityZoneIds: cfg.ConsumerAzIds,
		PrivateDns:          jsii.Bool(cfg.PrivateDnsName != ""),
		TestClient:          cfg.TestClient,
		AcceptanceTimeout:   cfg.AcceptanceTimeout,
		LogsKey:             logsKey(s.Consumer, cfg),
		Alarms:              cfg.alarms(),
		// Same Region: the acceptor's stable name gives its ARN without pasting. Cross-region:
		// a ServiceToken must be in the stack's Region, so acceptance comes from notifications.
		AcceptorArn: "",
	}
	if cfg.ConsumerRegion != cfg.ProviderRegion {
		cprops.ServiceRegion = cfg.ProviderRegion
	} else {
		cprops.AcceptorArn = acceptor.Location{Account: cfg.ProviderAccount, Region: cfg.ProviderRegion, StackName: ProviderStackName}.Arn()
	}
	if err := construct(func() { s.ConsumerConstruct = consumer.NewConsumer(s.Consumer, "Consumer", cprops) }); err != nil {
		return nil, err
	}
	if source == "placeholder" {
		awscdk.Annotations_Of(s.Consumer).AddWarningV2(jsii.String("privatelink:placeholderServiceName"), jsii.String(fmt.Sprintf(
			"ServiceName is the placeholder %s: this consumer stack cannot be deployed until the provider's service name is known. Deploy %s with --outputs-file %s (read automatically), or pass -c serviceName=%s.%s.vpce-svc-…",
			serviceName, ProviderStackName, cfg.OutputsFile, awsid.ServiceNamePrefix(cfg.ProviderRegion), cfg.ProviderRegion)), nil)
	} else {
		awscdk.Annotations_Of(s.Consumer).AddInfo(jsii.String("ServiceName " + serviceName + " from " + source))
	}

	for _, n := range cfg.Notes {
		awscdk.Annotations_Of(s.Provider).AddInfo(jsii.String(n))
	}
	if cfg.AlarmEmail != "" {
		alarms.Subscribe(s.Provider, cfg.AlarmEmail)
		alarms.Subscribe(s.Consumer, cfg.AlarmEmail)
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
	"ProviderProps.DemoTarget": "demoTarget", "ProviderProps.ProxyProtocolV2": "proxyProtocol",
	"ProviderProps.AccessLogs": "accessLogs", "ProviderProps.DeletionProtection": "deletionProtection",
	"ProviderProps.Alarms": "alarms", "ProviderProps.LogsKey": "logsKey",
	"ConsumerProps.ServiceName": "serviceName", "ConsumerProps.ServiceRegion": "region, consumerRegion",
	"ConsumerProps.Ports": "ports, listenerProtocol", "ConsumerProps.AvailabilityZoneIds": "consumerAzIds",
	"ConsumerProps.PrivateDns": "privateDnsName", "ConsumerProps.TestClient": "testClient",
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

// servicePorts are the ports with their protocol, as the consumer needs them.
func (c Config) servicePorts() []provider.ServicePort {
	var out []provider.ServicePort
	for _, p := range c.Ports {
		out = append(out, provider.ServicePort{Port: p, Protocol: c.ListenerProtocol})
	}
	return out
}

// alarms turns on the constructs' alarms and dashboard when the alarms context key says so.
func (c Config) alarms() alarms.Props { return alarms.Props{Enabled: c.Alarms, Dashboard: c.Alarms} }
