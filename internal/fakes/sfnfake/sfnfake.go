// Package sfnfake is a local stand-in for AWS Step Functions: the StartExecution, StopExecution,
// ListExecutions and DescribeExecution calls over its JSON protocol, and Standard workflow
// executions interpreted from their Amazon States Language — the subset this module's
// definitions use (Task with the optimized Lambda integration, Retry, Catch, Choice). Each rule
// names its source: the Step Functions API reference (API), the Amazon States Language
// specification (ASL, states-language.net) or the Step Functions Developer Guide (Guide).
package sfnfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// Invoker runs one Lambda invocation for a Task: the function's response, or the error name and
// cause Step Functions reports (a function error's errorType, or one of the Lambda.* errors when
// the invocation itself failed).
type Invoker func(functionArn string, payload []byte, timeout time.Duration) (response []byte, errName, cause string)

// Execution is one execution's record.
type Execution struct {
	Arn, Name, Machine string
	Input              string
	// Status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED (API: DescribeExecution).
	Status      string
	Error       string
	Output      string
	Invocations int
	Start       time.Time
	stop        chan struct{}
}

type machine struct {
	arn, definition string
	invoke          Invoker
}

// Server is the fake.
type Server struct {
	*httptest.Server
	t  testing.TB
	mu sync.Mutex
	// Speed divides every Retry interval (ASL: IntervalSeconds), so tests need not wait them.
	// Default: 1000.
	Speed float64

	machines   map[string]*machine
	executions []*Execution
	running    sync.WaitGroup
}

// New starts a fake closed at the end of the test.
func New(t testing.TB) *Server {
	s := &Server{t: t, Speed: 1000, machines: map[string]*machine{}}
	s.Server = httptest.NewServer(s.handler(nil))
	t.Cleanup(s.Close)
	return s
}

// Endpoint serves the same Step Functions to one caller: authorize decides each of its calls
// (IAM), returning the denied resource or "".
func (s *Server) Endpoint(authorize func(action, resource string) string) string {
	srv := httptest.NewServer(s.handler(authorize))
	s.t.Cleanup(srv.Close)
	return srv.URL
}

// Client is an SDK client of the fake with static credentials and no retries (so a test sees
// each error the fake returns).
func (s *Server) Client() *sfn.Client { return clientOf(s.URL) }

// ClientFor is a Client whose calls authorize decides (see Endpoint).
func (s *Server) ClientFor(authorize func(action, resource string) string) *sfn.Client {
	return clientOf(s.Endpoint(authorize))
}

func clientOf(endpoint string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:     aws.NopRetryer{},
	})
}

// Machine registers a state machine: its definition after DefinitionSubstitutions
// (AWS::StepFunctions::StateMachine replaces each ${key}), and what its Lambda tasks invoke.
func (s *Server) Machine(arn, definition string, substitutions map[string]string, invoke Invoker) {
	for k, v := range substitutions {
		definition = strings.ReplaceAll(definition, "${"+k+"}", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines[arn] = &machine{arn: arn, definition: definition, invoke: invoke}
}

// Delete removes a state machine (its running executions stop: API, DeleteStateMachine).
func (s *Server) Delete(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.machines, arn)
	for _, e := range s.executions {
		if e.Machine == arn && e.Status == "RUNNING" {
			e.Status = "ABORTED"
			close(e.stop)
		}
	}
}

// Executions returns a copy of every execution so far.
func (s *Server) Executions() []Execution {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Execution
	for _, e := range s.executions {
		out = append(out, *e)
	}
	return out
}

// WaitIdle waits until no execution runs, failing the test after timeout.
func (s *Server) WaitIdle(timeout time.Duration) {
	s.t.Helper()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		s.t.Fatalf("executions still running after %s: %+v", timeout, s.Executions())
	}
}

// validName: 1 to 80 characters; letters, digits, '-' and '_' are what this module uses (API:
// StartExecution, name — whitespace, brackets, wildcards, special and control characters are
// refused).
var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Server) handler(authorizer func(action, resource string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, authorizer) }
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, authorizer func(action, resource string) string) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	str := func(k string) string { v, _ := in[k].(string); return v }
	fail := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	ok := func(v any) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_ = json.NewEncoder(w).Encode(v)
	}
	authorize := func(action, resource string) bool {
		if authorizer == nil {
			return true
		}
		if denied := authorizer(action, resource); denied != "" {
			fail(http.StatusBadRequest, "AccessDeniedException", "not authorized to perform: "+action+" on resource: "+denied)
			return false
		}
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case "StartExecution":
		arn, name, input := str("stateMachineArn"), str("name"), str("input")
		m := s.machines[arn]
		if !authorize("states:StartExecution", arn) {
			return
		}
		if m == nil {
			fail(http.StatusBadRequest, "StateMachineDoesNotExist", "State Machine Does Not Exist: '"+arn+"'")
			return
		}
		if !validName.MatchString(name) {
			fail(http.StatusBadRequest, "InvalidName", "Invalid Name: '"+name+"'")
			return
		}
		for _, e := range s.executions {
			if e.Machine == arn && e.Name == name {
				// API, StartExecution: the same name and input as a running execution returns
				// it again; a closed execution or another input is ExecutionAlreadyExists.
				if e.Status == "RUNNING" && e.Input == input {
					ok(map[string]any{"executionArn": e.Arn, "startDate": epoch(e.Start)})
					return
				}
				fail(http.StatusBadRequest, "ExecutionAlreadyExists", "Execution Already Exists: '"+e.Arn+"'")
				return
			}
		}
		e := &Execution{Arn: executionArn(arn, name), Name: name, Machine: arn, Input: input, Status: "RUNNING", Start: time.Now(), stop: make(chan struct{})}
		s.executions = append(s.executions, e)
		s.running.Add(1)
		go s.run(m, e)
		ok(map[string]any{"executionArn": e.Arn, "startDate": epoch(e.Start)})
	case "StopExecution":
		arn := str("executionArn")
		if !authorize("states:StopExecution", arn) {
			return
		}
		for _, e := range s.executions {
			if e.Arn == arn {
				// API, StopExecution: only a running execution changes; stopping a closed one
				// succeeds without effect.
				if e.Status == "RUNNING" {
					e.Status, e.Error = "ABORTED", str("error")
					close(e.stop)
				}
				ok(map[string]any{"stopDate": 1.0})
				return
			}
		}
		fail(http.StatusBadRequest, "ExecutionDoesNotExist", "Execution Does Not Exist: '"+arn+"'")
	case "ListExecutions":
		arn := str("stateMachineArn")
		if !authorize("states:ListExecutions", arn) {
			return
		}
		if s.machines[arn] == nil {
			fail(http.StatusBadRequest, "StateMachineDoesNotExist", "State Machine Does Not Exist: '"+arn+"'")
			return
		}
		list := []map[string]any{}
		for _, e := range slices.Backward(s.executions) { // newest first (API: ListExecutions)
			if e.Machine == arn && (str("statusFilter") == "" || str("statusFilter") == e.Status) {
				list = append(list, map[string]any{"executionArn": e.Arn, "name": e.Name, "stateMachineArn": arn, "status": e.Status, "startDate": epoch(e.Start)})
			}
		}
		ok(map[string]any{"executions": list})
	default:
		fail(http.StatusBadRequest, "UnknownOperationException", "sfnfake does not model "+op)
	}
}

// executionArn: arn:<partition>:states:<region>:<account>:execution:<machine name>:<name>
// (Service Authorization Reference, AWS Step Functions: execution).
func executionArn(machineArn, name string) string {
	return strings.Replace(machineArn, ":stateMachine:", ":execution:", 1) + ":" + name
}

// state is one ASL state, with the fields this module's definitions use.
type state struct {
	Type           string
	Resource       string
	Parameters     map[string]any
	OutputPath     string
	TimeoutSeconds int
	Retry          []struct {
		ErrorEquals     []string
		IntervalSeconds float64
		MaxAttempts     *int
		BackoffRate     float64
	}
	Catch []struct {
		ErrorEquals []string
		ResultPath  string
		Next        string
	}
	Choices []struct {
		Variable      string
		BooleanEquals *bool
		Next          string
	}
	Default string
	Next    string
	End     bool
}

type definition struct {
	StartAt        string
	TimeoutSeconds int
	States         map[string]state
}

// run interprets the execution until it ends, is stopped or times out.
func (s *Server) run(m *machine, e *Execution) {
	defer s.running.Done()
	var def definition
	if err := json.Unmarshal([]byte(m.definition), &def); err != nil {
		s.t.Errorf("state machine %s: definition is not JSON: %v", m.arn, err)
		return
	}
	var timeout <-chan time.Time
	if def.TimeoutSeconds > 0 { // ASL: TimeoutSeconds of the whole machine ends it as States.Timeout
		timeout = time.After(time.Duration(def.TimeoutSeconds) * time.Second)
	}
	var doc any
	_ = json.Unmarshal([]byte(e.Input), &doc)
	finish := func(status, errName, output string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if e.Status == "RUNNING" {
			e.Status, e.Error, e.Output = status, errName, output
		}
	}
	name := def.StartAt
	for {
		select {
		case <-e.stop:
			return
		case <-timeout:
			finish("TIMED_OUT", "States.Timeout", "")
			return
		default:
		}
		st, ok := def.States[name]
		if !ok {
			s.t.Errorf("state machine %s: no state %q", m.arn, name)
			finish("FAILED", "States.Runtime", "")
			return
		}
		switch st.Type {
		case "Choice":
			// ASL, Choice: the first rule that matches gives Next, else Default; a Variable
			// that is absent is a States.Runtime error.
			next := st.Default
			for _, c := range st.Choices {
				v, found := path(doc, c.Variable)
				if !found {
					finish("FAILED", "States.Runtime", "Invalid path '"+c.Variable+"'")
					return
				}
				if c.BooleanEquals != nil && v == *c.BooleanEquals {
					next = c.Next
					break
				}
			}
			name = next
			continue
		case "Task":
			out, errName, cause := s.task(m, e, st, doc)
			if errName == "" {
				doc = out
				break
			}
			caught := false
			for _, c := range st.Catch {
				if matches(c.ErrorEquals, errName) {
					// ASL, Catch: ResultPath places {"Error", "Cause"} in the state's input.
					doc = setPath(doc, c.ResultPath, map[string]any{"Error": errName, "Cause": cause})
					name, caught = c.Next, true
					break
				}
			}
			if !caught {
				finish("FAILED", errName, "")
				return
			}
			continue
		default:
			s.t.Errorf("state machine %s: sfnfake does not model state type %q", m.arn, st.Type)
			finish("FAILED", "States.Runtime", "")
			return
		}
		if st.End {
			raw, _ := json.Marshal(doc)
			finish("SUCCEEDED", "", string(raw))
			return
		}
		name = st.Next
	}
}

// task runs a Task state with its Retry: the effective output, or the error that remains.
func (s *Server) task(m *machine, e *Execution, st state, doc any) (any, string, string) {
	if !strings.HasSuffix(st.Resource, ":states:::lambda:invoke") {
		s.t.Errorf("sfnfake models only the optimized Lambda integration, not %q", st.Resource)
		return nil, "States.Runtime", "unsupported resource"
	}
	params := render(st.Parameters, doc).(map[string]any)
	payload, _ := json.Marshal(params["Payload"])
	attempts := map[int]int{}
	for {
		select {
		case <-e.stop:
			return nil, "States.Runtime", "stopped"
		default:
		}
		s.mu.Lock()
		e.Invocations++
		s.mu.Unlock()
		timeout := time.Duration(st.TimeoutSeconds) * time.Second
		if timeout == 0 { // ASL: a Task without TimeoutSeconds may run up to a year; Lambda caps it
			timeout = 15 * time.Minute
		}
		resp, errName, cause := m.invoke(fmt.Sprint(params["FunctionName"]), payload, timeout)
		if errName == "" {
			var out any
			if err := json.Unmarshal(resp, &out); err != nil {
				return nil, "States.Runtime", "the function's response is not JSON"
			}
			// Guide, Lambda integration: the result wraps the response as Payload.
			result := map[string]any{"StatusCode": 200.0, "ExecutedVersion": "$LATEST", "Payload": out}
			if st.OutputPath != "" {
				v, found := path(result, st.OutputPath)
				if !found {
					return nil, "States.Runtime", "Invalid path '" + st.OutputPath + "'"
				}
				return v, "", ""
			}
			return result, "", ""
		}
		retried := false
		for i, r := range st.Retry {
			if !matches(r.ErrorEquals, errName) {
				continue
			}
			// ASL, Retry: the first retrier matching the error applies; MaxAttempts defaults
			// to 3, IntervalSeconds to 1 and BackoffRate to 2.0.
			maxAttempts := 3
			if r.MaxAttempts != nil {
				maxAttempts = *r.MaxAttempts
			}
			if attempts[i] < maxAttempts {
				interval, rate := r.IntervalSeconds, r.BackoffRate
				if interval == 0 {
					interval = 1
				}
				if rate == 0 {
					rate = 2
				}
				for range attempts[i] {
					interval *= rate
				}
				attempts[i]++
				time.Sleep(time.Duration(interval * float64(time.Second) / s.Speed))
				retried = true
			}
			break
		}
		if !retried {
			return nil, errName, cause
		}
	}
}

// matches: States.ALL matches every error name but States.Runtime (ASL, Errors: "States.ALL …
// matches any known error name"; the Guide lists States.Runtime as not retriable), and
// States.TaskFailed every one but States.Timeout too (Guide, error handling: "matches any known
// error name except for States.Timeout").
func matches(names []string, err string) bool {
	if slices.Contains(names, "States.TaskFailed") && err != "States.Timeout" && err != "States.Runtime" {
		return true
	}
	return slices.Contains(names, err) || slices.Contains(names, "States.ALL") && err != "States.Runtime"
}

// epoch is a timestamp as the JSON protocol sends it: seconds since 1970, fractional.
func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// render fills a Parameters template: a key ending in ".$" takes the value at its path (ASL,
// Parameters).
func render(tpl any, doc any) any {
	switch t := tpl.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, v := range t {
			if p, ok := strings.CutSuffix(k, ".$"); ok {
				out[p], _ = path(doc, v.(string))
			} else {
				out[k] = render(v, doc)
			}
		}
		return out
	}
	return tpl
}

// path reads a reference path: "$" or "$.a.b" (ASL, Reference Paths).
func path(doc any, p string) (any, bool) {
	if p == "$" {
		return doc, true
	}
	cur := doc
	for _, f := range strings.Split(strings.TrimPrefix(p, "$."), ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[f]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// setPath writes v at a one-level reference path such as "$.Error" ("$" replaces the document).
func setPath(doc any, p string, v any) any {
	if p == "$" || p == "" {
		return v
	}
	m, _ := doc.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m[strings.TrimPrefix(p, "$.")] = v
	return m
}
