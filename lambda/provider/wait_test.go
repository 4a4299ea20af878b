package provider

import (
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
)

// verifiedAfter reports pendingVerification until d has passed, then verified.
func verifiedAfter(d time.Duration) ec2fake.Handler {
	at := time.Now().Add(d)
	return func(f url.Values) (int, string) {
		if time.Now().Before(at) {
			return svcConfig("pendingVerification")(f)
		}
		return svcConfig("verified")(f)
	}
}

// waits runs the verifier through its state machine: invocations of 200 ms (as if its Lambda
// timeout were that) against the EC2 fake, answering to s3.
func waits(t *testing.T, describe ec2fake.Handler) (*cfntest.Waits, *cfntest.Server, *ec2fake.Server) {
	srv := ec2fake.New(t)
	srv.On("DescribeVpcEndpointServiceConfigurations", describe)
	srv.On("StartVpcEndpointServicePrivateDnsVerification", started)
	client := srv.Client()
	v := Verifier{Describe: client, Start: client, Log: slog.New(slog.DiscardHandler), Poll: 5 * time.Millisecond, Restart: time.Millisecond}
	s3 := cfntest.New(t)
	return s3.Waits(t, v.Handle, 200*time.Millisecond, VerificationType), s3, srv
}

func verification(kind cfn.RequestType, timeout string) cfn.Event {
	return cfntest.Event(kind, VerificationType, map[string]any{"ServiceId": serviceID, "PrivateDnsName": "api.example.com", "TimeoutSeconds": timeout})
}

func TestAVerificationOutlastingOneInvocationIsAnsweredOnceWhenVerified(t *testing.T) {
	t.Parallel() // it waits on real timers
	w, s3, ec2 := waits(t, verifiedAfter(700*time.Millisecond))
	w.Send(verification(cfn.RequestCreate, "5"))
	w.Steps.WaitIdle(10 * time.Second)

	got := s3.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusSuccess || got[0].Data["State"] != "verified" || got[0].PhysicalResourceID != serviceID+"/api.example.com" {
		t.Fatalf("answers = %+v, want one SUCCESS with State verified", got)
	}
	ex := w.Steps.Executions()
	// Work ×n (700 ms in 150 ms shares) and one Answer.
	if len(ex) != 1 || ex[0].Status != "SUCCEEDED" || ex[0].Invocations < 5 {
		t.Fatalf("executions = %+v, want one SUCCEEDED after several continuations", ex)
	}
	// When verification was started carries over: not restarted in each invocation.
	if n := len(ec2.Calls("StartVpcEndpointServicePrivateDnsVerification")); n != 1 {
		t.Errorf("%d start calls over %d invocations, want 1", n, ex[0].Invocations)
	}
}

func TestAVerificationThatNeverHappensFailsAtItsDeadlineWithWhatToCheck(t *testing.T) {
	t.Parallel() // it waits on real timers
	w, s3, _ := waits(t, svcConfig("pendingVerification"))
	start := time.Now()
	w.Send(verification(cfn.RequestCreate, "1"))
	w.Steps.WaitIdle(10 * time.Second)
	took := time.Since(start)

	got := s3.Responses()
	if len(got) != 1 || got[0].Status != cfn.StatusFailed {
		t.Fatalf("answers = %+v, want one FAILED", got)
	}
	for _, want := range []string{"api.example.com of vpce-svc-0123456789abcdef0 is still pendingVerification after 1s", "dig +short TXT _6e86v84tqgqubxbwii1m.api.example.com", "aws ec2 start-vpc-endpoint-service-private-dns-verification --service-id vpce-svc-0123456789abcdef0"} {
		if !strings.Contains(got[0].Reason, want) {
			t.Errorf("reason %q lacks %q", got[0].Reason, want)
		}
	}
	// At the deadline, not one invocation early, and not much later.
	if took < time.Second || took > 2*time.Second {
		t.Errorf("answered after %s, want just after the 1 s wait", took)
	}
}

func TestADuplicatedDeliveryOrInvocationStillAnswersOnce(t *testing.T) {
	t.Parallel() // it waits on real timers
	w, s3, _ := waits(t, verifiedAfter(500*time.Millisecond))
	// Step Functions saw an error from a Work invocation that ran (its retry runs it again).
	w.Fault = func(n int) (string, bool) {
		if n == 2 {
			return "Lambda.ServiceException", true
		}
		return "", false
	}
	ev := verification(cfn.RequestCreate, "5")
	w.Send(ev)
	w.Send(ev) // Lambda delivers an asynchronous event more than once, now and then
	w.Steps.WaitIdle(10 * time.Second)

	if got := s3.Responses(); len(got) != 1 || got[0].Status != cfn.StatusSuccess {
		t.Fatalf("answers = %+v, want exactly one SUCCESS", got)
	}
	if ex := w.Steps.Executions(); len(ex) != 1 {
		t.Fatalf("executions = %+v, want one: the duplicate finds its name taken", ex)
	}
}

func TestAFailedInvocationIsRetriedAndACrashThatPersistsIsAnswered(t *testing.T) {
	t.Parallel() // it waits on real timers
	t.Run("throttled, then a crash: retried, one SUCCESS", func(t *testing.T) {
		w, s3, _ := waits(t, verifiedAfter(400*time.Millisecond))
		w.Fault = func(n int) (string, bool) {
			switch n {
			case 2:
				return "Lambda.TooManyRequestsException", false
			case 3:
				return "Runtime.ExitError", true
			}
			return "", false
		}
		w.Send(verification(cfn.RequestCreate, "5"))
		w.Steps.WaitIdle(10 * time.Second)
		if got := s3.Responses(); len(got) != 1 || got[0].Status != cfn.StatusSuccess {
			t.Fatalf("answers = %+v, want exactly one SUCCESS", got)
		}
	})
	t.Run("crashing every time: one FAILED naming the error", func(t *testing.T) {
		w, s3, _ := waits(t, svcConfig("pendingVerification"))
		var works atomic.Int32
		w.Fault = func(n int) (string, bool) {
			if works.Add(1) <= 3 { // Work and its two retries; the Answer runs
				return "Runtime.ExitError", false
			}
			return "", false
		}
		w.Send(verification(cfn.RequestCreate, "5"))
		w.Steps.WaitIdle(10 * time.Second)
		got := s3.Responses()
		if len(got) != 1 || got[0].Status != cfn.StatusFailed || !strings.Contains(got[0].Reason, "the wait failed after 0 invocations (Runtime.ExitError: injected by the test); see the state machine's execution ") {
			t.Fatalf("answers = %+v, want one FAILED naming Runtime.ExitError", got)
		}
	})
}

func TestDeletingDuringAWaitEndsTheWaitAndSucceeds(t *testing.T) {
	t.Parallel() // it waits on real timers
	w, s3, ec2 := waits(t, svcConfig("pendingVerification"))
	w.Send(verification(cfn.RequestCreate, "30"))
	time.Sleep(300 * time.Millisecond) // into the second invocation
	del := verification(cfn.RequestDelete, "30")
	del.RequestID = "delete-request-id"
	w.Send(del)
	w.Steps.WaitIdle(5 * time.Second)

	got := s3.Responses()
	if len(got) != 1 || got[0].RequestID != "delete-request-id" || got[0].Status != cfn.StatusSuccess {
		t.Fatalf("answers = %+v, want only the Delete's SUCCESS (CloudFormation gave up on the Create)", got)
	}
	if ex := w.Steps.Executions(); len(ex) != 1 || ex[0].Status != "ABORTED" {
		t.Fatalf("executions = %+v, want the Create's wait ABORTED", ex)
	}
	// The invocation in flight ends with its share (150 ms); nothing reads after that.
	time.Sleep(200 * time.Millisecond)
	reads := len(ec2.Calls("DescribeVpcEndpointServiceConfigurations"))
	time.Sleep(300 * time.Millisecond)
	if more := len(ec2.Calls("DescribeVpcEndpointServiceConfigurations")) - reads; more > 0 {
		t.Errorf("%d reads of the service well after its Delete: the wait went on", more)
	}
}

// signedAt is ResponseURL as CloudFormation pre-signs it (SigV4) at t.
func signedAt(t time.Time) string {
	return cfntest.ResponseURL + "&X-Amz-Date=" + t.UTC().Format("20060102T150405Z") + "&X-Amz-Expires=7200"
}

func TestARollbackSupersedesTheWaitItCancelled(t *testing.T) {
	t.Parallel()               // it waits on real timers
	var rolledBack atomic.Bool // pending until the rollback, verified from then on
	w, s3, _ := waits(t, func(f url.Values) (int, string) {
		if rolledBack.Load() {
			return svcConfig("verified")(f)
		}
		return svcConfig("pendingVerification")(f)
	})
	forward := verification(cfn.RequestUpdate, "30")
	forward.RequestID = "forward"
	w.Send(forward)
	time.Sleep(1100 * time.Millisecond) // CloudFormation cancels it when another resource fails
	rollback := verification(cfn.RequestUpdate, "30")
	rollback.RequestID, rollback.ResponseURL = "rollback", signedAt(time.Now())
	w.Send(rollback)
	rolledBack.Store(true)
	w.Steps.WaitIdle(10 * time.Second)

	got := s3.Responses()
	if len(got) != 1 || got[0].RequestID != "rollback" || got[0].Status != cfn.StatusSuccess {
		t.Fatalf("answers = %+v, want only the rollback's SUCCESS", got)
	}
	status := map[string]string{}
	for _, e := range w.Steps.Executions() {
		status[e.Name[strings.LastIndex(e.Name, "-")+1:]] = e.Status
	}
	if status["forward"] != "ABORTED" || status["rollback"] != "SUCCEEDED" {
		t.Fatalf("executions = %v, want the forward wait ABORTED and the rollback's SUCCEEDED", status)
	}
}

func TestALateDuplicateDeleteLeavesALaterWaitAlone(t *testing.T) {
	t.Parallel() // it waits on real timers
	w, s3, _ := waits(t, verifiedAfter(500*time.Millisecond))
	w.Send(verification(cfn.RequestCreate, "30"))
	// The Delete of an earlier, rolled-back Create, delivered again by Lambda's queue.
	late := verification(cfn.RequestDelete, "30")
	late.RequestID, late.ResponseURL = "old-delete", signedAt(time.Now().Add(-time.Minute))
	w.Send(late)
	w.Steps.WaitIdle(10 * time.Second)

	if ex := w.Steps.Executions(); len(ex) != 1 || ex[0].Status != "SUCCEEDED" {
		t.Fatalf("executions = %+v, want the Create's wait to finish", ex)
	}
	if got := s3.Responses(); len(got) != 2 || got[1].Status != cfn.StatusSuccess || got[1].Data["State"] != "verified" {
		t.Fatalf("answers = %+v, want the Delete's and the Create's SUCCESS", got)
	}
}

func TestALateFirstDeliveryOfAnEarlierRequestStartsNoStaleWait(t *testing.T) {
	t.Parallel() // it waits on real timers
	w, s3, _ := waits(t, verifiedAfter(500*time.Millisecond))
	current := verification(cfn.RequestUpdate, "30")
	current.RequestID, current.ResponseURL = "current", signedAt(time.Now())
	w.Send(current)
	earlier := verification(cfn.RequestUpdate, "30")
	earlier.RequestID, earlier.ResponseURL = "earlier", signedAt(time.Now().Add(-time.Minute))
	w.Send(earlier)
	w.Steps.WaitIdle(10 * time.Second)
	if ex := w.Steps.Executions(); len(ex) != 1 || !strings.HasSuffix(ex[0].Name, "-current") || ex[0].Status != "SUCCEEDED" {
		t.Fatalf("executions = %+v, want only the current request's, finished", ex)
	}
	if got := s3.Responses(); len(got) != 1 || got[0].RequestID != "current" {
		t.Fatalf("answers = %+v, want only the current request's", got)
	}
}

func TestARequestCloudFormationGaveUpOnIsNotServed(t *testing.T) {
	w, s3, ec2 := waits(t, svcConfig("verified"))
	stale := verification(cfn.RequestCreate, "30")
	stale.ResponseURL = signedAt(time.Now().Add(-2 * time.Hour)) // six hours is the async queue's limit
	w.Send(stale)
	if ex, got := w.Steps.Executions(), s3.Responses(); len(ex) != 0 || len(got) != 0 || len(ec2.Calls("")) != 0 {
		t.Fatalf("executions %+v, answers %+v, %d EC2 calls; want nothing done", ex, got, len(ec2.Calls("")))
	}
}
