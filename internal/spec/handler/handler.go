// Package handler names the handlers of the library's one Lambda binary (lambda/bootstrap).
// Every function deploys the same `bootstrap` and chooses what it serves with the environment
// variable Env, which the constructs set. Not the function's Handler setting (which Lambda hands
// an OS-only runtime as _HANDLER): `cdk deploy --hotswap` and `cdk watch` update a function's code
// and environment but ignore its Handler (aws-cdk's Lambda hotswap: Code, Environment and
// Description only), so a hotswapped binary would read a stale handler. Each function keeps its
// own role and policy: one binary holds the code of all three, but a function can only make the
// calls its role allows.
package handler

import (
	"encoding/json"
	"strings"
)

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

// LambdaEndpointEnv is the environment variable that holds, for a function in a VPC, the DNS
// name of the cross-Region interface endpoint (ServiceRegion) it reaches Lambda in region
// through: LAMBDA_ENDPOINT_EU_WEST_1 for eu-west-1. The function's Lambda client for that Region
// then sends to https://<name> instead of lambda.<region>.amazonaws.com, which no endpoint of
// its VPC answers (AWS documents private DNS only for same-Region endpoints: PrivateLink guide,
// "Cross-Region connectivity": "You must use regional DNS").
func LambdaEndpointEnv(region string) string {
	return "LAMBDA_ENDPOINT_" + strings.ToUpper(strings.ReplaceAll(region, "-", "_"))
}

// KeepActiveKey is the key of the input a daily EventBridge rule sends each function of this
// library that runs in a VPC and nothing else invokes on a schedule: {"PrivateLinkKeepActive":
// true}. Lambda reclaims the network interfaces of a function in a VPC idle for weeks, and the
// next invocation fails ("If a Lambda function remains idle for consecutive weeks, Lambda
// reclaims the unused Hyperplane ENIs and sets the function state to idle. ... The invocation
// fails", Lambda Developer Guide, "Lambda Hyperplane ENIs"): that invocation would be a
// CloudFormation request months after the last deploy, a stack's delete say. Every handler
// answers the input at once, with no AWS call.
const KeepActiveKey = "PrivateLinkKeepActive"

// KeepActive says payload is the keep-active input (KeepActiveKey true).
func KeepActive(payload []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil {
		return false
	}
	return string(probe[KeepActiveKey]) == "true"
}
