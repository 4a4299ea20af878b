// Package acceptance is the protocol of a consumer's acceptance request, which both sides
// share: the consumer's function invokes the provider's acceptor through the acceptor's alias
// for the consumer's account, and the acceptor answers with the connection's state.
//
// Why an alias per account: Lambda tells a function nothing about who invoked it, but it
// authorizes each alias with its own resource policy and hands the function the ARN it was
// invoked by (Lambda Developer Guide, "Using Lambda aliases in event sources and permissions
// policies": a permission on an alias allows invoking that alias ARN only; the context's
// InvokedFunctionArn "indicates if the invoker specified a version number or alias"). The
// alias consumer-<account> admits that account alone, so the acceptor knows, from the ARN it
// was invoked by, which account asks, and accepts only that account's own endpoint.
package acceptance

import (
	"regexp"
	"strings"
)

// AliasPrefix starts the name of every consumer account's alias of the acceptor.
const AliasPrefix = "consumer-"

// Alias is the name of the acceptor's alias that account invokes.
func Alias(account string) string { return AliasPrefix + account }

var aliasRe = regexp.MustCompile(`^` + AliasPrefix + `(\d{12})$`)

// AccountOf returns the account of a function ARN qualified with a consumer account's alias
// (arn:<partition>:lambda:<region>:<account>:function:<name>:consumer-<account>), or "" for
// any other ARN, unqualified or not.
func AccountOf(invokedArn string) string {
	parts := strings.Split(invokedArn, ":")
	if len(parts) != 8 || parts[5] != "function" {
		return ""
	}
	if m := aliasRe.FindStringSubmatch(parts[7]); m != nil {
		return m[1]
	}
	return ""
}

// RequestKey is the key of the payload the consumer's function sends: {RequestKey: Request}.
const RequestKey = "PrivateLinkAcceptanceRequest"

// Request asks the acceptor to accept one endpoint of the calling account.
type Request struct {
	VpcEndpointId string
}

// Answer is the acceptor's reply: the connection's state after the decision, and the service.
// A refusal is an answer, not a function error, so that a consumer's mistake does not raise the
// provider's error alarm: Refused says why (the consumer fails its deploy with it). NotVisible
// says EC2 did not list the connection in time (cross-region connections can take a while): not
// a refusal, the acceptor's Connect notification still decides.
type Answer struct {
	State      string
	ServiceId  string
	Refused    string `json:",omitempty"`
	NotVisible bool   `json:",omitempty"`
}

// ResourceType is the consumer stack's custom resource that sends the request through the
// consumer's own function.
const ResourceType = "Custom::EndpointAcceptanceRequest"
