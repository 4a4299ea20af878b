package app

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/synth/guard"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

func TestControlTowerRulesRunHere(t *testing.T) {
	tools := ControlTowerTools()
	if tools.Skip != "" {
		t.Skip(tools.Skip + ": the Control Tower check of every fixture is skipped on this machine")
	}
	if tools.Err != nil {
		t.Fatal(tools.Err)
	}
	out, err := exec.Command(tools.Bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3.") {
		t.Fatalf("cfn-guard --version: %v: %s", err, out)
	}
}

// A harness that never fails would pass every template; this one must catch an unsuppressed
// failure, accept a suppressed one and flag a suppression without a failure.
func TestTheControlTowerCheckNamesTemplateResourceAndControl(t *testing.T) {
	if ControlTowerTools().Skip != "" {
		t.Skip(ControlTowerTools().Skip)
	}
	f := Synth(t, "controltower-harness", func(app awscdk.App) error {
		stack := awscdk.NewStack(app, jsii.String("Harness"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}})
		short := awslogs.NewLogGroup(stack, jsii.String("ThirtyDays"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_MONTH})
		guard.Suppress(short, guard.LogGroupKms, "test: KMS is not what this fixture is about")
		stale := awslogs.NewLogGroup(stack, jsii.String("OneYear"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_YEAR})
		guard.Suppress(stale, guard.LogGroupKms, "test")
		guard.Suppress(stale, guard.LambdaInVpc, "test: a log group is no function")
		return nil
	}, NoControlTowerCheck)
	problems, err := ControlTowerProblems("harness", f.JSON)
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

// The rules a template is checked against are chosen by the resource types they name. Running
// every rule file over golden templates that hold every resource type of every app
// configuration (the default provider, which fails suppressed controls, then the fewest others
// that add the types still missing) finds exactly the failures the chosen rules find. A property
// of the rule files, not of each change: -short skips it.
func TestOnlyTheRulesThatNameATemplatesTypesCanFailIt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs all 237 rule files (about 10 s); the rule selection it proves does not change with the constructs")
	}
	tools := controlTowerTools(t)
	all := map[string]map[string]any{} // config.stack -> golden template
	for _, name := range AppConfigNames() {
		for stack, tpl := range Golden(t, name).JSON {
			all[name+"."+stack] = tpl
		}
	}
	templates := typeCover(all, "default."+privatelinkapp.ProviderStackName)
	everyRule, err := RunGuard(tools, []string{filepath.Join(tools.Pkg, "rules", "control-tower", "cfn-guard")}, templates)
	if err != nil {
		t.Fatal(err)
	}
	chosen, err := ControlTowerViolations(templates) // each template with its own rules, as a fixture's check runs them
	if err != nil {
		t.Fatal(err)
	}
	if len(everyRule) == 0 {
		t.Fatal("the templates fail no rule at all: the default's suppressed controls (CT.LAMBDA.PR.3 at least) should fail")
	}
	key := func(vs []Violation) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Template+" "+v.Resource+" "+v.Rule)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if got, want := key(chosen), key(everyRule); !slices.Equal(got, want) {
		t.Errorf("on %v the chosen rules find\n%s\nand every rule file\n%s", slices.Sorted(maps.Keys(templates)), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// typeCover is first, then the fewest templates of all that add the resource types still
// missing, until every type of all is in one of them.
func typeCover(all map[string]map[string]any, first string) map[string]map[string]any {
	types := map[string]map[string]bool{} // template -> its resource types
	missing := map[string]bool{}
	for name, tpl := range all {
		types[name] = map[string]bool{}
		for _, r := range tpl["Resources"].(map[string]any) {
			types[name][fmt.Sprint(r.(map[string]any)["Type"])] = true
		}
		maps.Copy(missing, types[name])
	}
	names := slices.Sorted(maps.Keys(all))
	cover := map[string]map[string]any{}
	for next := first; next != ""; {
		cover[next] = all[next]
		for ty := range types[next] {
			delete(missing, ty)
		}
		next = ""
		best := 0
		for _, name := range names {
			adds := 0
			for ty := range types[name] {
				if missing[ty] {
					adds++
				}
			}
			if adds > best {
				next, best = name, adds
			}
		}
	}
	return cover
}

// controlTowerTools is cfn-guard and the rule files; the test is skipped where they cannot run
// and fails where they should but are missing.
func controlTowerTools(t *testing.T) GuardTools {
	t.Helper()
	tools := ControlTowerTools()
	if tools.Skip != "" {
		t.Skip(tools.Skip)
	}
	if tools.Err != nil {
		t.Fatal(tools.Err)
	}
	return tools
}

// Control Tower's hooks read no suppression: under controlTower=strict every template must pass
// every control with none suppressed — a suppressed rule counts as the failure the hook would
// see. The rule files run are those that name a resource type of the template; the others
// select nothing in it and cannot fail (TestOnlyTheRulesThatNameATemplatesTypesCanFailIt runs all
// 237 on templates holding every type). The fixture's own check shares this cfn-guard run.
func TestUnderControlTowerStrictEveryTemplatePassesEveryControlWithNoSuppression(t *testing.T) {
	controlTowerTools(t) // skipped where cfn-guard cannot run, failed where it is missing
	strict := 0
	for _, name := range AppConfigNames() {
		if AppConfigs[name]["controlTower"] != "strict" {
			continue
		}
		strict++
		f := AppWith(t, name, AppConfigs[name])
		for stack, tpl := range f.JSON {
			for id := range tpl["Resources"].(map[string]any) {
				if rules, _ := GuardMetadata(tpl, id); len(rules) > 0 {
					t.Errorf("%s/%s: %s suppresses %v, which the hook would fail", name, stack, id, rules)
				}
			}
		}
		vs, err := ControlTowerViolations(f.JSON)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("%s/%s: %s fails %s (%s); fix: %s", name, v.Template, v.Resource, v.Control, v.Rule, v.Fix)
		}
	}
	if strict < 3 {
		t.Errorf("%d strict app configurations, want the default, the Route 53 + TLS + test client + cross-region + alarms and the UDP ones", strict)
	}
}

// With logsKey, every log group of a stack is encrypted with that stack's key, whose policy lets
// CloudWatch Logs of the stack's Region (and only for this account's log groups) use it, rotates
// it, and allows grants only for AWS resources — as AWS reads them, tokens resolved.
func TestEveryLogGroupUsesItsStacksKeyWhichAllowsCloudWatchLogsOfItsRegion(t *testing.T) {
	f := AppWith(t, "controltower", AppConfigs["controltower"])
	accounts := map[string]string{"PrivateLinkProvider": "111111111111", "PrivateLinkConsumer": "222222222222"}
	for stack, tpl := range f.JSON {
		w := World{Account: accounts[stack], Region: "eu-west-1", Refs: map[string]string{}, Attrs: map[string]any{}}
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
				// Under strict the provider's key also encrypts the retained access-log bucket, so
				// it is retained with it.
				want := "Delete"
				if stack == "PrivateLinkProvider" {
					want = "Retain"
				}
				if p["EnableKeyRotation"] != true || r["DeletionPolicy"] != want {
					t.Errorf("%s: key %s rotation %v, deletion policy %v; want rotation on (CT.KMS.PR.1), deletion policy %s", stack, id, p["EnableKeyRotation"], r["DeletionPolicy"], want)
				}
				policy, _ := json.Marshal(w.Resolve(t, p["KeyPolicy"]))
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
	tools := controlTowerTools(t)
	broken := filepath.Join(t.TempDir(), "broken.guard")
	if err := os.WriteFile(broken, []byte("rule broken when {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(tools.Pkg, "rules", "control-tower", "cfn-guard", "cloudwatch", "ct-cloudwatch-pr-2.guard")
	if vs, err := RunGuard(tools, []string{failing}, thirtyDays("Stack", 30)); err != nil || len(vs) != 1 {
		t.Fatalf("the working rule alone: %v, %v; want one CT.CLOUDWATCH.PR.2 failure", vs, err)
	}
	_, err := RunGuard(tools, []string{failing, broken}, thirtyDays("Stack", 30))
	MustContain(t, ErrString(err), "cfn-guard:", "broken.guard")
}

// Under controlTower=strict each function runs in its stack's VPC with a security group of its
// own (no ingress; HTTPS only), and depends on every endpoint and rule it reaches AWS through, so
// CloudFormation creates them first and deletes them last: a custom resource's Delete, served by
// the function, still reaches EC2 and S3. One endpoint per service and VPC serves every function.
func TestUnderControlTowerStrictEachFunctionDependsOnTheEndpointsAndRulesItCallsThrough(t *testing.T) {
	for _, name := range []string{"controltower", "controltower-tls", "controltower-udp"} {
		f := AppWith(t, name, AppConfigs[name])
		for stack, tpl := range f.JSON {
			res := tpl["Resources"].(map[string]any)
			endpointOfSG := map[string]string{} // security group logical ID -> endpoint
			services := map[string]int{}
			gateway := ""
			for id, r := range res {
				r := r.(map[string]any)
				if r["Type"] != "AWS::EC2::VPCEndpoint" {
					continue
				}
				p := r["Properties"].(map[string]any)
				svc, _ := json.Marshal(p["ServiceName"])
				services[string(svc)]++
				if p["VpcEndpointType"] == "Gateway" || p["VpcEndpointType"] == nil {
					gateway = id
					continue
				}
				for _, g := range AsAnyList(p["SecurityGroupIds"]) {
					endpointOfSG[g.(map[string]any)["Fn::GetAtt"].([]any)[0].(string)] = id
				}
			}
			for svc, n := range services {
				if n > 1 && !strings.Contains(svc, "vpce.") {
					t.Errorf("%s/%s: %d endpoints for %s, want one shared by the functions", name, stack, n, svc)
				}
			}
			functions := 0
			for id, r := range res {
				r := r.(map[string]any)
				if r["Type"] != "AWS::Lambda::Function" {
					continue
				}
				functions++
				deps := map[string]bool{}
				for _, d := range AsAnyList(r["DependsOn"]) {
					deps[d.(string)] = true
				}
				vpc, _ := r["Properties"].(map[string]any)["VpcConfig"].(map[string]any)
				sgs := AsAnyList(vpc["SecurityGroupIds"])
				if len(AsAnyList(vpc["SubnetIds"])) < 2 || len(sgs) != 1 {
					t.Errorf("%s/%s: %s VpcConfig %v, want its subnets and one security group of its own", name, stack, id, vpc)
					continue
				}
				sg := sgs[0].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
				sgProps := res[sg].(map[string]any)["Properties"].(map[string]any)
				if sgProps["SecurityGroupIngress"] != nil {
					t.Errorf("%s/%s: %s's security group %s has ingress %v, want none", name, stack, id, sg, sgProps["SecurityGroupIngress"])
				}
				if eg, _ := json.Marshal(sgProps["SecurityGroupEgress"]); !strings.Contains(string(eg), `"CidrIp":"0.0.0.0/0"`) || strings.Count(string(eg), "FromPort") != 1 || !strings.Contains(string(eg), `"FromPort":443`) {
					t.Errorf("%s/%s: %s's inline egress %s, want HTTPS to S3 (0.0.0.0/0:443) only", name, stack, id, eg)
				}
				if gateway == "" || !deps[gateway] {
					t.Errorf("%s/%s: %s does not depend on the S3 gateway endpoint %q", name, stack, id, gateway)
				}
				reached := 0
				for rid, rr := range res {
					rr := rr.(map[string]any)
					p, _ := rr["Properties"].(map[string]any)
					ref := func(k string) string {
						if g, ok := p[k].(map[string]any)["Fn::GetAtt"].([]any); ok {
							return g[0].(string)
						}
						return ""
					}
					switch {
					case rr["Type"] == "AWS::EC2::SecurityGroupEgress" && ref("GroupId") == sg:
						ep := endpointOfSG[ref("DestinationSecurityGroupId")]
						if ep == "" || !deps[ep] || !deps[rid] || p["FromPort"] != float64(443) {
							t.Errorf("%s/%s: %s's egress %s to %q (port %v): the function must depend on it and on that endpoint", name, stack, id, rid, ep, p["FromPort"])
						}
						reached++
					case rr["Type"] == "AWS::EC2::SecurityGroupIngress" && ref("SourceSecurityGroupId") == sg && !deps[rid]:
						t.Errorf("%s/%s: %s does not depend on the endpoint's ingress %s from it", name, stack, id, rid)
					}
				}
				if reached == 0 {
					t.Errorf("%s/%s: %s reaches no interface endpoint", name, stack, id)
				}
			}
			if functions == 0 {
				t.Errorf("%s/%s: no function", name, stack)
			}
		}
	}
}

// Lambda reclaims the network interfaces of a function in a VPC idle for consecutive weeks, and
// its next invocation — CloudFormation's, at an update or delete months later — fails (Lambda
// Developer Guide, "Lambda Hyperplane ENIs"). Under strict every function is in a VPC: each is
// invoked daily with the keep-active input, or every 15 minutes by the acceptor's sweep; and
// outside strict no function gets the daily rule.
func TestUnderControlTowerStrictEveryFunctionIsInvokedAtLeastDaily(t *testing.T) {
	for _, name := range []string{"controltower", "controltower-tls", "controltower-udp", "default"} {
		strict := AppConfigs[name]["controlTower"] == "strict"
		f := AppWith(t, name, AppConfigs[name])
		for stack, tpl := range f.JSON {
			res := tpl["Resources"].(map[string]any)
			getAtt := func(v any) string {
				if g, ok := v.(map[string]any)["Fn::GetAtt"].([]any); ok && len(g) == 2 && g[1] == "Arn" {
					return g[0].(string)
				}
				return ""
			}
			// What each function is invoked by: schedule expressions, and the keep-active rules.
			schedules, keepActive := map[string][]string{}, map[string]string{}
			for id, r := range res {
				r := r.(map[string]any)
				p, _ := r["Properties"].(map[string]any)
				expr, _ := p["ScheduleExpression"].(string)
				if r["Type"] != "AWS::Events::Rule" || expr == "" {
					continue
				}
				for _, target := range AsAnyList(p["Targets"]) {
					target := target.(map[string]any)
					fn := getAtt(target["Arn"])
					schedules[fn] = append(schedules[fn], expr)
					in, _ := target["Input"].(string)
					if !handler.KeepActive([]byte(in)) {
						continue
					}
					keepActive[fn] = id
					if retry, _ := json.Marshal(target["RetryPolicy"]); expr != "rate(1 day)" || p["State"] != "ENABLED" || string(retry) != `{"MaximumEventAgeInSeconds":3600,"MaximumRetryAttempts":2}` {
						t.Errorf("%s/%s: keep-active rule %s: %s, State %v, RetryPolicy %s; want rate(1 day), ENABLED, 2 retries within an hour", name, stack, id, expr, p["State"], retry)
					}
				}
			}
			for id, r := range res {
				r := r.(map[string]any)
				if r["Type"] != "AWS::Lambda::Function" {
					continue
				}
				_, inVpc := r["Properties"].(map[string]any)["VpcConfig"]
				if inVpc != strict {
					t.Errorf("%s/%s: function %s in a VPC: %v, want %v", name, stack, id, inVpc, strict)
				}
				rule := keepActive[id]
				switch {
				case !strict && rule != "":
					t.Errorf("%s/%s: function %s outside a VPC has the keep-active rule %s", name, stack, id, rule)
				case strict && slices.Contains(schedules[id], "rate(15 minutes)"):
					if rule != "" || len(schedules[id]) != 1 {
						t.Errorf("%s/%s: %s is swept every 15 minutes, and also invoked by %v", name, stack, id, schedules[id])
					}
				case strict && rule == "":
					t.Errorf("%s/%s: function %s runs in a VPC and no rule invokes it daily (schedules %v)", name, stack, id, schedules[id])
				case strict:
					// EventBridge may invoke it for this rule only (CT.LAMBDA.PR.2: a service
					// principal with SourceArn).
					allowed := false
					for _, pr := range res {
						pr := pr.(map[string]any)
						p, _ := pr["Properties"].(map[string]any)
						if pr["Type"] == "AWS::Lambda::Permission" && getAtt(p["FunctionName"]) == id && p["Principal"] == "events.amazonaws.com" && getAtt(p["SourceArn"]) == rule && p["Action"] == "lambda:InvokeFunction" {
							allowed = true
						}
					}
					if !allowed {
						t.Errorf("%s/%s: no permission lets the rule %s invoke %s", name, stack, rule, id)
					}
				}
			}
		}
	}
}
