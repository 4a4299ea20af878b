package acceptor

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
)

func handlerFor(t *testing.T, w *world, srv *cfntest.Server) Handler {
	client := serveEC2(t, w).Client()
	a := Acceptor{ServiceID: svc, Allowed: []string{"222222222222"}, Describe: client, Accept: client, Reject: client, Log: quietLog()}
	return Handler{Acceptor: a, Responder: srv.Responder(), Log: quietLog()}
}

func TestCloudFormationContract(t *testing.T) {
	pending := conn{id: "vpce-0a1b2c3d4e5f60718", owner: "222222222222", state: "pendingAcceptance"}
	stranger := conn{id: "vpce-0ffffffffffffffff", owner: "999999999999", state: "pendingAcceptance"}
	cases := []struct {
		name         string
		requestType  cfn.RequestType
		resourceType string
		props        map[string]any
		wantStatus   cfn.StatusType
		wantID       string
		wantReason   string
		wantData     map[string]any
		wantState    string // of vpce-0a1b2c3d4e5f60718 afterwards
	}{
		{"sweep on create accepts and reports counts", cfn.RequestCreate, SweepType, map[string]any{"ServiceId": svc},
			cfn.StatusSuccess, svc + "/sweep", "", map[string]any{"Accepted": 1.0, "Rejected": 0.0, "LeftPending": 1.0}, "pending"},
		{"sweep on update accepts again", cfn.RequestUpdate, SweepType, nil,
			cfn.StatusSuccess, svc + "/sweep", "", map[string]any{"Accepted": 1.0, "Rejected": 0.0, "LeftPending": 1.0}, "pending"},
		{"sweep on delete touches nothing", cfn.RequestDelete, SweepType, nil,
			cfn.StatusSuccess, svc + "/sweep", "", nil, "pendingAcceptance"},
		{"cross-account create accepts the named endpoint and answers its state", cfn.RequestCreate, RequestType, map[string]any{"VpcEndpointId": pending.id},
			cfn.StatusSuccess, pending.id, "", map[string]any{"State": "pending", "ServiceId": svc}, "pending"},
		{"cross-account create for a stranger's endpoint fails with the owner named", cfn.RequestCreate, RequestType, map[string]any{"VpcEndpointId": stranger.id},
			cfn.StatusFailed, stranger.id, "is not an endpoint of account 222222222222", nil, "pendingAcceptance"},
		{"cross-account create without an endpoint ID fails", cfn.RequestCreate, RequestType, map[string]any{},
			cfn.StatusFailed, "Acceptance", `VpcEndpointId "" is not a VPC endpoint ID`, nil, "pendingAcceptance"},
		{"cross-account delete never blocks the consumer's teardown", cfn.RequestDelete, RequestType, map[string]any{"VpcEndpointId": pending.id},
			cfn.StatusSuccess, "existing-id", "", nil, "pendingAcceptance"},
		{"an unknown resource type fails on create", cfn.RequestCreate, "Custom::Other", nil,
			cfn.StatusFailed, "Acceptance", `unknown ResourceType "Custom::Other"`, nil, "pendingAcceptance"},
		{"an unknown resource type still deletes", cfn.RequestDelete, "Custom::Other", nil,
			cfn.StatusSuccess, "existing-id", "", nil, "pendingAcceptance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(pending, stranger)
			srv := cfntest.New(t)
			h := handlerFor(t, w, srv)
			raw, _ := json.Marshal(cfntest.Event(c.requestType, c.resourceType, c.props))
			if _, err := h.Invoke(context.Background(), raw); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			got := srv.Responses()
			if len(got) != 1 {
				t.Fatalf("%d responses, want 1", len(got))
			}
			r := got[0]
			if r.Status != c.wantStatus || r.PhysicalResourceID != c.wantID || !strings.Contains(r.Reason, c.wantReason) {
				t.Fatalf("response = %+v\nwant status %s, physical ID %s, reason containing %q", r, c.wantStatus, c.wantID, c.wantReason)
			}
			if c.wantData != nil {
				gotData, _ := json.Marshal(r.Data)
				wantData, _ := json.Marshal(c.wantData)
				if string(gotData) != string(wantData) {
					t.Fatalf("Data = %s, want %s", gotData, wantData)
				}
			}
			if s := w.state(pending.id); s != c.wantState {
				t.Fatalf("endpoint is %s afterwards, want %s", s, c.wantState)
			}
		})
	}
}

func TestNotificationTriggersASweep(t *testing.T) {
	w := newWorld(conn{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"})
	h := handlerFor(t, w, cfntest.New(t))
	raw := []byte(`{"Records":[{"EventSource":"aws:sns","EventVersion":"1.0","Sns":{"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:eu-west-1:111111111111:conn","Message":"{\"Event\":\"Connect\"}"}}]}`)
	res, err := h.Invoke(context.Background(), raw)
	if err != nil || res.(SweepResult).Accepted != 1 || w.state("vpce-a") != "pending" {
		t.Fatalf("Invoke = %+v, %v; state %s; want the connection accepted", res, err, w.state("vpce-a"))
	}
}

// The daily invocation that keeps a function in a VPC Active (handler.KeepActive) is answered
// without a sweep: no EC2 call, no connection decided, nothing sent to CloudFormation.
func TestTheKeepActiveInputSweepsNothing(t *testing.T) {
	w := newWorld(conn{id: "vpce-a", owner: "222222222222", state: "pendingAcceptance"})
	srv := cfntest.New(t)
	res, err := handlerFor(t, w, srv).Invoke(context.Background(), json.RawMessage(`{"`+handler.KeepActiveKey+`":true}`))
	if res != nil || err != nil || len(w.calls) != 0 || w.state("vpce-a") != "pendingAcceptance" || len(srv.Responses()) != 0 {
		t.Fatalf("Invoke = %v, %v; EC2 calls %v; endpoint %s; %d responses: want nothing done", res, err, w.calls, w.state("vpce-a"), len(srv.Responses()))
	}
}

func TestMalformedEventsAreRefusedWithAReason(t *testing.T) {
	cases := map[string]struct{ raw, wantErr string }{
		"not JSON":                {`{"RequestType":`, "event is not a JSON object"},
		"an array":                {`[1,2]`, "event is not a JSON object"},
		"an unknown request type": {`{"RequestType":"Explode","ResponseURL":"https://x.s3.amazonaws.com/"}`, `unknown CloudFormation RequestType "Explode"`},
		"a record not from SNS":   {`{"Records":[{"EventSource":"aws:sqs"}]}`, `record from "aws:sqs", expected aws:sns`},
		"an empty object":         {`{}`, "unrecognised event"},
		"a wrongly typed field":   {`{"RequestType":"Create","ResourceProperties":"x"}`, "malformed CloudFormation event"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := cfntest.New(t)
			h := handlerFor(t, newWorld(), srv)
			_, err := h.Invoke(context.Background(), json.RawMessage(c.raw))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"RequestType":"Create","ResponseURL":"https://b.s3.amazonaws.com/x","ResourceType":"Custom::EndpointAcceptance","ResourceProperties":{"VpcEndpointId":"vpce-1"}}`))
	f.Add([]byte(`{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"{}"}}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"PrivateLinkKeepActive":true}`))
	f.Add([]byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := decodeEvent(raw)
		if err != nil {
			return
		}
		// Whatever decodes is exactly one known kind with a known request type or SNS records.
		kinds := 0
		for _, is := range []bool{ev.CFN != nil, ev.SNS != nil, ev.Schedule != nil, ev.Request != nil, ev.KeepActive} {
			if is {
				kinds++
			}
		}
		if kinds != 1 {
			t.Fatalf("decoded %q into %d kinds", raw, kinds)
		}
		if ev.CFN != nil {
			switch ev.CFN.RequestType {
			case cfn.RequestCreate, cfn.RequestUpdate, cfn.RequestDelete:
			default:
				t.Fatalf("accepted request type %q", ev.CFN.RequestType)
			}
		}
		if ev.SNS != nil {
			for _, r := range ev.SNS.Records {
				if r.EventSource != "aws:sns" {
					t.Fatalf("accepted record source %q", r.EventSource)
				}
			}
		}
	})
}
