package link

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
)

// Protocol of a listener, in Elastic Load Balancing's words.
type Protocol string

const (
	// TCP passes the stream through to the targets (the default).
	TCP Protocol = "TCP"
	// TLS terminates TLS at the NLB with the service's certificate (ProviderProps.Certificate),
	// whose name is the private DNS name consumers connect to; targets receive the decrypted
	// stream over TCP on their target port.
	TLS Protocol = "TLS"
	// UDP carries datagrams. AWS health-checks UDP targets over TCP or HTTP, never UDP.
	UDP Protocol = "UDP"
	// TCPUDP carries TCP and UDP on the same port.
	TCPUDP Protocol = "TCP_UDP"
)

// Protocols are the listener protocols the provider accepts, in order.
var Protocols = []Protocol{TCP, TLS, UDP, TCPUDP}

// OrTCP is p, or TCP for "" (a listener's default).
func (p Protocol) OrTCP() Protocol {
	if p == "" {
		return TCP
	}
	return p
}

// IsTCP reports whether the protocol carries TCP (TCP, TLS, TCP_UDP; "" means TCP).
func (p Protocol) IsTCP() bool { p = p.OrTCP(); return p == TCP || p == TLS || p == TCPUDP }

// IsUDP reports whether the protocol carries UDP (UDP, TCP_UDP).
func (p Protocol) IsUDP() bool { return p == UDP || p == TCPUDP }

// SecurityGroupPorts are the security group port ranges for port under this protocol: one per
// IP protocol it carries (TCP_UDP needs a TCP and a UDP rule).
func (p Protocol) SecurityGroupPorts(port int) []awsec2.Port {
	var out []awsec2.Port
	if p.IsTCP() {
		out = append(out, awsec2.Port_Tcp(jsii.Number(port)))
	}
	if p.IsUDP() {
		out = append(out, awsec2.Port_Udp(jsii.Number(port)))
	}
	return out
}

// FormatServicePorts writes ports as the Ports output does: "443/TCP,53/UDP".
func FormatServicePorts(ports []ServicePort) string {
	parts := make([]string, len(ports))
	for i, sp := range ports {
		parts[i] = strconv.Itoa(sp.Port) + "/" + string(sp.Protocol.OrTCP())
	}
	return strings.Join(parts, ",")
}

// ParseServicePorts reads FormatServicePorts' form (a bare port means TCP), as the Ports output
// and the app's handoff hold it.
func ParseServicePorts(s string) ([]ServicePort, error) {
	var out []ServicePort
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		port, proto, _ := strings.Cut(part, "/")
		n, err := strconv.Atoi(port)
		sp := ServicePort{Port: n, Protocol: Protocol(strings.ToUpper(proto))}
		var why string
		sp.check("", func(format string, args ...any) {
			if why == "" {
				why = fmt.Sprintf(format, args...)
			}
		})
		if err != nil {
			why = fmt.Sprintf("%q is not a port number", port)
		}
		if why != "" {
			return nil, fmt.Errorf("service port %q is not <port>/<protocol>, such as 443/TLS: %s", part, why)
		}
		sp.Protocol = sp.Protocol.OrTCP()
		out = append(out, sp)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("service ports %q list no port: expected <port>/<protocol>[,…], such as 443/TLS", s)
	}
	return out, nil
}

// ServicePort is a port of the service and the protocol consumers speak on it.
type ServicePort struct {
	// Port the NLB listens on, 1-65535. Required.
	Port int
	// Protocol of the listener: TCP, TLS, UDP or TCP_UDP. Default: TCP.
	Protocol Protocol
}

// String is "443" for TCP (as security group rules were described before protocols), else
// "443/TLS".
func (s ServicePort) String() string {
	if s.Protocol.OrTCP() == TCP {
		return strconv.Itoa(s.Port)
	}
	return strconv.Itoa(s.Port) + "/" + string(s.Protocol)
}

// check reports what is wrong with s to bad, each message starting with field (such as
// "Ports[0].", or "" for the port alone).
func (s ServicePort) check(field string, bad func(string, ...any)) {
	if s.Port < 1 || s.Port > 65535 {
		bad("%sPort %d is out of range: use a port from 1 to 65535", field, s.Port)
	}
	if s.Protocol != "" && !slices.Contains(Protocols, s.Protocol) {
		bad("%sProtocol %q is not a listener protocol: use TCP, TLS, UDP or TCP_UDP, as the provider's listener on port %d", field, s.Protocol, s.Port)
	}
}

// CheckServicePorts reports to bad what is wrong with ports, the list field names (such as
// "Ports"): a port out of range, a port listed twice, an unknown protocol.
func CheckServicePorts(field string, ports []ServicePort, bad func(string, ...any)) {
	for i, sp := range ports {
		sp.check(fmt.Sprintf("%s[%d].", field, i), bad)
		if sp.Port >= 1 && sp.Port <= 65535 && slices.IndexFunc(ports, func(o ServicePort) bool { return o.Port == sp.Port }) != i {
			bad("%s[%d].Port %d is listed twice: an NLB has one listener per port (TCP_UDP carries both); remove the duplicate", field, i, sp.Port)
		}
	}
}
