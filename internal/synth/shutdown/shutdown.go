// Package shutdown ends a process that used jsii: it stops the jsii kernel without the false
// "Runtime process exited abnormally: waitid: no child processes" that jsii-runtime-go prints in
// about one run in three, then exits.
//
// The message is a race inside jsii-runtime-go (v1.139.0, unchanged on aws/jsii master as of
// 2026-08): internal/kernel/process/process.go waits on the node child twice, in the goroutine
// started with the process (line 182, which prints the message with no newline) and in Close
// (line 287). Both block in waitid on the same pidfd; the kernel reports node's exit to one of
// them and ECHILD to the other. Node exited normally either way. No shutdown order avoids it,
// since both waits happen inside Close.
package shutdown

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// falseAlarms are the messages the losing wait prints (Linux waitid; wait elsewhere).
var falseAlarms = []string{
	"Runtime process exited abnormally: waitid: no child processes",
	"Runtime process exited abnormally: wait: no child processes",
}

// CloseJsii stops the jsii kernel. While it does, standard error goes through a pipe that drops
// the false alarm and passes everything else on; the pipe is closed once Close has reaped node,
// so a late write of the losing goroutine goes nowhere. Nothing else may write to os.Stderr
// meanwhile.
func CloseJsii() { withoutFalseAlarms(jsii.Close) }

// ExampleTests is the TestMain of the construct packages, whose tests are their examples. It
// runs them without aws-cdk-lib's CloudFormation Validate plugin (WithoutCfnValidate): about 2 s
// per process for findings that only warn; test and test/app validate every template their
// own apps write in the full run. After
// the tests it stops jsii, which removes the runtime jsii unpacked for the process
// (/tmp/jsii-runtime.*, 2.2 MB each run left behind otherwise), and exits with the tests' status.
func ExampleTests(m interface{ Run() int }) {
	WithoutCfnValidate()
	code := m.Run()
	CloseJsii()
	os.Exit(code)
}

// WithoutCfnValidate makes sure the jsii process runs with CDK_VALIDATION=false, which turns off
// aws-cdk-lib's CloudFormation Validate plugin (core/lib/private/synthesis-validation.js reads
// process.env.CDK_VALIDATION). Setting it here would be too late: jsii-runtime-go builds the
// node process's environment when its client is created, which the generated packages' init
// functions do (registering their types), before any TestMain runs. So the test binary runs
// itself again with the variable set, passing its arguments, standard streams and exit status
// through; in that second run it returns at once.
func WithoutCfnValidate() {
	if os.Getenv("CDK_VALIDATION") == "false" {
		return
	}
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), "CDK_VALIDATION=false")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	// This process's jsii client never started node, but unpacked its runtime: remove it.
	CloseJsii()
	var exit *exec.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &exit):
		os.Exit(exit.ExitCode())
	default:
		fmt.Fprintln(os.Stderr, "running the tests again with CDK_VALIDATION=false:", err)
		os.Exit(2)
	}
}

// withoutFalseAlarms runs f with standard error filtered of falseAlarms.
func withoutFalseAlarms(f func()) {
	stderr := os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		f()
		return
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		b, _ := io.ReadAll(r)
		s := string(b)
		for _, m := range falseAlarms {
			s = strings.ReplaceAll(s, m, "")
		}
		_, _ = stderr.WriteString(s)
	}()
	os.Stderr = w
	f()
	os.Stderr = stderr
	w.Close()
	<-drained
}

// Exit runs cleanups, stops jsii (CloseJsii) and exits with code.
func Exit(code int, cleanups ...func()) {
	for _, c := range cleanups {
		c()
	}
	CloseJsii()
	os.Exit(code)
}
