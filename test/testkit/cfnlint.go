package testkit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// lintArgs are cfn-lint's flags before the template files; part of each verdict's key. The Region
// is named: without --regions cfn-lint lints for $AWS_REGION or $AWS_DEFAULT_REGION, else
// us-east-1 (cfnlint/config.py), and some rules read it.
var lintArgs = []string{"--format", "parseable", "--regions=us-east-1"}

// LintFindings runs cfn-lint (bin) over files and returns each file's findings in its parseable
// format (file:line:col:endline:endcol:rule:message), by file as given. Each file's findings are
// kept (VerdictCacheEnv) by a key of cfn-lint's version, its flags and the file's name and bytes
// (LintKey); cfn-lint runs once, over the files without a kept verdict.
//
// Nothing is kept while a .cfnlintrc is there: it can name rule and schema files of its own.
// cfn-lint --update-specs rewrites cfn-lint's resource schemas without changing its version: run
// the tests once with PRIVATELINK_VERDICT_CACHE=off after it (or remove the verdicts).
func LintFindings(bin string, files []string) (map[string][]string, error) {
	out := map[string][]string{}
	keys := map[string]string{}
	var missing []string
	keeping := VerdictCacheDir() != "" && len(lintConfigs()) == 0
	for _, file := range files {
		if !keeping {
			missing = append(missing, file)
			continue
		}
		key, err := LintKey(bin, file)
		if err != nil {
			missing = append(missing, file)
			continue
		}
		keys[file] = key
		var lines []string
		if _, ok := kept(key, func(got []byte) bool { return json.Unmarshal(got, &lines) == nil && lines != nil }); !ok {
			missing = append(missing, file)
			continue
		}
		out[file] = lines
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := runLint(bin, missing)
	if err != nil {
		return nil, err
	}
	for _, file := range missing {
		out[file] = found[file]
		if key := keys[file]; key != "" {
			body, _ := json.Marshal(found[file])
			keep(key, body)
		}
	}
	return out, nil
}

// runLint runs cfn-lint over files and sorts its findings by file (every file given has an entry).
func runLint(bin string, files []string) (map[string][]string, error) {
	raw, err := exec.Command(bin, append(append([]string{}, lintArgs...), files...)...).CombinedOutput()
	// cfn-lint's exit status is a mask of the levels it found (2 error, 4 warning, 8
	// informational; cfnlint/runner/cli.py); 1 and any other bit is cfn-lint failing to run.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode()&^14 == 0) {
		return nil, fmt.Errorf("cfn-lint: %v: %.500s", err, raw)
	}
	found := map[string][]string{}
	for _, file := range files {
		found[file] = []string{}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		file, _, ok := strings.Cut(line, ":")
		if _, given := found[file]; ok && given {
			found[file] = append(found[file], line)
		} else if line != "" {
			return nil, fmt.Errorf("cfn-lint printed a line that names no template it was given: %.300s", line)
		}
	}
	return found, nil
}

// lintConfigs are the configuration files cfn-lint would read: .cfnlintrc, .yaml or .yml, in the
// home and the working directory (cfnlint/config.py).
func lintConfigs() []string {
	var found []string
	home, _ := os.UserHomeDir()
	for _, dir := range []string{home, "."} {
		for _, name := range []string{".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				found = append(found, filepath.Join(dir, name))
			}
		}
	}
	return found
}

// LintKey is the key of cfn-lint's findings on file: a digest of cfn-lint's version, its flags,
// the file's name as given and its bytes.
func LintKey(bin, file string) (string, error) {
	version, err := lintVersion(bin)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\ncfn-lint %s\nargs %q\n", verdictsVersion, version, lintArgs)
	body, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "file %q %d\n", file, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// lintVersions are `cfn-lint --version`'s answers by binary, asked once per process.
var lintVersions sync.Map

func lintVersion(bin string) (string, error) {
	if v, ok := lintVersions.Load(bin); ok {
		return v.(string), nil
	}
	out, err := exec.Command(bin, "--version").Output()
	v := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(v, "cfn-lint ") {
		return "", fmt.Errorf("cfn-lint --version: %v: %q", err, v)
	}
	lintVersions.Store(bin, v)
	return v, nil
}
