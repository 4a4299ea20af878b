package cfnresponse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
)

func never(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	<-ctx.Done()
	return "", nil, ctx.Err()
}

func TestStartingAWaitRetriesWhileIAMPropagatesAndAnswersWhatItCannotStart(t *testing.T) {
	t.Parallel() // it waits on real timers
	t.Run("denied once, then allowed: the wait starts, nothing is answered yet", func(t *testing.T) {
		t.Parallel()
		s3 := cfntest.New(t)
		w := s3.Waits(t, never, time.Second, "Custom::Waiting")
		denied := 0
		w.Responder.Steps = w.Steps.ClientFor(func(action, resource string) string {
			if denied == 0 {
				denied++
				return resource
			}
			return ""
		})
		w.Send(cfntest.Event(cfn.RequestCreate, "Custom::Waiting", nil))
		if ex := w.Steps.Executions(); len(ex) != 1 || denied != 1 {
			t.Fatalf("executions = %+v after %d denials, want one started after the retry", ex, denied)
		}
		if got := s3.Responses(); len(got) != 0 {
			t.Fatalf("answers = %+v, want none before the wait ends", got)
		}
		// A handler without a wait deadline has one invocation's time, then its answer.
		w.Steps.WaitIdle(5 * time.Second)
		if got := s3.Responses(); len(got) != 1 || got[0].Status != cfn.StatusFailed {
			t.Fatalf("answers = %+v, want the one FAILED answer of the execution", got)
		}
	})
	t.Run("never allowed: FAILED naming the call", func(t *testing.T) {
		t.Parallel()
		s3 := cfntest.New(t)
		w := s3.Waits(t, never, time.Second, "Custom::Waiting")
		w.Responder.Steps = w.Steps.ClientFor(func(action, resource string) string { return resource })
		w.Send(cfntest.Event(cfn.RequestCreate, "Custom::Waiting", nil))
		got := s3.Responses()
		if len(got) != 1 || got[0].Status != cfn.StatusFailed || !strings.Contains(got[0].Reason, "could not start waiting in state machine "+cfntest.MachineArn) || !strings.Contains(got[0].Reason, "AccessDeniedException") {
			t.Fatalf("answers = %+v, want one FAILED naming StartExecution's AccessDeniedException", got)
		}
	})
	t.Run("a resource without the state machine property waits within the invocation", func(t *testing.T) {
		s3 := cfntest.New(t)
		r := s3.Responder()
		r.Waiting = []string{"Custom::Waiting"}
		raw := []byte(`{"RequestType":"Update","ResponseURL":"` + cfntest.ResponseURL + `","ResourceType":"Custom::Waiting","LogicalResourceId":"X","RequestId":"r","StackId":"s"}`)
		// A template from before the waits (a rollback to it): answered as that template expects.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if _, err := r.Serve(ctx, raw, func(context.Context, cfn.Event) (string, map[string]any, error) { return "id", nil, nil }); err != nil {
			t.Fatal(err)
		}
		if got := s3.Responses(); len(got) != 1 || got[0].Status != cfn.StatusSuccess || got[0].PhysicalResourceID != "id" {
			t.Fatalf("answers = %+v, want one SUCCESS from the handler itself", got)
		}
	})
}
