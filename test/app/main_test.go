// Package app tests the two-account app's templates: snapshots of every configuration, cdk-nag,
// AWS Control Tower's controls, cfn-lint, least privilege, and the deploy rehearsal that deploys
// and destroys each configuration in a fake AWS.
package app

import (
	"testing"

	"github.com/privatelink-go/privatelink/test/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
