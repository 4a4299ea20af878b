// Package registry records, per CDK app, which construct claimed a name that AWS allows only
// once (an NLB backs one endpoint service; a Lambda function name is unique per account and
// Region), so a second claim fails at synth instead of at deploy. The records live on the
// construct tree (a plain construct under the app root), never in package state, so separate
// apps in one process — tests, for instance — do not see each other.
package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

const (
	rootID   = "PrivateLinkRegistry"
	ownerKey = "privatelink:owner"
)

// Claim records that owner claims key of kind. It returns "" on the first claim of a key, and
// the earlier owner's construct path when the key was already claimed by another owner.
func Claim(scope constructs.IConstruct, kind, key string, owner constructs.IConstruct) string {
	root := scope.Node().Root()
	reg := child(root, rootID)
	sum := sha256.Sum256([]byte(key))
	entry := child(child(reg, kind), hex.EncodeToString(sum[:16]))
	path := *owner.Node().Path()
	if prev, claimed := ownerOf(entry); claimed {
		if prev != path {
			return prev
		}
		return ""
	}
	entry.Node().AddMetadata(jsii.String(ownerKey), path, nil)
	return ""
}

// ownerOf is the path recorded on a registry entry, and whether one is.
func ownerOf(entry constructs.IConstruct) (string, bool) {
	for _, m := range *entry.Node().Metadata() {
		if *m.Type == ownerKey {
			return fmt.Sprint(m.Data), true
		}
	}
	return "", false
}

// Owner returns the construct path that claimed key of kind, or "" when nobody has; it claims
// nothing (Validate methods ask before their constructor claims).
func Owner(scope constructs.IConstruct, kind, key string) string {
	reg, ok := scope.Node().Root().Node().TryFindChild(jsii.String(rootID)).(constructs.Construct)
	if !ok || reg == nil {
		return ""
	}
	byKind, ok := reg.Node().TryFindChild(jsii.String(kind)).(constructs.Construct)
	if !ok || byKind == nil {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	entry, ok := byKind.Node().TryFindChild(jsii.String(hex.EncodeToString(sum[:16]))).(constructs.Construct)
	if !ok || entry == nil {
		return ""
	}
	prev, _ := ownerOf(entry)
	return prev
}

func child(scope constructs.IConstruct, id string) constructs.Construct {
	if c, ok := scope.Node().TryFindChild(jsii.String(id)).(constructs.Construct); ok && c != nil {
		return c
	}
	return constructs.NewConstruct(scope.(constructs.Construct), jsii.String(id))
}
