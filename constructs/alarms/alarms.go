// Package alarms gives the provider, acceptor and consumer constructs their opt-in CloudWatch
// alarms and dashboard. Every construct of a stack that turns them on shares one SNS topic (unless
// given one) and one dashboard, so an operator subscribes once and reads one page per side.
package alarms

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/synth/nag"
)

// Props turns on a construct's alarms and dashboard widgets. The zero value is off.
type Props struct {
	// Enabled creates the construct's CloudWatch alarms (see the alarm table of docs/operations.md for each
	// one's metric, threshold and what to do). Default: false.
	Enabled bool
	// Topic receives every alarm's ALARM and OK notifications. It must let this account's
	// CloudWatch alarms publish: SNS's default policy does, but any topic policy replaces it
	// (EnforceSSL makes one), and then it needs a statement for cloudwatch.amazonaws.com. A Topic
	// of this app that has a policy gets that statement here; an imported one must have it (see
	// docs/operations.md). An SSE-KMS topic needs a customer managed key admitting cloudwatch.amazonaws.com.
	// Default: the stack's shared topic (TopicOf), created on first use.
	Topic awssns.ITopic
	// Dashboard adds the construct's graphs, with the alarm thresholds drawn on them, to the
	// stack's dashboard (DashboardOf). Default: false.
	Dashboard bool
}

// Problem returns why p is inconsistent, or "": a Topic with alarms off would receive nothing.
func (p Props) Problem() string {
	if p.Topic != nil && !p.Enabled {
		return "Topic is set but Enabled is false: no alarm would notify it; set Enabled or drop Topic"
	}
	return ""
}

const (
	topicID     = "PrivateLinkAlarms"
	dashboardID = "PrivateLinkDashboard"
)

// TopicOf is the stack's shared alarm topic, created on first use: TLS-only (a policy denies
// any publish or subscribe without aws:SecureTransport), like the acceptor's notification topic.
func TopicOf(scope constructs.IConstruct) awssns.ITopic {
	stack := awscdk.Stack_Of(scope)
	if t, ok := stack.Node().TryFindChild(jsii.String(topicID)).(awssns.Topic); ok && t != nil {
		return t
	}
	t := awssns.NewTopic(stack, jsii.String(topicID), &awssns.TopicProps{
		DisplayName: jsii.String("PrivateLink alarms"),
		EnforceSSL:  jsii.Bool(true),
	})
	admitAlarms(t)
	// CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key; a
	// customer managed key would need its policy to admit cloudwatch.amazonaws.com (Amazon SNS
	// Developer Guide, "Encryption at rest"). The messages hold alarm names and metric values.
	nag.Suppress(t, "AwsSolutions-SNS2", "alarm notifications carry alarm names and metric values only; CloudWatch cannot publish to a topic under the AWS managed SNS key, and a customer managed key is left to the user (alarms.Props.Topic)")
	return t
}

// admitAlarms lets this account's CloudWatch alarms publish to t. A topic policy replaces SNS's
// default one, which let the account's own services publish, so alarms need their own statement
// (SNS Developer Guide, "Amazon SNS access control"; CloudWatch User Guide, "Using Amazon SNS
// notifications"). Every construct alarming on t adds it; aws-cdk-lib renders identical
// statements of a policy document once (aws-iam/lib/private/postprocess-policy-document.js,
// uniqueStatements), so the topic's policy holds it once.
func admitAlarms(t awssns.Topic) {
	stack := awscdk.Stack_Of(t)
	t.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*t.TopicArn()),
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("cloudwatch"), Resource: jsii.String("alarm"), ResourceName: jsii.String("*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME})},
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		},
	}))
}

// Subscribe sends the stack's alarm notifications to email. AWS sends a confirmation message
// first; nothing is delivered until the address confirms it (Amazon SNS Developer Guide,
// "Email notifications").
func Subscribe(scope constructs.IConstruct, email string) {
	TopicOf(scope).AddSubscription(&emailSubscription{email})
}

// emailSubscription and snsAction are what aws-cdk-lib's aws_sns_subscriptions.EmailSubscription
// and aws_cloudwatch_actions.SnsAction bind to (aws-sns-subscriptions/lib/email.js,
// aws-cloudwatch-actions/lib/sns.js, 2.277.0): the same subscription at the same ID, the same
// alarm action. Written here because those packages import every kind of subscriber and action
// (Firehose, Glue, Kinesis, Auto Scaling, ...): 28 aws-cdk-go packages an importing app would
// compile and link for two structs.
type emailSubscription struct{ email string }

func (e *emailSubscription) Bind(awssns.ITopic) *awssns.TopicSubscriptionConfig {
	return &awssns.TopicSubscriptionConfig{SubscriberId: &e.email, Endpoint: &e.email, Protocol: awssns.SubscriptionProtocol_EMAIL}
}

type snsAction struct{ topic awssns.ITopic }

func (a *snsAction) Bind(constructs.Construct, awscloudwatch.IAlarm) *awscloudwatch.AlarmActionConfig {
	return &awscloudwatch.AlarmActionConfig{AlarmActionArn: a.topic.TopicArn()}
}

// DashboardOf is the stack's dashboard, created on first use, named <stack>-<region>-PrivateLink:
// dashboard names are unique per account across Regions, so the same stack deployed in two
// Regions needs the Region in the name. For a stack whose Region is unknown at synth,
// CloudFormation names it.
func DashboardOf(scope constructs.IConstruct) awscloudwatch.Dashboard {
	stack := awscdk.Stack_Of(scope)
	if d, ok := stack.Node().TryFindChild(jsii.String(dashboardID)).(awscloudwatch.Dashboard); ok && d != nil {
		return d
	}
	var name *string
	if region := *stack.Region(); !*awscdk.Token_IsUnresolved(region) {
		name = jsii.String(*stack.StackName() + "-" + region + "-PrivateLink")
	}
	return awscloudwatch.NewDashboard(stack, jsii.String(dashboardID), &awscloudwatch.DashboardProps{DashboardName: name})
}

// Alarm is one alarm a construct raises, with what its graph shows.
type Alarm struct {
	// ID of the alarm's construct.
	ID string
	// Description: what it means and what to do, in the alarm itself.
	Description string
	// Metric watched, with its statistic and period.
	Metric awscloudwatch.IMetric
	// Threshold compared with the metric.
	Threshold float64
	// Comparison of the metric with Threshold.
	Comparison awscloudwatch.ComparisonOperator
	// Periods: datapoints that must breach (out of as many), each Metric's period long.
	Periods int
	// MissingData: how a period without data counts.
	MissingData awscloudwatch.TreatMissingData
	// Title of the graph, in plain words.
	Title string
	// Unit of the graph's values, in plain words.
	Unit string
}

// Add creates the alarms under scope, sends them to the topic and, with Dashboard, draws each
// on the stack's dashboard with its threshold. It returns them in order; nil when p is off.
func (p Props) Add(scope constructs.Construct, heading string, list []Alarm) []awscloudwatch.Alarm {
	if !p.Enabled && !p.Dashboard {
		return nil
	}
	var action awscloudwatch.IAlarmAction
	if p.Enabled {
		topic := p.Topic
		if topic == nil {
			topic = TopicOf(scope)
		} else if t, ok := topic.(awssns.Topic); ok && t.Node().TryFindChild(jsii.String("Policy")) != nil {
			admitAlarms(t) // its policy replaced the default one that let alarms publish
		}
		action = &snsAction{topic}
	}
	var out []awscloudwatch.Alarm
	var widgets []awscloudwatch.IWidget
	for _, a := range list {
		var annotations []*awscloudwatch.HorizontalAnnotation
		if p.Enabled {
			alarm := awscloudwatch.NewAlarm(scope, jsii.String(a.ID), &awscloudwatch.AlarmProps{
				Metric:             a.Metric,
				Threshold:          jsii.Number(a.Threshold),
				ComparisonOperator: a.Comparison,
				EvaluationPeriods:  jsii.Number(a.Periods),
				DatapointsToAlarm:  jsii.Number(a.Periods),
				TreatMissingData:   a.MissingData,
				AlarmDescription:   jsii.String(a.Description),
			})
			alarm.AddAlarmAction(action)
			alarm.AddOkAction(action)
			out = append(out, alarm)
			annotations = append(annotations, &awscloudwatch.HorizontalAnnotation{
				Value: jsii.Number(a.Threshold), Label: jsii.String(fmt.Sprintf("alarm: %s %g", comparisonWords[a.Comparison], a.Threshold)),
			})
		}
		widgets = append(widgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:           jsii.String(a.Title),
			Left:            &[]awscloudwatch.IMetric{a.Metric},
			LeftYAxis:       &awscloudwatch.YAxisProps{Label: jsii.String(a.Unit), Min: jsii.Number(0), ShowUnits: jsii.Bool(false)},
			LeftAnnotations: &annotations,
			Width:           jsii.Number(8),
			Height:          jsii.Number(6),
			LegendPosition:  awscloudwatch.LegendPosition_BOTTOM,
		}))
	}
	if p.Dashboard {
		d := DashboardOf(scope)
		d.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{Markdown: jsii.String("## " + heading), Width: jsii.Number(24), Height: jsii.Number(1)}))
		d.AddWidgets(widgets...)
	}
	return out
}

var comparisonWords = map[awscloudwatch.ComparisonOperator]string{
	awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD: "≥",
	awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD:             ">",
	awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD:                "<",
	awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD:    "≤",
}
