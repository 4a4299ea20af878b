// Package templates tests the constructs' synthesized templates: resolved values, bad input and
// its messages, the options adopters use.
package templates

import (
	"testing"

	"github.com/privatelink-go/privatelink/test/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
