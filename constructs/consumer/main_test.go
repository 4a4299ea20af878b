package consumer_test

import (
	"testing"

	"github.com/privatelink-go/privatelink/internal/synth/shutdown"
)

func TestMain(m *testing.M) { shutdown.ExampleTests(m) }
