package cfnresponse_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

func TestValidateResponseURL(t *testing.T) {
	cases := []struct {
		name, url, wantErr string
	}{
		{"accepts a regional pre-signed S3 URL", "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?sig=1", ""},
		{"accepts a dashed regional S3 host", "https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/x", ""},
		{"accepts a dotted regional S3 host", "https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x", ""},
		{"accepts a path-style URL of CloudFormation's bucket", "https://s3.eu-west-1.amazonaws.com/cloudformation-custom-resource-response-euwest1/arn%3Aaws%3Acloudformation/x", ""},
		{"accepts a China partition S3 host", "https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x", ""},
		{"refuses another bucket, virtual-hosted", "https://bucket.s3.eu-west-1.amazonaws.com/x", `ResponseURL bucket "bucket" refused: only CloudFormation's custom-resource response buckets`},
		{"refuses another bucket, path style", "https://s3.eu-west-1.amazonaws.com/attacker-bucket/x", `ResponseURL bucket "attacker-bucket" refused`},
		{"refuses a look-alike of CloudFormation's bucket", "https://cloudformation-custom-resource-response-euwest1-mine.s3.eu-west-1.amazonaws.com/x", `bucket "cloudformation-custom-resource-response-euwest1-mine" refused`},
		{"refuses a bucket under CloudFormation's as a prefix", "https://x.cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x", `refused`},
		{"accepts CloudFormation's bucket in China", "https://cloudformation-custom-resource-response-cnnorthwest1.s3.cn-northwest-1.amazonaws.com.cn/x", ""},
		{"accepts GovCloud's dashed S3 host", "https://cloudformation-custom-resource-response-usgovwest1.s3-us-gov-west-1.amazonaws.com/x", ""},
		{"accepts the aws-iso partition", "https://cloudformation-custom-resource-response-usisoeast1.s3.us-iso-east-1.c2s.ic.gov/x", ""},
		{"accepts the aws-iso-b partition", "https://cloudformation-custom-resource-response-usisobeast1.s3.us-isob-east-1.sc2s.sgov.gov/x", ""},
		{"accepts the aws-iso-e partition", "https://cloudformation-custom-resource-response-euisoewest1.s3.eu-isoe-west-1.cloud.adc-e.uk/x", ""},
		{"accepts the aws-iso-f partition", "https://cloudformation-custom-resource-response-usisofsouth1.s3.us-isof-south-1.csp.hci.ic.gov/x", ""},
		{"accepts the European Sovereign Cloud", "https://cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu/x", ""},
		{"refuses a non-S3 host in a partition's domain", "https://ec2.us-iso-east-1.c2s.ic.gov/x", "refused"},
		{"refuses a look-alike of a partition suffix", "https://bucket.s3.us-iso-east-1.c2s.ic.gov.evil.example/x", "refused"},
		{"refuses plain http", "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x", `scheme "http" refused`},
		{"refuses the instance metadata service", "https://169.254.169.254/latest/meta-data", `host "169.254.169.254" refused`},
		{"refuses a look-alike host", "https://s3.amazonaws.com.evil.example/x", "refused"},
		{"refuses a host that only contains s3", "https://mys3.amazonaws.com/x", "refused"},
		{"refuses an explicit port", "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/x", `host "cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443" refused`},
		{"refuses credentials in the URL", "https://user:pw@cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x", "refused"},
		{"refuses a file URL", "file:///etc/passwd", `scheme "file" refused`},
		{"refuses an empty URL", "", "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := cfnresponse.ValidateResponseURL(c.url)
			if c.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("error = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func TestHandleAnswersEveryOutcome(t *testing.T) {
	t.Parallel() // it waits on real timers
	cases := []struct {
		name       string
		fn         cfnresponse.Func
		wantStatus cfn.StatusType
		wantReason string
		wantID     string
	}{
		{"reports success with data and the handler's physical ID",
			func(context.Context, cfn.Event) (string, map[string]any, error) {
				return "vpce-svc-1", map[string]any{"State": "available"}, nil
			}, cfn.StatusSuccess, "", "vpce-svc-1"},
		{"reports the handler's error as the reason",
			func(context.Context, cfn.Event) (string, map[string]any, error) {
				return "", nil, errors.New("endpoint vpce-1 is rejected")
			}, cfn.StatusFailed, "endpoint vpce-1 is rejected", "existing-id"},
		{"reports a panic as a failure instead of leaving the stack waiting",
			func(context.Context, cfn.Event) (string, map[string]any, error) { panic("boom") },
			cfn.StatusFailed, "internal error (panic: boom)", "existing-id"},
		{"reports a timeout before the Lambda deadline",
			func(ctx context.Context, _ cfn.Event) (string, map[string]any, error) {
				time.Sleep(2 * time.Second) // ignores ctx on purpose
				return "late", nil, nil
			}, cfn.StatusFailed, "timed out before the Lambda deadline", "existing-id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := cfntest.New(t)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			ev := cfntest.Event(cfn.RequestUpdate, "Custom::Test", nil)
			if err := srv.Responder().Handle(ctx, ev, c.fn); err != nil {
				t.Fatalf("Handle: %v", err)
			}
			got := srv.Responses()
			if len(got) != 1 {
				t.Fatalf("got %d responses, want exactly 1", len(got))
			}
			r := got[0]
			if r.Status != c.wantStatus || !strings.Contains(r.Reason, c.wantReason) || r.PhysicalResourceID != c.wantID {
				t.Fatalf("response = %+v, want status %s, reason containing %q, physical ID %q", r, c.wantStatus, c.wantReason, c.wantID)
			}
			if r.RequestID != ev.RequestID || r.LogicalResourceID != ev.LogicalResourceID || r.StackID != ev.StackID {
				t.Fatalf("response does not echo the request identifiers: %+v", r)
			}
			if m := srv.Methods()[0]; m != "PUT " {
				t.Fatalf("request was %q, want a PUT without Content-Type (pre-signed URLs are signed without one)", m)
			}
		})
	}
}

func TestHandleUsesTheLogicalIDAsAStablePhysicalIDOnCreate(t *testing.T) {
	srv := cfntest.New(t)
	ev := cfntest.Event(cfn.RequestCreate, "Custom::Test", nil)
	_ = srv.Responder().Handle(context.Background(), ev, func(context.Context, cfn.Event) (string, map[string]any, error) {
		return "", nil, errors.New("failed create")
	})
	if got := srv.Responses()[0].PhysicalResourceID; got != "Acceptance" {
		t.Fatalf("PhysicalResourceId = %q, want the logical ID so a retried create keeps it", got)
	}
}

func TestASuccessCarriesItsReasonInTheReasonAndNotInTheData(t *testing.T) {
	srv := cfntest.New(t)
	ev := cfntest.Event(cfn.RequestUpdate, "Custom::Test", nil)
	_ = srv.Responder().Handle(context.Background(), ev, func(context.Context, cfn.Event) (string, map[string]any, error) {
		return "id", map[string]any{"State": "pendingVerification", cfnresponse.SuccessReason: "rolled back without waiting"}, nil
	})
	r := srv.Responses()[0]
	if r.Status != cfn.StatusSuccess || r.Reason != "rolled back without waiting" || r.Data["State"] != "pendingVerification" || r.Data[cfnresponse.SuccessReason] != nil {
		t.Fatalf("response %+v, want SUCCESS with the reason as Reason and only State as data", r)
	}
}

func TestHandleRefusesAForgedResponseURLWithoutSendingAnything(t *testing.T) {
	srv := cfntest.New(t)
	ev := cfntest.Event(cfn.RequestCreate, "Custom::Test", nil)
	ev.ResponseURL = "http://169.254.169.254/latest/api/token"
	called := false
	err := srv.Responder().Handle(context.Background(), ev, func(context.Context, cfn.Event) (string, map[string]any, error) {
		called = true
		return "", nil, nil
	})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if called || len(srv.Responses()) != 0 {
		t.Fatalf("handler ran (%v) or a response was sent (%d); a forged URL must cause neither", called, len(srv.Responses()))
	}
}

func TestHandleReportsAnUnreachableOrRejectingResponseURL(t *testing.T) {
	srv := cfntest.New(t)
	srv.Status = http.StatusForbidden
	ev := cfntest.Event(cfn.RequestCreate, "Custom::Test", nil)
	err := srv.Responder().Handle(context.Background(), ev, func(context.Context, cfn.Event) (string, map[string]any, error) { return "id", nil, nil })
	if err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Fatalf("err = %v, want the rejected delivery reported", err)
	}

	if n := len(srv.Methods()); n != 1 {
		t.Errorf("%d PUTs for a 403, want 1: a refused signature does not heal", n)
	}

	r := cfnresponse.Responder{Client: &http.Client{Timeout: time.Second}, CheckURL: func(string) error { return nil }, RetryDelay: time.Millisecond}
	ev.ResponseURL = "https://127.0.0.1:1/unreachable"
	err = r.Handle(context.Background(), ev, func(context.Context, cfn.Event) (string, map[string]any, error) { return "id", nil, nil })
	if err == nil || !strings.Contains(err.Error(), "send response") {
		t.Fatalf("err = %v, want the failed delivery reported", err)
	}
}

func TestAResponseThatS3FailsToTakeIsSentAgain(t *testing.T) {
	srv := cfntest.New(t)
	srv.FailNext = 2
	ev := cfntest.Event(cfn.RequestCreate, "Custom::Test", nil)
	if err := srv.Responder().Handle(context.Background(), ev, func(context.Context, cfn.Event) (string, map[string]any, error) { return "id", nil, nil }); err != nil {
		t.Fatalf("err = %v, want the third attempt delivered", err)
	}
	if got := srv.Responses(); len(got) != 1 || got[0].Status != cfn.StatusSuccess {
		t.Fatalf("responses = %+v, want one SUCCESS after two 503s", got)
	}
}

func TestBoolReadsCloudFormationStrings(t *testing.T) {
	for in, want := range map[any]bool{"true": true, "True": true, "false": false, true: true, nil: false} {
		if got, err := cfnresponse.Bool(in); err != nil || got != want {
			t.Errorf("Bool(%v) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := cfnresponse.Bool("yes"); err == nil || !strings.Contains(err.Error(), "yes is not a boolean") {
		t.Errorf("Bool(yes) error = %v", err)
	}
}

func TestTimeoutSecondsAcceptsStringsAndNumbersFrom1To3300(t *testing.T) {
	for in, want := range map[any]time.Duration{"1": time.Second, "900": 15 * time.Minute, "3300": 55 * time.Minute, 600.0: 10 * time.Minute, 60: time.Minute} {
		if got, err := cfnresponse.TimeoutSeconds(in); err != nil || got != want {
			t.Errorf("TimeoutSeconds(%v) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []any{"0", "3301", "1.5", "", nil} {
		if _, err := cfnresponse.TimeoutSeconds(in); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("TimeoutSeconds %v must be a whole number of seconds between 1 and 3300", in)) {
			t.Errorf("TimeoutSeconds(%v) error = %v", in, err)
		}
	}
}

func TestTheKeepActiveInputIsAnsweredAtOnceWithoutServingOrSending(t *testing.T) {
	srv := cfntest.New(t)
	ran := ""
	fn := func(context.Context, cfn.Event) (string, map[string]any, error) {
		ran = "custom resource"
		return "", nil, nil
	}
	other := func(context.Context, json.RawMessage) (bool, error) { ran = "event function"; return true, nil }
	out, err := cfnresponse.Entry(srv.Responder(), fn, other)(context.Background(), json.RawMessage(`{"`+handler.KeepActiveKey+`": true}`))
	if out != nil || err != nil || ran != "" || len(srv.Responses()) != 0 {
		t.Fatalf("keep-active: (%v, %v), ran %q, %d responses; want (nil, nil), nothing run or sent", out, err, ran, len(srv.Responses()))
	}
	// Anything else goes on as before: the event function first, then custom-resource handling.
	for _, payload := range []string{`{"` + handler.KeepActiveKey + `": false}`, `{"` + handler.KeepActiveKey + `": "true"}`, `{"source":"aws.events"}`} {
		ran = ""
		if _, err := cfnresponse.Entry(srv.Responder(), fn, other)(context.Background(), json.RawMessage(payload)); err != nil || ran != "event function" {
			t.Errorf("%s: err %v, ran %q; want the event function to take it", payload, err, ran)
		}
	}
	ev, _ := json.Marshal(cfntest.Event(cfn.RequestCreate, "Custom::Test", nil))
	ran = ""
	if _, err := cfnresponse.Entry(srv.Responder(), fn, nil)(context.Background(), ev); err != nil || ran != "custom resource" || len(srv.Responses()) != 1 {
		t.Errorf("a CloudFormation request: err %v, ran %q, %d responses; want it served and answered once", err, ran, len(srv.Responses()))
	}
}
