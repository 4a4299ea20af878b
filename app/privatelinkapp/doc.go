// Package privatelinkapp composes the two-account app: the provider stack (NLB, endpoint service,
// acceptor) in account A and the consumer stack (interface endpoint) in account B, configured
// from CDK context. app/main.go runs it; tests build it with chosen context.
package privatelinkapp
