// Package cfntest receives CloudFormation custom-resource responses in tests: an https server
// standing in for the pre-signed S3 URL, reachable in-process through Responder and from a
// child process (a built Lambda bootstrap) through ProcessEnv.
package cfntest

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

// ResponseHost is the S3 host of ResponseURL; the server's certificate is valid for it, so the
// production URL check and TLS verification both run unchanged.
const ResponseHost = "cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com"

// ResponseURL looks like CloudFormation's pre-signed URL.
const ResponseURL = "https://" + ResponseHost + "/arn%3Aaws%3Acloudformation/stack?X-Amz-Signature=abc"

// Server records every response PUT to it.
type Server struct {
	srv       *httptest.Server
	certPEM   []byte
	mu        sync.Mutex
	responses []cfn.Response
	methods   []string
	// Status is what the server answers. Default: 200.
	Status int
	// FailNext answers that many of the next requests 503 Service Unavailable (and does not
	// record them).
	FailNext int
}

// New starts a server closed at the end of the test.
func New(t testing.TB) *Server {
	s := &Server{Status: http.StatusOK}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var resp cfn.Response
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Errorf("response body is not JSON: %v: %s", err, body)
		}
		s.mu.Lock()
		if s.FailNext > 0 {
			s.FailNext--
			s.mu.Unlock()
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		s.responses = append(s.responses, resp)
		s.methods = append(s.methods, r.Method+" "+r.Header.Get("Content-Type"))
		status := s.Status
		s.mu.Unlock()
		w.WriteHeader(status)
	}))
	cert, certPEM := selfSigned(t, ResponseHost)
	s.certPEM = certPEM
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	return s
}

// Responder answers to this server through a client that trusts its certificate and dials it
// whatever the host.
func (s *Server) Responder() cfnresponse.Responder {
	tr := s.srv.Client().Transport.(*http.Transport).Clone()
	addr := s.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return cfnresponse.Responder{Client: &http.Client{Transport: tr, Timeout: 5 * time.Second}, Reserve: 50 * time.Millisecond, RetryDelay: time.Millisecond}
}

// ProcessEnv returns the environment that makes a child process's default HTTP client reach this
// server for ResponseURL: an HTTPS_PROXY that tunnels every CONNECT here, and SSL_CERT_FILE
// holding the server's certificate as the only trusted root. Nothing in the child is changed for
// the test; loopback addresses (a local EC2 fake, the Runtime API) bypass the proxy as usual.
func (s *Server) ProcessEnv(t testing.TB) []string {
	certFile := filepath.Join(t.TempDir(), "s3-standin.pem")
	if err := os.WriteFile(certFile, s.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	target := s.srv.Listener.Addr().String()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "only CONNECT", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go pipe(upstream, buf.Reader, conn)
	}))
	t.Cleanup(proxy.Close)
	return []string{"HTTPS_PROXY=" + proxy.URL, "SSL_CERT_FILE=" + certFile, "NO_PROXY=", "no_proxy="}
}

func pipe(upstream net.Conn, client *bufio.Reader, conn net.Conn) {
	defer conn.Close()
	defer upstream.Close()
	go io.Copy(upstream, client)
	io.Copy(conn, upstream)
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

// selfSigned makes a short-lived certificate for host that is its own root.
func selfSigned(t testing.TB, host string) (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// Main is the TestMain of the handler packages. Their slow tests wait on real timers — a wait's
// deadline is whole seconds (TimeoutSeconds), an IAM retry a second — not on the CPU, so they
// run 16 at a time (or one per core where there are more) instead of go test's default of one
// per core, unless -parallel is given: lambda/provider's -short tests take 1.25 s at 16, 1.64 s
// at 8, 4.95 s at 2 (docs/performance.md).
func Main(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(max(16, runtime.GOMAXPROCS(0))))
	}
	os.Exit(m.Run())
}
