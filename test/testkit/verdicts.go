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

// VerdictCacheEnv names the directory of the checkers' verdicts — cfn-guard's structured reports,
// cfn-lint's findings and aws-cdk-lib's CloudFormation Validate plugin's, each kept by a key of
// everything the checker reads (GuardCacheKey, LintKey, ValidateKey) — so that a run of the tests checks again only the templates a change touched, as
// golangci-lint keeps its findings per package content. Default: "privatelink-go/verdicts" under
// the user's cache directory (os.UserCacheDir). "off" runs the checkers on every template every
// time; CI sets it (.ci/run), so every CI run checks every template for real.
const VerdictCacheEnv = "PRIVATELINK_VERDICT_CACHE"

// A verdict kept is reused only for the same checker (its binary's bytes, or its version where it
// is a Python program or aws-cdk-lib's plugin), flags, rules and template bytes (under the same
// names where the checker reports them: not for the plugin, keyed by account and Region instead):
// the checkers read nothing else (no network; cfn-lint keeps nothing while a .cfnlintrc could add
// rules of its own).
// A run that failed (an error, not a finding) is never kept.
const verdictsVersion = "privatelink-go verdicts v1"

// verdictsKeep is how many verdicts (1 to 100 KB each) outlive a trim; verdicts used within the
// last day are kept whatever their number.
const verdictsKeep = 1000

// VerdictCacheDir is the verdicts' directory, or "" when the cache is off or has no home.
// A relative directory is taken from the module root, so that every test package (each runs in
// its own directory) shares it.
func VerdictCacheDir() string {
	switch d := os.Getenv(VerdictCacheEnv); {
	case strings.EqualFold(d, "off"):
		return ""
	case d == "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "privatelink-go", "verdicts")
	case filepath.IsAbs(d):
		return d
	default:
		root, err := Root()
		if err != nil {
			return ""
		}
		return filepath.Join(root, d)
	}
}

// GuardCacheKey is the key of cfn-guard's verdict on templates (stack name -> template) with
// rules (files or directories, as given to --rules): a digest of the binary's bytes, the flags,
// each rule file's name (relative to the package when inside it) and bytes, and each stack's name
// and template.
func GuardCacheKey(tools GuardTools, rules []string, templates map[string]map[string]any) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\ncfn-guard\n", verdictsVersion)
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

// cachedGuard is runGuard's output for these inputs, kept or run (cached).
func cachedGuard(tools GuardTools, rules []string, templates map[string]map[string]any) ([]byte, error) {
	run := func() ([]byte, error) { return runGuard(tools, rules, templates) }
	key, err := GuardCacheKey(tools, rules, templates)
	if err != nil {
		return run()
	}
	whole := func(out []byte) bool { // one report per template
		var reports []map[string]json.RawMessage
		return json.Unmarshal(out, &reports) == nil && len(reports) == len(templates)
	}
	return cached(key, whole, run)
}

// cached is the verdict kept under key when whole accepts it, else run's output, kept. A cache
// that cannot be read or written is passed by: run runs, as with the cache off.
func cached(key string, whole func([]byte) bool, run func() ([]byte, error)) ([]byte, error) {
	if out, ok := kept(key, whole); ok {
		return out, nil
	}
	out, err := run()
	if err != nil {
		return nil, err
	}
	keep(key, out)
	return out, nil
}

// kept is the verdict kept under key, if there is one (and the cache is on) that whole(out)
// accepts: a torn or foreign entry is checked again.
func kept(key string, whole func([]byte) bool) ([]byte, bool) {
	dir := VerdictCacheDir()
	if dir == "" {
		return nil, false
	}
	entry := filepath.Join(dir, key+".json")
	info, err := os.Stat(entry)
	if err != nil {
		return nil, false
	}
	out, err := os.ReadFile(entry)
	if err != nil || !whole(out) {
		return nil, false
	}
	// The last use, for the trim; at most hourly, as go test's own cache reads a modification
	// time of every file a test opens: an entry touched at every run would make every run new.
	if now := time.Now(); now.Sub(info.ModTime()) > time.Hour {
		_ = os.Chtimes(entry, now, now)
	}
	return out, true
}

// keep keeps out as the verdict under key, when the cache is on and can be written.
func keep(key string, out []byte) {
	dir := VerdictCacheDir()
	if dir == "" || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	once, _ := trimmed.LoadOrStore(dir, &sync.Once{})
	once.(*sync.Once).Do(func() { trimVerdicts(dir, time.Now()) })
	// Written aside, then renamed: a reader sees a whole verdict or none.
	tmp, err := os.CreateTemp(dir, "tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(out)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(dir, key+".json")) != nil {
		os.Remove(tmp.Name())
	}
}

var (
	trimmed     sync.Map // directory -> *sync.Once: each trimmed once per process
	verdictName = regexp.MustCompile(`^[0-9a-f]{64}\.json$`)
)

// trimVerdicts removes the verdicts beyond the verdictsKeep most recently used that were last used
// over a day before now, and writes abandoned for over an hour. It touches no other file.
func trimVerdicts(dir string, now time.Time) {
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
		if i >= verdictsKeep && now.Sub(v.at) > 24*time.Hour {
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
