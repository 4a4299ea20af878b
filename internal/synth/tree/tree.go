// Package tree answers the constructs' Validate methods' questions about the construct tree
// without panicking: which stack a scope is in, and what a CDK call would throw.
package tree

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/synth/registry"
)

// StackOf returns the stack scope is in (scope itself, or its nearest stack ancestor), or an
// error saying that the construct must be created in a stack; awscdk.Stack_Of would throw.
func StackOf(scope constructs.IConstruct, what string) (awscdk.Stack, error) {
	if scope == nil {
		return nil, fmt.Errorf("privatelink: %s has no scope: pass the awscdk.Stack (or a construct in it) to create it in", what)
	}
	scopes := *scope.Node().Scopes()
	for i := len(scopes) - 1; i >= 0; i-- {
		if *awscdk.Stack_IsStack(scopes[i]) {
			return scopes[i].(awscdk.Stack), nil
		}
	}
	return nil, fmt.Errorf("privatelink: %s's scope %q is not in a stack: create it in an awscdk.Stack (or a construct inside one)", what, *scope.Node().Path())
}

// CheckID returns why a construct cannot be added to scope with id ("" when it can): empty, or
// taken by a sibling (CDK throws "There is already a Construct with name …").
func CheckID(scope constructs.IConstruct, id string) string {
	switch {
	case id == "":
		return "is empty: give the construct an ID unique in its scope, such as \"Api\""
	case Exists(scope, id):
		return fmt.Sprintf("%q is already used by another construct in %s: give this one another ID", id, *scope.Node().Path())
	}
	return ""
}

// Catch runs f and returns the first line of the error a CDK (jsii) call in it threw, or "".
func Catch(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = strings.TrimSpace(strings.SplitN(fmt.Sprint(r), "\n", 2)[0])
			msg = strings.TrimPrefix(msg, "Error: ")
			// aws-cdk-lib's ValidationError starts with its code: "ThereSubnetGroups: There are…".
			if code, rest, ok := strings.Cut(msg, ": "); ok && !strings.ContainsAny(code, " '\"") {
				msg = rest
			}
		}
	}()
	f()
	return ""
}

// Exists reports whether scope has a child with id.
func Exists(scope constructs.IConstruct, id string) bool {
	c, ok := scope.Node().TryFindChild(jsii.String(id)).(constructs.IConstruct)
	return ok && c != nil
}

// OutputID is the logical ID of a construct's stack output: the construct's ID with only its
// letters and digits (CloudFormation's logical ID alphabet), then name — stable and documented,
// without the hash CDK appends by default, so scripts and handoff.go can name it.
func OutputID(constructID, name string) string {
	var b strings.Builder
	for _, r := range constructID {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String() + name
}

// Output adds c's output name with the logical ID OutputID(c's ID, name).
func Output(c constructs.Construct, name, description string, value *string) awscdk.CfnOutput {
	out := awscdk.NewCfnOutput(c, jsii.String(name), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	out.OverrideLogicalId(jsii.String(OutputID(*c.Node().Id(), name)))
	return out
}

// outputsKey names, in the registry, the output logical IDs a construct with id in scope's stack
// would take.
func outputsKey(scope constructs.IConstruct, id string) string {
	return *awscdk.Stack_Of(scope).Node().Path() + "|" + OutputID(id, "")
}

// ClaimOutputs records that c's outputs take their logical IDs in its stack.
func ClaimOutputs(c constructs.Construct) {
	registry.Claim(c, "outputs", outputsKey(c.Node().Scope(), *c.Node().Id()), c)
}

// CheckNew returns why a construct made by ctor (such as "NewProvider") cannot be added to
// scope with id, outputs named after id included: CheckID and CheckOutputs as errors.
func CheckNew(scope constructs.IConstruct, id, ctor string) []error {
	var errs []error
	for _, why := range []string{CheckID(scope, id), CheckOutputs(scope, id)} {
		if why != "" {
			errs = append(errs, fmt.Errorf("privatelink: %s id %s", ctor, why))
		}
	}
	return errs
}

// CheckOutputs returns why a construct with id in scope cannot have its outputs, or "".
func CheckOutputs(scope constructs.IConstruct, id string) string {
	if prev := registry.Owner(scope, "outputs", outputsKey(scope, id)); prev != "" {
		return fmt.Sprintf("%q gives the same stack output names (%s…) as %s in the same stack: outputs are named after the construct ID, so give one of them another ID", id, OutputID(id, ""), prev)
	}
	return ""
}

// IsToken reports whether s holds an unresolved CDK token (checked at deploy time, not synth).
func IsToken(s string) bool { return strings.Contains(s, "${Token[") }
