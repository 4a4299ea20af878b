// Package link is the vocabulary both ends of a PrivateLink share, owned by neither: the
// service's ports and protocols (ServicePort, Protocol) and their written form, the names of the
// outputs a provider hands to its consumers, the isolated dual-stack VPC either side may create
// (NewIsolatedVpc) and the synth-time IPv6 checks of a VPC one is given. The provider and the
// consumer import it; it imports neither.
package link
