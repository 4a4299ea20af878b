package testkit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// GuardCacheEnv names the directory of cfn-guard's verdicts: its structured reports, kept by a
// key of everything it reads (GuardCacheKey), so that a run of the tests checks again only the
// templates a change touched, as golangci-lint caches its findings per package content. Default:
// "privatelink-go/guard" under the user's cache directory (os.UserCacheDir). "off" runs cfn-guard
// every time; CI sets it (.ci/run), so every CI run checks every template for real.
const GuardCacheEnv = "PRIVATELINK_GUARD_CACHE"

// A verdict kept is reused only for the same bytes of the cfn-guard binary, of every rule file
// and of every template under the same stack names, with the same flags: cfn-guard reads nothing
// else (no network, no configuration file, no environment variable of its own). A run that
// failed (an error, not a failing rule) is never kept.
const guardCacheVersion = "privatelink-go cfn-guard verdicts v1"

// guardKeep is how many verdicts (10 to 100 KB each) outlive a trim; verdicts used within the last
// day are kept whatever their number.
const guardKeep = 500

// GuardCacheDir is the verdicts' directory, or "" when the cache is off or has no home.
func GuardCacheDir() string {
	switch d := os.Getenv(GuardCacheEnv); d {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "privatelink-go", "guard")
	default:
		abs, err := filepath.Abs(d)
		if err != nil {
			return ""
		}
		return abs
	}
}

// GuardCacheKey is the key of cfn-guard's verdict on templates (stack name -> template) with
// rules (files or directories, as given to --rules): a digest of the binary's bytes, the flags,
// each rule file's name (relative to the package when inside it) and bytes, and each stack's name
// and template.
func GuardCacheKey(tools GuardTools, rules []string, templates map[string]map[string]any) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", guardCacheVersion)
	sum, err := fileSum(tools.Bin)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "bin %s\nargs %q\n", sum, guardArgs)
	// Rule files inside the package are named from it: checkouts in two places share verdicts.
	name := func(path string) string {
		if rel, err := filepath.Rel(tools.Pkg, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
		return path
	}
	for _, rule := range slices.Sorted(slices.Values(rules)) {
		fmt.Fprintf(h, "rules %q\n", name(rule))
		// A directory is every file under it: cfn-guard reads them all.
		err := filepath.WalkDir(rule, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			sum, err := fileSum(path)
			fmt.Fprintf(h, "file %q %s\n", name(path), sum)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		body, err := json.Marshal(templates[stack])
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "stack %q %d\n", stack, len(body))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cachedGuard is runGuard's output for these inputs: the verdict kept under their key when there
// is one, else a run of cfn-guard, kept. A cache that cannot be read or written is passed by:
// cfn-guard runs, as it would with the cache off.
func cachedGuard(tools GuardTools, rules []string, templates map[string]map[string]any) ([]byte, error) {
	dir := GuardCacheDir()
	if dir == "" {
		return runGuard(tools, rules, templates)
	}
	key, err := GuardCacheKey(tools, rules, templates)
	if err != nil {
		return runGuard(tools, rules, templates)
	}
	entry := filepath.Join(dir, key+".json")
	if out, err := os.ReadFile(entry); err == nil && json.Valid(out) {
		now := time.Now()
		_ = os.Chtimes(entry, now, now) // last use, for the trim
		return out, nil
	}
	out, err := runGuard(tools, rules, templates)
	if err != nil {
		return nil, err
	}
	if os.MkdirAll(dir, 0o755) == nil {
		trimGuardOnce.Do(func() { trimGuard(dir, time.Now()) })
		// Written aside, then renamed: a reader sees a whole verdict or none.
		if tmp, err := os.CreateTemp(dir, "tmp-*"); err == nil {
			_, werr := tmp.Write(out)
			if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), entry) != nil {
				os.Remove(tmp.Name())
			}
		}
	}
	return out, nil
}

var (
	trimGuardOnce sync.Once
	verdictName   = regexp.MustCompile(`^[0-9a-f]{64}\.json$`)
)

// trimGuard removes the verdicts beyond the guardKeep most recently used that were last used
// over a day before now, and writes abandoned for over an hour. It touches no other file.
func trimGuard(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type use struct {
		name string
		at   time.Time
	}
	var verdicts []use
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch name := e.Name(); {
		case strings.HasPrefix(name, "tmp-"):
			if now.Sub(info.ModTime()) > time.Hour {
				os.Remove(filepath.Join(dir, name))
			}
		case verdictName.MatchString(name):
			verdicts = append(verdicts, use{name, info.ModTime()})
		}
	}
	slices.SortFunc(verdicts, func(a, b use) int { return b.at.Compare(a.at) })
	for i, v := range verdicts {
		if i >= guardKeep && now.Sub(v.at) > 24*time.Hour {
			os.Remove(filepath.Join(dir, v.name))
		}
	}
}

// fileSums are files' digests by path, size and modification time: the binary (10 MB) and the
// rule files are read once per process.
var fileSums sync.Map

func fileSum(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	id := fmt.Sprintf("%s\x00%d\x00%d", path, info.Size(), info.ModTime().UnixNano())
	if sum, ok := fileSums.Load(id); ok {
		return sum.(string), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	fileSums.Store(id, sum)
	return sum, nil
}
