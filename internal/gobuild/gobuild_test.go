package gobuild

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// A build slower than SlowBuild (here, any) says on standard error what it is compiling and
// for how long; a fast one (warm cache, the usual case) says nothing.
func TestASlowLambdaBuildSaysWhatItIsCompiling(t *testing.T) {
	for _, c := range []struct {
		slow time.Duration
		want string
	}{{0, "privatelink: compiling the Lambda handler constructs/acceptor/function for linux/arm64; on an empty Go build cache"}, {time.Hour, ""}} {
		Cleanup()
		SlowBuild = c.slow
		r, w, _ := os.Pipe()
		stderr := os.Stderr
		os.Stderr = w
		_, err := Bootstrap("constructs/acceptor/function")
		os.Stderr = stderr
		w.Close()
		out, _ := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "" && len(out) != 0 || !strings.Contains(string(out), c.want) {
			t.Errorf("with SlowBuild %s the build printed %q, want %q", c.slow, out, c.want)
		}
	}
	SlowBuild = 3 * time.Second
	Cleanup()
}
