// Package provider publishes an internal, dual-stack Network Load Balancer as an AWS PrivateLink
// VPC endpoint service with allowed principals, acceptance, and an optional private DNS name whose
// domain ownership is verified before the deploy finishes.
//
// Listeners speak TCP, TLS, UDP or TCP_UDP (see Protocol). A TLS listener terminates TLS with a
// certificate for the private DNS name, the name consumers connect to: in Route 53 mode it is
// created and DNS-validated in the same zone as the TXT verification record. UDP on the
// dual-stack NLB gets the IPv6 source NAT prefixes and the IPv6 target groups ELB requires.
//
// It replaces the provider half of the console walkthrough: create the endpoint service on the
// NLB, make it dual-stack, set the private DNS name, publish the TXT record and verify it.
// The Lambda (lambda/provider: private DNS verification, connection cleanup on delete) is built
// from source at synth with the local Go toolchain.
package provider
