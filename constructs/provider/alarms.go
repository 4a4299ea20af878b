package provider

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/alarms"
)

// addAlarms watches the targets, the NLB and the endpoint service. Thresholds and their reasons
// are in the alarm table of docs/operations.md; each alarm's description says what to do.
func (p *provider) addAlarms() {
	a := p.props.Alarms
	if !a.Enabled && !a.Dashboard {
		return
	}
	minute, five := awscdk.Duration_Minutes(jsii.Number(1)), awscdk.Duration_Minutes(jsii.Number(5))
	ge := awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	var list []alarms.Alarm
	for i, tg := range p.targetGroups {
		port := strconv.Itoa(p.props.Listeners[i].Port)
		list = append(list,
			// AWS/NetworkELB HealthyHostCount and UnHealthyHostCount, per target group and load
			// balancer, every minute while targets are registered; AWS advises alarming on the
			// Maximum of the first below the minimum needed and on the Minimum of the second
			// above 0 (ELB User Guide, "CloudWatch metrics for your Network Load Balancer"). No
			// data means no targets are registered: as bad as none healthy.
			alarms.Alarm{ID: "NoHealthyTargets" + port, Metric: tg.Metrics().HealthyHostCount(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: minute}),
				Threshold: 1, Comparison: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD, Periods: 3, MissingData: awscloudwatch.TreatMissingData_BREACHING,
				Title: "Healthy targets, port " + port, Unit: "targets",
				Description: "No healthy target behind port " + port + " for 3 minutes: every consumer's connection to it fails. Check the targets and their health checks (docs/operations.md, Troubleshooting: no healthy targets)."},
			alarms.Alarm{ID: "UnhealthyTargets" + port, Metric: tg.Metrics().UnHealthyHostCount(&awscloudwatch.MetricOptions{Statistic: jsii.String("Minimum"), Period: minute}),
				Threshold: 1, Comparison: ge, Periods: 5, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
				Title: "Unhealthy targets, port " + port, Unit: "targets",
				Description: "A target behind port " + port + " has failed its health checks for 5 minutes: capacity is reduced. Check that target (docs/operations.md, Troubleshooting: unhealthy targets)."},
		)
	}
	m := p.lb.Metrics()
	list = append(list,
		alarms.Alarm{ID: "TargetResets", Metric: m.TcpTargetResetCount(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: five}),
			Threshold: resetThreshold, Comparison: ge, Periods: 1, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "TCP resets sent by targets", Unit: "resets per 5 minutes",
			Description: "Targets reset many TCP connections in 5 minutes: the service is refusing or dropping consumers' connections. Check the targets' logs (docs/operations.md, Troubleshooting: resets)."},
		alarms.Alarm{ID: "LoadBalancerResets", Metric: m.TcpElbResetCount(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: five}),
			Threshold: resetThreshold, Comparison: ge, Periods: 1, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "TCP resets sent by the NLB", Unit: "resets per 5 minutes",
			Description: "The NLB reset many TCP connections in 5 minutes (idle timeouts, no healthy target, a flow it could not route). Check target health and idle connections (docs/operations.md, Troubleshooting: resets)."},
		// AWS/NetworkELB PortAllocationErrorCount: "The total number of ephemeral port allocation
		// errors during a client IP translation operation", which PrivateLink traffic always
		// goes through (ELB User Guide, CloudWatch metrics). Any one is a failed connection.
		alarms.Alarm{ID: "PortAllocationErrors", Metric: m.Custom(jsii.String("PortAllocationErrorCount"), &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: minute}),
			Threshold: 1, Comparison: ge, Periods: 1, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Source NAT port allocation errors", Unit: "errors per minute",
			Description: "The NLB ran out of source ports translating consumers' connections to a target (more than 55,000 concurrent connections to one target). Add targets (docs/operations.md, Troubleshooting: port allocation errors)."},
		// AWS/NetworkELB RejectedFlowCount: "The number of flows rejected by the load balancer",
		// reported every minute; the guide names Average, Maximum and Minimum as its statistics
		// (ELB User Guide, "CloudWatch metrics for your Network Load Balancer").
		alarms.Alarm{ID: "RejectedFlows", Metric: m.Custom(jsii.String("RejectedFlowCount"), &awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: minute}),
			Threshold: 1, Comparison: ge, Periods: 3, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Flows rejected by the NLB", Unit: "flows per minute",
			Description: "The NLB has rejected new flows every minute for 3 minutes: consumers' connections are refused before reaching a target. Check the NLB's limits and target health (docs/operations.md, Troubleshooting: rejected flows)."},
		// AWS/PrivateLinkServices RstPacketsSent for the whole service ([Service Id]; PrivateLink
		// guide, "CloudWatch metrics for AWS PrivateLink"), Sum per minute, 5 of 5, as CloudWatch's
		// recommended alarm ("Recommended alarms", AWS/PrivateLinkServices). That one is per
		// Service Id, Load Balancer Arn and Az; the form of the Load Balancer Arn value is not
		// documented, so this alarm takes the service-wide set.
		alarms.Alarm{ID: "ServiceResets", Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/PrivateLinkServices"), MetricName: jsii.String("RstPacketsSent"),
			DimensionsMap: &map[string]*string{"Service Id": p.ServiceId()}, Statistic: jsii.String("Sum"), Period: minute,
		}), Threshold: serviceResetsPerMinute, Comparison: ge, Periods: 5, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Resets sent to consumers' endpoints", Unit: "packets per minute",
			Description: "The endpoint service has sent RST packets to consumers' endpoints every minute for 5 minutes: their connections are being torn down. Check target health and the targets' logs (docs/operations.md, Troubleshooting: resets)."},
	)
	p.alarms = a.Add(p.Construct, "PrivateLink service "+*p.Node().Path(), list)
}

// resetThreshold is the reset count per 5 minutes that raises an alarm: a few resets are normal
// (clients that go away, idle timeouts); a hundred in 5 minutes is a pattern.
const resetThreshold = 100

// serviceResetsPerMinute, every minute for 5 minutes, raises the service's reset alarm: the same
// rate as resetThreshold, held.
const serviceResetsPerMinute = 20
