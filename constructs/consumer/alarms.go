package consumer

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/alarms"
)

// endpointMetric is an AWS/PrivateLinkEndpoints metric of this endpoint, with the dimension set
// AWS publishes per endpoint: Endpoint Type, Service Name, VPC Endpoint Id and VPC Id (PrivateLink
// guide, "CloudWatch metrics for AWS PrivateLink").
func (c *consumer) endpointMetric(name, serviceName, statistic string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/PrivateLinkEndpoints"), MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{
			"Endpoint Type":   jsii.String("Interface"),
			"Service Name":    jsii.String(serviceName),
			"VPC Endpoint Id": c.endpoint.VpcEndpointId(),
			"VPC Id":          c.vpc.VpcId(),
		},
		Statistic: jsii.String(statistic), Period: awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

// addAlarms watches what the endpoint drops and the resets it receives.
func (c *consumer) addAlarms(p alarms.Props, serviceName string) {
	if !p.Enabled && !p.Dashboard {
		return
	}
	ge := awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	c.alarms = p.Add(c.Construct, "PrivateLink endpoint "+*c.Node().Path(), []alarms.Alarm{
		{ID: "PacketsDroppedAlarm", Metric: c.endpointMetric("PacketsDropped", serviceName, "Sum"),
			Threshold: droppedThreshold, Comparison: ge, Periods: 2, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Packets dropped by the endpoint", Unit: "packets per 5 minutes",
			Description: "The endpoint dropped packets for 10 minutes (its per-AZ bandwidth, or traffic it cannot forward). Check the clients' rates and the provider's targets (README: Troubleshooting, dropped packets)."},
		{ID: "ResetsReceivedAlarm", Metric: c.endpointMetric("RstPacketsReceived", serviceName, "Sum"),
			Threshold: 100, Comparison: ge, Periods: 1, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Resets received from the service", Unit: "packets per 5 minutes",
			Description: "The endpoint received many RST packets from the service in 5 minutes: connections are being refused or torn down on the provider's side. Tell the provider (README: Troubleshooting, resets)."},
	})
}

// droppedThreshold is the dropped packets per 5 minutes, two periods running, that raise an
// alarm: a stray drop is noise, a steady trickle is not.
const droppedThreshold = 10
