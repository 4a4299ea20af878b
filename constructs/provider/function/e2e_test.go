package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/cfntest"
	"github.com/privatelink-go/privatelink/internal/ec2fake"
	"github.com/privatelink-go/privatelink/internal/runtimeapi"
)

// TestBootstrapEndToEnd runs the built verifier through the Lambda Runtime API: its main wiring
// (environment config, JSON logs, the CloudFormation responder) is what the unit tests skip.
func TestBootstrapEndToEnd(t *testing.T) {
	ec2 := ec2fake.New(t)
	ec2.On("DescribeVpcEndpointServiceConfigurations", svcConfig("verified"))
	ec2.On("StartVpcEndpointServicePrivateDnsVerification", started)
	s3 := cfntest.New(t)
	fn := runtimeapi.StartLocal(t, "constructs/provider/function", ec2.URL, s3)

	ev := cfntest.Event(cfn.RequestCreate, "Custom::PrivateDnsVerification", map[string]any{"ServiceId": serviceID, "PrivateDnsName": "api.example.com", "TimeoutSeconds": "60"})
	raw, _ := json.Marshal(ev)
	if res := fn.Invoke(raw, time.Minute); res.Error != nil {
		t.Fatalf("function error %+v", res.Error)
	}
	got := s3.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusSuccess || got[0].PhysicalResourceID != serviceID+"/api.example.com" || got[0].Data["State"] != "verified" {
		t.Fatalf("answers = %+v, want one SUCCESS for %s/api.example.com with State verified", got, serviceID)
	}
	if n := len(ec2.Calls("StartVpcEndpointServicePrivateDnsVerification")); n != 0 {
		t.Errorf("%d start calls for an already verified name, want 0", n)
	}
}
