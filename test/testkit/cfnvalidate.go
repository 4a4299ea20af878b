package testkit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The tests' apps synthesize without aws-cdk-lib's built-in CloudFormation Validate plugin
// (AppProps.BuiltinCloudFormationValidation false) and every template they wrote is checked by
// that same plugin when the package's tests end (Main -> CloudFormationValidate): one
// CloudFormationValidatePlugin.validate call over the templates that have no kept verdict.
//
// Why not at each synth, as an app does: the plugin rebuilds its engine (a WasmCompositeEngine)
// whenever a synth holds a resource type the previous one did not (aws-cdk-lib
// core/lib/validation/cloudformation-validate-plugin.js initializeEngine), 14 times in the
// constructs' tests (package test), and its engine's memory slows every later synth: with it on,
// they spent 26.8 CPU-s, with it off 14.8 (docs/performance.md). One call builds one engine; a
// template's verdict is kept like cfn-lint's (VerdictCacheEnv), so a run validates only the
// templates a change touched.

// NewApp is an app for a test: its cloud assembly goes to a directory of its own, which Main
// validates (CloudFormationValidate) and then removes. Main's findings name the test file and
// line that made the app (Synth's fixtures: the fixture).
func NewApp() awscdk.App {
	// Who made the app, for the findings: the directory is gone when they are read.
	madeAt := "an app"
	for skip := 1; skip < 4; skip++ {
		if _, file, line, ok := runtime.Caller(skip); ok && !strings.HasSuffix(filepath.Dir(file), "testkit") {
			madeAt = fmt.Sprintf("the app made at %s:%d", filepath.Base(file), line)
			break
		}
	}
	return newApp(madeAt)
}

// newApp is NewApp's app, its findings said to be label's.
func newApp(label string) awscdk.App {
	dir, err := os.MkdirTemp("", "privatelink-test-")
	if err != nil {
		panic(err)
	}
	outdirs.Store(dir, label)
	return awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir), BuiltinCloudFormationValidation: jsii.Bool(false)})
}

// ValidationFinding is one violation aws-cdk-lib's CloudFormation Validate plugin reports: its
// rule (a cfn-lint rule ID), severity, description and the resource's logical ID ("" for a
// template-level finding).
type ValidationFinding struct{ Rule, Severity, Description, LogicalID string }

// CloudFormationValidate is what aws-cdk-lib's CloudFormation Validate plugin finds in the
// templates of the cloud assemblies at dirs (directory -> what to call it; a directory without a
// manifest — an app never synthesized — has none), after the acknowledgements the constructs
// recorded, as an app's synth reports them: one line per finding, naming the rule, the
// assembly, stack and resource. Acknowledgements on the App itself are not in a stack's metadata
// and are not read (stricter than a synth; the tests make none).
func CloudFormationValidate(dirs map[string]string) ([]string, error) {
	var stacks []validatedStack
	for _, dir := range slices.Sorted(maps.Keys(dirs)) {
		if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
			continue
		}
		artifacts, nested, err := readStackArtifacts(dir)
		if err != nil {
			return nil, err
		}
		if len(nested) > 0 {
			// A Stage's stacks: a synth validates them too (stacksRecursively); nothing here
			// reads them, so refuse rather than pass them unchecked.
			return nil, fmt.Errorf("%s: nested cloud assemblies %v (Stages): their stacks are not read", dirs[dir], nested)
		}
		for _, id := range slices.Sorted(maps.Keys(artifacts)) {
			a := artifacts[id]
			account, region, _ := strings.Cut(strings.TrimPrefix(a.Environment, "aws://"), "/")
			s := validatedStack{artifact: a, path: filepath.Join(dir, a.Properties.TemplateFile), label: dirs[dir]}
			if account != "unknown-account" {
				s.account = account
			}
			if region != "unknown-region" {
				s.region = region
			}
			stacks = append(stacks, s)
		}
	}
	verdicts, err := validateTemplates(stacks)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, s := range stacks {
		for _, v := range verdicts[i] {
			if s.acknowledged(v) {
				continue
			}
			where := s.label + ", stack " + s.artifact.DisplayName
			if v.LogicalID != "" {
				where += ", resource " + v.LogicalID
			}
			out = append(out, fmt.Sprintf("%s (%s): %s [%s]", v.Rule, v.Severity, v.Description, where))
		}
	}
	return out, nil
}

// validatedStack is a stack's template as the plugin reads it: path and environment (account and
// region only where they are not tokens, as core/lib/private/synthesis-validation.js
// invokeSinglePlugin passes them).
type validatedStack struct {
	artifact                     stackArtifact
	path, account, region, label string
}

// acknowledged tells whether a construct acknowledged v on the way from its resource up to the
// root (Validations.of(c).acknowledge, aws:cdk:acknowledged-rules metadata — aws-cdk-lib's
// Stack does for W3010 when stack.availabilityZones is read), as synthesis-validation.js
// collectSuppressions drops it from an app's report: by the rule's ID in the plugin's namespace
// (validation-id.js normalizeValidationId). (Fatal findings are never dropped there; the plugin
// reports none: its mapSeverity makes FATAL an error.)
func (s validatedStack) acknowledged(v ValidationFinding) bool {
	id := "CloudFormation-Validate::" + strings.ReplaceAll(v.Rule, " ", "-")
	path := s.artifact.pathOf(v.LogicalID)
	for {
		for _, e := range s.artifact.Metadata[path] {
			if e.Type != "aws:cdk:acknowledged-rules" {
				continue
			}
			acks, _ := e.Data.(map[string]any)
			for ack := range acks {
				if strings.ReplaceAll(ack, " ", "-") == id {
					return true
				}
			}
		}
		if path == "" || path == "/" {
			return false
		}
		path = path[:max(strings.LastIndex(path, "/"), 0)]
	}
}

// validateTemplates is the plugin's findings on each stack's template: kept verdicts where there
// are, and one validate call over the others.
func validateTemplates(stacks []validatedStack) ([][]ValidationFinding, error) {
	out := make([][]ValidationFinding, len(stacks))
	keys := make([]string, len(stacks))
	var missing []*awscdk.PolicyValidationStack
	index := map[string]int{}
	caching := VerdictCacheDir() != ""
	for i, s := range stacks {
		if caching {
			key, err := ValidateKey(s.path, s.account, s.region)
			if err != nil {
				// Said once, then every template is validated, as with the cache off.
				fmt.Fprintf(os.Stderr, "CloudFormation Validate's verdicts are not kept: %v\n", err)
				caching = false
			} else {
				keys[i] = key
				var found []ValidationFinding
				if _, ok := kept(key, func(b []byte) bool { return json.Unmarshal(b, &found) == nil && found != nil }); ok {
					out[i] = found
					continue
				}
			}
		}
		ps := &awscdk.PolicyValidationStack{StackConstructPath: jsii.String(s.artifact.DisplayName), TemplatePath: jsii.String(s.path)}
		if s.account != "" {
			ps.AccountId = jsii.String(s.account)
		}
		if s.region != "" {
			ps.Region = jsii.String(s.region)
		}
		index[s.path] = i
		missing = append(missing, ps)
	}
	if len(missing) == 0 {
		return out, nil
	}
	report, err := validate(missing)
	if err != nil {
		return nil, err
	}
	for _, ps := range missing {
		out[index[*ps.TemplatePath]] = []ValidationFinding{}
	}
	for _, v := range *report.Violations {
		for _, r := range *v.ViolatingResources {
			i, ok := index[deref(r.TemplatePath)]
			if !ok {
				return nil, fmt.Errorf("CloudFormation Validate reported %s on %q, a template it was not given", *v.RuleName, deref(r.TemplatePath))
			}
			out[i] = append(out[i], ValidationFinding{*v.RuleName, deref(v.Severity), *v.Description, deref(r.ResourceLogicalId)})
		}
	}
	for _, ps := range missing {
		i := index[*ps.TemplatePath]
		if keys[i] != "" {
			body, _ := json.Marshal(out[i])
			keep(keys[i], body)
		}
	}
	return out, nil
}

// validate is the plugin's report on stacks, or the error it threw: jsii panics with what the
// plugin threw (a template gone, say), where a synth reports a failure of the plugin.
func validate(stacks []*awscdk.PolicyValidationStack) (report *awscdk.PolicyValidationPluginReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("CloudFormation Validate: %v", r)
		}
	}()
	return ValidatePlugin().Validate(&validationContext{awscdk.NewApp(nil), stacks}), nil
}

// ValidateKey is the key of the plugin's verdict on the template at path for a stack in account
// and region ("" where unknown): what the plugin reads — the template's bytes, the account and
// region it resolves pseudo parameters with — and the plugin itself: aws-cdk-lib's version (its
// rules, ignored rule IDs and options) and the version of the @aws/cloudformation-validate
// engine it reports. Not the path: the same template elsewhere has the same verdict.
func ValidateKey(path, account, region string) (string, error) {
	versions, err := validateVersions()
	if err != nil {
		return "", err
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\ncloudformation validate %s\naccount %q region %q\n%d\n", verdictsVersion, versions, account, region, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// validateVersions are aws-cdk-go's module version as the build resolved it (it embeds
// aws-cdk-lib at the same version; go list -m, because a test binary records no dependencies in
// its build information) and the plugin's engine version, asked once per process. A module
// replaced by a directory has no version: its verdicts are not kept.
var validateVersions = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}", "github.com/aws/aws-cdk-go/awscdk/v2").Output()
	version := strings.TrimSpace(string(out))
	if err != nil || version == "" {
		return "", fmt.Errorf("go list -m github.com/aws/aws-cdk-go/awscdk/v2: %v %q: no version to key verdicts by", err, version)
	}
	engine := ValidatePlugin().Version()
	if engine == nil {
		return "", fmt.Errorf("the CloudFormation Validate plugin has no version")
	}
	return "aws-cdk-go " + version + " engine " + *engine, nil
})

// ValidatePlugin is the process's one CloudFormationValidatePlugin (default options, as the
// built-in one), which CloudFormationValidate uses: it keeps its engine from one check to the
// next while the templates hold no resource type the engine was not built with. A second engine
// alive beside the first costs about 2 s of node to build (the first's memory is not reused).
var ValidatePlugin = sync.OnceValue(func() awscdk.CloudFormationValidatePlugin {
	return awscdk.NewCloudFormationValidatePlugin(nil)
})

// validationContext is the IPolicyValidationContext the plugin is handed: the templates, and an
// app of its own (the plugin reads only the templates).
type validationContext struct {
	app    awscdk.App
	stacks []*awscdk.PolicyValidationStack
}

func (c *validationContext) AccountId() *string { return nil }
func (c *validationContext) Region() *string    { return nil }
func (c *validationContext) AppConstruct() constructs.IConstruct {
	return c.app
}
func (c *validationContext) StackTemplates() *[]*awscdk.PolicyValidationStack { return &c.stacks }
func (c *validationContext) TemplatePaths() *[]*string {
	paths := make([]*string, len(c.stacks))
	for i, s := range c.stacks {
		paths[i] = s.TemplatePath
	}
	return &paths
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
