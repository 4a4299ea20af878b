// Package test tests the constructs' synthesized templates: resolved values, bad input and its
// messages, the options adopters use. Its tests are the longest of `go test -short`, so they sit
// at the root of test/: go test starts the packages' test binaries in import-path order, two at a
// time on two cores, and a package that starts last runs alone at the end, as test/templates,
// its old place, did (go test -short ./...: 20.5 s there, 18.2 s here; docs/performance.md).
package test

import (
	"testing"

	"github.com/privatelink-go/privatelink/test/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
