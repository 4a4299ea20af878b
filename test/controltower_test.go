package test

// AWS Control Tower's proactive controls are cfn-guard rules that a CloudFormation hook runs
// against every resource before it is created; a failing control blocks the deploy. The same
// rules ship in the npm package @cdklabs/cdk-validator-cfnguard (pinned in package.json, with
// cfn-guard binaries for Linux and macOS). Every fixture the tests synthesize is checked against
// them (synth in main_test.go calls controlTowerProblems), so a new resource or option that fails
// a control fails the test that first synthesized it.
//
// A failure is accepted only where the resource says why in Metadata.guard (internal/guard): the
// rule's name in SuppressedRules and a reason in Reasons. Control Tower itself ignores that
// metadata, so each reason names the option that satisfies the control; a suppression on a
// resource that does not fail the rule is a problem too, so the metadata stays true.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/synth/guard"
)

const guardPackage = "node_modules/@cdklabs/cdk-validator-cfnguard"

// guardTools is the cfn-guard binary and the Control Tower rule files, by the resource types
// each file names.
type guardTools struct {
	pkg   string
	bin   string
	rules map[string][]string // rule file -> resource types it names (none: always run)
	skip  string              // why the check cannot run on this machine, or ""
	err   error
}

var (
	guardOnce sync.Once
	guardSet  guardTools
	typeLit   = regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)
)

// controlTowerTools finds the package under the module root, once per process.
func controlTowerTools() guardTools {
	guardOnce.Do(func() {
		// The package's bin/<platform>/<architecture>/cfn-guard, as its plugin.js picks it.
		platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
		arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
		if platform == "" || arch == "" {
			guardSet.skip = fmt.Sprintf("@cdklabs/cdk-validator-cfnguard ships cfn-guard for Linux and macOS on x86_64 and arm64 only, not %s/%s", runtime.GOOS, runtime.GOARCH)
			return
		}
		root, err := filepath.Abs("..")
		if err != nil {
			guardSet.err = err
			return
		}
		pkg := filepath.Join(root, guardPackage)
		guardSet.pkg = pkg
		guardSet.bin = filepath.Join(pkg, "bin", platform, arch, "cfn-guard")
		if _, err := os.Stat(guardSet.bin); err != nil {
			guardSet.err = fmt.Errorf("cfn-guard is not installed (%v): run `npm ci` in the module root, as `make test` does", err)
			return
		}
		guardSet.rules = map[string][]string{}
		guardSet.err = filepath.WalkDir(filepath.Join(pkg, "rules", "control-tower", "cfn-guard"), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".guard") {
				return err
			}
			text, err := os.ReadFile(path)
			guardSet.rules[path] = typeLit.FindAllString(string(text), -1)
			return err
		})
		if guardSet.err == nil && len(guardSet.rules) < 100 {
			guardSet.err = fmt.Errorf("only %d Control Tower rules under %s: the package layout changed", len(guardSet.rules), pkg)
		}
	})
	return guardSet
}

// violation is one rule failing on one resource of one template.
type violation struct{ template, resource, rule, control, fix string }

var (
	controlID  = regexp.MustCompile(`\[(CT\.[A-Z0-9_]+\.PR\.[0-9]+)\]`)
	fixText    = regexp.MustCompile(`\[FIX\]:\s*([^\n]*)`)
	resourceAt = regexp.MustCompile(`"/Resources/([^/"]+)`)
	// customMessage is the control's own message: "[CT.…]: title [FIX]: what to do".
	customMessage = regexp.MustCompile(`"custom_message":\s*"((?:[^"\\]|\\.)*\[CT\.(?:[^"\\]|\\.)*)"`)
)

// controlTowerProblems runs the Control Tower rules over templates (stack name -> template JSON)
// and returns every unsuppressed failure and every suppression without a failure, each naming
// the fixture, the template, the resource and the control. It returns nil where the check cannot
// run. A template already checked (the same JSON in an earlier fixture) is not checked again.
func controlTowerProblems(fixture string, templates map[string]map[string]any) ([]string, error) {
	tools := controlTowerTools()
	if tools.skip != "" {
		return nil, nil
	}
	if tools.err != nil {
		return nil, tools.err
	}
	var problems []string
	fresh := map[string]map[string]any{}
	sums := map[string]string{}
	for stack, tpl := range templates {
		body, err := json.Marshal(tpl)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append([]byte(stack+"\n"), body...))
		sums[stack] = hex.EncodeToString(sum[:])
		if cached, ok := checked.Load(sums[stack]); ok {
			problems = append(problems, cached.([]string)...)
		} else {
			fresh[stack] = tpl
		}
	}
	if len(fresh) > 0 {
		vs, err := runGuard(tools, nil, fresh)
		if err != nil {
			return nil, err
		}
		for stack, tpl := range fresh {
			own := judge(map[string]map[string]any{stack: tpl}, vs)
			checked.Store(sums[stack], own)
			problems = append(problems, own...)
		}
	}
	for i := range problems {
		problems[i] = fixture + "/" + problems[i]
	}
	sort.Strings(problems)
	return problems, nil
}

// checked holds the problems of each template checked so far, by stack name and content.
var checked sync.Map

// runGuard runs cfn-guard over templates with the rule files given, or, when rules is nil, with
// those that name a resource type of the templates: every rule selects Resources.*[ Type ==
// <literal> ] and is skipped when that selection is empty, so the others cannot fail
// (TestOnlyTheRulesThatNameATemplatesTypesCanFailIt checks this on real templates).
func runGuard(tools guardTools, rules []string, templates map[string]map[string]any) ([]violation, error) {
	dir, err := os.MkdirTemp("", "privatelink-guard-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	args := []string{"validate", "--output-format", "json", "--show-summary", "none", "--structured"}
	types := map[string]bool{}
	files := map[string]string{} // file -> stack name
	for stack, tpl := range templates {
		resources, _ := tpl["Resources"].(map[string]any)
		for _, r := range resources {
			types[fmt.Sprint(r.(map[string]any)["Type"])] = true
		}
		body, err := json.Marshal(tpl)
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
	if rules == nil {
		for file, named := range tools.rules {
			if len(named) == 0 || slices.ContainsFunc(named, func(t string) bool { return types[t] }) {
				rules = append(rules, file)
			}
		}
	}
	for _, r := range rules {
		args = append(args, "--rules", r)
	}
	cmd := exec.Command(tools.bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// cfn-guard exits 19 when a rule fails, 0 when all pass. A rule file it cannot parse is only
	// a line on stderr when another rule fails (exit 19): that would drop a control unseen.
	var exit *exec.ExitError
	if (err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19)) || strings.TrimSpace(stderr.String()) != "" {
		return nil, fmt.Errorf("cfn-guard: %v: %s", err, stderr.String())
	}
	return parseGuard(out, files)
}

// parseGuard reads cfn-guard's structured JSON: per data file, the failing rules, each with the
// control's message and the template paths it failed on.
func parseGuard(out []byte, files map[string]string) ([]violation, error) {
	var reports []struct {
		Name         string            `json:"name"`
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &reports); err != nil {
		return nil, fmt.Errorf("cfn-guard output is not the structured JSON expected: %v: %.300s", err, out)
	}
	var vs []violation
	for _, rep := range reports {
		stack, ok := files[rep.Name]
		if !ok {
			return nil, fmt.Errorf("cfn-guard reported on %q, which is not a template it was given", rep.Name)
		}
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
					vs = append(vs, violation{stack, m[1], rule.Rule.Name, control, fix})
				}
			}
			if len(seen) == 0 {
				vs = append(vs, violation{stack, "(no resource)", rule.Rule.Name, control, fix})
			}
		}
	}
	return vs, nil
}

// judge turns violations into problems: failures the resource does not suppress with a reason,
// and suppressions with no failure behind them.
func judge(templates map[string]map[string]any, vs []violation) []string {
	var problems []string
	failing := map[[3]string]bool{}
	for _, v := range vs {
		if templates[v.template] == nil {
			continue
		}
		failing[[3]string{v.template, v.resource, v.rule}] = true
		rules, reasons := guardMetadata(templates[v.template], v.resource)
		switch {
		case !slices.Contains(rules, v.rule):
			problems = append(problems, fmt.Sprintf("%s: %s fails %s (%s) unsuppressed; fix: %s", v.template, v.resource, v.control, v.rule, v.fix))
		case !strings.HasPrefix(reasons[v.rule], v.control+": ") || strings.TrimSpace(strings.TrimPrefix(reasons[v.rule], v.control+": ")) == "":
			problems = append(problems, fmt.Sprintf("%s: %s suppresses %s (%s) without a reason \"%s: <why>\" in Metadata.guard.Reasons (has %q)", v.template, v.resource, v.control, v.rule, v.control, reasons[v.rule]))
		}
	}
	for stack, tpl := range templates {
		resources, _ := tpl["Resources"].(map[string]any)
		for id := range resources {
			rules, _ := guardMetadata(tpl, id)
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

// guardMetadata is a resource's Metadata.guard: suppressed rule names and reasons by rule.
func guardMetadata(tpl map[string]any, resource string) ([]string, map[string]string) {
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

// templateJSON is the JSON form of each template of a fixture.
func templateJSON(templates map[string]assertions.Template) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, tpl := range templates {
		body, _ := json.Marshal(tpl.ToJSON())
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		out[name] = m
	}
	return out
}

func TestControlTowerRulesRunHere(t *testing.T) {
	tools := controlTowerTools()
	if tools.skip != "" {
		t.Skip(tools.skip + ": the Control Tower check of every fixture is skipped on this machine")
	}
	if tools.err != nil {
		t.Fatal(tools.err)
	}
	out, err := exec.Command(tools.bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3.") {
		t.Fatalf("cfn-guard --version: %v: %s", err, out)
	}
}

// A harness that never fails would pass every template; this one must catch an unsuppressed
// failure, accept a suppressed one and flag a suppression without a failure.
func TestTheControlTowerCheckNamesTemplateResourceAndControl(t *testing.T) {
	if controlTowerTools().skip != "" {
		t.Skip(controlTowerTools().skip)
	}
	f := synth(t, "controltower-harness", func(app awscdk.App) error {
		stack := awscdk.NewStack(app, jsii.String("Harness"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}})
		short := awslogs.NewLogGroup(stack, jsii.String("ThirtyDays"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_MONTH})
		guard.Suppress(short, guard.LogGroupKms, "test: KMS is not what this fixture is about")
		stale := awslogs.NewLogGroup(stack, jsii.String("OneYear"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_YEAR})
		guard.Suppress(stale, guard.LogGroupKms, "test")
		guard.Suppress(stale, guard.LambdaInVpc, "test: a log group is no function")
		return nil
	}, noControlTowerCheck)
	problems, err := controlTowerProblems("harness", f.json)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	t.Log(got)
	want := []*regexp.Regexp{
		regexp.MustCompile(`harness/Harness: ThirtyDays[0-9A-F]{8} fails CT\.CLOUDWATCH\.PR\.2 \(cloudwatch_log_group_retention_period_check\) unsuppressed; fix: .*RetentionInDays`),
		regexp.MustCompile(`harness/Harness: OneYear[0-9A-F]{8} suppresses lambda_inside_vpc_check, which it does not fail: remove the suppression`),
	}
	for _, w := range want {
		if !w.MatchString(got) {
			t.Errorf("problems do not match %s", w)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d: the suppressed KMS failures of both log groups are accepted", len(problems), len(want))
	}
}

// The rules a fixture is checked against are chosen by the resource types they name; on the
// default app's templates and those with every Control Tower option, running all of them finds
// exactly the same failures. A property of the rule files, not of each change: -short skips it.
func TestOnlyTheRulesThatNameATemplatesTypesCanFailIt(t *testing.T) {
	tools := controlTowerTools()
	if tools.skip != "" {
		t.Skip(tools.skip)
	}
	if testing.Short() {
		t.Skip("runs all 237 rule files (about 3 s); the rule selection it proves does not change with the constructs")
	}
	if tools.err != nil {
		t.Fatal(tools.err)
	}
	templates := map[string]map[string]any{}
	for _, name := range []string{"default", "controltower"} {
		for stack, tpl := range appWith(t, name, appConfigs[name]).json {
			templates[name+"."+stack] = tpl
		}
	}
	all, err := runGuard(tools, []string{filepath.Join(tools.pkg, "rules", "control-tower", "cfn-guard")}, templates)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("the apps fail no rule at all: their suppressed controls (CT.LAMBDA.PR.3 at least) should fail")
	}
	if got := judge(templates, all); len(got) != 0 {
		t.Errorf("with every rule file, the apps have problems the chosen rules missed:\n%s", strings.Join(got, "\n"))
	}
}

// Where a Control Tower account turns every option on, only what no option can satisfy is left:
// functions outside a VPC, and access logs of an NLB whose listeners are TCP.
func TestWithTheControlTowerOptionsOnlyLambdaVpcAndTcpAccessLogsAreSuppressed(t *testing.T) {
	f := appWith(t, "controltower", appConfigs["controltower"])
	suppressed := map[string]int{}
	for _, tpl := range f.json {
		for id := range tpl["Resources"].(map[string]any) {
			rules, reasons := guardMetadata(tpl, id)
			for _, r := range rules {
				suppressed[strings.SplitN(reasons[r], ":", 2)[0]]++
			}
		}
	}
	want := map[string]int{guard.LambdaInVpc.ID: 3, guard.NlbAccessLogs.ID: 1}
	if fmt.Sprint(suppressed) != fmt.Sprint(want) {
		t.Errorf("suppressed controls %v, want %v (provider and acceptor functions, the enabler, the NLB)", suppressed, want)
	}
}

// With logsKey, every log group of a stack is encrypted with that stack's key, whose policy lets
// CloudWatch Logs of the stack's Region (and only for this account's log groups) use it, rotates
// it, and allows grants only for AWS resources — as AWS reads them, tokens resolved.
func TestEveryLogGroupUsesItsStacksKeyWhichAllowsCloudWatchLogsOfItsRegion(t *testing.T) {
	f := appWith(t, "controltower", appConfigs["controltower"])
	accounts := map[string]string{"PrivateLinkProvider": "111111111111", "PrivateLinkConsumer": "222222222222"}
	for stack, tpl := range f.json {
		w := world{account: accounts[stack], region: "eu-west-1", refs: map[string]string{}, attrs: map[string]any{}}
		resources := tpl["Resources"].(map[string]any)
		var key string
		groups := 0
		for id, r := range resources {
			switch r := r.(map[string]any); r["Type"] {
			case "AWS::KMS::Key":
				if key != "" {
					t.Fatalf("%s: keys %s and %s, want one per stack", stack, key, id)
				}
				key = id
				p := r["Properties"].(map[string]any)
				if p["EnableKeyRotation"] != true || r["DeletionPolicy"] != "Delete" {
					t.Errorf("%s: key %s rotation %v, deletion policy %v; want rotation on (CT.KMS.PR.1), deleted with the stack", stack, id, p["EnableKeyRotation"], r["DeletionPolicy"])
				}
				policy, _ := json.Marshal(w.resolve(t, p["KeyPolicy"]))
				for _, want := range []string{
					`{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:eu-west-1:` + accounts[stack] + `:log-group:*"}},"Effect":"Allow","Principal":{"Service":"logs.eu-west-1.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsOfThisAccountAndRegion"}`,
					`{"Action":"kms:CreateGrant","Condition":{"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}},"Effect":"Deny","Principal":{"AWS":"*"},"Resource":"*","Sid":"GrantsOnlyForAWSResources"}`,
				} {
					if !strings.Contains(string(policy), want) {
						t.Errorf("%s: key policy %s\nlacks %s", stack, policy, want)
					}
				}
			case "AWS::Logs::LogGroup":
				groups++
			}
		}
		for id, r := range resources {
			if r := r.(map[string]any); r["Type"] == "AWS::Logs::LogGroup" {
				p := r["Properties"].(map[string]any)
				if got, _ := json.Marshal(p["KmsKeyId"]); string(got) != `{"Fn::GetAtt":["`+key+`","Arn"]}` {
					t.Errorf("%s: log group %s KmsKeyId %s, want the stack's key %s", stack, id, got, key)
				}
			}
		}
		if key == "" || groups < 2 {
			t.Errorf("%s: key %q and %d log groups; want a key and the function's and its wait's log groups", stack, key, groups)
		}
	}
}

// cfn-guard reports a rule file it cannot parse only on stderr when another rule fails: the check
// must not go on without that file's controls.
func TestARuleFileCfnGuardCannotParseIsAnError(t *testing.T) {
	tools := controlTowerTools()
	if tools.skip != "" {
		t.Skip(tools.skip)
	}
	if tools.err != nil {
		t.Fatal(tools.err)
	}
	broken := filepath.Join(t.TempDir(), "broken.guard")
	if err := os.WriteFile(broken, []byte("rule broken when {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(tools.pkg, "rules", "control-tower", "cfn-guard", "cloudwatch", "ct-cloudwatch-pr-2.guard")
	thirtyDays := map[string]map[string]any{"Stack": {"Resources": map[string]any{
		"Logs": map[string]any{"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{"RetentionInDays": 30}},
	}}}
	if vs, err := runGuard(tools, []string{failing}, thirtyDays); err != nil || len(vs) != 1 {
		t.Fatalf("the working rule alone: %v, %v; want one CT.CLOUDWATCH.PR.2 failure", vs, err)
	}
	_, err := runGuard(tools, []string{failing, broken}, thirtyDays)
	mustContain(t, errString(err), "cfn-guard:", "broken.guard")
}
