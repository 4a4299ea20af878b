// Package gobuild compiles this module's Go Lambda handlers at synth time with the local Go
// toolchain (no Docker) into reproducible linux/arm64 `bootstrap` binaries for the
// provided.al2023 runtime.
package gobuild

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// ModulePath is this library's module path; the handlers are built from its source tree.
const ModulePath = "github.com/privatelink-go/privatelink"

// Flags make the binary byte-for-byte reproducible (no paths, no VCS stamp, no build ID), so the
// asset hash — and therefore every snapshot and every deploy diff — only changes when the
// handler's source, its dependencies or the Go toolchain change.
var Flags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-tags=lambda.norpc"}

// built memoises finished builds for the life of the process: the same handler is used by many
// stacks (and many test fixtures), and its output only depends on the source tree. This is a
// cache of a pure function, not per-app state.
var built sync.Map // package dir -> *result

type result struct {
	once sync.Once
	dir  string
	err  error
}

// Bootstrap builds the main package at pkg (a path relative to the module root, such as
// "constructs/acceptor/function") and returns a directory holding only the `bootstrap` binary,
// ready for awslambda.Code_FromAsset.
func Bootstrap(pkg string) (string, error) {
	v, _ := built.LoadOrStore(pkg, &result{})
	r := v.(*result)
	r.once.Do(func() { r.dir, r.err = build(pkg) })
	return r.dir, r.err
}

// Cleanup removes the directories of every build so far. Call it once the app is synthesized:
// the cloud assembly holds copies of the binaries (each synth process would otherwise leave
// about 27 MB in the temporary directory). A later Bootstrap builds again.
func Cleanup() {
	built.Range(func(k, v any) bool {
		if r := v.(*result); r.dir != "" {
			os.RemoveAll(r.dir)
		}
		built.Delete(k)
		return true
	})
}

// MustBootstrap is Bootstrap for construct code, where a failure to build is a synth error.
func MustBootstrap(pkg string) string {
	dir, err := Bootstrap(pkg)
	if err != nil {
		panic(err)
	}
	return dir
}

// SlowBuild is how long a Lambda build may take before the build says what it is doing.
var SlowBuild = 3 * time.Second

func build(pkg string) (string, error) {
	out, err := os.MkdirTemp("", "privatelink-lambda-")
	if err != nil {
		return "", fmt.Errorf("privatelink: building Lambda %s: %w", pkg, err)
	}
	// Statically linked for Lambda's arm64 hosts. A warm Go build cache makes this a link of
	// cached packages (about half a second); an empty one compiles the AWS SDK for linux/arm64
	// first, silently, for a minute or more: say so when it takes that long.
	slow := time.AfterFunc(SlowBuild, func() {
		fmt.Fprintf(os.Stderr, "privatelink: compiling the Lambda handler %s for linux/arm64; on an empty Go build cache the first synth compiles the AWS SDK for it too (minutes on 2 cores: README, Performance), later builds take about a second\n", pkg)
	})
	err = goBuild(pkg, filepath.Join(out, "bootstrap"), Flags, "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	slow.Stop()
	if err != nil {
		os.RemoveAll(out)
		return "", err
	}
	return out, nil
}

// HostBinary builds the handler at pkg the way `go test` builds the test binary that calls it
// (this machine's platform and cgo setting), for end-to-end tests: the asset's tags and linker
// flags, without -trimpath. Both differences only change how the binary is linked and which file
// paths it records, and keeping them lets the build reuse every package the test binary already
// compiled (measured on a cold cache: 1 s instead of 40–54 s).
func HostBinary(pkg, file string) error {
	var flags []string
	for _, f := range Flags {
		if f != "-trimpath" {
			flags = append(flags, f)
		}
	}
	return goBuild(pkg, file, flags)
}

func goBuild(pkg, file string, flags []string, env ...string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command(goTool(), append(append([]string{"build"}, flags...), "-o", file, "./"+filepath.ToSlash(pkg))...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), env...),
		// Build with this module's own go.mod/go.sum even when it sits read-only in the module
		// cache of an importing project, whatever that project's workspace or vendor settings.
		"GOWORK=off", "GOFLAGS=-mod=readonly",
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("privatelink: building Lambda %s in %s with the local Go toolchain failed: %v\n%s\n(fix: install Go >= 1.24 on PATH, or set GOROOT; network access to the Go module proxy is needed once)", pkg, root, err, stderr.String())
	}
	return nil
}

func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

// ModuleRoot finds this module's source tree: next to this file when the binary was built
// without -trimpath (the usual `go run`/`go test`), else through `go list -m`, which also finds
// it in the module cache of an importing project or behind a replace directive.
func ModuleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Dir(file)
		for i := 0; i < 6 && dir != filepath.Dir(dir); i++ {
			if moduleName(filepath.Join(dir, "go.mod")) == ModulePath {
				return dir, nil
			}
			dir = filepath.Dir(dir)
		}
	}
	cmd := exec.Command(goTool(), "list", "-m", "-f", "{{.Dir}}", ModulePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return "", fmt.Errorf("privatelink: cannot find the source of %s to build its Lambda handlers (go list -m: %v %s); fix: run synth from a Go module that requires %s", ModulePath, err, stderr.String(), ModulePath)
	}
	return dir, nil
}

func moduleName(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); strings.HasPrefix(line, "module ") {
			return strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "module")), `"`)
		}
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
