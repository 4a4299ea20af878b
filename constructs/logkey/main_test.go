package logkey_test

import (
	"os"
	"testing"

	"github.com/privatelink-go/privatelink/internal/shutdown"
)

// TestMain skips aws-cdk-lib's CloudFormation Validate plugin, which costs 4–6 s of CPU per
// process and only warns (test/ asserts its report for every fixture), and stops jsii once the
// examples ran, so no process leaves its runtime behind.
func TestMain(m *testing.M) {
	os.Setenv("CDK_VALIDATION", "false")
	shutdown.Tests(m)
}
