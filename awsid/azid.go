package awsid

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// azIDShape is an Availability Zone ID: a Region code, "-az" and a number (euw1-az1, use1-az6).
var azIDShape = regexp.MustCompile(`^([a-z]+[0-9])-az([0-9]+)$`)

// AZIDsOf returns the Availability Zone IDs of region (standard zones, no Local or Wavelength
// Zones), or nil for a Region not in the table.
func AZIDsOf(region string) []string { return azIDs[region] }

// DefaultAZIDs are the first two AZ IDs of region: the same physical zones in every account,
// so a provider and a consumer on their defaults are aligned by construction. With crossRegion,
// zones that cross-Region PrivateLink does not support are skipped. Nil for a Region not in the
// table.
func DefaultAZIDs(region string, crossRegion bool) []string {
	var out []string
	for _, id := range azIDs[region] {
		if len(out) < 2 && (!crossRegion || CrossRegionSupported(id)) {
			out = append(out, id)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// noCrossRegion are the zones the PrivateLink guide excludes ("Cross-Region access is not
// supported for the following Availability Zones: use1-az3, usw1-az2, apne1-az3, apne2-az2, and
// apne2-az4", Share your services → Cross-Region access).
var noCrossRegion = []string{"use1-az3", "usw1-az2", "apne1-az3", "apne2-az2", "apne2-az4"}

// CrossRegionSupported reports whether a service or endpoint in zone id may be cross-Region.
func CrossRegionSupported(id string) bool { return !slices.Contains(noCrossRegion, id) }

// CheckAZID returns why id is not an Availability Zone ID of region, or nil. With region ""
// only the shape and the existence of the ID in some Region are checked.
func CheckAZID(id, region string) error {
	m := azIDShape.FindStringSubmatch(id)
	if m == nil {
		if regionOfAZName(id) != "" {
			return fmt.Errorf("is an Availability Zone name, not an ID: AZ names differ between accounts, IDs do not (find yours with aws ec2 describe-availability-zones --region %s --query 'AvailabilityZones[].[ZoneName,ZoneId]')", orRegion(region))
		}
		return fmt.Errorf("is not an Availability Zone ID (a Region code, -az and a number, such as %s)", example(region))
	}
	if _, known := azIDs[region]; region != "" && !known {
		return nil // a Region without a table (isolated partitions): only the shape is checked
	}
	owner := ""
	for r, ids := range azIDs {
		if slices.Contains(ids, id) {
			owner = r
		}
	}
	switch {
	case owner == "" && region != "" && strings.HasPrefix(example(region), m[1]+"-"):
		return fmt.Errorf("does not exist in %s (its AZ IDs are %s)", region, strings.Join(azIDs[region], ", "))
	case owner == "":
		return fmt.Errorf("is not an Availability Zone ID of any Region this library knows (such as %s)", example(region))
	case region != "" && owner != region:
		return fmt.Errorf("is an Availability Zone ID of %s, not of %s (whose AZ IDs are %s)", owner, region, strings.Join(azIDs[region], ", "))
	}
	return nil
}

func example(region string) string {
	if ids := azIDs[region]; len(ids) > 0 {
		return ids[0]
	}
	return "euw1-az1"
}

func orRegion(region string) string {
	if region == "" {
		return "<region>"
	}
	return region
}

// regionOfAZName returns the Region of an AZ name (eu-west-1a), or "".
func regionOfAZName(az string) string {
	if len(az) < 2 {
		return ""
	}
	if base := az[:len(az)-1]; az[len(az)-1] >= 'a' && az[len(az)-1] <= 'z' {
		if _, ok := PartitionOf(base); ok {
			return base
		}
	}
	return ""
}

// azIDs are the standard Availability Zone IDs per Region (no Local or Wavelength Zones), in the
// order DefaultAZIDs picks from. Sources, read on 2026-11-21:
//   - AWS's table, https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
//     (commercial Regions; euw2-az4 launched 2026-08-19);
//   - getmoto/moto 0af643a5, moto/ec2/resources/instance_type_offerings/availability-zone-id/<region>.json
//     (real account data; agrees with the table wherever both list a Region);
//   - for China and GovCloud, which the table does not cover: moto 8becac05's
//     moto/ec2/models/availability_zones_and_regions.py, real describe-availability-zones output
//     (cnnw1-az1..3) and eksctl#3916/#5783 (cnn1-az4 is cn-north-1d).
//
// The last IDs of us-west-1, ap-northeast-1 and ca-central-1 (usw1-az2, apne1-az3, cac1-az3) are
// legacy zones: AWS's table says newer accounts get two zones in us-west-1 and does not list
// apne1-az3's or cac1-az3's availability; they are accepted (older accounts have them) and never
// a default. use1-az3 is a constrained zone (AWS may refuse new zonal resources there) and is not
// a default either.
var azIDs = map[string][]string{
	// aws
	"af-south-1":     {"afs1-az1", "afs1-az2", "afs1-az3"},
	"ap-east-1":      {"ape1-az1", "ape1-az2", "ape1-az3"},
	"ap-east-2":      {"ape2-az1", "ape2-az2", "ape2-az3"},
	"ap-northeast-1": {"apne1-az1", "apne1-az2", "apne1-az4", "apne1-az3"},
	"ap-northeast-2": {"apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"},
	"ap-northeast-3": {"apne3-az1", "apne3-az2", "apne3-az3"},
	"ap-south-1":     {"aps1-az1", "aps1-az2", "aps1-az3"},
	"ap-south-2":     {"aps2-az1", "aps2-az2", "aps2-az3"},
	"ap-southeast-1": {"apse1-az1", "apse1-az2", "apse1-az3"},
	"ap-southeast-2": {"apse2-az1", "apse2-az2", "apse2-az3"},
	"ap-southeast-3": {"apse3-az1", "apse3-az2", "apse3-az3"},
	"ap-southeast-4": {"apse4-az1", "apse4-az2", "apse4-az3"},
	"ap-southeast-5": {"apse5-az1", "apse5-az2", "apse5-az3"},
	"ap-southeast-6": {"apse6-az1", "apse6-az2", "apse6-az3"},
	"ap-southeast-7": {"apse7-az1", "apse7-az2", "apse7-az3"},
	"ca-central-1":   {"cac1-az1", "cac1-az2", "cac1-az4", "cac1-az3"},
	"ca-west-1":      {"caw1-az1", "caw1-az2", "caw1-az3"},
	"eu-central-1":   {"euc1-az1", "euc1-az2", "euc1-az3"},
	"eu-central-2":   {"euc2-az1", "euc2-az2", "euc2-az3"},
	"eu-north-1":     {"eun1-az1", "eun1-az2", "eun1-az3"},
	"eu-south-1":     {"eus1-az1", "eus1-az2", "eus1-az3"},
	"eu-south-2":     {"eus2-az1", "eus2-az2", "eus2-az3"},
	"eu-west-1":      {"euw1-az1", "euw1-az2", "euw1-az3"},
	"eu-west-2":      {"euw2-az1", "euw2-az2", "euw2-az3", "euw2-az4"},
	"eu-west-3":      {"euw3-az1", "euw3-az2", "euw3-az3"},
	"il-central-1":   {"ilc1-az1", "ilc1-az2", "ilc1-az3"},
	"me-central-1":   {"mec1-az1", "mec1-az2", "mec1-az3"},
	"me-south-1":     {"mes1-az1", "mes1-az2", "mes1-az3"},
	"mx-central-1":   {"mxc1-az1", "mxc1-az2", "mxc1-az3"},
	"sa-east-1":      {"sae1-az1", "sae1-az2", "sae1-az3"},
	"us-east-1":      {"use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az5", "use1-az6"},
	"us-east-2":      {"use2-az1", "use2-az2", "use2-az3"},
	"us-west-1":      {"usw1-az1", "usw1-az3", "usw1-az2"},
	"us-west-2":      {"usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"},
	// aws-cn
	"cn-north-1":     {"cnn1-az1", "cnn1-az2", "cnn1-az4"},
	"cn-northwest-1": {"cnnw1-az1", "cnnw1-az2", "cnnw1-az3"},
	// aws-us-gov
	"us-gov-east-1": {"usge1-az1", "usge1-az2", "usge1-az3"},
	"us-gov-west-1": {"usgw1-az1", "usgw1-az2", "usgw1-az3"},
}
