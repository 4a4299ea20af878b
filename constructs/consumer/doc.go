// Package consumer creates the consumer side of a cross-account PrivateLink connection: a
// dual-stack interface endpoint with its own security group, a preflight that checks the service
// before the endpoint exists, and a custom resource (Go Lambda, lambda/enabler) that waits for
// acceptance and then turns private DNS on in the same deploy.
package consumer
