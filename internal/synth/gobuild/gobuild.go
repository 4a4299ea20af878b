// Package gobuild compiles the library's one Lambda binary (lambda/bootstrap) at synth time with
// the local Go toolchain (no Docker) into a reproducible linux/arm64 `bootstrap` for the
// provided.al2023 runtime, at most once per process, and keeps it in a content-addressed cache
// (cache.go) so that a synth whose inputs did not change runs no build at all.
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

// ModulePath is this library's module path; the binary is built from its source tree.
const ModulePath = "github.com/privatelink-go/privatelink"

// Package is the binary's main package, relative to the module root.
const Package = "lambda/bootstrap"

// Flags make the binary byte-for-byte reproducible (no paths, no VCS stamp, no build ID), so the
// asset hash — and therefore every snapshot and every deploy diff — only changes when the
// handlers' source, their dependencies or the Go toolchain change.
var Flags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-tags=lambda.norpc"}

// lambdaEnv is the build environment of the deployed binary: statically linked for Lambda's
// arm64 hosts.
var lambdaEnv = []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"}

// hostFlags are Flags without -trimpath, for HostBinary.
func hostFlags() []string {
	var flags []string
	for _, f := range Flags {
		if f != "-trimpath" {
			flags = append(flags, f)
		}
	}
	return flags
}

// builds memoises the process's builds: the binary serves many functions, stacks and test
// fixtures, and its output depends only on its inputs. A cache of a pure function, not app state.
var builds sync.Map // kind -> *result

type result struct {
	once sync.Once
	path string // the directory (Bootstrap) or file (HostBinary)
	temp string // a directory to remove in Cleanup: the build was not cached
	err  error
}

func memo(kind string, build func() (path, temp string, err error)) (string, error) {
	v, _ := builds.LoadOrStore(kind, &result{})
	r := v.(*result)
	r.once.Do(func() { r.path, r.temp, r.err = build() })
	return r.path, r.err
}

// Bootstrap returns a directory holding only the linux/arm64 `bootstrap` binary, ready for
// awslambda.Code_FromAsset: from the cache when its inputs were built before, else built once.
func Bootstrap() (string, error) {
	return memo("lambda", func() (string, string, error) {
		bin, temp, err := cached(Flags, lambdaEnv, "linux/arm64")
		return filepath.Dir(bin), temp, err
	})
}

// MustBootstrap is Bootstrap for construct code, where a failure to build is a synth error.
func MustBootstrap() string {
	dir, err := Bootstrap()
	if err != nil {
		panic(err)
	}
	return dir
}

// HostBinary returns the binary built the way `go test` builds the test binary that runs it (this
// machine's platform and cgo setting), for end-to-end tests: the asset's tags and linker flags,
// without -trimpath. Both differences only change how the binary is linked and which file paths
// it records, and keeping them lets a build reuse every package the test binary already compiled
// (measured on a cold cache: 1 s instead of 40–54 s). Run it; do not write to it.
func HostBinary() (string, error) {
	return memo("host", func() (string, string, error) {
		return cached(hostFlags(), nil, runtime.GOOS+"/"+runtime.GOARCH)
	})
}

// Cleanup removes the builds this process could not cache and forgets every build, so a later
// call builds or reads the cache again. Call it once the app is synthesized: the cloud assembly
// holds copies of the binary.
func Cleanup() {
	builds.Range(func(k, v any) bool {
		if r := v.(*result); r.temp != "" {
			os.RemoveAll(r.temp)
		}
		builds.Delete(k)
		return true
	})
}

// SlowBuild is how long a Lambda build may take before the build says what it is doing.
var SlowBuild = 3 * time.Second

// build compiles Package with flags and env into file, saying so on standard error when it takes
// longer than SlowBuild: a warm Go build cache makes it a link of cached packages (under a
// second), an empty one compiles the AWS SDK for the target first, silently, for a minute or more.
func build(file, target string, flags, env []string) error {
	slow := time.AfterFunc(SlowBuild, func() {
		fmt.Fprintf(os.Stderr, "privatelink: compiling the Lambda binary %s for %s; on an empty Go build cache the first synth compiles the AWS SDK for it too (minutes on 2 cores: docs/performance.md), later synths reuse it\n", Package, target)
	})
	defer slow.Stop()
	return runBuild(file, flags, env...)
}

// runBuild runs go build; a variable so tests can count builds.
var runBuild = goBuild

func goBuild(file string, flags []string, env ...string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command(goTool(), append(append([]string{"build"}, flags...), "-o", file, "./"+Package)...)
	cmd.Dir = root
	cmd.Env = buildEnv(env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("privatelink: building the Lambda binary %s in %s with the local Go toolchain failed: %v\n%s\n(fix: install Go >= 1.26 on PATH, or set GOROOT; network access to the Go module proxy is needed once)", Package, root, err, stderr.String())
	}
	return nil
}

// buildEnv is the environment of every go command this package runs: env over the process's own,
// and this module's own go.mod/go.sum even when it sits read-only in the module cache of an
// importing project, whatever that project's workspace or vendor settings.
func buildEnv(env []string) []string {
	return append(append(os.Environ(), env...), "GOWORK=off", "GOFLAGS=-mod=readonly", "GO111MODULE=on")
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
// it in the module cache of an importing project or behind a replace directive. Found once per
// process: the cache key and the build both ask.
func ModuleRoot() (string, error) { return moduleRoot() }

var moduleRoot = sync.OnceValues(findModuleRoot)

func findModuleRoot() (string, error) {
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
		return "", fmt.Errorf("privatelink: cannot find the source of %s to build its Lambda binary (go list -m: %v %s); fix: run synth from a Go module that requires %s", ModulePath, err, stderr.String(), ModulePath)
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
