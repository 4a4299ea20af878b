package enabler

import (
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
)

// acceptedAfter is an endpoint pendingAcceptance until d has passed, then available; private DNS
// follows ModifyVpcEndpoint.
func acceptedAfter(d time.Duration, dnsOn *atomic.Bool) ec2fake.Handler {
	at := time.Now().Add(d)
	return func(url.Values) (int, string) {
		if time.Now().Before(at) {
			return endpointWith(endpointID, "pendingAcceptance", false)
		}
		return endpointWith(endpointID, "available", dnsOn.Load())
	}
}

func enablerEvent(timeout string) cfn.Event {
	return cfntest.Event(cfn.RequestCreate, EnablerType, map[string]any{"VpcEndpointId": endpointID, "PrivateDnsEnabled": "true", "TimeoutSeconds": timeout, "ServiceName": serviceName, "ConsumerAccount": "222222222222"})
}

func TestAnAcceptanceOutlastingOneInvocationIsAnsweredOnceWithPrivateDnsOn(t *testing.T) {
	t.Parallel() // it waits on real timers
	var dnsOn atomic.Bool
	e, ec2 := enablerFor(t, map[string]ec2fake.Handler{
		"DescribeVpcEndpoints": acceptedAfter(600*time.Millisecond, &dnsOn),
		"ModifyVpcEndpoint":    func(f url.Values) (int, string) { dnsOn.Store(true); return modified(f) },
	})
	s3 := cfntest.New(t)
	w := s3.Waits(t, e.Handle, 200*time.Millisecond, EnablerType)
	w.Send(enablerEvent("5"))
	w.Steps.WaitIdle(10 * time.Second)

	got := s3.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusSuccess || got[0].Data["PrivateDnsEnabled"] != "true" || got[0].PhysicalResourceID != endpointID {
		t.Fatalf("answers = %+v, want one SUCCESS with private DNS on", got)
	}
	if ex := w.Steps.Executions(); len(ex) != 1 || ex[0].Status != "SUCCEEDED" || ex[0].Invocations < 4 {
		t.Fatalf("executions = %+v, want one SUCCEEDED after several continuations", ex)
	}
	if n := len(ec2.Calls("ModifyVpcEndpoint")); n != 1 {
		t.Errorf("%d ModifyVpcEndpoint calls, want 1", n)
	}
}

func TestAnAcceptanceThatNeverComesFailsAtItsDeadlineSayingWhoMustAccept(t *testing.T) {
	t.Parallel() // it waits on real timers
	e, _ := enablerFor(t, map[string]ec2fake.Handler{"DescribeVpcEndpoints": endpoint("pendingAcceptance", false)})
	s3 := cfntest.New(t)
	w := s3.Waits(t, e.Handle, 200*time.Millisecond, EnablerType)
	w.Send(enablerEvent("1"))
	w.Steps.WaitIdle(10 * time.Second)
	got := s3.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusFailed || !strings.Contains(got[0].Reason, "endpoint vpce-0a1b2c3d4e5f60718 to "+serviceName+" is still pendingAcceptance after 1s — is account 222222222222 on the provider's allow-list") {
		t.Fatalf("answers = %+v, want one FAILED saying it is still pendingAcceptance", got)
	}
}
