package enabler

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/privatelink-go/privatelink/internal/spec/acceptance"
)

const aliasArn = "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider:consumer-222222222222"

// acceptorFake answers Invoke as Lambda does: the function's result as the payload, or its
// error as a payload with FunctionError set (Lambda API Reference, Invoke: FunctionError
// "If present, indicates that an error occurred during function execution"), or an API error.
type acceptorFake struct {
	regions []string
	got     []lambda.InvokeInput
	answer  func(req acceptance.Request) (*lambda.InvokeOutput, error)
}

func (f *acceptorFake) client(region string) InvokeAPI {
	f.regions = append(f.regions, region)
	return f
}

func (f *acceptorFake) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.got = append(f.got, *in)
	var p map[string]acceptance.Request
	if err := json.Unmarshal(in.Payload, &p); err != nil {
		return nil, err
	}
	return f.answer(p[acceptance.RequestKey])
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (fake)"}
}

func TestTheAcceptanceRequestAsksTheProvidersAcceptorThroughThisAccountsAlias(t *testing.T) {
	cases := []struct {
		name, arn string
		answer    func(acceptance.Request) (*lambda.InvokeOutput, error)
		wantErr   string
		wantState string
	}{
		{name: "returns the acceptor's answer", arn: aliasArn, wantState: "pending",
			answer: func(r acceptance.Request) (*lambda.InvokeOutput, error) {
				raw, _ := json.Marshal(acceptance.Answer{State: "pending", ServiceId: "vpce-svc-0123456789abcdef0"})
				return &lambda.InvokeOutput{Payload: raw}, nil
			}},
		{name: "fails with the acceptor's refusal, naming the provider's account and Region", arn: aliasArn,
			answer: func(r acceptance.Request) (*lambda.InvokeOutput, error) {
				return &lambda.InvokeOutput{FunctionError: aws.String("Unhandled"), Payload: []byte(`{"errorMessage":"refused: endpoint vpce-0a1b2c3d4e5f60718 belongs to account 999999999999","errorType":"wrapError"}`)}, nil
			},
			wantErr: "the provider's acceptor arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider (account 111111111111, Region eu-west-1) did not accept vpce-0a1b2c3d4e5f60718: refused: endpoint vpce-0a1b2c3d4e5f60718 belongs to account 999999999999"},
		{name: "fails with the acceptor's refusal answer", arn: aliasArn,
			answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
				return &lambda.InvokeOutput{Payload: []byte(`{"State":"","ServiceId":"vpce-svc-0123456789abcdef0","Refused":"refused: endpoint vpce-0a1b2c3d4e5f60718 is not an endpoint of account 222222222222"}`)}, nil
			},
			wantErr: "(account 111111111111, Region eu-west-1) did not accept vpce-0a1b2c3d4e5f60718: refused: endpoint vpce-0a1b2c3d4e5f60718 is not an endpoint of account 222222222222"},
		{name: "goes on when the provider does not see the connection yet", arn: aliasArn, wantState: "not visible to the provider yet",
			answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
				return &lambda.InvokeOutput{Payload: []byte(`{"State":"","ServiceId":"vpce-svc-0123456789abcdef0","NotVisible":true}`)}, nil
			}},
		{name: "fails at once on an explicit deny, naming the SCP and the way out", arn: aliasArn,
			answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
				return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:sts::222222222222:assumed-role/r/f is not authorized to perform: lambda:InvokeFunction on resource: " + aliasArn + " with an explicit deny in a service control policy"}
			},
			wantErr: "a service control policy of this account explicitly denies invoking the provider's acceptor"},
		{name: "fails when the acceptor decides for another service than the endpoint's", arn: aliasArn,
			answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
				return &lambda.InvokeOutput{Payload: []byte(`{"State":"","ServiceId":"vpce-svc-0fffffffffffffff0","NotVisible":true}`)}, nil
			},
			wantErr: "decides for service vpce-svc-0fffffffffffffff0, but this endpoint's service is com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0: AcceptorArn names another provider's acceptor"},
		{name: "fails within IAMWait when this account may not invoke the alias", arn: aliasArn,
			answer:  func(acceptance.Request) (*lambda.InvokeOutput, error) { return nil, apiError("AccessDeniedException") },
			wantErr: "this account may not invoke the provider's acceptor arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider (account 111111111111, Region eu-west-1): is it (222222222222) among the provider's allowed principals"},
		{name: "fails when the provider is not deployed", arn: aliasArn,
			answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
				return nil, apiError("ResourceNotFoundException")
			},
			wantErr: "has no alias consumer-222222222222: deploy the provider stack first, with this account (222222222222) among its allowed principals"},
		{name: "refuses an ARN that is not a consumer alias", arn: "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider",
			wantErr: `AcceptorArn "arn:aws:lambda:eu-west-1:111111111111:function:privatelink-acceptor-PrivateLinkProvider" is not the ARN of an acceptor's alias for a consumer account`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &acceptorFake{answer: c.answer}
			e := Enabler{Lambda: f.client, Log: slog.New(slog.DiscardHandler), IAMWait: 50 * time.Millisecond}
			ev := cfn.Event{RequestType: cfn.RequestCreate, ResourceType: acceptance.ResourceType, ResourceProperties: map[string]any{"AcceptorArn": c.arn, "VpcEndpointId": "vpce-0a1b2c3d4e5f60718", "ServiceName": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"}}
			start := time.Now()
			id, data, err := e.Handle(context.Background(), ev)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
				if strings.Contains(c.name, "explicit deny") && len(f.got) != 1 {
					t.Fatalf("%d invocations, want 1: an explicit deny is not retried", len(f.got))
				}
				if time.Since(start) > 2*time.Second {
					t.Fatalf("failed after %s, want within the IAM wait", time.Since(start))
				}
				return
			}
			if err != nil || id != "vpce-0a1b2c3d4e5f60718" || data["State"] != c.wantState {
				t.Fatalf("Handle = %q, %v, %v; want state %s", id, data, err, c.wantState)
			}
			if len(f.got) != 1 || aws.ToString(f.got[0].FunctionName) != aliasArn || f.regions[0] != "eu-west-1" {
				t.Fatalf("invoked %+v in %v, want the alias in eu-west-1 once", f.got, f.regions)
			}
			if want := `{"PrivateLinkAcceptanceRequest":{"VpcEndpointId":"vpce-0a1b2c3d4e5f60718"}}`; string(f.got[0].Payload) != want {
				t.Fatalf("payload %s, want %s", f.got[0].Payload, want)
			}
		})
	}
}

// A consumer in eu-central-1 of a provider in eu-west-1 sends its request to eu-west-1, where the
// acceptor is, and deleting the request calls nothing (the endpoint's deletion ends the
// connection, and the provider may be gone).
func TestACrossRegionRequestGoesToTheAcceptorsRegionAndDeleteCallsNothing(t *testing.T) {
	f := &acceptorFake{answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
		return &lambda.InvokeOutput{Payload: []byte(`{"State":"available","ServiceId":"vpce-svc-0123456789abcdef0"}`)}, nil
	}}
	e := Enabler{Lambda: f.client, Log: slog.New(slog.DiscardHandler), Region: "eu-central-1"}
	props := map[string]any{"AcceptorArn": aliasArn, "VpcEndpointId": "vpce-0a1b2c3d4e5f60718"}
	if _, _, err := e.Handle(context.Background(), cfn.Event{RequestType: cfn.RequestCreate, ResourceType: acceptance.ResourceType, ResourceProperties: props}); err != nil || len(f.regions) != 1 || f.regions[0] != "eu-west-1" {
		t.Fatalf("create: %v, clients for %v; want one for eu-west-1", err, f.regions)
	}
	if _, _, err := e.Handle(context.Background(), cfn.Event{RequestType: cfn.RequestDelete, ResourceType: acceptance.ResourceType, ResourceProperties: props, PhysicalResourceID: "vpce-0a1b2c3d4e5f60718"}); err != nil || len(f.got) != 1 {
		t.Fatalf("delete: %v after %d invocations, want no error and no call", err, len(f.got))
	}
}

// An acceptor in a VPC idle for weeks is Inactive: its first invocation fails until Lambda has
// its network interfaces again. The request waits for it (within its budget), and gives up with
// Lambda's error once the budget is spent.
func TestAnAcceptanceRequestWaitsForAnAcceptorThatIsNotReady(t *testing.T) {
	t.Parallel() // it waits on real timers
	props := map[string]any{"AcceptorArn": aliasArn, "VpcEndpointId": "vpce-0a1b2c3d4e5f60718"}
	ev := cfn.Event{RequestType: cfn.RequestCreate, ResourceType: acceptance.ResourceType, ResourceProperties: props}
	calls := 0
	f := &acceptorFake{answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
		calls++
		if calls < 3 {
			return nil, apiError("ResourceNotReadyException")
		}
		return &lambda.InvokeOutput{Payload: []byte(`{"State":"available","ServiceId":"vpce-svc-0123456789abcdef0"}`)}, nil
	}}
	e := Enabler{Lambda: f.client, Log: slog.New(slog.DiscardHandler), Region: "eu-west-1", NotReadyWait: time.Second}
	if _, data, err := e.Handle(context.Background(), ev); err != nil || data["State"] != "available" || calls != 3 {
		t.Fatalf("got %v, %v after %d calls; want accepted on the third", data, err, calls)
	}
	never := &acceptorFake{answer: func(acceptance.Request) (*lambda.InvokeOutput, error) {
		return nil, apiError("CodeArtifactUserPendingException")
	}}
	e.Lambda = never.client
	start := time.Now()
	_, _, err := e.Handle(context.Background(), ev)
	if err == nil || !strings.Contains(err.Error(), "CodeArtifactUserPendingException") || time.Since(start) > 5*time.Second || len(never.got) < 2 {
		t.Fatalf("a never-ready acceptor: %v after %s and %d calls; want Lambda's error within the budget, after retries", err, time.Since(start), len(never.got))
	}
}
