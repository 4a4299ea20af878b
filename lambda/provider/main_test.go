package provider

import (
	"testing"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
)

func TestMain(m *testing.M) { cfntest.Main(m) }
