package consumer

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/constructs/alarms"
)

// endpointMetric is an AWS/PrivateLinkEndpoints metric of this endpoint per minute, with the
// dimension set AWS publishes per endpoint: Endpoint Type, Service Name, VPC Endpoint Id and VPC
// Id (PrivateLink guide, "CloudWatch metrics for AWS PrivateLink"). AWS reports it only for
// minutes with traffic, so missing data is not breaching.
func (c *consumer) endpointMetric(name, serviceName, statistic string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/PrivateLinkEndpoints"), MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{
			"Endpoint Type":   jsii.String("Interface"),
			"Service Name":    jsii.String(serviceName),
			"VPC Endpoint Id": c.endpoint.VpcEndpointId(),
			"VPC Id":          c.vpc.VpcId(),
		},
		Statistic: jsii.String(statistic), Period: awscdk.Duration_Minutes(jsii.Number(1)),
	})
}

// addAlarms watches what the endpoint drops and the resets it receives.
func (c *consumer) addAlarms(p alarms.Props, serviceName string, crossRegion bool) {
	if !p.Enabled && !p.Dashboard {
		return
	}
	if crossRegion {
		// "CloudWatch metrics are not published for endpoint service consumers that use
		// cross-Region access" (PrivateLink guide, "CloudWatch metrics for AWS PrivateLink"): an
		// alarm there would sit in OK for ever.
		awscdk.Annotations_Of(c.Construct).AddWarningV2(jsii.String("privatelink:noCrossRegionMetrics"), jsii.String(
			"ConsumerProps.Alarms: AWS publishes no AWS/PrivateLinkEndpoints metrics for a cross-Region endpoint, so this consumer gets no alarms or graphs; watch the service from the provider's side"), nil)
		return
	}
	ge := awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	// Both in the shape of CloudWatch's recommended PacketsDropped alarm: Sum per minute, 5 of 5
	// ("Recommended alarms", AWS/PrivateLinkEndpoints).
	c.alarms = p.Add(c.Construct, "PrivateLink endpoint "+*c.Node().Path(), []alarms.Alarm{
		{ID: "PacketsDroppedAlarm", Metric: c.endpointMetric("PacketsDropped", serviceName, "Sum"),
			Threshold: 1, Comparison: ge, Periods: 5, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Packets dropped by the endpoint", Unit: "packets per minute",
			Description: "The endpoint has dropped packets every minute for 5 minutes (packets over 8,500 bytes, its bandwidth, or traffic it cannot forward). Check the clients' MTU and rates (docs/operations.md, Troubleshooting: dropped packets)."},
		{ID: "ResetsReceivedAlarm", Metric: c.endpointMetric("RstPacketsReceived", serviceName, "Sum"),
			Threshold: 20, Comparison: ge, Periods: 5, MissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
			Title: "Resets received from the service", Unit: "packets per minute",
			Description: "The endpoint has received 20 or more RST packets a minute from the service for 5 minutes: connections are refused or torn down on the provider's side. Tell the provider (docs/operations.md, Troubleshooting: resets)."},
	})
}
