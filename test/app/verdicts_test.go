package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	. "github.com/privatelink-go/privatelink/test/testkit"
)

// thirtyDays is a template with one log group kept 30 days: it fails CT.CLOUDWATCH.PR.2
// (retention of at least a year) and nothing else of ct-cloudwatch-pr-2.guard.
func thirtyDays(stack string, days int) map[string]map[string]any {
	return map[string]map[string]any{stack: {"Resources": map[string]any{
		"Logs": map[string]any{"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{"RetentionInDays": days}},
	}}}
}

// retentionRule is a copy of the Control Tower rule file CT.CLOUDWATCH.PR.2, in its own directory.
func retentionRule(t *testing.T, tools GuardTools) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(tools.Pkg, "rules", "control-tower", "cfn-guard", "cloudwatch", "ct-cloudwatch-pr-2.guard"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ct-cloudwatch-pr-2.guard")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A verdict kept for inputs cfn-guard would read differently would pass a template on another
// template's check; a key that changes with anything else would never serve.
func TestTheVerdictCacheKeyChangesWithEveryInputCfnGuardReadsAndNothingElse(t *testing.T) {
	tools := controlTowerTools(t)
	rule := retentionRule(t, tools)
	key := func(tools GuardTools, rules []string, templates map[string]map[string]any) string {
		t.Helper()
		k, err := GuardCacheKey(tools, rules, templates)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key(tools, []string{rule}, thirtyDays("Stack", 30))
	if again := key(tools, []string{rule}, thirtyDays("Stack", 30)); again != base {
		t.Errorf("the same inputs built again give key %s, then %s", base, again)
	}

	// The same bytes elsewhere: another copy of the binary, the package in another checkout.
	sameBin := tools
	sameBin.Bin = filepath.Join(t.TempDir(), "cfn-guard")
	if err := os.WriteFile(sameBin.Bin, must(os.ReadFile(tools.Bin)), 0o755); err != nil {
		t.Fatal(err)
	}
	if k := key(sameBin, []string{rule}, thirtyDays("Stack", 30)); k != base {
		t.Errorf("the same binary at another path gives key %s, not %s", k, base)
	}
	checkout := func() (GuardTools, string) {
		pkg := tools
		pkg.Pkg = t.TempDir()
		inPkg := filepath.Join(pkg.Pkg, "rules", "ct-cloudwatch-pr-2.guard")
		if err := os.MkdirAll(filepath.Dir(inPkg), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(inPkg, must(os.ReadFile(rule)), 0o644); err != nil {
			t.Fatal(err)
		}
		return pkg, inPkg
	}
	one, oneRule := checkout()
	other, otherRule := checkout()
	if a, b := key(one, []string{oneRule}, thirtyDays("Stack", 30)), key(other, []string{otherRule}, thirtyDays("Stack", 30)); a != b {
		t.Errorf("the package's rule file in two checkouts gives keys %s and %s", a, b)
	}

	// Edited in place: only the bytes differ.
	edited := retentionRule(t, tools)
	before := key(tools, []string{edited}, thirtyDays("Stack", 30))
	if err := os.WriteFile(edited, append(must(os.ReadFile(edited)), "\n# edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if after := key(tools, []string{edited}, thirtyDays("Stack", 30)); after == before {
		t.Error("a rule file edited in place keeps its key")
	}
	renamed := filepath.Join(filepath.Dir(rule), "renamed.guard")
	if err := os.WriteFile(renamed, must(os.ReadFile(rule)), 0o644); err != nil {
		t.Fatal(err)
	}
	otherBin := sameBin
	if err := os.WriteFile(otherBin.Bin, append(must(os.ReadFile(tools.Bin)), 0), 0o755); err != nil {
		t.Fatal(err)
	}
	inDir := key(tools, []string{filepath.Dir(rule)}, thirtyDays("Stack", 30))
	if err := os.Rename(rule, filepath.Join(filepath.Dir(rule), "renamed.txt")); err != nil {
		t.Fatal(err)
	}
	renamedInDir := key(tools, []string{filepath.Dir(rule)}, thirtyDays("Stack", 30))
	if err := os.Rename(filepath.Join(filepath.Dir(rule), "renamed.txt"), rule); err != nil {
		t.Fatal(err)
	}
	changed := map[string]string{
		"another template":     key(tools, []string{rule}, thirtyDays("Stack", 31)),
		"another stack name":   key(tools, []string{rule}, thirtyDays("Other", 30)),
		"a rule file's name":   key(tools, []string{renamed}, thirtyDays("Stack", 30)),
		"one more rule file":   key(tools, []string{rule, renamed}, thirtyDays("Stack", 30)),
		"a rules directory":    inDir,
		"a file's name in it":  renamedInDir,
		"the binary's bytes":   key(otherBin, []string{rule}, thirtyDays("Stack", 30)), // at sameBin's path
		"two templates of one": key(tools, []string{rule}, merge(thirtyDays("Stack", 30), thirtyDays("Other", 30))),
	}
	seen := map[string]string{base: "the base inputs"}
	for change, k := range changed {
		if was, ok := seen[k]; ok {
			t.Errorf("%s gives the key of %s", change, was)
		}
		seen[k] = change
	}
}

// A verdict kept is what the next check of the same inputs reads (cfn-guard does not run); an
// entry that is not a whole verdict is checked again, and a run that failed is not kept.
func TestAKeptVerdictIsReadBackAndAFailedRunIsNotKept(t *testing.T) {
	tools := controlTowerTools(t)
	rule := retentionRule(t, tools)
	dir := t.TempDir()
	t.Setenv(VerdictCacheEnv, dir)
	templates := thirtyDays("Stack", 30)
	check := func() string {
		t.Helper()
		vs, err := RunGuard(tools, []string{rule}, templates)
		if err != nil || len(vs) != 1 {
			t.Fatalf("RunGuard: %v, %v; want one failure", vs, err)
		}
		return vs[0].Rule
	}
	const real = "cloudwatch_log_group_retention_period_check"
	if got := check(); got != real {
		t.Fatalf("first check: rule %s, want %s", got, real)
	}
	entry := filepath.Join(dir, must(GuardCacheKey(tools, []string{rule}, templates))+".json")
	kept, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("no verdict kept after the first check: %v", err)
	}
	// The kept verdict, doctored: only a check that reads it reports the doctored rule name.
	if err := os.WriteFile(entry, bytes.ReplaceAll(kept, []byte(real), []byte("read_from_the_cache")), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := check(); got != "read_from_the_cache" {
		t.Errorf("second check of the same inputs: rule %s, want the kept verdict's", got)
	}
	t.Setenv(VerdictCacheEnv, "off")
	if got := check(); got != real {
		t.Errorf("with %s=off: rule %s, want cfn-guard's own %s", VerdictCacheEnv, got, real)
	}
	t.Setenv(VerdictCacheEnv, dir)
	if err := os.WriteFile(entry, kept[:len(kept)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if got := check(); got != real {
		t.Errorf("over a torn entry: rule %s, want cfn-guard's own %s", got, real)
	}
	if again, _ := os.ReadFile(entry); !bytes.Equal(again, kept) {
		t.Errorf("the torn entry was not replaced by the new verdict")
	}
	if err := os.WriteFile(entry, []byte("[]"), 0o644); err != nil { // no report for the template
		t.Fatal(err)
	}
	if got := check(); got != real {
		t.Errorf("over an entry without the template's report: rule %s, want cfn-guard's own %s", got, real)
	}

	broken := filepath.Join(t.TempDir(), "broken.guard")
	if err := os.WriteFile(broken, []byte("rule broken when {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = RunGuard(tools, []string{rule, broken}, templates)
	MustContain(t, ErrString(err), "cfn-guard:", "broken.guard")
	if _, err := os.Stat(filepath.Join(dir, must(GuardCacheKey(tools, []string{rule, broken}, templates))+".json")); !os.IsNotExist(err) {
		t.Errorf("the failed run's verdict is kept (stat: %v)", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func merge(ms ...map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// fakeLint is a cfn-lint that answers --version with version and finds one warning "ran" in each
// template, exiting as cfn-lint does with a warning (4), or with status when it is not 4; each run
// appends its templates' names to the file runs.
func fakeLint(t *testing.T, version string, status int, extra ...string) (bin, runs string) {
	t.Helper()
	dir := t.TempDir()
	bin, runs = filepath.Join(dir, "cfn-lint"), filepath.Join(dir, "runs")
	script := fmt.Sprintf(`#!/bin/sh
if [ "$1" = --version ]; then echo "cfn-lint %s"; exit 0; fi
shift 3 # --format parseable --regions=us-east-1
echo "$*" >> %q
for f; do echo "$f:1:1:1:2:W9999:ran"; done
%s
exit %d
`, version, runs, echo(extra), status)
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, runs
}

func echo(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "echo %q\n", l)
	}
	return b.String()
}

// cfn-lint's findings are kept per template: a second run lints only the templates whose bytes
// changed, a new cfn-lint version lints them all again, and a run that failed keeps nothing.
func TestKeptLintFindingsAreReadBackForTheSameTemplateAndCfnLintVersion(t *testing.T) {
	t.Setenv(VerdictCacheEnv, t.TempDir())
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.template.json"), filepath.Join(dir, "b.template.json")
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, []byte(`{"Resources":{}}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	v1, runs := fakeLint(t, "1.0.0", 4)
	lint := func(bin string) map[string][]string {
		t.Helper()
		got, err := LintFindings(bin, []string{a, b})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{a, b} {
			if want := []string{f + ":1:1:1:2:W9999:ran"}; !slices.Equal(got[f], want) {
				t.Errorf("findings on %s: %q, want %q", filepath.Base(f), got[f], want)
			}
		}
		return got
	}
	ran := func(runs string) string {
		t.Helper()
		log, _ := os.ReadFile(runs)
		return strings.ReplaceAll(strings.TrimSpace(string(log)), dir+"/", "")
	}
	lint(v1)
	lint(v1)
	if err := os.WriteFile(b, []byte(`{"Resources":{} }`), 0o644); err != nil {
		t.Fatal(err)
	}
	lint(v1)
	if got, want := ran(runs), "a.template.json b.template.json\nb.template.json"; got != want {
		t.Errorf("cfn-lint 1.0.0 ran over\n%s\nwant both templates, then only the one changed:\n%s", got, want)
	}
	v2, runs2 := fakeLint(t, "2.0.0", 4)
	lint(v2)
	if got, want := ran(runs2), "a.template.json b.template.json"; got != want {
		t.Errorf("cfn-lint 2.0.0 ran over %q, want every template again: %q", got, want)
	}

	broken, runs3 := fakeLint(t, "3.0.0", 1)
	_, err := LintFindings(broken, []string{a})
	MustContain(t, ErrString(err), "cfn-lint: exit status 1")
	_, err = LintFindings(broken, []string{a})
	MustContain(t, ErrString(err), "cfn-lint: exit status 1")
	if got := ran(runs3); got != "a.template.json\na.template.json" {
		t.Errorf("after a failed run cfn-lint ran over %q, want a.template.json again", got)
	}
	odd, _ := fakeLint(t, "4.0.0", 16)
	_, err = LintFindings(odd, []string{a})
	MustContain(t, ErrString(err), "cfn-lint: exit status 16")
	stray, _ := fakeLint(t, "5.0.0", 4, "Traceback (most recent call last):")
	_, err = LintFindings(stray, []string{a})
	MustContain(t, ErrString(err), "cfn-lint printed a line that names no template it was given: Traceback")

	// A kept entry that is not a list of findings is linted again.
	if err := os.WriteFile(filepath.Join(os.Getenv(VerdictCacheEnv), must(LintKey(v1, a))+".json"), []byte("null"), 0o644); err != nil {
		t.Fatal(err)
	}
	lint(v1)
	if got := ran(runs); !strings.HasSuffix(got, "\na.template.json") {
		t.Errorf("over a kept null cfn-lint ran over\n%s\nwant a.template.json last", got)
	}
	renamed := filepath.Join(dir, "c.template.json")
	if err := os.WriteFile(renamed, must(os.ReadFile(a)), 0o644); err != nil {
		t.Fatal(err)
	}
	if must(LintKey(v1, a)) == must(LintKey(v1, renamed)) {
		t.Error("the same bytes under another name give the same key: findings name their file")
	}
}

// aws-cdk-lib's CloudFormation Validate plugin checks the tests' templates when they end
// (CloudFormationValidate); its verdict on a template is kept by the template's bytes and the
// account and region of its stack, and read back instead of validating again.
func TestKeptCloudFormationValidateVerdictsAreReadBackForTheSameTemplateAndEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("runs aws-cdk-lib's CloudFormation Validate plugin, which -short does not")
	}
	cache := t.TempDir()
	t.Setenv(VerdictCacheEnv, cache)
	// An app of the test's own, not among those Main checks: its finding is on purpose.
	dir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir), BuiltinCloudFormationValidation: jsii.Bool(false)})
	topic := awscdk.NewCfnResource(ProviderStack(app, "Kept"), jsii.String("Topic"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::SNS::Topic")})
	topic.AddPropertyOverride(jsii.String("NoSuchProperty"), jsii.Number(1))
	app.Synth(nil)
	check := func() string {
		t.Helper()
		found, err := CloudFormationValidate(map[string]string{dir: "the test's app"})
		if err != nil || len(found) != 1 {
			t.Fatalf("CloudFormationValidate: %q, %v; want one finding", found, err)
		}
		return found[0]
	}
	if got := check(); !strings.Contains(got, "'NoSuchProperty' was unexpected") {
		t.Fatalf("first check: %s, want the plugin's finding on NoSuchProperty", got)
	}
	template := filepath.Join(dir, "Kept.template.json")
	entry := filepath.Join(cache, must(ValidateKey(template, "111111111111", "eu-west-1"))+".json")
	kept, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("no verdict kept after the first check: %v", err)
	}
	// The kept verdict, doctored: only a check that reads it reports the doctored text.
	if err := os.WriteFile(entry, bytes.ReplaceAll(kept, []byte("NoSuchProperty"), []byte("ReadFromTheCache")), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := check(); !strings.Contains(got, "ReadFromTheCache") {
		t.Errorf("second check of the same template: %s, want the kept verdict's", got)
	}
	t.Setenv(VerdictCacheEnv, "off")
	if got := check(); !strings.Contains(got, "'NoSuchProperty' was unexpected") {
		t.Errorf("with %s=off: %s, want the plugin's own finding", VerdictCacheEnv, got)
	}
	t.Setenv(VerdictCacheEnv, cache)
	if err := os.WriteFile(entry, kept[:len(kept)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if got := check(); !strings.Contains(got, "'NoSuchProperty' was unexpected") {
		t.Errorf("over a torn entry: %s, want the plugin's own finding", got)
	}
	if again, _ := os.ReadFile(entry); !bytes.Equal(again, kept) {
		t.Errorf("the torn entry was not replaced by the new verdict")
	}

	// The key: the same bytes elsewhere share it; another account, Region or byte does not.
	elsewhere := filepath.Join(t.TempDir(), "Elsewhere.template.json")
	body := must(os.ReadFile(template))
	if err := os.WriteFile(elsewhere, body, 0o644); err != nil {
		t.Fatal(err)
	}
	key := must(ValidateKey(template, "111111111111", "eu-west-1"))
	if got := must(ValidateKey(elsewhere, "111111111111", "eu-west-1")); got != key {
		t.Errorf("the same template at another path has another key")
	}
	for what, k := range map[string]string{
		"another account": must(ValidateKey(template, "222222222222", "eu-west-1")),
		"another Region":  must(ValidateKey(template, "111111111111", "us-east-1")),
		"no known Region": must(ValidateKey(template, "111111111111", "")),
		"an edited template": func() string {
			if err := os.WriteFile(elsewhere, bytes.Replace(body, []byte("NoSuchProperty"), []byte("NoSuchPropertx"), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			return must(ValidateKey(elsewhere, "111111111111", "eu-west-1"))
		}(),
	} {
		if k == key {
			t.Errorf("%s has the same key", what)
		}
	}
}
