package awsid

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// sdkPartitions reads the partitions.json of the aws-sdk-go-v2 version go.mod pins: the table
// every AWS SDK for Go client resolves endpoints from.
func sdkPartitions(t *testing.T) []struct {
	ID      string
	Regions map[string]any
	Outputs struct{ DNSSuffix string }
} {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/aws/aws-sdk-go-v2: %v (run go mod download)", err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Partitions []struct {
			ID      string
			Regions map[string]any
			Outputs struct{ DNSSuffix string }
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Partitions
}

func TestThePartitionTableIsTheSDKs(t *testing.T) {
	sdk := sdkPartitions(t)
	if len(sdk) != len(Partitions) {
		t.Errorf("the SDK knows %d partitions, the table %d", len(sdk), len(Partitions))
	}
	for _, sp := range sdk {
		i := slices.IndexFunc(Partitions, func(p Partition) bool { return p.Name == sp.ID })
		if i < 0 {
			t.Errorf("partition %s (the SDK's) is missing from the table", sp.ID)
			continue
		}
		p := Partitions[i]
		if p.DNSSuffix != sp.Outputs.DNSSuffix {
			t.Errorf("%s: DNSSuffix %q, the SDK's is %q", p.Name, p.DNSSuffix, sp.Outputs.DNSSuffix)
		}
		var regions []string
		for r := range sp.Regions {
			if !strings.HasSuffix(r, "-global") {
				regions = append(regions, r)
			}
		}
		slices.Sort(regions)
		if got := slices.Sorted(slices.Values(p.Regions)); !slices.Equal(got, regions) {
			t.Errorf("%s: Regions %v, the SDK's are %v", p.Name, got, regions)
		}
	}
}

func TestEveryPartitionNameIsAnArnPrefixAndNoOtherIs(t *testing.T) {
	re := regexp.MustCompile(`^arn:` + PartitionNames() + `:iam::`)
	for _, p := range Partitions {
		if !re.MatchString("arn:" + p.Name + ":iam::111111111111:root") {
			t.Errorf("arn:%s: is refused", p.Name)
		}
	}
	for _, bad := range []string{"aws-iso-x", "awscn", "aws-", "amazon"} {
		if re.MatchString("arn:" + bad + ":iam::111111111111:root") {
			t.Errorf("arn:%s: is accepted", bad)
		}
	}
}

func TestServiceNamePrefixesFollowThePartition(t *testing.T) {
	for region, want := range map[string]string{
		"eu-west-1": "com.amazonaws.vpce", "us-gov-west-1": "com.amazonaws.vpce", "cn-north-1": "cn.com.amazonaws.vpce",
		"us-iso-east-1": "gov.ic.c2s.vpce", "us-isob-east-1": "gov.sgov.sc2s.vpce", "eu-isoe-west-1": "uk.adc-e.cloud.vpce",
		"us-isof-south-1": "gov.ic.hci.csp.vpce", "eusc-de-east-1": "eu.amazonaws.vpce",
	} {
		if got := ServiceNamePrefix(region); got != want {
			t.Errorf("ServiceNamePrefix(%s) = %s, want %s", region, got, want)
		}
	}
}

func TestOnlyChinaHasNoPrivateDNSNamesForEndpointServices(t *testing.T) {
	for _, p := range Partitions {
		if got := EndpointServicePrivateDNS(p.Regions[0]); got == (p.Name == "aws-cn") {
			t.Errorf("EndpointServicePrivateDNS(%s) = %v", p.Regions[0], got)
		}
	}
}
