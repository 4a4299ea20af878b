package gobuild

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCleanupRemovesTheBuildsAndALaterBootstrapBuildsAgain(t *testing.T) {
	dir, err := Bootstrap("constructs/acceptor/function")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
		t.Fatalf("no bootstrap after the build: %v", err)
	}
	Cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still exists after Cleanup (err %v): every synth would leave its binaries behind", dir, err)
	}
	again, err := Bootstrap("constructs/acceptor/function")
	if err != nil {
		t.Fatal(err)
	}
	defer Cleanup()
	if _, err := os.Stat(filepath.Join(again, "bootstrap")); err != nil || again == dir {
		t.Fatalf("Bootstrap after Cleanup gave %s (before: %s), stat %v: want a fresh build", again, dir, err)
	}
}
