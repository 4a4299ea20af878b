package gobuild

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// swapBuild makes go build run as build for the rest of the test, and counts its runs.
func swapBuild(t *testing.T, build func(file string, flags []string, env ...string) error) *int {
	n := new(int)
	real := runBuild
	runBuild = func(file string, flags []string, env ...string) error {
		*n++
		return build(file, flags, env...)
	}
	t.Cleanup(func() { runBuild = real })
	return n
}

// countBuilds counts the real builds for the rest of the test.
func countBuilds(t *testing.T) *int { return swapBuild(t, runBuild) }

func TestASecondSynthReadsTheCacheInsteadOfBuilding(t *testing.T) {
	t.Setenv(CacheEnv, t.TempDir())
	builds := countBuilds(t)
	first := nextProcess(t)
	again, err := Bootstrap()
	if err != nil || again != first || *builds != 1 {
		t.Fatalf("two Bootstraps in one process ran %d builds (want 1) and gave %s then %s (%v)", *builds, first, again, err)
	}
	next := nextProcess(t) // nothing remembered but the cache
	if *builds != 1 || next != first {
		t.Fatalf("a later process ran %d builds in all and read %s: want the cached %s and no second build", *builds, next, first)
	}
	if _, err := os.Stat(filepath.Join(next, "bootstrap")); err != nil {
		t.Fatalf("Cleanup removed the cached binary: %v", err)
	}
	entries, _ := os.ReadDir(next)
	if len(entries) != 1 {
		t.Fatalf("the asset directory %s holds %d files, want only bootstrap: every file is part of the asset hash", next, len(entries))
	}
}

// fakeBuilds replaces go build with writing a file, after delay, and counts the builds.
func fakeBuilds(t *testing.T, delay time.Duration) *int {
	return swapBuild(t, func(file string, _ []string, _ ...string) error {
		time.Sleep(delay)
		return os.WriteFile(file, []byte("#!/bin/false\n"), 0o755)
	})
}

// nextProcess forgets this process's builds, as a new synth process starts, then asks for the
// binary.
func nextProcess(t *testing.T) string {
	t.Helper()
	Cleanup()
	dir, err := Bootstrap()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// stderrOf is what f writes to standard error.
func stderrOf(f func()) string {
	r, w, _ := os.Pipe()
	stderr := os.Stderr
	os.Stderr = w
	f()
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out)
}

func TestWithTheCacheOffEveryProcessBuildsAndCleanupRemovesTheBuild(t *testing.T) {
	t.Setenv(CacheEnv, "off")
	builds := fakeBuilds(t, 0)
	dir := nextProcess(t)
	Cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still exists after Cleanup (err %v): every synth would leave its binary behind", dir, err)
	}
	again, err := Bootstrap()
	if err != nil {
		t.Fatal(err)
	}
	defer Cleanup()
	if _, err := os.Stat(filepath.Join(again, "bootstrap")); err != nil || again == dir || *builds != 2 {
		t.Fatalf("Bootstrap after Cleanup gave %s (before: %s) after %d builds, stat %v: want a fresh build", again, dir, *builds, err)
	}
}

// A build slower than SlowBuild says on standard error what it is compiling and for how long; a
// fast one (warm cache, the usual case) says nothing.
func TestASlowLambdaBuildSaysWhatItIsCompiling(t *testing.T) {
	t.Setenv(CacheEnv, "off")
	fakeBuilds(t, 100*time.Millisecond)
	defer func(d time.Duration) { SlowBuild = d }(SlowBuild)
	for _, c := range []struct {
		slow time.Duration
		want string
	}{{time.Millisecond, "privatelink: compiling the Lambda binary lambda/bootstrap for linux/arm64; on an empty Go build cache"}, {time.Hour, ""}} {
		SlowBuild = c.slow
		out := stderrOf(func() { nextProcess(t) })
		if c.want == "" && len(out) != 0 || !strings.Contains(out, c.want) {
			t.Errorf("with SlowBuild %s the build printed %q, want %q", c.slow, out, c.want)
		}
	}
	Cleanup()
}

// The key is only correct if it covers what the go command says the build reads: every file of
// every package of this module in the binary, for the Lambda's platform.
func TestTheCacheKeyCoversEveryFileTheBuildReads(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, ok, err := inputs(root)
	if err != nil || !ok {
		t.Fatalf("inputs: ok %v, %v", ok, err)
	}
	for _, env := range [][]string{lambdaEnv, nil} {
		cmd := exec.Command(goTool(), "list", "-deps", "-json", "./"+Package)
		cmd.Dir, cmd.Env = root, buildEnv(env)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		read := 0
		for d := json.NewDecoder(bytes.NewReader(out)); d.More(); {
			var p struct {
				Dir    string
				Module *struct{ Path string }
				GoFiles, CgoFiles, CFiles, HFiles, SFiles, SysoFiles, EmbedFiles, IgnoredGoFiles,
				IgnoredOtherFiles []string
			}
			if err := d.Decode(&p); err != nil {
				t.Fatal(err)
			}
			if p.Module == nil || p.Module.Path != ModulePath {
				continue
			}
			rel, _ := filepath.Rel(root, p.Dir)
			for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.CFiles, p.HFiles, p.SFiles, p.SysoFiles, p.EmbedFiles, p.IgnoredGoFiles, p.IgnoredOtherFiles} {
				for _, f := range list {
					read++
					if name := filepath.ToSlash(filepath.Join(rel, f)); !slices.Contains(files, name) {
						t.Errorf("%v: the build reads %s, which the cache key leaves out", env, name)
					}
				}
			}
		}
		if read < 10 {
			t.Fatalf("go list named only %d files of this module: the comparison proves nothing", read)
		}
	}
}

// module writes a module with the library's path into a temporary directory: the bootstrap
// importing lib, and other, which it does not import.
func module(t *testing.T, files map[string]string) string {
	root := t.TempDir()
	base := map[string]string{
		"go.mod":                   "module " + ModulePath + "\n\ngo 1.24\n",
		"go.sum":                   "",
		"lambda/bootstrap/main.go": "package main\n\nimport \"" + ModulePath + "/lib\"\n\nfunc main() { lib.F() }\n",
		"lib/lib.go":               "package lib\n\nfunc F() {}\n",
		"other/other.go":           "package other\n",
	}
	for name, text := range files {
		base[name] = text
	}
	for name, text := range base {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func key(t *testing.T, root string, flags, env []string) string {
	k, err := Key(root, flags, env)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTheCacheKeyChangesWithEveryInputAndNothingElse(t *testing.T) {
	base := key(t, module(t, nil), Flags, lambdaEnv)
	if base == "" {
		t.Fatal("the plain module is not cacheable")
	}
	for _, c := range []struct {
		why   string
		files map[string]string
		flags []string
		env   []string
		same  bool
	}{
		{why: "an imported package's source", files: map[string]string{"lib/lib.go": "package lib\n\nfunc F() { println() }\n"}},
		{why: "a new file in an imported package", files: map[string]string{"lib/asm_arm64.s": "\n"}},
		{why: "the main package", files: map[string]string{"lambda/bootstrap/main.go": "package main\n\nimport \"" + ModulePath + "/lib\"\n\nfunc main() { lib.F(); lib.F() }\n"}},
		{why: "go.sum", files: map[string]string{"go.sum": "example.com/x v1.0.0 h1:abc=\n"}},
		{why: "go.mod", files: map[string]string{"go.mod": "module " + ModulePath + "\n\ngo 1.25\n"}},
		{why: "the flags", flags: []string{"-trimpath"}},
		{why: "the platform", env: []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64"}},
		{why: "a package the binary does not import", files: map[string]string{"other/other.go": "package other\n\nvar X = 1\n"}, same: true},
		{why: "a test file", files: map[string]string{"lib/lib_test.go": "package lib\n"}, same: true},
		{why: "a file the go command ignores", files: map[string]string{"lib/.#lib.go": "an editor's lock file", "lib/_old.go": "package lib\n"}, same: true},
	} {
		flags, env := Flags, lambdaEnv
		if c.flags != nil {
			flags = c.flags
		}
		if c.env != nil {
			env = c.env
		}
		if k := key(t, module(t, c.files), flags, env); (k == base) != c.same {
			t.Errorf("changing %s gave key %s (unchanged: %s): want the key to change %v", c.why, k, base, !c.same)
		}
	}
}

// A setting from the environment (or `go env -w`) that the constructs do not pass is read the
// way the build reads it.
func TestTheCacheKeyReadsTheSettingsTheGoCommandResolves(t *testing.T) {
	root := module(t, nil)
	base := key(t, root, Flags, lambdaEnv)
	t.Setenv("GOARM64", "v8.2")
	if k := key(t, root, Flags, lambdaEnv); k == base {
		t.Errorf("GOARM64=v8.2 in the environment left the key at %s: the build would reuse a v8.0 binary", k)
	}
}

func TestABuildReadingFilesTheKeyCannotSeeIsNotCached(t *testing.T) {
	for why, files := range map[string]map[string]string{
		"an embed":                        {"lib/lib.go": "package lib\n\nimport _ \"embed\"\n\n//go:embed data/x\nvar x string\n\nfunc F() {}\n"},
		"a replacement by a directory":    {"go.mod": "module " + ModulePath + "\n\ngo 1.24\n\nreplace example.com/x => ../x\n"},
		"a replacement by a Windows path": {"go.mod": "module " + ModulePath + "\n\ngo 1.24\n\nreplace (\n\texample.com/x v1.0.0 => C:/src/x\n)\n"},
	} {
		if k := key(t, module(t, files), Flags, lambdaEnv); k != "" {
			t.Errorf("with %s the key is %s: want none, the build reads files the key does not hash", why, k)
		}
	}
}

func TestTrimKeepsTheRecentlyUsedEntriesWhatIsInUseAndWhatIsNotItsOwn(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	var want []string
	for i := range 12 {
		name := strings.Repeat(string(rune('a'+i%6)), 63) + fmt.Sprint(i%10)
		os.Mkdir(filepath.Join(dir, name), 0o755)
		at := now.Add(-time.Duration(i) * 24 * time.Hour) // the first used now, the next a day ago, …
		if i == 11 {
			at = now.Add(-time.Minute) // the oldest by order of creation, but in use
		}
		os.Chtimes(filepath.Join(dir, name), at, at)
		if i < keep-1 || i == 11 {
			want = append(want, name)
		}
	}
	old := now.Add(-2 * time.Hour)
	for _, name := range []string{"tmp-123456", "go-build", "tmp-someone-elses"} {
		os.Mkdir(filepath.Join(dir, name), 0o755)
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	want = append(want, "go-build", "tmp-someone-elses") // a cache directory shared with others
	trim(dir, now)
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("after trim: %v, want the %d most recently used entries (one used a minute ago among them), no abandoned build, and everything not an entry: %v", got, keep, want)
	}
}

func TestADamagedEntryIsRebuiltNotDeployed(t *testing.T) {
	t.Setenv(CacheEnv, t.TempDir())
	builds := fakeBuilds(t, 0)
	dir := nextProcess(t)
	os.WriteFile(filepath.Join(dir, "bootstrap"), nil, 0o755) // torn by a crash
	again := nextProcess(t)
	defer Cleanup()
	if b, _ := os.ReadFile(filepath.Join(again, "bootstrap")); *builds != 2 || len(b) == 0 {
		t.Fatalf("after damaging the entry: %d builds, a %d-byte binary; want a second build and a whole binary", *builds, len(b))
	}
}

// A cache that cannot be written (a read-only home, say) costs the build, never the synth.
func TestAnUnusableCacheBuildsWithoutItAndSaysWhy(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	t.Setenv(CacheEnv, filepath.Join(file, "cache"))
	builds := fakeBuilds(t, 0)
	var dir string
	out := stderrOf(func() { dir = nextProcess(t) })
	defer Cleanup()
	if *builds != 1 || !fileExists(filepath.Join(dir, "bootstrap")) {
		t.Fatalf("Bootstrap with an unusable cache: %d builds, %s", *builds, dir)
	}
	if want := "privatelink: building the Lambda binary without its cache: mkdir " + file + ": not a directory (set PRIVATELINK_LAMBDA_CACHE to another directory, or to off to silence this)"; strings.TrimSpace(out) != want {
		t.Fatalf("stderr %q, want %q", out, want)
	}
}

// BenchmarkACachedBootstrap times what a synth with unchanged inputs spends on the Lambda binary:
// the key (go env, hashing the inputs) and the entry's checksum, no build (docs/performance.md).
func BenchmarkACachedBootstrap(b *testing.B) {
	if _, err := Bootstrap(); err != nil { // fills the cache if it is empty
		b.Fatal(err)
	}
	for range b.N {
		Cleanup()
		if _, err := Bootstrap(); err != nil {
			b.Fatal(err)
		}
	}
}

// While another process builds, a process missing the cache waits for it and uses its build
// instead of compiling the same binary again.
func TestAProcessWaitsForTheBuildUnderWayInsteadOfBuildingAgain(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	dir := t.TempDir()
	builds := fakeBuilds(t, 0)
	root, _ := ModuleRoot()
	key, err := Key(root, Flags, lambdaEnv)
	if err != nil || key == "" {
		t.Fatalf("key %q, %v", key, err)
	}
	unlock, err := lock(filepath.Join(dir, key+".lock")) // the other process, building
	if err != nil {
		t.Fatal(err)
	}
	locking := make(chan struct{})
	beforeLock = func() { close(locking) }
	defer func() { beforeLock = func() {} }()
	got := make(chan string)
	go func() {
		bin, err := fromCache(dir, Flags, lambdaEnv, "linux/arm64")
		if err != nil {
			t.Error(err)
		}
		got <- bin
	}()
	select { // it found no entry and went for the lock…
	case <-locking:
	case bin := <-got:
		t.Fatalf("fromCache returned %s while another process held the build lock", bin)
	}
	select { // …and waits there
	case bin := <-got:
		t.Fatalf("fromCache returned %s while another process held the build lock", bin)
	case <-time.After(200 * time.Millisecond):
	}
	entry := filepath.Join(dir, key) // the other process's build lands
	os.MkdirAll(filepath.Join(entry, "asset"), 0o755)
	os.WriteFile(filepath.Join(entry, "asset", "bootstrap"), []byte("built by the other process"), 0o755)
	if err := seal(entry); err != nil {
		t.Fatal(err)
	}
	unlock()
	if bin := <-got; bin != filepath.Join(entry, "asset", "bootstrap") || *builds != 0 {
		t.Fatalf("after waiting: %s and %d builds; want the other process's entry and no build", bin, *builds)
	}
}
