package logkey_test

import (
	"testing"

	"github.com/privatelink-go/privatelink/internal/shutdown"
)

// TestMain stops jsii once the examples ran, so no process leaves its runtime behind.
func TestMain(m *testing.M) { shutdown.Tests(m) }
