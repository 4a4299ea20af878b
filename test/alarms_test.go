package test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/alarms"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// alarmWorld resolves the alarms app's templates with consistent AWS names: the NLB's ARN and
// full name, its listener's ARN (which the target group metrics derive the NLB's name from), the
// target group's full name, the service, the endpoint, the functions.
func alarmWorld(tpl assertions.Template, account string) World {
	w := World{Account: account, Region: "eu-west-1", Refs: map[string]string{}, Attrs: map[string]any{}}
	const lb = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/PrivateLink-Provider/50dc6c495c0c9188"
	for id := range Resources(tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer") {
		w.Refs[id] = lb
		w.Attrs[id+".LoadBalancerFullName"] = "net/PrivateLink-Provider/50dc6c495c0c9188"
	}
	for id := range Resources(tpl, "AWS::ElasticLoadBalancingV2::Listener") {
		w.Refs[id] = strings.Replace(lb, ":loadbalancer/", ":listener/", 1) + "/f2f7dc8efc522ab2"
	}
	for id := range Resources(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup") {
		w.Attrs[id+".TargetGroupFullName"] = "targetgroup/PrivateLink-Targets/73e2d6bc24d8a067"
	}
	for id := range Resources(tpl, "AWS::EC2::VPCEndpointService") {
		w.Attrs[id+".ServiceId"] = "vpce-svc-0123456789abcdef0"
	}
	for id := range Resources(tpl, "AWS::EC2::VPCEndpoint") {
		w.Refs[id] = "vpce-0a1b2c3d4e5f60718"
	}
	for id := range Resources(tpl, "AWS::EC2::VPC") {
		w.Refs[id] = "vpc-0123456789abcdef0"
	}
	for id := range Resources(tpl, "AWS::Lambda::Function") {
		w.Refs[id] = "privatelink-acceptor-PrivateLinkProvider" // Ref is the name
	}
	for id := range Resources(tpl, "AWS::SNS::Topic") {
		w.Refs[id] = "arn:aws:sns:eu-west-1:" + account + ":PrivateLinkAlarms"
	}
	return w
}

// describeAlarms resolves every alarm to one line: metric, namespace, dimensions, statistic,
// period, comparison, threshold, datapoints of periods, missing data, actions.
func describeAlarms(t *testing.T, tpl assertions.Template, account string) map[string]string {
	t.Helper()
	w := alarmWorld(tpl, account)
	out := map[string]string{}
	for id, r := range Resources(tpl, "AWS::CloudWatch::Alarm") {
		p := w.Resolve(t, Props(r)).(map[string]any)
		var dims []string
		for _, d := range p["Dimensions"].([]any) {
			d := d.(map[string]any)
			dims = append(dims, fmt.Sprintf("%v=%v", d["Name"], d["Value"]))
		}
		sort.Strings(dims)
		actions, _ := json.Marshal([]any{p["AlarmActions"], p["OKActions"]})
		out[id] = fmt.Sprintf("%v %v [%s] %v %vs %v %v %v/%v %v %s", p["Namespace"], p["MetricName"], strings.Join(dims, " "), p["Statistic"], p["Period"],
			p["ComparisonOperator"], p["Threshold"], p["DatapointsToAlarm"], p["EvaluationPeriods"], p["TreatMissingData"], actions)
	}
	return out
}

func TestEveryAlarmWatchesItsResourceWithTheDocumentedStatisticThresholdAndMissingData(t *testing.T) {
	f := Golden(t, "alarms")
	topic := func(account string) string {
		return `[["arn:aws:sns:eu-west-1:` + account + `:PrivateLinkAlarms"],["arn:aws:sns:eu-west-1:` + account + `:PrivateLinkAlarms"]]`
	}
	nlb, tg := "LoadBalancer=net/PrivateLink-Provider/50dc6c495c0c9188", "TargetGroup=targetgroup/PrivateLink-Targets/73e2d6bc24d8a067"
	fn := "FunctionName=privatelink-acceptor-PrivateLinkProvider"
	endpoint := "Endpoint Type=Interface Service Name=com.amazonaws.vpce.eu-west-1.<output PrivateLinkProvider.PrivateLinkServiceIdProvider2281708E> VPC Endpoint Id=vpce-0a1b2c3d4e5f60718 VPC Id=vpc-0123456789abcdef0"
	want := map[string]string{
		"ProviderNoHealthyTargets443":  "AWS/NetworkELB HealthyHostCount [" + nlb + " " + tg + "] Maximum 60s LessThanThreshold 1 3/3 breaching " + topic("111111111111"),
		"ProviderUnhealthyTargets443":  "AWS/NetworkELB UnHealthyHostCount [" + nlb + " " + tg + "] Minimum 60s GreaterThanOrEqualToThreshold 1 5/5 notBreaching " + topic("111111111111"),
		"ProviderTargetResets":         "AWS/NetworkELB TCP_Target_Reset_Count [" + nlb + "] Sum 300s GreaterThanOrEqualToThreshold 100 1/1 notBreaching " + topic("111111111111"),
		"ProviderLoadBalancerResets":   "AWS/NetworkELB TCP_ELB_Reset_Count [" + nlb + "] Sum 300s GreaterThanOrEqualToThreshold 100 1/1 notBreaching " + topic("111111111111"),
		"ProviderPortAllocationErrors": "AWS/NetworkELB PortAllocationErrorCount [" + nlb + "] Sum 60s GreaterThanOrEqualToThreshold 1 1/1 notBreaching " + topic("111111111111"),
		"ProviderRejectedFlows":        "AWS/NetworkELB RejectedFlowCount [" + nlb + "] Maximum 60s GreaterThanOrEqualToThreshold 1 3/3 notBreaching " + topic("111111111111"),
		"ProviderServiceResets":        "AWS/PrivateLinkServices RstPacketsSent [Service Id=vpce-svc-0123456789abcdef0] Sum 60s GreaterThanOrEqualToThreshold 20 5/5 notBreaching " + topic("111111111111"),
		"AcceptorErrorsAlarm":          "AWS/Lambda Errors [" + fn + "] Sum 300s GreaterThanOrEqualToThreshold 1 1/1 notBreaching " + topic("111111111111"),
		"AcceptorThrottlesAlarm":       "AWS/Lambda Throttles [" + fn + "] Sum 300s GreaterThanOrEqualToThreshold 1 1/1 notBreaching " + topic("111111111111"),
		"AcceptorLeftPendingAlarm":     "PrivateLink/Acceptor LeftPending [ServiceId=vpce-svc-0123456789abcdef0] Minimum 900s GreaterThanOrEqualToThreshold 1 4/4 notBreaching " + topic("111111111111"),
		"ConsumerPacketsDroppedAlarm":  "AWS/PrivateLinkEndpoints PacketsDropped [" + endpoint + "] Sum 60s GreaterThanOrEqualToThreshold 1 5/5 notBreaching " + topic("222222222222"),
		"ConsumerResetsReceivedAlarm":  "AWS/PrivateLinkEndpoints RstPacketsReceived [" + endpoint + "] Sum 60s GreaterThanOrEqualToThreshold 20 5/5 notBreaching " + topic("222222222222"),
	}
	got := describeAlarms(t, f.Templates[privatelinkapp.ProviderStackName], "111111111111")
	for id, line := range describeAlarms(t, f.Templates[privatelinkapp.ConsumerStackName], "222222222222") {
		got[id] = line
	}
	if len(got) != len(want) {
		t.Errorf("%d alarms, want %d: %v", len(got), len(want), got)
	}
	for prefix, line := range want {
		found := false
		for id, g := range got {
			// Logical IDs end in CDK's hash.
			if strings.HasPrefix(id, prefix) && len(id) == len(prefix)+8 {
				found = true
				if g != line {
					t.Errorf("%s:\n got %s\nwant %s", id, g, line)
				}
			}
		}
		if !found {
			t.Errorf("no alarm %s", prefix)
		}
	}
}

func TestTheAlarmTopicIsTLSOnlyAndAdmitsOnlyThisAccountsAlarms(t *testing.T) {
	tpl := Golden(t, "alarms").Templates[privatelinkapp.ProviderStackName]
	w := alarmWorld(tpl, "111111111111")
	var topicPolicy map[string]any
	for _, r := range Resources(tpl, "AWS::SNS::TopicPolicy") {
		if strings.Contains(jsonString(Props(r)["Topics"]), "PrivateLinkAlarms") {
			topicPolicy = r
		}
	}
	if topicPolicy == nil {
		t.Fatal("no policy on the alarm topic")
	}
	doc := jsonString(w.Resolve(t, Props(topicPolicy)["PolicyDocument"]))
	for _, want := range []string{
		`{"Action":"sns:Publish","Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny","Principal":"*"`,
		`{"Action":"sns:Publish","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:*"},"StringEquals":{"aws:SourceAccount":"111111111111"}},"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Resource":"arn:aws:sns:eu-west-1:111111111111:PrivateLinkAlarms","Sid":"CloudWatchAlarmsOfThisAccount"}`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("topic policy %s\nlacks %s", doc, want)
		}
	}
	// alarmEmail subscribes the address; SNS asks it to confirm first.
	tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), M("Protocol", "email", "Endpoint", "ops@example.com"))
	// The pending check runs every 15 minutes against the acceptor, and only EventBridge's rule may invoke it that way.
	_, rule := Only(t, Resources(tpl, "AWS::Events::Rule"))
	mustEqualJSON(t, Props(rule)["ScheduleExpression"], "rate(15 minutes)")
}

func TestEachSideHasADashboardWithEveryAlarmsGraphAndThreshold(t *testing.T) {
	f := Golden(t, "alarms")
	for stack, wantGraphs := range map[string][]string{
		privatelinkapp.ProviderStackName: {"Healthy targets, port 443", "Unhealthy targets, port 443", "TCP resets sent by targets", "TCP resets sent by the NLB", "Source NAT port allocation errors", "Flows rejected by the NLB", "Resets sent to consumers' endpoints", "Acceptor errors", "Acceptor throttles", "Connections left pending"},
		privatelinkapp.ConsumerStackName: {"Packets dropped by the endpoint", "Resets received from the service"},
	} {
		tpl := f.Templates[stack]
		account := map[string]string{privatelinkapp.ProviderStackName: "111111111111", privatelinkapp.ConsumerStackName: "222222222222"}[stack]
		w := alarmWorld(tpl, account)
		_, d := Only(t, Resources(tpl, "AWS::CloudWatch::Dashboard"))
		// Dashboard names are unique per account across Regions: the Region is in it.
		mustEqualJSON(t, Props(d)["DashboardName"], stack+"-eu-west-1-PrivateLink")
		var body struct {
			Widgets []struct {
				Type       string
				Properties struct {
					Title       string
					Markdown    string
					Metrics     [][]any
					Annotations struct {
						Horizontal []struct {
							Value float64
							Label string
						}
					}
					YAxis struct{ Left struct{ Label string } }
				}
			}
		}
		if err := json.Unmarshal([]byte(w.Resolve(t, Props(d)["DashboardBody"]).(string)), &body); err != nil {
			t.Fatalf("%s: dashboard body is not JSON: %v", stack, err)
		}
		var titles []string
		for _, wd := range body.Widgets {
			if wd.Type != "metric" {
				continue
			}
			titles = append(titles, wd.Properties.Title)
			if len(wd.Properties.Metrics) != 1 || len(wd.Properties.Annotations.Horizontal) != 1 || wd.Properties.YAxis.Left.Label == "" {
				t.Errorf("%s %q: %d metrics, %d threshold lines, unit %q; want one metric, its alarm's threshold and a unit", stack, wd.Properties.Title, len(wd.Properties.Metrics), len(wd.Properties.Annotations.Horizontal), wd.Properties.YAxis.Left.Label)
			}
			if a := wd.Properties.Annotations.Horizontal; len(a) == 1 && !strings.HasPrefix(a[0].Label, "alarm: ") {
				t.Errorf("%s %q: threshold labelled %q", stack, wd.Properties.Title, a[0].Label)
			}
		}
		if fmt.Sprint(titles) != fmt.Sprint(wantGraphs) {
			t.Errorf("%s graphs %q, want %q", stack, titles, wantGraphs)
		}
	}
}

func TestAlarmsGoToAGivenTopicThatAdmitsCloudWatchAndSkipACrossRegionEndpoint(t *testing.T) {
	f := Synth(t, "alarms-options", func(app awscdk.App) error {
		stack := awscdk.NewStack(app, jsii.String("AlarmOptions"), &awscdk.StackProps{Env: EuWest1})
		// A topic of the app with its own policy (EnforceSSL makes one, replacing SNS's default):
		// the statement for CloudWatch is added to it.
		ops := awssns.NewTopic(stack, jsii.String("Ops"), &awssns.TopicProps{EnforceSSL: jsii.Bool(true)})
		consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{
			ServiceName: "com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0", ServiceRegion: "eu-central-1",
			Ports: []provider.ServicePort{{Port: 443}}, Alarms: alarms.Props{Enabled: true, Topic: ops, Dashboard: true},
		})
		return nil
	})
	tpl := f.Templates["AlarmOptions"]
	// AWS publishes no endpoint metrics for cross-Region consumers: no alarm, a warning instead.
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0))
	found := f.Warnings(t, "AlarmOptions", "^ConsumerProps.Alarms: AWS publishes no AWS/PrivateLinkEndpoints metrics for a cross-Region endpoint")
	if len(found) != 1 {
		t.Errorf("%d warnings, want 1", len(found))
	}

	g := Synth(t, "alarms-topic", func(app awscdk.App) error {
		stack := ProviderStack(app, "AlarmTopic")
		ops := awssns.NewTopic(stack, jsii.String("Ops"), &awssns.TopicProps{EnforceSSL: jsii.Bool(true)})
		p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"},
			Alarms: alarms.Props{Enabled: true, Topic: ops}})
		// A second construct on the same topic: the statement is added once.
		acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p, Alarms: alarms.Props{Enabled: true, Topic: ops}})
		return nil
	}).Templates["AlarmTopic"]
	var opsPolicy string
	for _, r := range Resources(g, "AWS::SNS::TopicPolicy") {
		if strings.Contains(jsonString(Props(r)["Topics"]), "Ops") {
			opsPolicy = jsonString(Props(r))
		}
	}
	if n := strings.Count(opsPolicy, `"Sid":"CloudWatchAlarmsOfThisAccount"`); n != 1 {
		t.Errorf("the CloudWatch statement is in the topic's policy %d times, want once", n)
	}
	for id := range Resources(g, "AWS::SNS::Topic") {
		if strings.HasPrefix(id, "PrivateLinkAlarms") {
			t.Errorf("a shared alarm topic %s besides the given one", id)
		}
	}
	g.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), M("PolicyDocument", M("Statement", assertions.Match_ArrayWith(&[]any{
		Like("Sid", "CloudWatchAlarmsOfThisAccount", "Principal", M("Service", "cloudwatch.amazonaws.com"), "Action", "sns:Publish"),
	}))))
	g.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(0))
}
