// Package decisions names the metrics the acceptor publishes about its decisions, for the
// function that writes them and the construct whose alarms read them.
package decisions

// Namespace of the acceptor's metrics; their one dimension is Dimension (the service's ID).
const (
	Namespace = "PrivateLink/Acceptor"
	Dimension = "ServiceId"
)

// Metric names, one per kind of decision, each a count per invocation.
const (
	Accepted    = "Accepted"    // connections accepted (or tried to: see Errors)
	Rejected    = "Rejected"    // connections rejected (NotAllowed: reject)
	LeftPending = "LeftPending" // connections from accounts not allow-listed, left pending
	Errors      = "Errors"      // invocations that failed (an EC2 call, an unsuccessful item)
)
