// Package cfntest receives CloudFormation custom-resource responses in tests: an https server
// standing in for the pre-signed S3 URL, and a Responder wired to it.
package cfntest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/constructs/internal/cfnresponse"
)

// ResponseURL looks like CloudFormation's pre-signed URL; the test client dials the local server
// whatever the host, so the production URL check runs unchanged.
const ResponseURL = "https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation/stack?X-Amz-Signature=abc"

// Server records every response PUT to it.
type Server struct {
	srv       *httptest.Server
	mu        sync.Mutex
	responses []cfn.Response
	methods   []string
	// Status is what the server answers. Default: 200.
	Status int
}

// New starts a server closed at the end of the test.
func New(t testing.TB) *Server {
	s := &Server{Status: http.StatusOK}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var resp cfn.Response
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Errorf("response body is not JSON: %v: %s", err, body)
		}
		s.mu.Lock()
		s.responses = append(s.responses, resp)
		s.methods = append(s.methods, r.Method+" "+r.Header.Get("Content-Type"))
		status := s.Status
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// Responder answers to this server through a client that routes every host to it.
func (s *Server) Responder() cfnresponse.Responder {
	client := s.srv.Client()
	tr := client.Transport.(*http.Transport).Clone()
	addr := s.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com" // the name in httptest's certificate
	return cfnresponse.Responder{Client: &http.Client{Transport: tr, Timeout: 5 * time.Second}, Reserve: 50 * time.Millisecond}
}

// Responses returns what was received so far.
func (s *Server) Responses() []cfn.Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]cfn.Response(nil), s.responses...)
}

// Methods returns "METHOD content-type" of every request received.
func (s *Server) Methods() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.methods...)
}

// Event is a CloudFormation request for resourceType answered to ResponseURL.
func Event(requestType cfn.RequestType, resourceType string, props map[string]any) cfn.Event {
	ev := cfn.Event{
		RequestType:        requestType,
		RequestID:          "unique-request-id",
		ResponseURL:        ResponseURL,
		ResourceType:       resourceType,
		LogicalResourceID:  "Acceptance",
		StackID:            "arn:aws:cloudformation:eu-west-1:222222222222:stack/Consumer/guid",
		ResourceProperties: props,
	}
	if requestType != cfn.RequestCreate {
		ev.PhysicalResourceID = "existing-id"
	}
	return ev
}
