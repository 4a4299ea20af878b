// Package awsid recognises AWS account IDs and Region names, one definition for every
// construct that validates them.
package awsid

import "regexp"

var (
	// Account matches a 12-digit account ID.
	Account = regexp.MustCompile(`^\d{12}$`)
	// Region matches a Region name in any partition: eu-west-1, us-gov-west-1, cn-north-1, …
	Region = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`)
)
