// Package acceptor deploys the Go Lambda (its handler is lambda/acceptor) that accepts connection requests to a
// VPC endpoint service from allow-listed accounts: on every deploy (a sweep custom resource), on
// the service's Connect notifications (SNS, within seconds), and on a consumer stack's
// cross-account custom resource naming its endpoint.
package acceptor
