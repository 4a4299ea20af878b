package enabler

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
	"github.com/privatelink-go/privatelink/internal/fakes/runtimeapi"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
)

// TestBootstrapEndToEnd runs the built enabler through the Lambda Runtime API: its main wiring
// (environment config, JSON logs, the CloudFormation responder) is what the unit tests skip.
func TestBootstrapEndToEnd(t *testing.T) {
	ec2 := ec2fake.New(t)
	ec2.On("DescribeVpcEndpointServices", service("ipv4", "verified", "eu-west-1a=euw1-az3"))
	ec2.On("DescribeSubnets", subnets)
	s3 := cfntest.New(t)
	fn := runtimeapi.StartLocal(t, handler.Enabler, ec2.URL, s3)
	invoke := func(ev cfn.Event) {
		t.Helper()
		raw, _ := json.Marshal(ev)
		if res := fn.Invoke(raw, time.Minute); res.Error != nil {
			t.Fatalf("function error %+v", res.Error)
		}
	}

	invoke(cfntest.Event(cfn.RequestCreate, PreflightType, map[string]any{"ServiceName": serviceName, "Ipv6": "true", "PrivateDns": "true", "SubnetIds": "subnet-1,subnet-2"}))
	invoke(cfntest.Event(cfn.RequestDelete, EnablerType, map[string]any{"VpcEndpointId": endpointID}))

	got := s3.Responses()
	if len(got) != 2 {
		t.Fatalf("S3 stand-in received %d responses, want 2", len(got))
	}
	if got[0].Status != cfn.StatusFailed || !strings.Contains(got[0].Reason, "supports [ipv4], not ipv6, but the endpoint asks for dualstack") {
		t.Errorf("preflight answer = %s %q, want FAILED naming the missing ipv6 support", got[0].Status, got[0].Reason)
	}
	if got[1].Status != cfn.StatusSuccess || got[1].PhysicalResourceID != "existing-id" {
		t.Errorf("delete answer = %s %q, want SUCCESS keeping the physical ID", got[1].Status, got[1].PhysicalResourceID)
	}
	if n := len(ec2.Calls("DescribeVpcEndpointServices")); n != 1 {
		t.Errorf("%d DescribeVpcEndpointServices calls, want 1 (the preflight; delete touches nothing)", n)
	}
	if !strings.Contains(fn.Stdout(), `"msg":"answering CloudFormation"`) {
		t.Errorf("no JSON log line for the answer in:\n%s", fn.Stdout())
	}
}
