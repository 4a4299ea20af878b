// Package cfnresponse runs a CloudFormation custom-resource handler so that CloudFormation
// always gets an answer: success, failure, panic or timeout. The response body is aws-lambda-go's
// cfn.Response; this package adds what cfn.LambdaWrap lacks: a response URL allow-list (no SSRF
// through a forged event), a deadline kept ahead of the Lambda timeout, an HTTP client with a
// timeout, and the panic value in the logs.
package cfnresponse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/internal/spec/waitspec"
)

// Func does the work of one custom-resource request.
type Func func(ctx context.Context, ev cfn.Event) (physicalID string, data map[string]any, err error)

// Responder sends the answer for a custom-resource request.
type Responder struct {
	// Client PUTs the response. Default: an http.Client with a 30 s timeout.
	Client *http.Client
	// CheckURL vets the ResponseURL before anything else happens. Default: ValidateResponseURL.
	CheckURL func(string) error
	// Reserve is kept back from the invocation deadline to send a timeout answer. Default: 10 s.
	Reserve time.Duration
	// Logger receives one structured line per decision. Default: slog.Default().
	Logger *slog.Logger
	// Waiting lists the resource types whose Create and Update wait in a state machine (see
	// Serve). Default: none.
	Waiting []string
	// Steps starts and stops those waits. Required with Waiting.
	Steps StepsAPI
	// IAMWait bounds the retries of an authorization error on StartExecution. Default: 2 minutes.
	IAMWait time.Duration
	// RetryDelay is the first wait before a failed response PUT is sent again; it doubles on
	// each of the four retries. Default: 1 s.
	RetryDelay time.Duration
}

// s3Host matches the Amazon S3 hosts CloudFormation uses for pre-signed response URLs
// (cloudformation-custom-resource-response-<region>.s3[.-]<region>.<suffix>, virtual-hosted or
// path style), in every partition: the DNS suffixes are those of aws-sdk-go-v2's partitions.json
// (amazonaws.com, amazonaws.com.cn, c2s.ic.gov, sc2s.sgov.gov, cloud.adc-e.uk, csp.hci.ic.gov,
// amazonaws.eu). Any Region-shaped name is admitted so a new Region is never left unanswered.
var s3Host = regexp.MustCompile(`^([a-z0-9.-]+\.)?s3([.-](fips[.-])?(dualstack\.)?[a-z]{2,4}(-[a-z]+)+-\d)?\.(` + suffixes() + `)$`)

func suffixes() string {
	var out []string
	for _, p := range awsid.Partitions {
		if q := regexp.QuoteMeta(p.DNSSuffix); !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return strings.Join(out, "|")
}

// responseBucket is the name of CloudFormation's custom-resource response buckets,
// cloudformation-custom-resource-response-<Region without dashes> (the ResponseURL of the
// CloudFormation message event in the Lambda Developer Guide, "Using AWS Lambda with
// CloudFormation", in aws and aws-cn; the same scheme in every partition).
var responseBucket = regexp.MustCompile(`^cloudformation-custom-resource-response-[a-z0-9]+$`)

// ValidateResponseURL accepts only https pre-signed URLs of CloudFormation's custom-resource
// response buckets: a function anyone in an allowed account may invoke must never PUT to a URL
// the caller chose (another bucket, or a host that is not S3 at all).
func ValidateResponseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("ResponseURL is not a URL: %w", err)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("ResponseURL scheme %q refused: only https S3 pre-signed URLs are answered", u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	m := s3Host.FindStringSubmatch(host)
	if u.User != nil || u.Port() != "" || m == nil {
		return fmt.Errorf("ResponseURL host %q refused: only Amazon S3 hosts are answered", u.Host)
	}
	// Virtual-hosted style names the bucket in the host, path style in the first segment.
	bucket := strings.TrimSuffix(m[1], ".")
	if bucket == "" {
		bucket, _, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	}
	if !responseBucket.MatchString(bucket) {
		return fmt.Errorf("ResponseURL bucket %q refused: only CloudFormation's custom-resource response buckets (cloudformation-custom-resource-response-<region>) are answered", bucket)
	}
	return nil
}

// Handle runs fn for ev and PUTs the result to ev.ResponseURL. The returned error is only about
// delivering the response (or refusing to); fn's own failure is reported to CloudFormation.
func (r Responder) Handle(ctx context.Context, ev cfn.Event, fn Func) error {
	log := r.logger().With("requestType", string(ev.RequestType), "logicalResourceId", ev.LogicalResourceID, "stackId", ev.StackID)
	if err := r.checkURL(ev.ResponseURL); err != nil {
		// Without a trustworthy URL there is nobody to answer; never send a request.
		log.Error("refusing event", "error", err.Error())
		return err
	}

	workCtx, cancel := r.workContext(ctx)
	defer cancel()
	return r.respond(ctx, ev, r.run(workCtx, ev, fn, log))
}

// outcome is how one run of a Func ended.
type outcome struct {
	id   string
	data map[string]any
	err  error
}

// run runs fn until it returns, panics or ctx ends.
func (r Responder) run(ctx context.Context, ev cfn.Event, fn Func, log *slog.Logger) outcome {
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				done <- outcome{err: fmt.Errorf("internal error (panic: %v); see the function's log stream", p)}
			}
		}()
		id, data, err := fn(ctx, ev)
		done <- outcome{id, data, err}
	}()
	select {
	case out := <-done:
		return out
	case <-ctx.Done():
	}
	// A handler that honours ctx returns at once, with what it was still waiting for.
	select {
	case out := <-done:
		return out
	case <-time.After(r.reserve() / 2):
		return outcome{err: Pending(fmt.Errorf("timed out before the Lambda deadline: %w", context.Cause(ctx)))}
	}
}

// SuccessReason is a data key whose string value becomes the Reason of a SUCCESS answer (and is
// not sent as data): for a success that the stack's events should explain.
const SuccessReason = "privatelink:reason"

// respond sends out as the one answer to ev.
func (r Responder) respond(ctx context.Context, ev cfn.Event, out outcome) error {
	log := r.logger().With("requestType", string(ev.RequestType), "logicalResourceId", ev.LogicalResourceID, "stackId", ev.StackID)
	resp := cfn.NewResponse(&ev)
	// A stable physical ID: keep the one CloudFormation knows; on Create fall back to a value
	// derived from the logical ID (the request ID would change on a retried create).
	resp.PhysicalResourceID = ev.PhysicalResourceID
	if resp.PhysicalResourceID == "" {
		resp.PhysicalResourceID = ev.LogicalResourceID
	}
	if out.id != "" {
		resp.PhysicalResourceID = out.id
	}
	if out.err != nil {
		resp.Status = cfn.StatusFailed
		// The whole response must stay under 4096 bytes once JSON-escaped (custom resource
		// response objects); 3000 leaves room for escapes and the IDs.
		resp.Reason = truncate(out.err.Error(), 3000)
	} else {
		resp.Status = cfn.StatusSuccess
		resp.Data = out.data
		if reason, ok := out.data[SuccessReason].(string); ok {
			// CloudFormation shows a SUCCESS's Reason in the stack's events.
			resp.Reason = truncate(reason, 3000)
			resp.Data = maps.Clone(out.data)
			delete(resp.Data, SuccessReason)
		}
	}
	log.Info("answering CloudFormation", "status", string(resp.Status), "physicalResourceId", resp.PhysicalResourceID, "reason", resp.Reason)
	return r.send(ctx, ev.ResponseURL, resp)
}

func (r Responder) reserve() time.Duration {
	if r.Reserve == 0 {
		return 10 * time.Second
	}
	return r.Reserve
}

func (r Responder) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadlineCause(ctx, dl.Add(-r.reserve()), errors.New("the handler's time budget ran out"))
	}
	return context.WithCancel(ctx)
}

// send PUTs resp, retrying a failed attempt (a network error or a 5xx from S3) up to four times
// with backoff, as aws-cdk-lib's provider framework does (custom-resources runtime
// cfn-response.ts): one lost PUT would otherwise leave CloudFormation waiting until ServiceTimeout.
// A repeated PUT carries the same body.
func (r Responder) send(ctx context.Context, responseURL string, resp *cfn.Response) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	delay := r.RetryDelay
	if delay == 0 {
		delay = time.Second
	}
	for attempt := 1; ; attempt++ {
		retry, err := r.put(ctx, responseURL, body)
		// Never past the invocation's deadline: a PUT takes up to 30 s.
		late := false
		if dl, ok := ctx.Deadline(); ok {
			late = time.Until(dl) < delay+30*time.Second
		}
		if err == nil || !retry || attempt == 5 || late {
			return err
		}
		r.logger().Warn("retrying the CloudFormation response", "attempt", attempt, "error", err.Error())
		time.Sleep(delay)
		delay *= 2
	}
}

// put sends body once; retry tells whether another attempt may succeed.
func (r Responder) put(ctx context.Context, responseURL string, body []byte) (retry bool, err error) {
	// The response must go out even if the invocation's context is already done.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(sendCtx, http.MethodPut, responseURL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("build response request: %w", err)
	}
	// Pre-signed URLs are signed without a content type; sending one breaks the signature.
	req.Header.Del("Content-Type")
	req.ContentLength = int64(len(body))
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		r.logger().Error("could not deliver the CloudFormation response", "error", err.Error())
		return true, fmt.Errorf("send response: %w", err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		r.logger().Error("CloudFormation response rejected", "status", res.StatusCode, "body", string(msg))
		return res.StatusCode >= 500, fmt.Errorf("send response: HTTP %d", res.StatusCode)
	}
	return false, nil
}

func (r Responder) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Bool reads a CloudFormation property that may arrive as a bool or as the string "true".
func Bool(v any) (bool, error) {
	switch t := v.(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(t) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
	}
	return false, fmt.Errorf("%v is not a boolean", v)
}

// TimeoutSeconds reads a TimeoutSeconds property, a string or a number of whole seconds from 1
// to waitspec.MaxWait (3300), as a duration.
func TimeoutSeconds(v any) (time.Duration, error) {
	secs, err := strconv.Atoi(fmt.Sprint(v))
	if err != nil || secs < 1 || secs > int(waitspec.MaxWait.Seconds()) {
		return 0, fmt.Errorf("TimeoutSeconds %v must be a whole number of seconds between 1 and %d", v, int(waitspec.MaxWait.Seconds()))
	}
	return time.Duration(secs) * time.Second, nil
}
