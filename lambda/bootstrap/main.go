// Command bootstrap is the one Lambda binary of this library: the acceptor, the provider's
// custom resources and the consumer's enabler, chosen by the function's PRIVATELINK_HANDLER
// environment variable (package handler). One binary means one Go build per synth instead of three, one asset to
// stage and upload instead of three, and the same bytes cached for every function.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/privatelink-go/privatelink/internal/spec/handler"
	acceptor "github.com/privatelink-go/privatelink/lambda/acceptor"
	"github.com/privatelink-go/privatelink/lambda/enabler"
	provider "github.com/privatelink-go/privatelink/lambda/provider"
)

var handlers = map[string]func(){
	handler.Acceptor: acceptor.Main,
	handler.Provider: provider.Main,
	handler.Enabler:  enabler.Main,
}

func main() {
	name := os.Getenv(handler.Env)
	serve, ok := handlers[name]
	if !ok {
		// The constructs always set a known handler; this is a function configured by hand.
		// Exiting fails the init, which Lambda reports as Runtime.ExitError with this line.
		fmt.Fprintf(os.Stderr, "bootstrap: unknown handler %q: set the function's environment variable %s to one of %s\n", name, handler.Env, strings.Join(handler.All, ", "))
		os.Exit(2)
	}
	serve()
}
