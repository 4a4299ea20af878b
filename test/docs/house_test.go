package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
)

const module = "github.com/privatelink-go/privatelink"

// goPackage is what `go list -json` says of one of our packages.
type goPackage struct {
	ImportPath, Dir                    string
	GoFiles, TestGoFiles, XTestGoFiles []string
	Imports, TestImports, XTestImports []string
	Deps                               []string
}

// ourPackages lists every package of the module with its imports: one `go list` per process,
// shared by the layout tests.
func ourPackages(t *testing.T) map[string]goPackage {
	t.Helper()
	listOnce.Do(func() {
		cmd := exec.Command("go", "list", "-json", "./...")
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.Output()
		if err != nil {
			listErr = fmt.Errorf("go list: %w", err)
			return
		}
		listed = map[string]goPackage{}
		dec := json.NewDecoder(bytes.NewReader(out))
		for dec.More() {
			var p goPackage
			if listErr = dec.Decode(&p); listErr != nil {
				return
			}
			listed[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")] = p
		}
	})
	if listErr != nil {
		t.Fatal(listErr)
	}
	return listed
}

var (
	listOnce sync.Once
	listed   map[string]goPackage
	listErr  error
)

func under(rel string, floors ...string) bool {
	for _, f := range floors {
		if rel == f || strings.HasPrefix(rel, f+"/") {
			return true
		}
	}
	return false
}

// The plan of the house (issue 31): three worlds in their own folders, the shared vocabulary at
// the bottom, and no import from a lower floor to a higher one.
func TestEveryImportRunsDownTheHouse(t *testing.T) {
	pkgs := ourPackages(t)
	// What each floor may import of ours. The bottom imports nothing of ours; the Lambda runtime
	// imports the bottom; synth helpers and constructs import the bottom and synth; test doubles
	// may import the runtime they fake and the synth-time build.
	allowed := map[string][]string{
		"awsid":          nil,
		"internal/spec":  nil,
		"lambda":         {"awsid", "internal/spec", "lambda"},
		"internal/synth": {"awsid", "internal/spec", "internal/synth"},
		"constructs":     {"awsid", "internal/spec", "internal/synth", "constructs"},
		"internal/fakes": {"awsid", "internal/spec", "internal/synth", "internal/fakes", "lambda"},
	}
	checked := 0
	for rel, p := range pkgs {
		for floor, may := range allowed {
			if !under(rel, floor) {
				continue
			}
			checked++
			for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
				ours, isOurs := strings.CutPrefix(imp, module+"/")
				if !isOurs || ours == rel || under(ours, may...) {
					continue
				}
				if test := !slices.Contains(p.Imports, imp); test {
					// Tests may use the test doubles, and the handlers' end-to-end tests build the
					// binary they run (internal/synth/gobuild, which links no CDK).
					if under(ours, "internal/fakes") || floor == "lambda" && ours == "internal/synth/gobuild" {
						continue
					}
					// A construct's examples build its siblings (a consumer example, a provider).
					if floor == "constructs" && under(ours, "constructs") {
						continue
					}
				}
				t.Errorf("%s (%s) imports %s, which is not on a floor below it (%s may import %v)", rel, floor, ours, floor, may)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d packages on the floors: the layout moved", checked)
	}
}

// The constructs link only what synth needs: an importing app compiles no Lambda runtime and
// no AWS SDK service client into its synth binary. The Lambda tree never links the CDK.
func TestTheConstructsLinkNoLambdaRuntimeAndTheLambdaNoCDK(t *testing.T) {
	for _, d := range deps(t, "constructs") {
		if strings.HasPrefix(d, "github.com/aws/aws-lambda-go") || strings.HasPrefix(d, "github.com/aws/aws-sdk-go-v2/service/") || strings.HasPrefix(d, module+"/lambda") {
			t.Errorf("the constructs link %s", d)
		}
	}
	lambda := deps(t, "lambda")
	if !slices.Contains(lambda, "github.com/aws/aws-lambda-go/lambda") {
		t.Fatal("the Lambda tree does not link aws-lambda-go: this check reads the wrong packages")
	}
	for _, d := range lambda {
		if strings.HasPrefix(d, "github.com/aws/aws-cdk-go") || strings.HasPrefix(d, "github.com/aws/jsii-runtime-go") || strings.HasPrefix(d, "github.com/aws/constructs-go") || strings.HasPrefix(d, module+"/constructs") || strings.HasPrefix(d, module+"/internal/synth") {
			t.Errorf("the Lambda tree links %s", d)
		}
	}
}

// The constructs link none of aws-cdk-lib's hub packages, which import the bindings of every
// service they can reach: aws_events_targets alone adds 54 aws-cdk-go packages (ECS, RDS, API
// Gateway, AppSync, SageMaker, ...), aws_sns_subscriptions and aws_cloudwatch_actions 26 more
// (Firehose, Glue, Kinesis, Auto Scaling), that an importing app and each test binary would
// compile and link, for what gofunc.Rule, gofunc.Subscribe and two structs in alarms do.
func TestTheConstructsLinkNoHubPackageOfAwsCdkLib(t *testing.T) {
	const cdk = "github.com/aws/aws-cdk-go/awscdk/v2/"
	hubs := []string{"awseventstargets", "awsschedulertargets", "awsstepfunctionstasks", "awscodepipelineactions", "awsecspatterns", "awsroute53targets", "awslambdaeventsources", "awssnssubscriptions", "awscloudwatchactions"}
	linked := deps(t, "constructs")
	if !slices.Contains(linked, cdk+"awsevents") {
		t.Fatal("the constructs do not link awsevents: this check reads the wrong packages")
	}
	for _, hub := range hubs {
		if slices.Contains(linked, cdk+hub) {
			t.Errorf("the constructs link %s%s", cdk, hub)
		}
	}
}

// deps lists what the module's packages under folder link, from the shared `go list`.
func deps(t *testing.T, folder string) []string {
	t.Helper()
	var all []string
	for path, p := range ourPackages(t) {
		if strings.HasPrefix(path, folder+"/") {
			all = append(all, p.Deps...)
		}
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// The consumer takes a provider of its own app through a small interface
// (consumer.SameAppProvider): at most one of its files imports the provider package.
func TestTheConsumerImportsTheProviderInAtMostOneFile(t *testing.T) {
	p := ourPackages(t)["constructs/consumer"]
	var importing []string
	for _, f := range slices.Concat(p.GoFiles, p.TestGoFiles, p.XTestGoFiles) {
		src, err := os.ReadFile(filepath.Join(p.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(src, []byte(`"`+module+`/constructs/provider"`)) {
			importing = append(importing, f)
		}
	}
	if len(importing) > 1 {
		t.Errorf("%d files of constructs/consumer import constructs/provider: %v", len(importing), importing)
	}
}

// A reader finds the packages of a folder at a glance.
func TestNoFolderHoldsMoreThanEightPackages(t *testing.T) {
	per := map[string][]string{}
	for rel := range ourPackages(t) {
		per[path.Dir(rel)] = append(per[path.Dir(rel)], rel)
	}
	for dir, pkgs := range per {
		if len(pkgs) > 8 {
			t.Errorf("%s holds %d packages: %v", dir, len(pkgs), pkgs)
		}
	}
}

// The README is the path to a first deploy: the command comes early, and the long material
// lives in docs/, each page linked from it.
func TestTheReadmeLeadsToTheFirstDeployAndLinksEveryDocsPage(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	first := 0
	for i, line := range strings.Split(string(readme), "\n") {
		if deployCommand.MatchString(line) {
			first = i + 1
			break
		}
	}
	if first == 0 || first > 150 {
		t.Errorf("the README's first `cdk deploy` command is on line %d, want one within the first 150", first)
	}
	pages, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if len(pages) == 0 {
		t.Fatal("no docs/*.md pages")
	}
	for _, p := range pages {
		if !bytes.Contains(readme, []byte("](docs/"+filepath.Base(p))) {
			t.Errorf("the README links no docs/%s", filepath.Base(p))
		}
	}
	changelog, err := os.ReadFile(filepath.Join("..", "..", "CHANGELOG.md"))
	if err != nil || !bytes.Contains(changelog, []byte("## [Unreleased]")) {
		t.Errorf("CHANGELOG.md has no [Unreleased] section (Keep a Changelog): %v", err)
	}
}

// Every relative link of the README and the docs pages names a file that exists and, with a
// #fragment, a heading (GitHub's slug) or an <a id> of that file.
func TestEveryDocLinkResolves(t *testing.T) {
	root := filepath.Join("..", "..")
	files := []string{filepath.Join(root, "README.md")}
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, pages...)
	anchorsOf := map[string]map[string]bool{}
	links := 0
	for _, f := range files {
		for i, line := range proseLines(t, f) {
			for _, m := range relativeLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if urlScheme.MatchString(target) {
					continue // http:, https:, mailto:
				}
				links++
				file, frag, _ := strings.Cut(target, "#")
				dest := f
				if file != "" {
					dest = filepath.Join(filepath.Dir(f), file)
				}
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s:%d: %s: no such file", f, i+1, target)
					continue
				}
				if frag == "" {
					continue
				}
				if anchorsOf[dest] == nil {
					anchorsOf[dest] = anchors(t, dest)
				}
				if !anchorsOf[dest][frag] {
					t.Errorf("%s:%d: %s: no heading or anchor #%s in %s", f, i+1, target, frag, dest)
				}
			}
		}
	}
	if links < 10 {
		t.Fatalf("only %d relative links found: the check reads nothing", links)
	}
}

// The Markdown the doc tests read, compiled once.
var (
	deployCommand = regexp.MustCompile(`^\s*(npx )?cdk deploy\b`)
	relativeLink  = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	urlScheme     = regexp.MustCompile(`^[a-z]+:`)
	inlineCode    = regexp.MustCompile("`[^`]*`")
	heading       = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	explicitID    = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	inlineHTML    = regexp.MustCompile(`<[^>]+>`)
	linkText      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// unfenced are a Markdown file's lines with fenced code blanked (line numbers kept).
func unfenced(t *testing.T, file string) []string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	fenced := false
	for i, line := range lines {
		fence := strings.HasPrefix(strings.TrimSpace(line), "```")
		if fence {
			fenced = !fenced
		}
		if fence || fenced {
			lines[i] = ""
		}
	}
	return lines
}

// proseLines are a Markdown file's lines with fenced code blanked and inline code removed.
func proseLines(t *testing.T, file string) []string {
	t.Helper()
	lines := unfenced(t, file)
	for i, line := range lines {
		lines[i] = inlineCode.ReplaceAllString(line, "")
	}
	return lines
}

// anchors are the fragments a Markdown file offers: GitHub's heading slugs (lower case, only
// letters, digits, spaces, hyphens and underscores kept, spaces to hyphens, -1, -2… for
// repeats) and explicit <a id="…">.
func anchors(t *testing.T, file string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range unfenced(t, file) {
		if m := heading.FindStringSubmatch(line); m != nil {
			text := inlineHTML.ReplaceAllString(m[1], "")
			text = linkText.ReplaceAllString(text, "$1")
			var b strings.Builder
			for _, r := range strings.ToLower(strings.TrimSpace(text)) {
				if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' || r == '_' || unicode.Is(unicode.Mn, r) {
					b.WriteRune(r)
				}
			}
			slug := strings.ReplaceAll(b.String(), " ", "-")
			if n := seen[slug]; n > 0 {
				out[slug+"-"+strconv.Itoa(n)] = true
			} else {
				out[slug] = true
			}
			seen[slug]++
		}
		for _, m := range explicitID.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
	}
	return out
}

// The template tests' apps come from testkit.NewApp (or its fixtures), whose templates Main hands
// to aws-cdk-lib's CloudFormation Validate plugin when the tests end: an app made with
// awscdk.NewApp runs no such check in a test (or the built-in plugin at every synth, the cost
// the end-of-run check replaced). The few that must be made otherwise are named here, with why.
func TestTheTemplateTestsMakeTheirAppsWithNewApp(t *testing.T) {
	allowed := map[string]int{
		"test/app/bench_test.go":      1, // times a user's synth, built-in plugin included
		"test/app/app_test.go":        2, // the harness: a synth with the plugin, and an app kept out of Main's check
		"test/app/verdicts_test.go":   1, // an app whose finding is on purpose, kept out of Main's check
		"test/testkit/cfnvalidate.go": 2, // NewApp itself, and the app handed to the plugin
	}
	found := map[string]int{}
	for _, dir := range []string{"test", "test/app", "test/docs", "test/testkit"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel := dir + "/" + filepath.Base(f)
			if rel == "test/docs/house_test.go" {
				continue // this test names the call
			}
			if n := bytes.Count(body, []byte("awscdk.NewApp(")); n > 0 {
				found[rel] = n
			}
		}
	}
	for file, n := range found {
		if n != allowed[file] {
			t.Errorf("%s makes %d app(s) with awscdk.NewApp, %d allowed: make a test's app with testkit.NewApp, or say here why it cannot be", file, n, allowed[file])
		}
	}
	for file, n := range allowed {
		if found[file] != n {
			t.Errorf("%s is allowed %d awscdk.NewApp call(s) and makes %d: update the list", file, n, found[file])
		}
	}
}

// Every Go file is as gofmt leaves it: CI has no other formatting check.
func TestEveryGoFileIsFormatted(t *testing.T) {
	root := filepath.Join("..", "..")
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if out, err := format.Source(src); err != nil {
			t.Errorf("%s does not parse: %v", path, err)
		} else if !bytes.Equal(out, src) {
			t.Errorf("%s is not gofmt-formatted: run gofmt -w %s", path, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d Go files under the module root: the walk reads the wrong tree", n)
	}
}
