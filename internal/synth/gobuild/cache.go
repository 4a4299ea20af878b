package gobuild

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CacheEnv names the directory of the binary cache. Default: "privatelink-go/lambda" under the
// user's cache directory (os.UserCacheDir, e.g. ~/.cache). "off" builds every time into a
// temporary directory.
const CacheEnv = "PRIVATELINK_LAMBDA_CACHE"

// keep is how many cache entries (about 9 MB each) outlive a trim; entries used within the last
// hour are kept whatever their number, as another process may be reading them.
const keep = 8

// An entry is a directory named by its Key, holding asset/bootstrap (the asset directory: every
// file in it is part of the asset hash) and sha256, the binary's checksum, checked at every use
// so that a torn or damaged entry is rebuilt instead of deployed.
var entryName = regexp.MustCompile(`^[0-9a-f]{64}$`)

// tempName is a build under way (os.MkdirTemp's "tmp-" and digits).
var tempName = regexp.MustCompile(`^tmp-[0-9]+$`)

// cached returns the binary built with flags and env (target names the platform in messages):
// the cache entry of its inputs' Key when one exists, else a build stored as that entry. temp is
// a directory to remove when the binary could not be cached. A cache that cannot be used (no
// home, a read-only or foreign directory, inputs Key cannot see) never fails the synth: the
// binary is built without it, as before the cache existed, and standard error says why.
func cached(flags, env []string, target string) (bin, temp string, err error) {
	if dir := cacheDir(); dir != "" {
		bin, err := fromCache(dir, flags, env, target)
		if err == nil && bin != "" {
			return bin, "", nil
		}
		if err != nil {
			if _, failed := err.(buildError); failed {
				return "", "", err
			}
			fmt.Fprintf(os.Stderr, "privatelink: building the Lambda binary without its cache: %v (set %s to another directory, or to off to silence this)\n", err, CacheEnv)
		}
	}
	tmp, err := os.MkdirTemp("", "privatelink-lambda-")
	if err != nil {
		return "", "", fmt.Errorf("privatelink: building the Lambda binary: %w", err)
	}
	bin = filepath.Join(tmp, "bootstrap")
	if err := build(bin, target, flags, env); err != nil {
		os.RemoveAll(tmp)
		return "", "", err
	}
	return bin, tmp, nil
}

// buildError is a failed go build: reported as it is, not retried without the cache.
type buildError struct{ error }

// fromCache returns the cached binary of the inputs' key, building and storing it on a miss; ""
// without an error when the inputs cannot be cached.
func fromCache(dir string, flags, env []string, target string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	key, err := Key(root, flags, env)
	if err != nil || key == "" {
		return "", err
	}
	entry := filepath.Join(dir, key)
	bin := filepath.Join(entry, "asset", "bootstrap")
	if use(entry) {
		return bin, nil
	}
	// One build of a key at a time: on an empty Go build cache, test processes starting together
	// would otherwise each compile the AWS SDK for the same binary, minutes of CPU each. Whoever
	// waited finds the entry built.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	waiting := time.AfterFunc(SlowBuild, func() {
		fmt.Fprintf(os.Stderr, "privatelink: waiting for another process to finish building the Lambda binary into %s\n", dir)
	})
	beforeLock()
	unlock, err := lock(entry + ".lock")
	waiting.Stop()
	if err != nil {
		return "", err
	}
	defer unlock()
	if use(entry) {
		return bin, nil
	}
	// Damaged (a crash mid-write, a disk error) if it exists: rebuilt, never deployed.
	if err := os.RemoveAll(entry); err != nil {
		return "", err
	}
	// Built aside and renamed into place, so no process ever sees half an entry (and where there
	// is no lock, the first of two builds to rename wins and the other uses its entry).
	tmp, err := os.MkdirTemp(dir, "tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // after a successful rename, nothing is left to remove
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := os.Mkdir(filepath.Join(tmp, "asset"), 0o755); err != nil {
		return "", err
	}
	if err := build(filepath.Join(tmp, "asset", "bootstrap"), target, flags, env); err != nil {
		return "", buildError{err}
	}
	if err := seal(tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, entry); err != nil && !intact(entry) {
		return "", err
	}
	trim(dir, time.Now())
	return bin, nil
}

// beforeLock runs just before a process waits for the build lock; tests use it.
var beforeLock = func() {}

// use reports whether entry is intact, marking it used first (its modification time is its last
// use) so that trim cannot take it between the check and the caller reading it.
func use(entry string) bool {
	now := time.Now()
	return os.Chtimes(entry, now, now) == nil && intact(entry)
}

// seal writes the checksum of the entry's binary, after flushing the binary to disk so that the
// rename that publishes the entry cannot outrun its content. Opened for writing: Windows flushes
// only handles with write access (FlushFileBuffers).
func seal(entry string) error {
	f, err := os.OpenFile(filepath.Join(entry, "asset", "bootstrap"), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	sum, err := checksum(f)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(entry, "sha256"), []byte(sum), 0o644)
}

// intact reports whether entry holds a binary whose content matches its recorded checksum.
func intact(entry string) bool {
	want, err := os.ReadFile(filepath.Join(entry, "sha256"))
	if err != nil {
		return false
	}
	f, err := os.Open(filepath.Join(entry, "asset", "bootstrap"))
	if err != nil {
		return false
	}
	defer f.Close()
	sum, err := checksum(f)
	return err == nil && sum == string(want)
}

// checksum is the hex SHA-256 of what r holds: an entry's record of its binary.
func checksum(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func cacheDir() string {
	switch d := os.Getenv(CacheEnv); d {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return "" // no home directory: build every time
		}
		return filepath.Join(base, "privatelink-go", "lambda")
	default:
		// Absolute: go build runs in the module root, the cache is named from anywhere.
		abs, err := filepath.Abs(d)
		if err != nil {
			return ""
		}
		return abs
	}
}

// trim removes the entries beyond the keep most recently used, and builds abandoned by killed
// processes, that were last used over an hour before now, with their lock files. It touches
// nothing else: the cache directory may be one the user shares with other files.
func trim(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type lastUse struct {
		name string
		at   time.Time
	}
	var uses []lastUse
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !entryName.MatchString(name) && !tempName.MatchString(name) {
			continue
		}
		if info, err := e.Info(); err == nil {
			uses = append(uses, lastUse{name, info.ModTime()})
		}
	}
	slices.SortFunc(uses, func(a, b lastUse) int { return b.at.Compare(a.at) })
	kept := 0
	for _, u := range uses {
		if entryName.MatchString(u.name) && kept < keep {
			kept++
			continue
		}
		// Asked again just before removing: another process may have used it meanwhile.
		if info, err := os.Stat(filepath.Join(dir, u.name)); err == nil && now.Sub(info.ModTime()) > time.Hour {
			os.RemoveAll(filepath.Join(dir, u.name))
			os.Remove(filepath.Join(dir, u.name+".lock"))
		}
	}
}

// Key is the cache key of the binary built from the module at root with flags and env: a SHA-256
// of everything the build reads, or "" when the build may read files the key cannot see. It is
// correct by construction rather than by a list of known inputs:
//   - the toolchain and every setting `go env` resolves that changes code generation, read the
//     way the build reads them (the same environment, so GOTOOLCHAIN switches and `go env -w`
//     values count);
//   - go.mod and go.sum: every dependency outside the module is a module version that go.sum
//     pins by hash, checked when the go command downloads it into the module cache (which it
//     keeps read-only: a cache made writable with -modcacherw and edited by hand is not seen);
//   - inputs: every file of every package of this module that Package imports, directly or not.
func Key(root string, flags, env []string) (string, error) {
	files, ok, err := inputs(root)
	if err != nil || !ok {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "privatelink lambda cache 2\npackage %s\nflags %q\nenv %q\n", Package, flags, env)
	cmd := exec.Command(goTool(), "env", "GOVERSION", "GOOS", "GOARCH", "CGO_ENABLED", "CC", "GOARM64", "GOAMD64", "GOEXPERIMENT", "GOFIPS140")
	cmd.Dir = root
	cmd.Env = buildEnv(env)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env: %v", err)
	}
	fmt.Fprintf(h, "go env\n%s", out)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "file %q %d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// localReplace matches a go.mod replacement by a directory, whose files go.sum does not pin.
var localReplace = regexp.MustCompile(`(?m)=>\s*"?(\.|/|\\|[A-Za-z]:[\\/])`)

// inputs are the files, relative to root, that building Package can read from the module: go.mod,
// go.sum, and every file (tests aside) in the directory of each package of the module that Package
// imports, found by following import declarations from Package. Every file's imports count
// whatever its build constraints, so the set holds at least what any build reads. ok is false when
// the build may read more: a go.mod replacement by a directory, or a package that embeds files
// (embed patterns may name subdirectories).
func inputs(root string) (files []string, ok bool, err error) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, false, err
	}
	if localReplace.Match(gomod) {
		return nil, false, nil
	}
	files = []string{"go.mod", "go.sum"}
	seen := map[string]bool{}
	queue := []string{Package}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(pkg)))
		if err != nil {
			return nil, false, err
		}
		for _, e := range entries {
			name := e.Name()
			// The go command ignores names starting with . or _ (an editor's lock file, say), and
			// a build reads regular files only.
			if !e.Type().IsRegular() || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				continue
			}
			files = append(files, pkg+"/"+name)
			if !strings.HasSuffix(name, ".go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, filepath.FromSlash(pkg), name), nil, parser.ImportsOnly)
			if err != nil {
				return nil, false, err
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "embed" {
					return nil, false, nil
				}
				if rel, in := strings.CutPrefix(path, ModulePath+"/"); in {
					queue = append(queue, rel)
				}
			}
		}
	}
	slices.Sort(files)
	return files, true, nil
}
