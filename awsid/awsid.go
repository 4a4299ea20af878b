// Package awsid recognises AWS account IDs, Regions, partitions, Availability Zone IDs and Route
// 53 hosted zone IDs, one definition for every construct (and the app) that validates them.
package awsid

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Account matches a 12-digit account ID.
var Account = regexp.MustCompile(`^\d{12}$`)

// HostedZoneID matches a Route 53 hosted zone ID: "Z" and upper-case letters and digits, at most
// 32 characters (Route 53 API reference, HostedZone.Id: "Maximum length of 32"), without the
// /hostedzone/ prefix some answers carry.
var HostedZoneID = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)

// Partition is an AWS partition: its name (the ARN prefix) and the Regions it holds.
type Partition struct {
	// Name of the partition, the ARN prefix: aws, aws-cn, aws-us-gov, ….
	Name string
	// DNSSuffix of the partition's service endpoints (amazonaws.com, amazonaws.com.cn, …).
	DNSSuffix string
	// Regions of the partition.
	Regions []string
	// NoEndpointServicePrivateDNS is set where AWS offers no private DNS names for endpoint
	// services: China ("You can't assign a private DNS name to a VPC endpoint service", Getting
	// Started with AWS in China, Amazon VPC, Feature Availability and Implementation
	// Differences, https://docs.amazonaws.cn/en_us/aws/latest/userguide/vpc.html).
	NoEndpointServicePrivateDNS bool
}

// ServiceNamePrefix of the partition's VPC endpoint services: its DNS suffix reversed, then
// "vpce" — com.amazonaws.vpce, cn.com.amazonaws.vpce in China, gov.ic.c2s.vpce in aws-iso,
// eu.amazonaws.vpce in aws-eusc, …; the test holds it to aws-cdk-lib region-info's
// vpcEndpointServiceNamePrefix for every Region.
func (p Partition) ServiceNamePrefix() string {
	labels := strings.Split(p.DNSSuffix, ".")
	slices.Reverse(labels)
	return strings.Join(append(labels, "vpce"), ".")
}

// Partitions and their Regions, from aws-sdk-go-v2's internal/endpoints/awsrulesfn/partitions.json
// (module github.com/aws/aws-sdk-go-v2 v1.48.0; the *-global pseudo-Regions left out); the test holds this table to the partitions.json of the SDK version go.mod pins. A
// Region missing here is refused at synth: add it when AWS opens it and the SDK lists it.
var Partitions = []Partition{
	{Name: "aws", DNSSuffix: "amazonaws.com", Regions: []string{
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
		"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	}},
	{Name: "aws-cn", DNSSuffix: "amazonaws.com.cn", Regions: []string{"cn-north-1", "cn-northwest-1"}, NoEndpointServicePrivateDNS: true},
	{Name: "aws-us-gov", DNSSuffix: "amazonaws.com", Regions: []string{"us-gov-east-1", "us-gov-west-1"}},
	{Name: "aws-iso", DNSSuffix: "c2s.ic.gov", Regions: []string{"us-iso-east-1", "us-iso-west-1"}},
	{Name: "aws-iso-b", DNSSuffix: "sc2s.sgov.gov", Regions: []string{"us-isob-east-1", "us-isob-west-1"}},
	{Name: "aws-iso-e", DNSSuffix: "cloud.adc-e.uk", Regions: []string{"eu-isoe-west-1"}},
	{Name: "aws-iso-f", DNSSuffix: "csp.hci.ic.gov", Regions: []string{"us-isof-east-1", "us-isof-south-1"}},
	{Name: "aws-eusc", DNSSuffix: "amazonaws.eu", Regions: []string{"eusc-de-east-1"}},
}

// PartitionNames matches the name of any partition in the table, for ARN patterns: an ARN's
// first field is one of them and nothing else.
func PartitionNames() string {
	names := make([]string, len(Partitions))
	for i, p := range Partitions {
		names[i] = regexp.QuoteMeta(p.Name)
	}
	// Longest first, so aws-iso-b is never read as aws-iso.
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	return "(?:" + strings.Join(names, "|") + ")"
}

// ServiceNamePrefixes matches the endpoint service name prefix of any partition in the table.
func ServiceNamePrefixes() string {
	var out []string
	for _, p := range Partitions {
		if q := regexp.QuoteMeta(p.ServiceNamePrefix()); !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return "(?:" + strings.Join(out, "|") + ")"
}

// PartitionOf returns the partition holding region, or false for a Region not in the table.
func PartitionOf(region string) (Partition, bool) {
	for _, p := range Partitions {
		if slices.Contains(p.Regions, region) {
			return p, true
		}
	}
	return Partition{}, false
}

// CheckRegion returns why region is not a Region AWS has, or nil.
func CheckRegion(region string) error {
	if _, ok := PartitionOf(region); ok {
		return nil
	}
	return fmt.Errorf("is not an AWS Region (known Regions: eu-west-1, us-east-1, cn-north-1, us-gov-west-1, …; the table is aws-sdk-go-v2's partitions.json)")
}

// SamePartition reports whether two Regions are in one partition (PrivateLink cannot cross
// partitions). Unknown Regions are never the same.
func SamePartition(a, b string) bool {
	pa, oka := PartitionOf(a)
	pb, okb := PartitionOf(b)
	return oka && okb && pa.Name == pb.Name
}

// ServiceNamePrefix is the endpoint service name prefix in region's partition
// ("com.amazonaws.vpce" for an unknown Region).
func ServiceNamePrefix(region string) string {
	if p, ok := PartitionOf(region); ok {
		return p.ServiceNamePrefix()
	}
	return "com.amazonaws.vpce"
}

// EndpointServicePrivateDNS reports whether endpoint services in region can have a private DNS
// name (not in China; see Partition.NoEndpointServicePrivateDNS). An unknown Region says yes:
// only a known partition's documented gap is refused.
func EndpointServicePrivateDNS(region string) bool {
	p, ok := PartitionOf(region)
	return !ok || !p.NoEndpointServicePrivateDNS
}
