// Package test holds the assertion, error, snapshot and cdk-nag tests of the synthesized
// templates. Every fixture is synthesized once per process and shared between assertions,
// because each construct call crosses into the jsii Node.js process.
package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/internal/synth/gobuild"
	"github.com/privatelink-go/privatelink/internal/synth/shutdown"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	shutdown.CloseJsii()
	// Every fixture's cloud assembly (with copies of the Lambda binaries) and the binaries' build
	// directories: about 1 GB per run otherwise left in the temporary directory.
	outdirs.Range(func(dir, _ any) bool {
		os.RemoveAll(dir.(string))
		return true
	})
	gobuild.Cleanup()
	os.Exit(code)
}

// outdirs are the fixtures' cloud assembly directories, removed when the tests end.
var outdirs sync.Map

// fixture is a synthesized app: its stacks' templates and the app for annotations.
type fixture struct {
	once      sync.Once
	templates map[string]assertions.Template
	// json is each template as plain JSON, read from jsii once (templateJSON).
	json   map[string]map[string]any
	stacks map[string]awscdk.Stack
	err    error
}

// noControlTowerCheck is a synth option for fixtures that fail Control Tower on purpose.
const noControlTowerCheck = "no Control Tower check"

var fixtures sync.Map

// synth builds an app once per process under name, then returns its templates by stack name.
// The first caller's test also fails on what the fixture's templates break of AWS Control
// Tower's proactive controls, unless opts holds noControlTowerCheck.
func synth(t testing.TB, name string, build func(app awscdk.App) error, opts ...string) *fixture {
	t.Helper()
	v, _ := fixtures.LoadOrStore(name, &fixture{})
	f := v.(*fixture)
	f.once.Do(func() {
		dir, err := os.MkdirTemp("", "privatelink-test-")
		if err != nil {
			f.err = err
			return
		}
		outdirs.Store(dir, true)
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
		if f.err = build(app); f.err != nil {
			return
		}
		f.templates, f.stacks = map[string]assertions.Template{}, map[string]awscdk.Stack{}
		for _, c := range *app.Node().Children() {
			if *awscdk.Stack_IsStack(c) {
				s := c.(awscdk.Stack)
				f.stacks[*s.StackName()] = s
				f.templates[*s.StackName()] = assertions.Template_FromStack(s, nil)
			}
		}
		f.json = templateJSON(f.templates)
		// aws-cdk-lib's CloudFormation Validate plugin ran in that synth; by default its findings
		// only warn. Here they fail the fixture's first test.
		if findings, err := validationFindings(dir); err != nil || len(findings) > 0 {
			t.Errorf("fixture %s: CloudFormation Validate: %v %s", name, err, strings.Join(findings, "; "))
		}
		if !slices.Contains(opts, noControlTowerCheck) {
			// cfn-guard runs on the other core while the test goes on; the test waits for it
			// when it ends.
			templates := f.json
			done := make(chan struct{})
			var problems []string
			var err error
			go func() {
				defer close(done)
				problems, err = controlTowerProblems(name, templates)
			}()
			t.Cleanup(func() {
				<-done
				if err != nil {
					t.Errorf("Control Tower check of fixture %s: %v", name, err)
				}
				for _, p := range problems {
					t.Errorf("Control Tower: %s", p)
				}
			})
		}
	})
	if f.err != nil {
		t.Fatalf("fixture %s: %v", name, f.err)
	}
	return f
}

// validationFindings reads what aws-cdk-lib's built-in validation plugins found in the cloud
// assembly at dir (validation-report.json, written at every synth unless CDK_VALIDATION=false).
func validationFindings(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if err != nil {
		return nil, err
	}
	var report struct {
		PluginReports []struct {
			Summary    struct{ PluginName string }
			Violations []struct {
				RuleName, Description string
				ViolatingConstructs   []struct{ ConstructPath, TemplatePath string }
			}
		}
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range report.PluginReports {
		for _, v := range r.Violations {
			if strings.HasPrefix(v.RuleName, "Annotation::") {
				// The constructs' own annotations, which @aws-cdk/core:annotationsInValidationReport
				// copies into the report; tests assert them where they matter.
				continue
			}
			out = append(out, fmt.Sprintf("%s: %s: %s %+v", r.Summary.PluginName, v.RuleName, v.Description, v.ViolatingConstructs))
		}
	}
	return out, nil
}

// appWith synthesizes the two-account app with context overrides.
func appWith(t testing.TB, name string, ctx map[string]any) *fixture {
	return synth(t, name, func(app awscdk.App) error {
		// Never read a developer's real cdk-outputs.json; ctx may override this.
		app.Node().SetContext(jsii.String("outputsFile"), "testdata/no-such-outputs.json")
		for k, v := range ctx {
			app.Node().SetContext(jsii.String(k), v)
		}
		_, err := privatelinkapp.Build(app)
		return err
	})
}

// panicMessage runs f and returns what it panicked with, or "" if it did not.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	if got == "" {
		t.Fatalf("no error, want one containing %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("error:\n%s\nwant it to contain %q", got, w)
		}
	}
}

func m(kv ...any) *map[string]any {
	out := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return &out
}

// like matches an object having at least these keys.
func like(kv ...any) assertions.Matcher { return assertions.Match_ObjectLike(m(kv...)) }
