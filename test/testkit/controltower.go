package testkit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

const guardPackage = "node_modules/@cdklabs/cdk-validator-cfnguard"

// GuardTools is the cfn-guard binary and the Control Tower rule files, by the resource types
// each file names.
type GuardTools struct {
	Pkg   string
	Bin   string
	Rules map[string][]string // rule file -> resource types it names (none: always run)
	Skip  string              // why the check cannot run on this machine, or ""
	Err   error
}

var (
	guardOnce sync.Once
	guardSet  GuardTools
	typeLit   = regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)
)

// ControlTowerTools finds the package under the module root, once per process.
func ControlTowerTools() GuardTools {
	guardOnce.Do(func() {
		// The package's bin/<platform>/<architecture>/cfn-guard, as its plugin.js picks it.
		platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
		arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
		if platform == "" || arch == "" {
			guardSet.Skip = fmt.Sprintf("@cdklabs/cdk-validator-cfnguard ships cfn-guard for Linux and macOS on x86_64 and arm64 only, not %s/%s", runtime.GOOS, runtime.GOARCH)
			return
		}
		root, err := Root()
		if err != nil {
			guardSet.Err = err
			return
		}
		pkg := filepath.Join(root, guardPackage)
		guardSet.Pkg = pkg
		guardSet.Bin = filepath.Join(pkg, "bin", platform, arch, "cfn-guard")
		if _, err := os.Stat(guardSet.Bin); err != nil {
			guardSet.Err = fmt.Errorf("cfn-guard is not installed (%v): run `npm ci` in the module root, as `make test` does", err)
			return
		}
		guardSet.Rules = map[string][]string{}
		guardSet.Err = filepath.WalkDir(filepath.Join(pkg, "rules", "control-tower", "cfn-guard"), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".guard") {
				return err
			}
			text, err := os.ReadFile(path)
			guardSet.Rules[path] = typeLit.FindAllString(string(text), -1)
			return err
		})
		if guardSet.Err == nil && len(guardSet.Rules) < 100 {
			guardSet.Err = fmt.Errorf("only %d Control Tower rules under %s: the package layout changed", len(guardSet.Rules), pkg)
		}
	})
	return guardSet
}

// Violation is one rule failing on one resource of one template.
type Violation struct{ Template, Resource, Rule, Control, Fix string }

var (
	controlID  = regexp.MustCompile(`\[(CT\.[A-Z0-9_]+\.PR\.[0-9]+)\]`)
	fixText    = regexp.MustCompile(`\[FIX\]:\s*([^\n]*)`)
	resourceAt = regexp.MustCompile(`"/Resources/([^/"]+)`)
	// customMessage is the control's own message: "[CT.…]: title [FIX]: what to do".
	customMessage = regexp.MustCompile(`"custom_message":\s*"((?:[^"\\]|\\.)*\[CT\.(?:[^"\\]|\\.)*)"`)
)

// ControlTowerProblems runs the Control Tower rules over templates (stack name -> template JSON)
// and returns every unsuppressed failure and every suppression without a failure, each naming
// the fixture, the template, the resource and the control. It returns nil where the check cannot
// run.
func ControlTowerProblems(fixture string, templates map[string]map[string]any) ([]string, error) {
	vs, err := ControlTowerViolations(templates)
	if err != nil || vs == nil {
		return nil, err
	}
	problems := Judge(templates, vs)
	for i := range problems {
		problems[i] = fixture + "/" + problems[i]
	}
	return problems, nil
}

// ControlTowerViolations is every rule failing on templates, suppressed or not (as the hook
// sees them), or nil where the check cannot run. Each template (by stack name and content) is
// checked once per process, whoever asks first: the fixture's own check and a test reading the
// same templates share one cfn-guard run.
func ControlTowerViolations(templates map[string]map[string]any) ([]Violation, error) {
	tools := ControlTowerTools()
	if tools.Skip != "" {
		return nil, nil
	}
	if tools.Err != nil {
		return nil, tools.Err
	}
	vs := []Violation{}
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		tpl := templates[stack]
		body, err := json.Marshal(tpl)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append([]byte(stack+"\n"), body...))
		v, _ := checked.LoadOrStore(hex.EncodeToString(sum[:]), &guardRun{})
		run := v.(*guardRun)
		run.once.Do(func() { run.vs, run.err = RunGuard(tools, nil, map[string]map[string]any{stack: tpl}) })
		if run.err != nil {
			return nil, run.err
		}
		vs = append(vs, run.vs...)
	}
	return vs, nil
}

// guardRun is one template's check: the rules' failures on it.
type guardRun struct {
	once sync.Once
	vs   []Violation
	err  error
}

// checked holds each template's guardRun, by stack name and content.
var checked sync.Map

// RunGuard runs cfn-guard over templates with the rule files given, or, when rules is nil, with
// those that name a resource type of the templates: every rule selects Resources.*[ Type ==
// <literal> ] and is skipped when that selection is empty, so the others cannot fail
// (TestOnlyTheRulesThatNameATemplatesTypesCanFailIt checks this on real templates). Its reports
// come from the verdict cache when these exact inputs were checked before (verdicts.go).
func RunGuard(tools GuardTools, rules []string, templates map[string]map[string]any) ([]Violation, error) {
	if rules == nil {
		types := map[string]bool{}
		for _, tpl := range templates {
			resources, _ := tpl["Resources"].(map[string]any)
			for _, r := range resources {
				types[fmt.Sprint(r.(map[string]any)["Type"])] = true
			}
		}
		for file, named := range tools.Rules {
			if len(named) == 0 || slices.ContainsFunc(named, func(t string) bool { return types[t] }) {
				rules = append(rules, file)
			}
		}
	}
	rules = slices.Sorted(slices.Values(rules)) // a copy: the caller's slice stays as given
	out, err := cachedGuard(tools, rules, templates)
	if err != nil {
		return nil, err
	}
	return parseGuard(out)
}

// guardArgs are cfn-guard's flags before the data and rule files; part of the verdict cache's key.
var guardArgs = []string{"validate", "--output-format", "json", "--show-summary", "none", "--structured"}

// runGuard runs cfn-guard and returns its structured reports with each data file's name replaced
// by its stack name, so that the same inputs give the same bytes wherever they were written.
func runGuard(tools GuardTools, rules []string, templates map[string]map[string]any) ([]byte, error) {
	dir, err := os.MkdirTemp("", "privatelink-guard-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	args := slices.Clone(guardArgs)
	files := map[string]string{} // file -> stack name
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		body, err := json.Marshal(templates[stack])
		if err != nil {
			return nil, err
		}
		file := filepath.Join(dir, stack+".template.json")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			return nil, err
		}
		files[file] = stack
		args = append(args, "--data", file)
	}
	for _, r := range rules {
		args = append(args, "--rules", r)
	}
	cmd := exec.Command(tools.Bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// cfn-guard exits 19 when a rule fails, 0 when all pass. A rule file it cannot parse is only
	// a line on stderr when another rule fails (exit 19): that would drop a control unseen.
	var exit *exec.ExitError
	if (err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19)) || strings.TrimSpace(stderr.String()) != "" {
		return nil, fmt.Errorf("cfn-guard: %v: %s", err, stderr.String())
	}
	var reports []map[string]json.RawMessage
	if err := json.Unmarshal(out, &reports); err != nil {
		return nil, fmt.Errorf("cfn-guard output is not the structured JSON expected: %v: %.300s", err, out)
	}
	for _, rep := range reports {
		var name string
		_ = json.Unmarshal(rep["name"], &name)
		stack, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("cfn-guard reported on %q, which is not a template it was given", name)
		}
		rep["name"], _ = json.Marshal(stack)
	}
	return json.Marshal(reports)
}

// parseGuard reads cfn-guard's structured JSON (runGuard's: reports named by stack): per
// template, the failing rules, each with the control's message and the template paths it failed
// on.
func parseGuard(out []byte) ([]Violation, error) {
	var reports []struct {
		Name         string            `json:"name"`
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &reports); err != nil {
		return nil, fmt.Errorf("cfn-guard output is not the structured JSON expected: %v: %.300s", err, out)
	}
	var vs []Violation
	for _, rep := range reports {
		stack := rep.Name
		for _, raw := range rep.NotCompliant {
			var rule struct {
				Rule struct {
					Name string `json:"name"`
				} `json:"Rule"`
			}
			if err := json.Unmarshal(raw, &rule); err != nil {
				return nil, err
			}
			text := string(raw)
			control, fix := "", ""
			if m := controlID.FindStringSubmatch(text); m != nil {
				control = m[1]
			}
			var message string
			if m := customMessage.FindStringSubmatch(text); m != nil && json.Unmarshal([]byte(`"`+m[1]+`"`), &message) == nil {
				if m := fixText.FindStringSubmatch(message); m != nil {
					fix = strings.TrimSpace(m[1])
				}
			}
			seen := map[string]bool{}
			for _, m := range resourceAt.FindAllStringSubmatch(text, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					vs = append(vs, Violation{stack, m[1], rule.Rule.Name, control, fix})
				}
			}
			if len(seen) == 0 {
				vs = append(vs, Violation{stack, "(no resource)", rule.Rule.Name, control, fix})
			}
		}
	}
	return vs, nil
}

// Judge turns violations into problems: failures the resource does not suppress with a reason,
// and suppressions with no failure behind them.
func Judge(templates map[string]map[string]any, vs []Violation) []string {
	var problems []string
	failing := map[[3]string]bool{}
	for _, v := range vs {
		if templates[v.Template] == nil {
			continue
		}
		failing[[3]string{v.Template, v.Resource, v.Rule}] = true
		rules, reasons := GuardMetadata(templates[v.Template], v.Resource)
		switch {
		case !slices.Contains(rules, v.Rule):
			problems = append(problems, fmt.Sprintf("%s: %s fails %s (%s) unsuppressed; fix: %s", v.Template, v.Resource, v.Control, v.Rule, v.Fix))
		case !strings.HasPrefix(reasons[v.Rule], v.Control+": ") || strings.TrimSpace(strings.TrimPrefix(reasons[v.Rule], v.Control+": ")) == "":
			problems = append(problems, fmt.Sprintf("%s: %s suppresses %s (%s) without a reason \"%s: <why>\" in Metadata.guard.Reasons (has %q)", v.Template, v.Resource, v.Control, v.Rule, v.Control, reasons[v.Rule]))
		}
	}
	for stack, tpl := range templates {
		resources, _ := tpl["Resources"].(map[string]any)
		for id := range resources {
			rules, _ := GuardMetadata(tpl, id)
			for _, rule := range rules {
				if !failing[[3]string{stack, id, rule}] {
					problems = append(problems, fmt.Sprintf("%s: %s suppresses %s, which it does not fail: remove the suppression", stack, id, rule))
				}
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// GuardMetadata is a resource's Metadata.guard: suppressed rule names and reasons by rule.
func GuardMetadata(tpl map[string]any, resource string) ([]string, map[string]string) {
	r, _ := tpl["Resources"].(map[string]any)[resource].(map[string]any)
	meta, _ := r["Metadata"].(map[string]any)
	g, _ := meta["guard"].(map[string]any)
	var rules []string
	list, _ := g["SuppressedRules"].([]any)
	for _, x := range list {
		rules = append(rules, fmt.Sprint(x))
	}
	reasons := map[string]string{}
	m, _ := g["Reasons"].(map[string]any)
	for k, v := range m {
		reasons[k] = fmt.Sprint(v)
	}
	return rules, reasons
}

// TemplateJSON is the JSON form of each template of a fixture.
func TemplateJSON(templates map[string]assertions.Template) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, tpl := range templates {
		var m map[string]any
		_ = json.Unmarshal(templateBytes(tpl), &m)
		out[name] = m
	}
	return out
}
