package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

const serviceID = "vpce-svc-0123456789abcdef0"

func svcConfig(state string) ec2fake.Handler { return svcConfigOf("api.example.com", state) }

// svcConfigOf is the service with private DNS name name in state.
func svcConfigOf(name, state string) ec2fake.Handler {
	return func(url.Values) (int, string) {
		return ec2fake.OK("DescribeVpcEndpointServiceConfigurations", fmt.Sprintf(`<serviceConfigurationSet><item><serviceId>%s</serviceId><serviceName>com.amazonaws.vpce.eu-west-1.%s</serviceName><serviceState>Available</serviceState><privateDnsName>%s</privateDnsName><privateDnsNameConfiguration><state>%s</state><type>TXT</type><value>vpce:l6p0ERxlTZXIKXNpkOo5</value><name>_6e86v84tqgqubxbwii1m</name></privateDnsNameConfiguration></item></serviceConfigurationSet>`, serviceID, serviceID, name, state))
	}
}

func started(url.Values) (int, string) {
	return ec2fake.OK("StartVpcEndpointServicePrivateDnsVerification", "<return>true</return>")
}

func TestVerify(t *testing.T) {
	t.Parallel() // it waits on real timers
	cases := []struct {
		name      string
		describe  ec2fake.Handler
		start     ec2fake.Handler
		wantErr   string
		wantStart int
	}{
		{name: "starts verification and waits until verified",
			describe: ec2fake.Sequence(svcConfig("pendingVerification"), svcConfig("pendingVerification"), svcConfig("verified")), start: started, wantStart: 1},
		{name: "succeeds at once when already verified", describe: svcConfig("verified"), start: started, wantStart: 0},
		{name: "restarts a failed verification while time remains",
			describe: ec2fake.Sequence(svcConfig("pendingVerification"), svcConfig("failed"), svcConfig("failed"), svcConfig("verified")), start: started, wantStart: 3},
		{name: "fails after the timeout naming the TXT record to check",
			describe: svcConfig("pendingVerification"), start: started, wantStart: 1,
			wantErr: `private DNS name api.example.com of vpce-svc-0123456789abcdef0 is still pendingVerification after 1s: check that the public DNS zone of api.example.com serves TXT _6e86v84tqgqubxbwii1m.api.example.com = "vpce:l6p0ERxlTZXIKXNpkOo5"`},
		{name: "waits for a changed name instead of taking the old name's state for it",
			describe: ec2fake.Sequence(svcConfigOf("old.example.com", "verified"), svcConfigOf("api.example.com", "pendingVerification"), svcConfig("verified")), start: started, wantStart: 1},
		{name: "fails after the timeout naming the name the service still reports",
			describe: svcConfigOf("old.example.com", "verified"), start: started, wantStart: 0,
			wantErr: `private DNS name api.example.com of vpce-svc-0123456789abcdef0 is still not reporting api.example.com (the service reports "old.example.com") after 1s`},
		{name: "fails with the API's reason when starting is refused",
			describe: svcConfig("pendingVerification"), start: ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation."), wantStart: 1,
			wantErr: "start private DNS verification of vpce-svc-0123456789abcdef0: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := ec2fake.New(t)
			srv.On("DescribeVpcEndpointServiceConfigurations", c.describe)
			srv.On("StartVpcEndpointServicePrivateDnsVerification", c.start)
			client := srv.Client()
			v := Verifier{Describe: client, Start: client, Log: slog.New(slog.DiscardHandler), Poll: 5 * time.Millisecond, Restart: time.Millisecond}
			ev := cfntest.Event(cfn.RequestCreate, "Custom::PrivateDnsVerification", map[string]any{"ServiceId": serviceID, "PrivateDnsName": "api.example.com", "TimeoutSeconds": "1"})
			id, data, err := v.Handle(context.Background(), ev)
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if c.wantErr == "" && (data["State"] != "verified" || data["TxtRecordName"] != "_6e86v84tqgqubxbwii1m") {
				t.Fatalf("data = %v", data)
			}
			if id != serviceID+"/api.example.com" {
				t.Fatalf("physical ID = %q", id)
			}
			if n := len(srv.Calls("StartVpcEndpointServicePrivateDnsVerification")); n != c.wantStart {
				t.Fatalf("%d start calls, want %d", n, c.wantStart)
			}
		})
	}
}

func TestVerifyRefusesBadPropertiesAndNeverBlocksDelete(t *testing.T) {
	v := Verifier{Log: slog.New(slog.DiscardHandler)}
	_, _, err := v.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, "Custom::PrivateDnsVerification", map[string]any{"ServiceId": "svc-1", "TimeoutSeconds": "60"}))
	if err == nil || !strings.Contains(err.Error(), `ServiceId "svc-1" is not an endpoint service ID`) {
		t.Fatalf("err = %v", err)
	}
	_, _, err = v.Handle(context.Background(), cfntest.Event(cfn.RequestCreate, "Custom::PrivateDnsVerification", map[string]any{"ServiceId": serviceID, "TimeoutSeconds": "0"}))
	if err == nil || !strings.Contains(err.Error(), "TimeoutSeconds 0 must be") {
		t.Fatalf("err = %v", err)
	}
	id, _, err := v.Handle(context.Background(), cfntest.Event(cfn.RequestDelete, "Custom::PrivateDnsVerification", nil))
	if err != nil || id != "existing-id" {
		t.Fatalf("delete = %q, %v; want success without EC2 calls (nil clients would panic)", id, err)
	}
}

func TestThePollIntervalIsADurationOfASecondOrMoreElseTheDefault(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "1s": time.Second, "15s": 15 * time.Second} {
		if got, err := pollInterval(in); got != want || err != nil {
			t.Errorf("pollInterval(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"15", "-1s", "0s", "10ms"} {
		d, err := pollInterval(in)
		if want := `VERIFY_POLL_INTERVAL is "` + in + `", which is not a Go duration of at least 1s: polling every 15s instead; unset it or give one such as 15s`; d != 0 || err == nil || err.Error() != want {
			t.Errorf("pollInterval(%q) error %v, want %q", in, err, want)
		}
	}
}

// stackStatus answers DescribeStacks with one stack in status.
type stackStatus cftypes.StackStatus

func (s stackStatus) DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{{StackStatus: cftypes.StackStatus(s)}}}, nil
}

func TestAnUpdateRollbackIsAnsweredAtOnceWithTheStateInTheReason(t *testing.T) {
	t.Parallel() // it waits on real timers
	// CloudFormation rolls an update back by sending Update with the previous properties; the
	// old name is back to pendingVerification. Waiting (and failing) here would leave the stack
	// UPDATE_ROLLBACK_FAILED.
	srv := ec2fake.New(t)
	srv.On("DescribeVpcEndpointServiceConfigurations", svcConfigOf("old.example.com", "pendingVerification"))
	srv.On("StartVpcEndpointServicePrivateDnsVerification", started)
	client := srv.Client()
	v := Verifier{Describe: client, Start: client, Stacks: stackStatus(cftypes.StackStatusUpdateRollbackInProgress), Log: slog.New(slog.DiscardHandler), Poll: time.Hour}
	ev := cfntest.Event(cfn.RequestUpdate, "Custom::PrivateDnsVerification", map[string]any{"ServiceId": serviceID, "PrivateDnsName": "old.example.com", "TimeoutSeconds": "1800"})
	id, data, err := v.Handle(context.Background(), ev)
	if err != nil || id != serviceID+"/old.example.com" {
		t.Fatalf("= %q, %v; want SUCCESS at once", id, err)
	}
	want := "the stack is rolling back (UPDATE_ROLLBACK_IN_PROGRESS) to private DNS name old.example.com of " + serviceID + ", whose verification state is pendingVerification: verification was started again"
	if got, _ := data[cfnresponse.SuccessReason].(string); !strings.Contains(got, want) {
		t.Fatalf("reason %q, want it to contain %q", got, want)
	}
	if n := len(srv.Calls("StartVpcEndpointServicePrivateDnsVerification")); n != 1 {
		t.Fatalf("%d start calls, want 1", n)
	}
	// The same Update outside a rollback waits, as before.
	v.Stacks = stackStatus(cftypes.StackStatusUpdateInProgress)
	ev.ResourceProperties["TimeoutSeconds"] = "1"
	v.Poll = 5 * time.Millisecond
	if _, _, err := v.Handle(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "is still pendingVerification after 1s") {
		t.Fatalf("an update outside a rollback = %v, want the wait's timeout", err)
	}
}

func TestTheFirstReadIsRetriedWhileANewRolesPolicyPropagates(t *testing.T) {
	srv := ec2fake.New(t)
	srv.On("DescribeVpcEndpointServiceConfigurations", ec2fake.Sequence(ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation."), svcConfig("verified")))
	client := srv.Client()
	v := Verifier{Describe: client, Start: client, Log: slog.New(slog.DiscardHandler), Poll: 5 * time.Millisecond, IAMWait: time.Second}
	ev := cfntest.Event(cfn.RequestCreate, "Custom::PrivateDnsVerification", map[string]any{"ServiceId": serviceID, "PrivateDnsName": "api.example.com", "TimeoutSeconds": "60"})
	if _, data, err := v.Handle(context.Background(), ev); err != nil || data["State"] != "verified" {
		t.Fatalf("= %v, %v; want verified after one retry", data, err)
	}
}
