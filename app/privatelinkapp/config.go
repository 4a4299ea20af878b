package privatelinkapp

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/synth/gofunc"
)

// Config is everything the app reads from CDK context (cdk.json or -c key=value).
type Config struct {
	ProviderAccount string
	// Consumers are the consumer accounts (consumerAccount), each with its Region: one stack
	// each, all allowed principals of the provider and on its acceptor's allow-list.
	Consumers []Consumer
	// ProviderRegion is the provider's Region; ConsumerRegion the Region of every consumer
	// whose consumerAccount entry names none.
	ProviderRegion, ConsumerRegion string
	// AzIds of the provider; ConsumerAzIds of the consumers in ConsumerRegion.
	AzIds, ConsumerAzIds []string
	Ports                []int
	// ListenerProtocol of every port; CertificateArn of the TLS listeners in external DNS mode.
	ListenerProtocol provider.Protocol
	CertificateArn   string
	AccessLogs       bool
	// AccessLogsBucket and ServerAccessLogsBucket name existing buckets (Control Tower strict).
	AccessLogsBucket, ServerAccessLogsBucket string
	// Alarms and a dashboard on both stacks; AlarmEmail subscribes to both stacks' topics.
	Alarms                       bool
	AlarmEmail                   string
	PrivateDnsName               string
	HostedZoneId, HostedZoneName string
	DemoTarget, TestClient       bool
	// DemoInstanceType and TestClientInstanceType: empty for link.DemoInstanceType.
	DemoInstanceType, TestClientInstanceType string
	ProxyProtocol                            bool
	Nag                                      bool
	// Control Tower options: a KMS key per stack for the log groups, NLB deletion protection;
	// ControlTower strict turns both on and runs the functions in the VPCs.
	LogsKey, DeletionProtection bool
	ControlTower                link.ControlTower
	// Notes the app prints once with the synth (annotations on the provider stack): defaults
	// it changed for the Region, such as China's missing private DNS names.
	Notes []string
	// Waits: zero means the constructs' defaults.
	VerificationTimeout, AcceptanceTimeout time.Duration
}

// Consumer is one consumer stack of the app: its account, Region and AZ IDs.
type Consumer struct {
	Account, Region string
	AzIds           []string
}

// CrossRegion tells whether the consumer is in another Region than the provider.
func (c Consumer) CrossRegion(cfg Config) bool { return c.Region != cfg.ProviderRegion }

// certificateArnRe matches an ACM certificate ARN; groups 1 and 2 are its Region and account.
var certificateArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[0-9a-f-]+$`)

// emailRe is a plausible email address: SNS checks the rest by sending the confirmation.
var emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// contextKey is one configuration key: its default and what it means (README's table). A key
// given with an empty value is refused by name (an empty value never silently means the
// default), unless emptyMeans says what "none" does for it.
type contextKey struct{ name, def, doc, emptyMeans string }

// Keys lists every key with its default; the defaults synthesize offline as they are.
var Keys = []contextKey{
	{"providerAccount", "111111111111", "account A, where the provider stack deploys", ""},
	{"consumerAccount", "222222222222", "the consumer accounts, comma-separated, each optionally account@region (a Region of the provider's partition; default consumerRegion): one consumer stack each, all allowed and auto-accepted by the provider", ""},
	{"region", "eu-west-1", "Region of the provider stack", ""},
	{"consumerRegion", "", "Region of the consumer stacks whose consumerAccount entry names none; default: region. A different Region makes the service cross-region", ""},
	{"azIds", "", "AZ IDs of both VPCs in the provider's Region (the same physical zones in both accounts); default: the Region's first two, e.g. euw1-az1,euw1-az2", ""},
	{"consumerAzIds", "", "AZ IDs of the consumer VPCs in consumerRegion: in the provider's Region a subset of azIds (default azIds); for another consumerRegion its first two AZ IDs. A consumer at account@region gets that Region's default", ""},
	{"ports", "443", "comma-separated ports of the service", ""},
	{"listenerProtocol", "TCP", "protocol of every port: TCP, TLS (the NLB terminates TLS with a certificate for privateDnsName), UDP or TCP_UDP", ""},
	{"certificateArn", "", "TLS in external DNS mode: the ACM certificate (in region) for privateDnsName; in Route 53 mode one is created and DNS-validated", "no certificate given (Route 53 mode creates one)"},
	{"accessLogs", "false", "NLB access logs (TLS connections) into a bucket created for them", ""},
	{"accessLogsBucket", "", "an existing bucket (this account and Region) for the NLB access logs, whose policy admits NLB log delivery; turns access logs on", "a bucket created when accessLogs is on"},
	{"serverAccessLogsBucket", "", "with controlTower=strict and a created access-log bucket: an existing bucket (this account and Region) for that bucket's own S3 server access logs (CT.S3.PR.2; it cannot be in the template: docs/compliance.md)", "none"},
	{"alarms", "false", "CloudWatch alarms and a dashboard on both stacks, notifying an SNS topic per stack", ""},
	{"alarmEmail", "", "with alarms: an email address subscribed to both stacks' alarm topics (AWS sends a confirmation message first; nothing arrives until it is confirmed)", "no subscription"},
	{"privateDnsName", "api.example.com", "private DNS name of the service; empty for none", "no private DNS name"},
	{"hostedZoneId", "", "Route 53 public zone of privateDnsName (with hostedZoneName): Route 53 mode, the deploy waits for verification. Empty: external DNS mode", "external DNS mode"},
	{"hostedZoneName", "", "name of that zone, e.g. example.com", "external DNS mode"},
	{"demoTarget", "true", "add the Hello World demo instance behind the NLB", ""},
	{"demoInstanceType", "", "instance type of the demo target, for an AZ that does not offer the default; under controlTower=strict one of CT.EC2.PR.19's Nitro types (docs/compliance.md)", "t4g.nano (controlTower=strict: c7g.medium)"},
	{"testClient", "false", "add the SSM-reachable test client (and its SSM endpoints) to the consumer", ""},
	{"testClientInstanceType", "", "instance type of the test client, as demoInstanceType", "t4g.nano (controlTower=strict: c7g.medium)"},
	{"proxyProtocol", "false", "enable proxy protocol v2 on the target groups (needs demoTarget=false)", ""},
	{"nag", "false", "apply cdk-nag AwsSolutions checks to both stacks", ""},
	{"logsKey", "false", "encrypt each stack's log groups with a KMS key made for them (logkey.New; USD 1 a month per stack), as Control Tower's CT.CLOUDWATCH.PR.3 requires", ""},
	{"deletionProtection", "false", "turn on the NLB's deletion protection (CT.ELASTICLOADBALANCING.PR.5); turn it off before deleting the provider stack", ""},
	{"controlTower", "", "strict: templates that pass every AWS Control Tower proactive control (the functions run in the VPCs behind VPC endpoints, about USD 15 a month per endpoint with two AZs; logsKey and deletionProtection on; docs/compliance.md)", "the cheaper defaults, whose failing controls docs/compliance.md lists"},
	{"verificationTimeout", "", "Route 53 mode: how long the deploy waits for the private DNS name to be verified, a Go duration from 1m to 55m such as 45m; default 30m", ""},
	{"acceptanceTimeout", "", "how long the consumer's deploy waits for acceptance and private DNS, a Go duration from 1m to 55m such as 40m; default 10m", ""},
}

// LoadConfig reads ctx (all context values). Keys that are neither ours nor CDK's own
// (CDK keys contain ':' or start with '@') are refused, so a typo fails synthesis.
func LoadConfig(ctx map[string]any) (Config, error) {
	var errs []error
	defaults := map[string]string{}
	for _, k := range Keys {
		defaults[k.name] = k.def
	}
	var unknown []string
	for k := range ctx {
		if _, known := defaults[k]; !known && !strings.ContainsAny(k, ":@") {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if k == "serviceName" || k == "outputsFile" {
			errs = append(errs, fmt.Errorf("context key %q is gone: each consumer stack reads the provider's service name when it deploys (Fn::GetStackOutput), so one cdk deploy --all needs no outputs file; drop the key. A consumer in another team's CDK app reads the outputs file itself (consumer.ReadHandoffFile; README, \"A consumer in another app\")", k))
			continue
		}
		if renamed, ok := map[string]string{"providerAzs": "azIds", "consumerAzs": "consumerAzIds"}[k]; ok {
			errs = append(errs, fmt.Errorf("context key %q is gone: AZ names differ between accounts, so the app now takes AZ IDs; use %q (for example euw1-az1,euw1-az2; find yours with aws ec2 describe-availability-zones --query 'AvailabilityZones[].[ZoneName,ZoneId]')", k, renamed))
			continue
		}
		errs = append(errs, fmt.Errorf("context key %q is unknown: valid keys are %s", k, keyNames()))
	}
	// One rule for every key: given empty, it is refused by name, unless empty means "none" for
	// it (emptyMeans; the README's table says so). A refused key reads as its default below,
	// so one mistake gives one message.
	refusedEmpty := map[string]bool{}
	for _, k := range Keys {
		if v, ok := ctx[k.name]; ok && strings.TrimSpace(fmt.Sprint(v)) == "" && k.emptyMeans == "" {
			refusedEmpty[k.name] = true
			errs = append(errs, fmt.Errorf("context key %q is empty: give a value (%s), or remove the key (from -c, cdk.json or ~/.cdk.json) for its default", k.name, k.doc))
		}
	}
	get := func(name string) string {
		def, known := defaults[name]
		if !known {
			panic("no key " + name)
		}
		if v, ok := ctx[name]; ok && !refusedEmpty[name] {
			return strings.TrimSpace(fmt.Sprint(v))
		}
		return def
	}
	boolean := func(name string) bool {
		b, err := strconv.ParseBool(get(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("context key %q is %q: use true or false", name, get(name)))
		}
		return b
	}
	list := func(name string) []string {
		var out []string
		for _, s := range strings.Split(get(name), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		if len(out) == 0 && get(name) != "" {
			errs = append(errs, fmt.Errorf("context key %q is %q, which lists nothing: give comma-separated values, or leave the key out for its default", name, get(name)))
		}
		return out
	}
	c := Config{
		ProviderAccount: get("providerAccount"),
		ProviderRegion:  get("region"), ConsumerRegion: get("consumerRegion"),
		AzIds: list("azIds"), ConsumerAzIds: list("consumerAzIds"),
		PrivateDnsName: get("privateDnsName"), HostedZoneId: get("hostedZoneId"), HostedZoneName: get("hostedZoneName"),
		DemoTarget: boolean("demoTarget"), TestClient: boolean("testClient"), ProxyProtocol: boolean("proxyProtocol"),
		DemoInstanceType: get("demoInstanceType"), TestClientInstanceType: get("testClientInstanceType"),
		Nag:     boolean("nag"),
		LogsKey: boolean("logsKey"), DeletionProtection: boolean("deletionProtection"),
		ListenerProtocol: provider.Protocol(strings.ToUpper(get("listenerProtocol"))), CertificateArn: get("certificateArn"),
		AccessLogs: boolean("accessLogs"), Alarms: boolean("alarms"), AlarmEmail: get("alarmEmail"),
		ControlTower:     link.ControlTower(strings.ToLower(get("controlTower"))),
		AccessLogsBucket: get("accessLogsBucket"), ServerAccessLogsBucket: get("serverAccessLogsBucket"),
	}
	if why := c.ControlTower.Problem(); why != "" {
		errs = append(errs, fmt.Errorf("context key \"controlTower\" is %q: use strict, or leave the key out for the defaults", get("controlTower")))
	}
	if c.ControlTower.Strict() {
		// Each is what a control needs (CT.CLOUDWATCH.PR.3, CT.ELASTICLOADBALANCING.PR.5): on
		// unless turned off by name, which the strict mode cannot honour.
		for _, k := range []struct {
			key, control string
			on           *bool
		}{{"logsKey", "CT.CLOUDWATCH.PR.3 fails a log group without a KMS key", &c.LogsKey}, {"deletionProtection", "CT.ELASTICLOADBALANCING.PR.5 fails an NLB without deletion protection", &c.DeletionProtection},
			{"accessLogs", "CT.ELASTICLOADBALANCING.PR.6 fails an NLB without access logs", &c.AccessLogs}} {
			if _, given := ctx[k.key]; given && !*k.on {
				errs = append(errs, fmt.Errorf("context key %q is false with controlTower=strict, but Control Tower's %s: drop %s=false (strict turns it on)", k.key, k.control, k.key))
			}
			*k.on = true
		}
	}
	if !awsid.EndpointServicePrivateDNS(c.ProviderRegion) {
		pt, _ := awsid.PartitionOf(c.ProviderRegion)
		// Getting Started with AWS in China, Amazon VPC: "You can't assign a private DNS name
		// to a VPC endpoint service".
		if _, given := ctx["privateDnsName"]; given && c.PrivateDnsName != "" {
			errs = append(errs, fmt.Errorf("context key \"privateDnsName\" is %q, but \"region\" %s is in the %s partition, where AWS offers no private DNS names for endpoint services (Getting Started with AWS in China, Amazon VPC): drop privateDnsName (and hostedZoneId, hostedZoneName); consumers use the endpoint's own DNS names", c.PrivateDnsName, c.ProviderRegion, pt.Name))
		} else if c.PrivateDnsName != "" {
			c.Notes = append(c.Notes, fmt.Sprintf("privateDnsName defaults to none in %s (%s): AWS offers no private DNS names for endpoint services there, so the consumer reaches the service by its endpoint's DNS names", c.ProviderRegion, pt.Name))
		}
		c.PrivateDnsName = ""
	}
	if c.AlarmEmail != "" && !c.Alarms {
		errs = append(errs, fmt.Errorf("context key \"alarmEmail\" is set but \"alarms\" is false: nothing would be sent; add -c alarms=true or drop alarmEmail"))
	}
	if c.AlarmEmail != "" && !emailRe.MatchString(c.AlarmEmail) {
		errs = append(errs, fmt.Errorf("context key \"alarmEmail\" is %q, which is not an email address (name@example.com)", c.AlarmEmail))
	}
	if !slices.Contains(link.Protocols, c.ListenerProtocol) {
		errs = append(errs, fmt.Errorf("context key \"listenerProtocol\" is %q: use TCP, TLS, UDP or TCP_UDP", get("listenerProtocol")))
	}
	switch tls := c.ListenerProtocol == provider.TLS; {
	case !tls && c.CertificateArn != "":
		errs = append(errs, fmt.Errorf("context key \"certificateArn\" is set but \"listenerProtocol\" is %s: only TLS listeners use a certificate; set listenerProtocol=TLS or drop certificateArn", c.ListenerProtocol))
	case tls && c.PrivateDnsName == "" && c.CertificateArn == "":
		errs = append(errs, fmt.Errorf("context key \"listenerProtocol\" is TLS but \"privateDnsName\" is empty: TLS clients check the certificate against the name they connect to; set privateDnsName (with hostedZoneId and hostedZoneName to have the certificate created)"))
	case tls && c.HostedZoneId == "" && c.CertificateArn == "":
		errs = append(errs, fmt.Errorf("context key \"listenerProtocol\" is TLS in external DNS mode but \"certificateArn\" is empty: request an ACM certificate for %s in %s, validate it in your DNS and pass -c certificateArn=arn:…:acm:…; or set hostedZoneId and hostedZoneName to have it created", c.PrivateDnsName, get("region")))
	case tls && c.CertificateArn != "":
		if m := certificateArnRe.FindStringSubmatch(c.CertificateArn); m == nil {
			errs = append(errs, fmt.Errorf("context key \"certificateArn\" is %q, which is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)", c.CertificateArn))
		} else if m[1] != get("region") {
			errs = append(errs, fmt.Errorf("context key \"certificateArn\" is in %s but the provider is in %s: ACM certificates are regional, and an NLB uses one of its own Region; request or import the certificate in %s", m[1], get("region"), get("region")))
		} else if m[2] != get("providerAccount") {
			errs = append(errs, fmt.Errorf("context key \"certificateArn\" is in account %s but the provider is in %s (\"providerAccount\"): an NLB uses an ACM certificate of its own account; request or import the certificate in %s", m[2], get("providerAccount"), get("providerAccount")))
		}
	}
	wait := func(name, prop string) time.Duration {
		v := get(name)
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("context key %q is %q, which is not a Go duration: use minutes such as 45m (from 1m to 55m)", name, v))
			return 0
		}
		if why := gofunc.CheckWait(prop, d); why != "" {
			errs = append(errs, fmt.Errorf("context key %q is %q, which %s", name, v, strings.TrimPrefix(why, prop+" "+d.String()+" ")))
			return 0
		}
		return d
	}
	c.VerificationTimeout = wait("verificationTimeout", "VerificationTimeout")
	c.AcceptanceTimeout = wait("acceptanceTimeout", "AcceptanceTimeout")
	if c.VerificationTimeout != 0 && c.HostedZoneId == "" {
		errs = append(errs, fmt.Errorf("context key \"verificationTimeout\" is %q, but only Route 53 mode waits for verification: set hostedZoneId and hostedZoneName, or drop verificationTimeout", get("verificationTimeout")))
	}
	if c.ConsumerRegion == "" {
		c.ConsumerRegion = c.ProviderRegion
	}
	c.Consumers = c.consumers(list("consumerAccount"), &errs)
	crossRegion := false
	for _, k := range c.Consumers {
		crossRegion = crossRegion || k.CrossRegion(c)
	}
	if len(c.AzIds) == 0 {
		c.AzIds = awsid.DefaultAZIDs(c.ProviderRegion, crossRegion)
	}
	consumerAzIdsGiven := len(c.ConsumerAzIds) > 0
	if !consumerAzIdsGiven {
		if c.ConsumerRegion != c.ProviderRegion {
			c.ConsumerAzIds = awsid.DefaultAZIDs(c.ConsumerRegion, true)
		} else {
			c.ConsumerAzIds = c.AzIds
		}
	}
	// Each consumer's AZ IDs: consumerAzIds in consumerRegion; in a Region its entry names, the
	// provider's in the provider's Region, else that Region's first two cross-region ones.
	for i, k := range c.Consumers {
		switch {
		case k.Region == c.ConsumerRegion:
			c.Consumers[i].AzIds = c.ConsumerAzIds
		case k.Region == c.ProviderRegion:
			c.Consumers[i].AzIds = c.AzIds
		default:
			c.Consumers[i].AzIds = awsid.DefaultAZIDs(k.Region, true)
		}
	}
	if !awsid.Account.MatchString(get("providerAccount")) {
		errs = append(errs, fmt.Errorf("context key %q is %q: use a 12-digit AWS account ID", "providerAccount", get("providerAccount")))
	}
	// In a fixed order, so the same mistakes always read the same. consumerAccount's own
	// Regions were checked with it, and their AZ IDs are defaults.
	consumerRegionCross := c.ConsumerRegion != c.ProviderRegion
	for _, side := range []struct {
		regionKey, azsKey, region string
		azs                       []string
		cross                     bool
	}{{"region", "azIds", c.ProviderRegion, c.AzIds, crossRegion}, {"consumerRegion", "consumerAzIds", c.ConsumerRegion, c.ConsumerAzIds, consumerRegionCross}} {
		if err := awsid.CheckRegion(side.region); err != nil {
			errs = append(errs, fmt.Errorf("context key %q is %q, which %v", side.regionKey, side.region, err))
		}
		for i, az := range side.azs {
			if slices.Index(side.azs, az) != i {
				errs = append(errs, fmt.Errorf("context key %q lists %q twice: give each AZ once", side.azsKey, az))
			} else if err := awsid.CheckAZID(az, side.region); err != nil {
				errs = append(errs, fmt.Errorf("context key %q has %q, which %v", side.azsKey, az, err))
			} else if side.cross && !awsid.CrossRegionSupported(az) {
				errs = append(errs, fmt.Errorf("context key %q has %q, which does not support cross-Region PrivateLink (PrivateLink guide, Cross-Region access): choose other AZ IDs", side.azsKey, az))
			}
		}
		if len(side.azs) == 0 {
			errs = append(errs, fmt.Errorf("context key %q is empty: list at least one AZ ID", side.azsKey))
		}
	}
	for _, p := range list("ports") {
		n, err := strconv.Atoi(p)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("context key \"ports\" has %q, which is not a port number: give comma-separated ports such as 443,8443", p))
		case n < 1 || n > 65535:
			errs = append(errs, fmt.Errorf("context key \"ports\" has %d, which is out of range: use ports from 1 to 65535", n))
		case slices.Contains(c.Ports, n):
			errs = append(errs, fmt.Errorf("context key \"ports\" lists %d twice: an NLB has one listener per port; give each port once", n))
		default:
			c.Ports = append(c.Ports, n)
		}
	}
	if c.ProxyProtocol && c.DemoTarget {
		errs = append(errs, fmt.Errorf("context key \"proxyProtocol\" is true but \"demoTarget\" is true: the demo server does not parse proxy protocol headers and would answer 400; add -c demoTarget=false (and register your own targets), or drop proxyProtocol"))
	}
	if n := c.PrivateDnsName; n != "" {
		if err := provider.CheckDNSName(n); err != nil {
			errs = append(errs, fmt.Errorf("context key \"privateDnsName\" is %q, which %v", n, err))
		} else if z := strings.TrimSuffix(strings.ToLower(c.HostedZoneName), "."); z != "" && n != z && !strings.HasSuffix(n, "."+z) {
			errs = append(errs, fmt.Errorf("context key \"privateDnsName\" (%s) is outside \"hostedZoneName\" (%s): the TXT record proving the name goes in the name's own zone; give a name ending in .%s, or the zone that holds %s", n, z, z, n))
		}
	}
	if c.ConsumerRegion == c.ProviderRegion {
		// The endpoint's subnets must be in zones the NLB serves; IDs make that checkable here.
		var unserved []string
		for _, id := range c.ConsumerAzIds {
			if !slices.Contains(c.AzIds, id) {
				unserved = append(unserved, id)
			}
		}
		if len(unserved) > 0 {
			errs = append(errs, fmt.Errorf("context key \"consumerAzIds\" has %q, which the provider does not serve (\"azIds\" is %q): in one Region the endpoint's AZ IDs must be among the provider's; drop consumerAzIds or add them to azIds", unserved, c.AzIds))
		}
	}
	if !awsid.SamePartition(c.ProviderRegion, c.ConsumerRegion) && awsid.CheckRegion(c.ProviderRegion) == nil && awsid.CheckRegion(c.ConsumerRegion) == nil && c.usesConsumerRegion() {
		errs = append(errs, fmt.Errorf("context keys \"region\" (%s) and \"consumerRegion\" (%s) are in different AWS partitions: PrivateLink cannot cross partitions; put both sides in one partition", c.ProviderRegion, c.ConsumerRegion))
	}
	if c.HostedZoneId != "" && !awsid.HostedZoneID.MatchString(c.HostedZoneId) {
		errs = append(errs, fmt.Errorf("context key \"hostedZoneId\" is %q, which is not a Route 53 hosted zone ID (Z and up to 31 upper-case letters and digits, such as Z0123456789ABCDEFGHIJ, without /hostedzone/)", c.HostedZoneId))
	}
	if (c.HostedZoneId == "") != (c.HostedZoneName == "") {
		errs = append(errs, fmt.Errorf("context keys \"hostedZoneId\" (%q) and \"hostedZoneName\" (%q) go together: set both for Route 53 mode or neither for external DNS", c.HostedZoneId, c.HostedZoneName))
	}
	return c, errors.Join(errs...)
}

// consumers parses consumerAccount's entries, account or account@region, refusing (into errs)
// what could not deploy: a malformed account or Region, a Region of another partition than the
// provider's, the provider's own account, an account given twice (one stack per account).
func (c Config) consumers(entries []string, errs *[]error) []Consumer {
	bad := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("context key \"consumerAccount\" "+format, args...))
	}
	var out []Consumer
	seen := map[string]string{}
	for _, entry := range entries {
		account, region, named := strings.Cut(entry, "@")
		account, region = strings.TrimSpace(account), strings.TrimSpace(region)
		if !named {
			region = c.ConsumerRegion
		}
		switch {
		case !awsid.Account.MatchString(account):
			bad("has %q, whose account %q is not a 12-digit AWS account ID: give account IDs such as 222222222222, or 222222222222@us-east-1 for a consumer in another Region", entry, account)
			continue
		case account == c.ProviderAccount:
			bad("has %q, which is the provider's account (\"providerAccount\"): the consumers are other accounts; PrivateLink within one account needs no acceptance across accounts, so use the constructs with ConsumerProps.Provider in one stack", entry)
			continue
		case seen[account] != "":
			bad("lists the account %s twice (%q and %q): the app deploys one consumer stack per account; give each account once", account, seen[account], entry)
			continue
		}
		seen[account] = entry
		if named {
			if err := awsid.CheckRegion(region); err != nil {
				bad("has %q, whose Region %q %v", entry, region, err)
				continue
			}
			if awsid.CheckRegion(c.ProviderRegion) == nil && !awsid.SamePartition(region, c.ProviderRegion) {
				pr, _ := awsid.PartitionOf(region)
				pp, _ := awsid.PartitionOf(c.ProviderRegion)
				bad("has %q, whose Region %s is in the %s partition, but the provider's \"region\" %s is in %s: PrivateLink and Fn::GetStackOutput cannot cross partitions; give a Region of %s", entry, region, pr.Name, c.ProviderRegion, pp.Name, pp.Name)
				continue
			}
		}
		out = append(out, Consumer{Account: account, Region: region})
	}
	return out
}

// usesConsumerRegion tells whether some consumer is in consumerRegion (one whose entry names no
// Region), so that the key's checks apply.
func (c Config) usesConsumerRegion() bool {
	for _, k := range c.Consumers {
		if k.Region == c.ConsumerRegion {
			return true
		}
	}
	return len(c.Consumers) == 0
}

func keyNames() string {
	var names []string
	for _, k := range Keys {
		names = append(names, k.name)
	}
	return strings.Join(names, ", ")
}
