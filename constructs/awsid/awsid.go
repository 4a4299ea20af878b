// Package awsid recognises AWS account IDs, Regions, partitions, Availability Zone IDs and Route
// 53 hosted zone IDs, one definition for every construct (and the app) that validates them.
package awsid

import (
	"fmt"
	"regexp"
	"slices"
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
	// ServiceNamePrefix of its VPC endpoint services: com.amazonaws.vpce, or cn.com.amazonaws.vpce
	// in China (aws-cdk-lib region-info's vpcEndpointServiceNamePrefix).
	ServiceNamePrefix string
	// Regions of the partition.
	Regions []string
}

// Partitions and their Regions, from aws-sdk-go-v2's internal/endpoints/awsrulesfn/partitions.json
// (module github.com/aws/aws-sdk-go-v2 v1.47.7, published 2026-11-05; the *-global pseudo-Regions
// left out). A Region missing here is refused at synth: add it when AWS opens it and the SDK
// lists it.
var Partitions = []Partition{
	{Name: "aws", DNSSuffix: "amazonaws.com", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
		"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
		"us-west-1", "us-west-2",
	}},
	{Name: "aws-cn", DNSSuffix: "amazonaws.com.cn", ServiceNamePrefix: "cn.com.amazonaws.vpce", Regions: []string{"cn-north-1", "cn-northwest-1"}},
	{Name: "aws-us-gov", DNSSuffix: "amazonaws.com", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{"us-gov-east-1", "us-gov-west-1"}},
	{Name: "aws-iso", DNSSuffix: "c2s.ic.gov", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{"us-iso-east-1", "us-iso-west-1"}},
	{Name: "aws-iso-b", DNSSuffix: "sc2s.sgov.gov", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{"us-isob-east-1", "us-isob-west-1"}},
	{Name: "aws-iso-e", DNSSuffix: "cloud.adc-e.uk", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{"eu-isoe-west-1"}},
	{Name: "aws-iso-f", DNSSuffix: "csp.hci.ic.gov", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{"us-isof-east-1", "us-isof-south-1"}},
	{Name: "aws-eusc", DNSSuffix: "amazonaws.eu", ServiceNamePrefix: "com.amazonaws.vpce", Regions: []string{"eusc-de-east-1"}},
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
		return p.ServiceNamePrefix
	}
	return "com.amazonaws.vpce"
}
