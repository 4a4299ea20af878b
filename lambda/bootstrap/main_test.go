package main

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/synth/gobuild"
)

func TestEveryNamedHandlerIsServedAndNoOther(t *testing.T) {
	var served []string
	for name := range handlers {
		served = append(served, name)
	}
	slices.Sort(served)
	named := slices.Sorted(slices.Values(handler.All))
	if !slices.Equal(served, named) {
		t.Fatalf("the bootstrap serves %v, package handler names %v", served, named)
	}
}

// A function configured by hand with a handler the binary does not know fails its init at once,
// saying which handlers there are, instead of waiting for events it cannot serve.
func TestAnUnknownHandlerFailsTheInitNamingTheKnownOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap")
	}
	bin, err := gobuild.HostBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"_HANDLER=bootstrap", "PRIVATELINK_HANDLER=verifier", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	want := `bootstrap: unknown handler "verifier": set the function's environment variable PRIVATELINK_HANDLER to one of acceptor, provider, enabler`
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || strings.TrimSpace(string(out)) != want {
		t.Fatalf("exit %v, output %q; want exit status 2 and %q", err, out, want)
	}
}
