// Package ec2fake is a local stand-in for the Amazon EC2 API that speaks its Query protocol
// (form-encoded POST in, XML out), so handler tests drive the real aws-sdk-go-v2 client —
// serialization, pagination tokens, error codes and retries included — without AWS.
package ec2fake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// Handler answers one call: the HTTP status and the XML body.
type Handler func(form url.Values) (status int, body string)

// Server records calls and answers them with the handler registered for their Action.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	handlers map[string]Handler
	calls    []url.Values
}

// New starts a fake closed at the end of the test. Unknown actions answer like EC2 does
// for an unsupported operation, so a test fails loudly on calls it did not expect.
func New(t testing.TB) *Server {
	s := &Server{handlers: map[string]Handler{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// On registers the handler for an action, replacing any earlier one.
func (s *Server) On(action string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[action] = h
}

// Handler returns the handler registered for action, or nil.
func (s *Server) Handler(action string) Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handlers[action]
}

// Calls returns the forms of every call to action, in order ("" for all calls).
func (s *Server) Calls(action string) []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []url.Values
	for _, c := range s.calls {
		if action == "" || c.Get("Action") == action {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form := r.PostForm
	s.mu.Lock()
	s.calls = append(s.calls, form)
	h := s.handlers[form.Get("Action")]
	s.mu.Unlock()
	status, body := http.StatusBadRequest, Error("InvalidAction", "The action "+form.Get("Action")+" is not valid for this web service.")
	if h != nil {
		status, body = h(form)
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// Client returns a real EC2 client pointed at the fake, with static credentials and retries
// whose backoff is short enough for tests but otherwise the SDK's standard retryer.
func (s *Server) Client() *ec2.Client {
	return ec2.New(ec2.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 5
			o.Backoff = retry.NewExponentialJitterBackoff(20 * time.Millisecond)
			o.RateLimiter = noRateLimit{}
		}),
	})
}

type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

// OK wraps inner elements in the response envelope EC2 uses for action.
func OK(action, inner string) (int, string) {
	return http.StatusOK, fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    %s
</%sResponse>`, action, inner, action)
}

// Error is EC2's error document.
func Error(code, message string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>`, code, message)
}

// Throttled is EC2's throttling answer.
func Throttled(url.Values) (int, string) {
	return http.StatusServiceUnavailable, Error("RequestLimitExceeded", "Request limit exceeded.")
}

// Unavailable is a 500 from EC2.
func Unavailable(url.Values) (int, string) {
	return http.StatusInternalServerError, Error("InternalError", "An internal error has occurred.")
}

// Fail answers with a client error.
func Fail(code, message string) Handler {
	return func(url.Values) (int, string) { return http.StatusBadRequest, Error(code, message) }
}

// Sequence answers with each handler once, in order, then keeps using the last.
func Sequence(hs ...Handler) Handler {
	var mu sync.Mutex
	i := 0
	return func(f url.Values) (int, string) {
		mu.Lock()
		h := hs[i]
		if i < len(hs)-1 {
			i++
		}
		mu.Unlock()
		return h(f)
	}
}
