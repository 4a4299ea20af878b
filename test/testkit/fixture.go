package testkit

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
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

var Update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Main runs a template test package's tests (its TestMain), then closes jsii and removes every
// fixture's cloud assembly (with copies of the Lambda binaries) and the binaries' build
// directories: about 1 GB per run otherwise left in the temporary directory.
//
// When the tests end, every template the tests' apps (NewApp, Synth) wrote is checked by
// aws-cdk-lib's CloudFormation Validate plugin (CloudFormationValidate) and a finding fails the
// run; -short skips that check.
func Main(m *testing.M) {
	flag.Parse()
	// The parallel tests (deploy rehearsals, cfn-lint) mostly wait — on the Lambda bootstraps
	// they run, their 1 s polls, a subprocess — so four at once on two cores instead of
	// GOMAXPROCS' two (test/app alone: 44.4 -> 35.1 s). -parallel given on the command line wins.
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(max(4, runtime.GOMAXPROCS(0))))
	}
	code := m.Run()
	if !testing.Short() {
		dirs := map[string]string{}
		outdirs.Range(func(dir, madeBy any) bool {
			dirs[dir.(string)] = madeBy.(string)
			return true
		})
		findings, err := CloudFormationValidate(dirs)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: aws-cdk-lib's CloudFormation Validate plugin on the tests' templates: %v\n", err)
			code = 1
		}
		if len(findings) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: aws-cdk-lib's CloudFormation Validate plugin finds, in the tests' templates:\n  %s\n", strings.Join(findings, "\n  "))
			code = 1
		}
	}
	shutdown.CloseJsii()
	outdirs.Range(func(dir, _ any) bool {
		os.RemoveAll(dir.(string))
		return true
	})
	gobuild.Cleanup()
	os.Exit(code)
}

// outdirs are the fixtures' cloud assembly directories, removed when the tests end.
var outdirs sync.Map

// Fixture is a synthesized app: its stacks' templates and the app for annotations.
type Fixture struct {
	once      sync.Once
	Templates map[string]assertions.Template
	// JSON is each template as plain JSON, read from jsii once (TemplateJSON).
	JSON map[string]map[string]any
	// Stacks by name, for annotations; nil in a Golden fixture.
	Stacks map[string]awscdk.Stack
	// Dir is the cloud assembly the synth wrote; "" in a Golden fixture.
	Dir string
	err error
	// ctx is the context an AppWith fixture was built with: a second AppWith of the same name
	// must give the same (or it would be handed the other's fixture).
	ctx map[string]any
}

// ShortFixtures are the fixtures `go test -short` synthesizes: the app's default configuration,
// whose templates most tests read. A test that needs another is skipped under -short; tests of
// the other app configurations read their golden files (Golden) and still run.
var ShortFixtures = []string{"default"}

// NoControlTowerCheck is a synth option for fixtures that fail Control Tower on purpose.
const NoControlTowerCheck = "no Control Tower check"

var fixtures sync.Map

// Synth builds an app once per process under name, then returns its templates by stack name.
// The first caller's test also fails on what the fixture's templates break of AWS Control
// Tower's proactive controls, unless opts holds noControlTowerCheck.
func Synth(t testing.TB, name string, build func(app awscdk.App) error, opts ...string) *Fixture {
	t.Helper()
	if testing.Short() && !slices.Contains(ShortFixtures, name) {
		t.Skipf("synthesizes the fixture %s; -short synthesizes only %v (and reads golden files)", name, ShortFixtures)
	}
	v, _ := fixtures.LoadOrStore(name, &Fixture{})
	f := v.(*Fixture)
	f.once.Do(func() {
		app := newApp("fixture " + name)
		f.Dir = *app.Outdir()
		if f.err = build(app); f.err != nil {
			return
		}
		f.Templates, f.Stacks = map[string]assertions.Template{}, map[string]awscdk.Stack{}
		for _, c := range *app.Node().Children() {
			if *awscdk.Stack_IsStack(c) {
				s := c.(awscdk.Stack)
				f.Stacks[*s.StackName()] = s
				f.Templates[*s.StackName()] = assertions.Template_FromStack(s, nil)
			}
		}
		f.JSON = TemplateJSON(f.Templates)
		if !slices.Contains(opts, NoControlTowerCheck) {
			// cfn-guard runs on the other core while the test goes on; the test waits for it
			// when it ends.
			templates := f.JSON
			done := make(chan struct{})
			var problems []string
			var err error
			go func() {
				defer close(done)
				problems, err = ControlTowerProblems(name, templates)
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

// AppWith synthesizes the two-account app with context overrides.
func AppWith(t testing.TB, name string, ctx map[string]any) *Fixture {
	t.Helper()
	if ctx == nil {
		ctx = map[string]any{}
	}
	v, _ := fixtures.LoadOrStore(name, &Fixture{ctx: ctx})
	if f := v.(*Fixture); !reflect.DeepEqual(f.ctx, ctx) {
		t.Fatalf("fixture %s was built with context %v, not %v: give this one another name", name, f.ctx, ctx)
	}
	return Synth(t, name, func(app awscdk.App) error {
		for k, v := range ctx {
			app.Node().SetContext(jsii.String(k), v)
		}
		_, err := privatelinkapp.Build(app)
		return err
	})
}

// PanicMessage runs f and returns what it panicked with, or "" if it did not.
func PanicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func MustContain(t *testing.T, got string, wants ...string) {
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

func M(kv ...any) *map[string]any {
	out := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return &out
}

// Like matches an object having at least these keys.
func Like(kv ...any) assertions.Matcher { return assertions.Match_ObjectLike(M(kv...)) }

// Root is the module's root directory, found from the test's working directory (its package's).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Golden is the fixture of the app configuration name (AppConfigs) as test/app's TestSnapshots
// holds it: both stacks' golden templates from test/app/testdata, asset hashes normalised. A
// test that reads only templates takes it instead of synthesizing the configuration again in its
// own process (each package is one); a stale golden file fails TestSnapshots in the same run.
func Golden(t testing.TB, name string) *Fixture {
	t.Helper()
	if _, ok := AppConfigs[name]; !ok {
		t.Fatalf("no app configuration %q", name)
	}
	v, _ := fixtures.LoadOrStore("golden:"+name, &Fixture{})
	f := v.(*Fixture)
	f.once.Do(func() {
		root, err := Root()
		if err != nil {
			f.err = err
			return
		}
		f.Templates, f.JSON = map[string]assertions.Template{}, map[string]map[string]any{}
		// Every stack the configuration has a golden file of: the provider and its consumers.
		paths, _ := filepath.Glob(filepath.Join(root, "test", "app", "testdata", name+".*.template.json"))
		if len(paths) == 0 {
			f.err = fmt.Errorf("no golden files %s.*.template.json under test/app/testdata: run make update-snapshots", name)
			return
		}
		for _, path := range paths {
			stack := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), name+"."), ".template.json")
			raw, err := os.ReadFile(path)
			if err != nil {
				f.err = err
				return
			}
			var m map[string]any
			if f.err = json.Unmarshal(raw, &m); f.err != nil {
				return
			}
			f.JSON[stack] = m
			f.Templates[stack] = assertions.Template_FromString(jsii.String(string(raw)), nil)
		}
	})
	if f.err != nil {
		t.Fatalf("golden fixture %s: %v", name, f.err)
	}
	return f
}
