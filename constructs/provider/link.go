package provider

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

// The provider's names for the vocabulary it shares with its consumers (package link), so that
// a provider is written in one package: provider.Listener{Port: 443, Protocol: provider.TLS}.

// Protocol of a listener, in Elastic Load Balancing's words (link.Protocol).
type Protocol = link.Protocol

// The listener protocols (link.TCP …).
const (
	TCP    = link.TCP
	TLS    = link.TLS
	UDP    = link.UDP
	TCPUDP = link.TCPUDP
)

// ServicePort is a port of the service and the protocol consumers speak on it (link.ServicePort).
type ServicePort = link.ServicePort

// IsolatedVpc is a dual-stack VPC with only isolated subnets (link.IsolatedVpc).
type IsolatedVpc = link.IsolatedVpc

// NewIsolatedVpc creates the dual-stack VPC a provider creates when given none
// (link.NewIsolatedVpc).
func NewIsolatedVpc(scope constructs.Construct, id string, azIDs []string) *IsolatedVpc {
	return link.NewIsolatedVpc(scope, id, azIDs)
}

// IsToken reports whether s holds an unresolved CDK token.
//
// Deprecated: use awscdk.Token_IsUnresolved; kept so that code written against earlier
// versions still compiles.
func IsToken(s string) bool { return tree.IsToken(s) }
