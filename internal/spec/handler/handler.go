// Package handler names the handlers of the library's one Lambda binary (lambda/bootstrap).
// Every function deploys the same `bootstrap` and chooses what it serves with the environment
// variable Env, which the constructs set. Not the function's Handler setting (which Lambda hands
// an OS-only runtime as _HANDLER): `cdk deploy --hotswap` and `cdk watch` update a function's code
// and environment but ignore its Handler (aws-cdk's Lambda hotswap: Code, Environment and
// Description only), so a hotswapped binary would read a stale handler. Each function keeps its
// own role and policy: one binary holds the code of all three, but a function can only make the
// calls its role allows.
package handler

// The handlers.
const (
	// Acceptor accepts allow-listed connections to an endpoint service (constructs/acceptor).
	Acceptor = "acceptor"
	// Provider verifies a service's private DNS name and cleans up its connections
	// (constructs/provider).
	Provider = "provider"
	// Enabler checks the service before an endpoint is created and turns on its private DNS
	// (constructs/consumer).
	Enabler = "enabler"
)

// Env is the environment variable that names a function's handler.
const Env = "PRIVATELINK_HANDLER"

// All are the handlers, in the order the bootstrap lists them.
var All = []string{Acceptor, Provider, Enabler}
