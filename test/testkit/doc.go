// Package testkit is what the template test packages share: fixtures synthesized once per
// process (each checked by aws-cdk-lib's CloudFormation Validate plugin and AWS Control Tower's
// proactive controls when first synthesized), the app configurations, and helpers that resolve
// a template's intrinsic functions to the values AWS would read. Only tests import it.
//
// The template tests are split into packages that run as parallel processes (`go test` runs up
// to one test binary per core, each with its own jsii process): test (the constructs; at the
// root of test/, it starts before the others), test/app (the two-account app: snapshots,
// compliance, the deploy rehearsal) and test/docs (the README and doc comments, no jsii).
package testkit
