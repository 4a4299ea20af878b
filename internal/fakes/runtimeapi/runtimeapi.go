// Package runtimeapi is a local AWS Lambda Runtime API for end-to-end tests: it runs a built
// `bootstrap` as a child process, hands it events through
// /2018-06-01/runtime/invocation/next and collects what it posts to the response and error
// endpoints — the contract the provided.al2023 runtime holds the binary to.
package runtimeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	handlers "github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/synth/gobuild"
)

const prefix = "/2018-06-01/runtime"

// Result is how one invocation ended.
type Result struct {
	RequestID string
	// Response is the body posted to /invocation/{id}/response, nil if the function failed.
	Response json.RawMessage
	// Error is the body posted to /invocation/{id}/error, nil if the function succeeded.
	Error *FunctionError
}

// FunctionError is the Runtime API's error document.
type FunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	arn      string // the ARN the invoker named; "" for DefaultInvokedArn
	done     chan Result
}

// DefaultInvokedArn is the function ARN Invoke hands the function (unqualified).
const DefaultInvokedArn = "arn:aws:lambda:eu-west-1:111111111111:function:e2e"

// Server is the Runtime API plus the process it serves.
type Server struct {
	t       testing.TB
	srv     *httptest.Server
	queue   chan *invocation
	closing chan struct{}
	exited  chan struct{}

	started time.Time     // when the process was started
	asked   chan struct{} // closed at the first /invocation/next: the end of Lambda's Init phase
	askOnce sync.Once
	askedAt time.Time

	mu       sync.Mutex
	inflight map[string]*invocation
	initErr  *FunctionError
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	seq      int
}

// Binary is the library's Lambda binary built for this machine with the asset's tags and linker
// flags (gobuild.HostBinary), so the test runs the program Lambda runs. `go test -short` skips
// the test.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstrap")
	}
	switch runtime.GOOS {
	case "darwin", "ios", "windows":
		// These verify TLS through the OS, so the child could never trust the S3 stand-in.
		t.Skip("the S3 stand-in is trusted through SSL_CERT_FILE, which Go honours on Linux and the BSDs only")
	}
	bin, err := gobuild.HostBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// awsEnv sends the function's EC2 calls to ec2Endpoint with static credentials, and keeps shared
// config files and instance metadata out of it, so nothing can reach AWS.
func awsEnv(t testing.TB, ec2Endpoint string) []string {
	none := filepath.Join(t.TempDir(), "none")
	return []string{
		"AWS_ENDPOINT_URL_EC2=" + ec2Endpoint, "AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token",
		"AWS_CONFIG_FILE=" + none, "AWS_SHARED_CREDENTIALS_FILE=" + none, "AWS_EC2_METADATA_DISABLED=true",
	}
}

// StartLocal runs the bootstrap as a function whose handler is handler (package handler), with
// its EC2 calls sent to ec2Endpoint and its CloudFormation answers reaching s3, plus env (the
// function's own variables).
func StartLocal(t testing.TB, handler, ec2Endpoint string, s3 *cfntest.Server, env ...string) *Server {
	t.Helper()
	bin := Binary(t)
	return start(t, bin, handler, append(append(s3.ProcessEnv(t), awsEnv(t, ec2Endpoint)...), env...)...)
}

// start runs bin as handler (package handler) with env plus AWS_LAMBDA_RUNTIME_API and the
// variables Lambda always sets. The process is killed and the server
// closed at the end of the test.
func start(t testing.TB, bin, handler string, env ...string) *Server {
	s := &Server{t: t, queue: make(chan *invocation), closing: make(chan struct{}), exited: make(chan struct{}), asked: make(chan struct{}), inflight: map[string]*invocation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/invocation/next", s.next)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/response", s.finish(false))
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/error", s.finish(true))
	mux.HandleFunc("POST "+prefix+"/init/error", func(w http.ResponseWriter, r *http.Request) {
		var fe FunctionError
		_ = json.NewDecoder(r.Body).Decode(&fe)
		s.mu.Lock()
		s.initErr = &fe
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(s.closing)
		s.srv.Close()
	})

	cmd := exec.Command(bin)
	cmd.Env = append(env,
		"AWS_LAMBDA_RUNTIME_API="+s.srv.Listener.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=e2e", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"_HANDLER=bootstrap", handlers.Env+"="+handler, "LAMBDA_TASK_ROOT=/var/task", "TZ=:UTC",
	)
	cmd.Stdout, cmd.Stderr = syncWriter{&s.mu, &s.stdout}, syncWriter{&s.mu, &s.stderr}
	s.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.exited
	})
	return s
}

// InitDuration runs bin as a function whose handler is handler until it first asks for an
// invocation, and returns how long that took from starting the process: what Lambda reports as
// Init Duration, less its own sandbox start, on this machine. Nothing leaves the machine: the AWS
// calls of the handler's init (none today) would go to a closed port.
func InitDuration(t testing.TB, bin, handler string) time.Duration {
	t.Helper()
	s := start(t, bin, handler, awsEnv(t, "http://127.0.0.1:9")...)
	select {
	case <-s.asked:
		return s.askedAt.Sub(s.started)
	case <-s.exited:
		t.Fatalf("the %s handler exited during its init\n%s", handler, s.output())
	case <-time.After(10 * time.Second):
		t.Fatalf("the %s handler did not ask for an invocation within 10 s\n%s", handler, s.output())
	}
	return 0
}

// Invoke hands payload to the function with timeout as its remaining time and waits for the
// outcome. It fails the test if the process dies or does not answer within timeout plus a grace.
func (s *Server) Invoke(payload []byte, timeout time.Duration) Result {
	s.t.Helper()
	return s.InvokeAs(payload, timeout, "")
}

// InvokeAs is Invoke through invokedArn, the ARN the invoker named (an alias's, say), which the
// Runtime API hands the function in Lambda-Runtime-Invoked-Function-Arn (Lambda Developer Guide,
// "Using the Lambda runtime API for custom runtimes": "The ARN of the Lambda function, version,
// or alias that's specified in the invocation"); "" for DefaultInvokedArn.
func (s *Server) InvokeAs(payload []byte, timeout time.Duration, invokedArn string) Result {
	s.t.Helper()
	if invokedArn == "" {
		invokedArn = DefaultInvokedArn
	}
	s.mu.Lock()
	s.seq++
	inv := &invocation{id: fmt.Sprintf("e2e-%04d", s.seq), payload: payload, deadline: time.Now().Add(timeout), arn: invokedArn, done: make(chan Result, 1)}
	s.mu.Unlock()
	wait := time.After(timeout + 5*time.Second)
	select {
	case s.queue <- inv:
	case <-s.exited:
		s.t.Fatalf("the function exited before taking invocation %s\n%s", inv.id, s.output())
	case <-wait:
		s.t.Fatalf("the function never asked for invocation %s\n%s", inv.id, s.output())
	}
	select {
	case r := <-inv.done:
		return r
	case <-s.exited:
		s.t.Fatalf("the function exited during invocation %s\n%s", inv.id, s.output())
	case <-wait:
		s.t.Fatalf("invocation %s got no answer within %s\n%s", inv.id, timeout, s.output())
	}
	return Result{}
}

// Stdout is what the function has written to standard output (its logs) so far.
func (s *Server) Stdout() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String()
}

// StdoutHas waits up to within for want in what the function wrote to standard output after its
// first from bytes: a line written before an answer may reach the buffer after it, as exec copies
// the pipe in a goroutine of its own.
func (s *Server) StdoutHas(from int, want string, within time.Duration) bool {
	has := func() bool { out := s.Stdout(); return len(out) >= from && strings.Contains(out[from:], want) }
	for end := time.Now().Add(within); !has() && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	return has()
}

func (s *Server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := "stdout:\n" + s.stdout.String() + "\nstderr:\n" + s.stderr.String()
	if s.initErr != nil {
		out = fmt.Sprintf("init error: %s: %s\n", s.initErr.Type, s.initErr.Message) + out
	}
	return out
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.askOnce.Do(func() {
		s.askedAt = time.Now()
		close(s.asked)
	})
	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	case <-s.closing:
		return
	}
	s.mu.Lock()
	s.inflight[inv.id] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

func (s *Server) finish(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		inv := s.inflight[id]
		delete(s.inflight, id)
		s.mu.Unlock()
		if inv == nil {
			http.Error(w, "unknown or already answered request ID "+id, http.StatusBadRequest)
			return
		}
		res := Result{RequestID: id}
		if failed {
			res.Error = &FunctionError{}
			if err := json.Unmarshal(body, res.Error); err != nil {
				res.Error.Message = "unparseable error document: " + string(body)
			}
		} else {
			res.Response = json.RawMessage(body)
		}
		inv.done <- res
		w.WriteHeader(http.StatusAccepted)
	}
}

type syncWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}
