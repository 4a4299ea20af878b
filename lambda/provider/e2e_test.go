package provider

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
	"github.com/privatelink-go/privatelink/internal/fakes/runtimeapi"
	"github.com/privatelink-go/privatelink/internal/fakes/sfnfake"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/spec/waitspec"
)

// TestBootstrapEndToEnd runs the built function through the Lambda Runtime API, its waits through
// the Step Functions fake: the main wiring (environment config, JSON logs, the Step Functions
// client, the responder) is what the unit tests skip. Each invocation gets 10.5 s, so the
// function's 10 s reserve leaves it 0.5 s shares of the wait: verified in the third.
func TestBootstrapEndToEnd(t *testing.T) {
	t.Parallel() // it waits on real timers
	ec2 := ec2fake.New(t)
	ec2.On("DescribeVpcEndpointServiceConfigurations", ec2fake.Sequence(svcConfig("pendingVerification"), svcConfig("pendingVerification"), svcConfig("verified")))
	ec2.On("StartVpcEndpointServicePrivateDnsVerification", started)
	s3 := cfntest.New(t)
	steps := sfnfake.New(t)
	fn := runtimeapi.StartLocal(t, handler.Provider, ec2.URL, s3, "AWS_ENDPOINT_URL_SFN="+steps.URL)
	const invocation = 10500 * time.Millisecond
	steps.Machine(cfntest.MachineArn, waitspec.StateMachineDefinition(invocation), map[string]string{"FunctionArn": cfntest.FunctionArn, "LambdaInvoke": "arn:aws:states:::lambda:invoke"},
		func(_ string, payload []byte, _ time.Duration) ([]byte, string, string) {
			res := fn.Invoke(payload, invocation)
			if res.Error != nil {
				return nil, res.Error.Type, res.Error.Message
			}
			return res.Response, "", ""
		})

	ev := cfntest.Event(cfn.RequestCreate, VerificationType, map[string]any{"ServiceId": serviceID, "PrivateDnsName": "api.example.com", "TimeoutSeconds": "60", waitspec.StateMachineProperty: cfntest.MachineArn})
	raw, _ := json.Marshal(ev)
	if res := fn.Invoke(raw, invocation); res.Error != nil {
		t.Fatalf("function error %+v", res.Error)
	}
	steps.WaitIdle(30 * time.Second)
	got := s3.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusSuccess || got[0].PhysicalResourceID != serviceID+"/api.example.com" || got[0].Data["State"] != "verified" {
		t.Fatalf("answers = %+v, want one SUCCESS for %s/api.example.com with State verified\n%s", got, serviceID, fn.Stdout())
	}
	// Two shares waiting, one verified, one Answer.
	if ex := steps.Executions(); len(ex) != 1 || ex[0].Status != "SUCCEEDED" || ex[0].Invocations != 4 {
		t.Errorf("executions = %+v, want one SUCCEEDED after 4 invocations", ex)
	}
	if n := len(ec2.Calls("StartVpcEndpointServicePrivateDnsVerification")); n != 1 {
		t.Errorf("%d start calls, want 1", n)
	}
}
