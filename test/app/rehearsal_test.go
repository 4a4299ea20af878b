package app

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/awsid"
	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/consumer"
	"github.com/privatelink-go/privatelink/constructs/provider"
	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
	"github.com/privatelink-go/privatelink/internal/fakes/runtimeapi"
	"github.com/privatelink-go/privatelink/internal/fakes/sfnfake"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
	"github.com/privatelink-go/privatelink/internal/spec/waitspec"
	providerfn "github.com/privatelink-go/privatelink/lambda/provider"
	. "github.com/privatelink-go/privatelink/test/testkit"
)

// TestDeployRehearsal deploys each app configuration, provider stack first, in CloudFormation's
// order into fakeAWS: every intrinsic resolved with concrete values, every custom resource served
// by the real handler binary (through the Lambda Runtime API, its EC2 and CloudFormation calls
// against the fake, each authorized against the policies its role has at that moment), then
// deletes both stacks in both orders. Run with -v for one summary line per configuration.
func TestDeployRehearsal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstraps")
	}
	t.Parallel()
	for _, name := range AppConfigNames() {
		for _, order := range []string{"consumer-first", "provider-first"} {
			t.Run(name+"/"+order, func(t *testing.T) {
				t.Parallel()
				f := jsiiLocked(func() *Fixture { return AppWith(t, name, AppConfigs[name]) })
				r := &rehearsal{t: t, aws: newFakeAWS(), functions: map[string]*fFunction{}, aliases: map[string]*fAlias{}}
				if b, ok := AppConfigs[name]["accessLogsBucket"].(string); ok {
					// The user's bucket, made before the deploy with the ELB User Guide's policy
					// for NLB access logs ("Access logs for your Network Load Balancer").
					r.aws.existingBuckets = map[string]bool{b: true}
					r.aws.buckets[b] = []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
						"Resource": "arn:aws:s3:::" + b + "/AWSLogs/111111111111/*", "Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "111111111111", "s3:x-amz-acl": "bucket-owner-full-control"}}}}
				}
				// cdk deploy --all: the stacks in the order of the cloud assembly's
				// dependencies, each consumer reading the service name from the deployed
				// provider (Fn::GetStackOutput), with no outputs file.
				stacks := jsiiLocked(func() []string { return deployOrder(t, f) })
				if stacks[0] != privatelinkapp.ProviderStackName {
					t.Fatalf("cdk deploy --all would deploy %v: the provider must come first", stacks)
				}
				for i, s := range stacks {
					if i == 1 {
						// External DNS mode: the user publishes the TXT record and starts the
						// verification while the first consumer's preflight waits for it.
						r.publishTxtRecordWhenAsked(jsiiLocked(func() template { return snapshot(f, privatelinkapp.ProviderStackName) }).outputs)
					}
					r.deploy(s, jsiiLocked(func() template { return snapshot(f, s) }))
				}
				if r.publishFailed != "" {
					t.Error(r.publishFailed)
				}
				external := AppConfigs[name]["privateDnsName"] != "" && AppConfigs[name]["hostedZoneId"] == nil
				if external && r.publishedWhileWaiting != 1 {
					t.Errorf("in external DNS mode the TXT record was published %d times while a consumer waited, want once: the consumer must wait for the name", r.publishedWhileWaiting)
				}
				// An update that reverts the endpoint's drift (private DNS back to the template's
				// false) must not leave it off.
				for _, s := range stacks[1:] {
					r.revertDrift(s)
				}
				if want := AppConfigs[name]["privateDnsName"] != "" && r.reverted < len(stacks)-1; want {
					t.Errorf("%d of %d consumers' endpoints had private DNS on to revert in %s", r.reverted, len(stacks)-1, name)
				}
				// Every consumer, cross-region ones included, asked the acceptor itself.
				if r.invocations != len(stacks)-1 {
					t.Errorf("the acceptor answered %d acceptance requests, want one per consumer (%d)", r.invocations, len(stacks)-1)
				}
				for _, e := range r.aws.endpoints {
					if !e.aws && e.state != "available" {
						t.Errorf("endpoint %s of account %s is %s after deploy --all, not available", e.id, e.account, e.state)
					}
				}
				// cdk destroy --all destroys in reverse order; the provider alone first too.
				destroy := slices.Clone(stacks)
				if order == "consumer-first" {
					slices.Reverse(destroy)
				}
				for _, s := range destroy {
					if s == privatelinkapp.ProviderStackName && (AppConfigs[name]["deletionProtection"] == "true" || AppConfigs[name]["controlTower"] == "strict") {
						r.turnOffDeletionProtection(s)
					}
					r.destroy(s)
				}
				if len(r.aws.denied) > 0 {
					t.Errorf("denied calls:\n%s", strings.Join(r.aws.denied, "\n"))
				}
				var unused []string
				for role, acts := range r.aws.grantedActions() {
					for _, act := range acts {
						if !r.aws.used[role+" "+act] && !slices.Contains(unusedByDesign, act) {
							unused = append(unused, role+" "+act)
						}
					}
				}
				slices.Sort(unused)
				t.Logf("rehearsal %s (%s): %d stacks, %d resources, %d custom resources, %d stack outputs read, %d acceptance requests, %d EC2 calls, %d denied; granted, never called: %v",
					name, order, len(stacks), r.resources, r.custom, r.readOutputs, r.invocations, r.aws.calls, len(r.aws.denied), unused)
			})
		}
	}
}

// TestDeployRehearsalOfOneStack deploys a provider, its acceptor and a consumer of it in one
// stack of one account (ConsumerProps.Provider), Route 53 mode: the consumer's preflight must
// wait for the service's permissions and verification, and its acceptance request is served by
// the acceptor of the same stack.
func TestDeployRehearsalOfOneStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstraps")
	}
	t.Parallel()
	f := jsiiLocked(func() *Fixture {
		return Synth(t, "rehearsal-one-stack", func(app awscdk.App) error {
			stack := awscdk.NewStack(app, jsii.String("OneStack"), &awscdk.StackProps{Env: EuWest1})
			p := provider.NewProvider(stack, "Provider", &provider.ProviderProps{
				Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"111111111111"},
				PrivateDnsName: "api.example.com", HostedZone: Zone(stack),
			})
			a := acceptor.NewAcceptor(stack, "Acceptor", &acceptor.AcceptorProps{Service: p})
			consumer.NewConsumer(stack, "Consumer", &consumer.ConsumerProps{Provider: p, AcceptorArn: *a.Function().FunctionArn()})
			return nil
		})
	})
	r := &rehearsal{t: t, aws: newFakeAWS(), functions: map[string]*fFunction{}, aliases: map[string]*fAlias{}}
	r.deploy("OneStack", jsiiLocked(func() template { return snapshot(f, "OneStack") }))
	r.destroy("OneStack")
	if len(r.aws.denied) > 0 {
		t.Errorf("denied calls:\n%s", strings.Join(r.aws.denied, "\n"))
	}
	t.Logf("rehearsal one-stack: 1 stack, %d resources, %d custom resources, %d EC2 calls, %d denied", r.resources, r.custom, r.aws.calls, len(r.aws.denied))
}

// unusedByDesign are granted actions a rehearsal does not call, each for a reason.
var unusedByDesign = []string{
	// Reject: only with NotAllowed=reject, or at teardown when connections are left.
	"ec2:RejectVpcEndpointConnections",
	// The cleanup asks for the service's resource only when the stack is not being deleted
	// (a replaced service); the rehearsal deletes whole stacks.
	"cloudformation:DescribeStackResource",
	// Read for the same reason: the template tells whether a stack that stays still has the
	// service.
	"cloudformation:GetTemplate",
	// Private DNS is already verified, or the service has no name to verify.
	"ec2:StartVpcEndpointServicePrivateDnsVerification",
	// Only a Delete that comes while its resource still waits stops an execution.
	"states:StopExecution",
}

// publishTxtRecordWhenAsked is what the deploy guide asks of the user in external DNS mode, done
// the first time a consumer finds the name unverified (its preflight then waits): publish the
// TXT record the provider's outputs name and start the verification (the outputs are resolved
// as CloudFormation would show them, so a wrong name fails verification here).
func (r *rehearsal) publishTxtRecordWhenAsked(outs map[string]any) {
	st := r.stacks[privatelinkapp.ProviderStackName]
	var name, value string
	for _, o := range outs {
		o := o.(map[string]any)
		switch desc := fmt.Sprint(o["Description"]); {
		case strings.HasPrefix(desc, "TXT record name"):
			name = fmt.Sprint(st.w.Resolve(r.t, o["Value"]))
		case strings.HasPrefix(desc, "TXT record value"):
			value = fmt.Sprint(st.w.Resolve(r.t, o["Value"]))
		}
	}
	r.aws.onUnverifiedLook = func(svc *fService) {
		if name == "" {
			r.publishFailed = fmt.Sprintf("service %s has private DNS name %s but the provider outputs no TXT record to publish", svc.id, svc.privateDNSName)
			return
		}
		r.aws.txt[name] = value
		// aws ec2 start-vpc-endpoint-service-private-dns-verification, as the README says.
		r.aws.verify(svc)
		r.publishedWhileWaiting++
		if svc.state != "verified" {
			r.publishFailed = fmt.Sprintf("publishing the outputs' TXT record %s = %q did not verify %s (AWS looks for %s.%s = %q)", name, value, svc.privateDNSName, svc.label, svc.privateDNSName, svc.value)
		}
	}
}

// deployOrder is the order cdk deploy --all deploys f's stacks in: each after the stacks it
// depends on in the cloud assembly (Stack.Dependencies), ties by name.
func deployOrder(t *testing.T, f *Fixture) []string {
	deps := map[string][]string{}
	for name, st := range f.Stacks {
		for _, d := range *st.Dependencies() {
			deps[name] = append(deps[name], *d.StackName())
		}
	}
	var out []string
	done := map[string]bool{}
	for len(out) < len(f.Stacks) {
		progress := false
		for _, name := range sortedKeys(f.Stacks) {
			ready := !done[name]
			for _, d := range deps[name] {
				ready = ready && done[d]
			}
			if ready {
				out, done[name], progress = append(out, name), true, true
			}
		}
		if !progress {
			t.Fatalf("dependency cycle among stacks %v", deps)
		}
	}
	return out
}

// execPolicyDenies says why the restricted execution policy of the README's consumer bootstrap
// (docs/consumer-execution-policy.json) would not let a consumer stack of the app do action on
// resource, or "" (an identity policy: an Allow whose Action and Resource match; IAM policy
// evaluation logic). Other stacks run with the bootstrap's default AdministratorAccess.
func (r *rehearsal) execPolicyDenies(st *stackState, action, resource string) string {
	if !strings.HasPrefix(st.name, privatelinkapp.ConsumerStackName) {
		return ""
	}
	r.execOnce.Do(func() {
		// Through JSON, so that its lists read as the templates' do.
		raw, _ := json.Marshal(jsiiLocked(func() map[string]any { return consumerExecutionPolicy(r.t) }))
		_ = json.Unmarshal(raw, &r.execPolicy)
	})
	for _, s := range AsAnyList(r.execPolicy["Statement"]) {
		stmt := s.(map[string]any)
		if stmt["Effect"] == "Allow" && matchAny(stmt["Action"], action) && matchAny(stmt["Resource"], resource) {
			return ""
		}
	}
	return fmt.Sprintf("the consumer execution policy (docs/consumer-execution-policy.json) does not allow %s on %s", action, resource)
}

// execRole is the role CloudFormation runs a stack's deploy with: cdk deploy passes the
// bootstrap's execution role (DefaultStackSynthesizer, cloudFormationExecutionRole), whose
// default policy is AdministratorAccess (cdk bootstrap --cloudformation-execution-policies).
func execRole(st *stackState) string {
	p, _ := awsid.PartitionOf(st.region)
	return fmt.Sprintf("arn:%s:iam::%s:role/cdk-hnb659fds-cfn-exec-role-%s-%s", p.Name, st.account, st.account, st.region)
}

// stackOutput answers consumer's Fn::GetStackOutput as CloudFormation would (CloudFormation
// Template Reference, Fn::GetStackOutput): the stack must exist in Region (default the
// consumer's), in the same partition; RoleArn (default the consumer's execution role) must be
// assumable by the consumer's execution role — the role's trust policy names it (IAM: a role
// ARN principal) — and must be allowed cloudformation:DescribeStacks on the stack; the output
// must exist. Its value is what the producer's deploy resolved.
func (r *rehearsal) stackOutput(consumer *stackState, args map[string]any) (any, string) {
	region := consumer.region
	if v, ok := args["Region"]; ok {
		region = fmt.Sprint(v)
	}
	name := fmt.Sprint(args["StackName"])
	producer := r.stacks[name]
	if producer == nil || producer.region != region || producer.status == "DELETE_COMPLETE" || !awsid.SamePartition(region, consumer.region) {
		return nil, fmt.Sprintf("stack %s does not exist in %s", name, region)
	}
	if producer.account != consumer.account {
		roleArn, _ := args["RoleArn"].(string)
		if roleArn == "" {
			return nil, fmt.Sprintf("stack %s is in account %s and no RoleArn is given: the execution role of account %s cannot describe it", name, producer.account, consumer.account)
		}
		roleName := roleArn[strings.LastIndex(roleArn, "/")+1:]
		role := r.aws.roles[roleName]
		if role == nil || !strings.Contains(roleArn, ":iam::"+producer.account+":role/") {
			return nil, fmt.Sprintf("role %s does not exist in account %s", roleArn, producer.account)
		}
		if why := r.execPolicyDenies(consumer, "sts:AssumeRole", roleArn); why != "" {
			return nil, why
		}
		if !trustsRole(role.trust, execRole(consumer)) {
			return nil, fmt.Sprintf("%s is not authorized to perform sts:AssumeRole on %s (its trust policy: %v)", execRole(consumer), roleArn, role.trust)
		}
		r.aws.mu.Lock()
		denied := r.aws.authorize(roleName, "cloudformation:DescribeStacks", nil, stackID(producer))
		r.aws.mu.Unlock()
		if denied != "" {
			return nil, fmt.Sprintf("%s is not authorized to perform cloudformation:DescribeStacks on %s", roleArn, denied)
		}
	}
	v, ok := producer.outputs[fmt.Sprint(args["OutputName"])]
	if !ok {
		return nil, fmt.Sprintf("stack %s has no output %v (it has %v)", name, args["OutputName"], sortedKeys(producer.outputs))
	}
	r.readOutputs++
	return v, ""
}

// rehearsal is one deployment of the app into one fake AWS.
type rehearsal struct {
	t                 *testing.T
	aws               *fakeAWS
	functions         map[string]*fFunction // ARN ->
	aliases           map[string]*fAlias    // alias ARN ->
	stacks            map[string]*stackState
	resources, custom int
	readOutputs       int // Fn::GetStackOutput answered
	execOnce          sync.Once
	execPolicy        map[string]any // docs/consumer-execution-policy.json, as generated
	invocations       int            // Lambda Invoke calls answered
	// publishedWhileWaiting counts TXT records published while a consumer waited for them;
	// publishFailed says why publishing failed.
	publishedWhileWaiting int
	publishFailed         string
	steps                 *sfnfake.Server // Step Functions, all accounts and Regions
	schedules             []schedule
	stackRules            []stackRule
	reverted              int // endpoints whose private DNS revertDrift turned off
}

// schedule is an EventBridge rule's schedule and the function it targets, with the target's
// Input ("" for the event itself).
type schedule struct{ stack, rule, expression, target, input string }

// stackRule is an EventBridge rule with an event pattern, and its targets' ARNs and inputs.
type stackRule struct {
	stack, rule string
	pattern     map[string]any
	targets     [][2]string // ARN, Input ("" delivers the event itself)
}

// stepFunctions is the rehearsal's Step Functions, started on first use.
func (r *rehearsal) stepFunctions() *sfnfake.Server {
	if r.steps == nil {
		r.steps = sfnfake.New(r.t)
	}
	return r.steps
}

type stackState struct {
	name, account, region string
	w                     World
	order                 []string
	deps                  map[string][]string
	res                   map[string]map[string]any
	status                string
	physical              map[string]string
	outputs               map[string]any // output ID -> value, as the deploy resolved it
	tpl                   template       // the template last deployed
	// props are each resource's properties as the deploy resolved them: what CloudFormation
	// sends a custom resource's Delete (it keeps the last resolved values; a weak reference is
	// not read again on delete, so a consumer is deleted even after its provider).
	props map[string]map[string]any
}

// fAlias is an alias of a function's $LATEST and the principals its resource policy admits.
type fAlias struct {
	function string
	invokers []string
}

type fFunction struct {
	arn, handler, role, account, region string
	env                                 []string
	timeout                             time.Duration
	stack                               string
	deleted                             bool
	invokers                            []string // accounts a resource policy lets invoke it
	// vpc says it runs in a VPC; dailyOK that a schedule of at most a day invoked it
	// successfully (runSchedules), which keeps such a function Active.
	vpc, dailyOK bool
	proc         *runtimeapi.Server
	s3           *cfntest.Server
}

// order sorts the resources the way CloudFormation creates them: after everything they name in
// DependsOn, Ref, Fn::GetAtt or Fn::Sub (CloudFormation user guide, DependsOn attribute).
func order(t *testing.T, res map[string]map[string]any) ([]string, map[string][]string) {
	deps := map[string][]string{}
	for id, r := range res {
		if d, ok := r["DependsOn"].([]any); ok {
			for _, x := range d {
				deps[id] = append(deps[id], x.(string))
			}
		} else if d, ok := r["DependsOn"].(string); ok {
			deps[id] = append(deps[id], d)
		}
		EachObject(r["Properties"], func(x map[string]any) {
			if ref, ok := x["Ref"].(string); ok && res[ref] != nil {
				deps[id] = append(deps[id], ref)
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok && res[ga[0].(string)] != nil {
				deps[id] = append(deps[id], ga[0].(string))
			}
			if sub, ok := x["Fn::Sub"].(string); ok {
				for _, m := range SubVar.FindAllString(sub, -1) {
					if l, _, _ := strings.Cut(m[2:len(m)-1], "."); res[l] != nil {
						deps[id] = append(deps[id], l)
					}
				}
			}
		})
	}
	// Among resources ready at the same time, custom resources go first: CloudFormation creates
	// independent resources in any order, and a custom resource run before something it does
	// not depend on shows a missing dependency instead of passing by luck.
	ids := sortedKeys(res)
	slices.SortStableFunc(ids, func(x, y string) int {
		cx, cy := strings.HasPrefix(fmt.Sprint(res[x]["Type"]), "Custom::"), strings.HasPrefix(fmt.Sprint(res[y]["Type"]), "Custom::")
		switch {
		case cx && !cy:
			return -1
		case cy && !cx:
			return 1
		}
		return 0
	})
	var out []string
	done := map[string]bool{}
	for len(out) < len(res) {
		progress := false
		for _, id := range ids {
			if done[id] {
				continue
			}
			ready := true
			for _, d := range deps[id] {
				ready = ready && done[d]
			}
			if ready {
				out, done[id], progress = append(out, id), true, true
				break // re-scan from the start, so a custom resource that just became ready goes next
			}
		}
		if !progress {
			t.Fatalf("dependency cycle among %d resources", len(res)-len(out))
		}
	}
	return out, deps
}

// dependsOn returns everything id depends on, directly or not.
func dependsOn(deps map[string][]string, id string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(x string) {
		for _, d := range deps[x] {
			if !seen[d] {
				seen[d] = true
				visit(d)
			}
		}
	}
	visit(id)
	return seen
}

// jsiiMu serialises calls into the jsii kernel, which parallel rehearsals share and which is not
// safe for concurrent use.
var jsiiMu sync.Mutex

func jsiiLocked[T any](f func() T) T {
	jsiiMu.Lock()
	defer jsiiMu.Unlock()
	return f()
}

// template is what the rehearsal reads of a synthesized stack, taken out of jsii once.
type template struct {
	account, region string
	params, outputs map[string]any
	res             map[string]map[string]any
}

func snapshot(f *Fixture, stack string) template {
	doc := f.JSON[stack]
	params, _ := doc["Parameters"].(map[string]any)
	outputs, _ := doc["Outputs"].(map[string]any)
	return template{account: *f.Stacks[stack].Account(), region: *f.Stacks[stack].Region(), params: params, outputs: outputs, res: Resources(f.Templates[stack], "")}
}

func (r *rehearsal) deploy(name string, tpl template) {
	t := r.t
	t.Helper()
	if r.stacks == nil {
		r.stacks = map[string]*stackState{}
	}
	params, res := tpl.params, tpl.res
	st := &stackState{name: name, account: tpl.account, region: tpl.region, res: res, status: "CREATE_IN_PROGRESS", physical: map[string]string{}, props: map[string]map[string]any{},
		w: World{Account: tpl.account, Region: tpl.region, Stack: name, Refs: map[string]string{"BootstrapVersion": "28"}, Attrs: map[string]any{}, Strict: true}}
	st.w.StackOutput = func(args map[string]any) (any, string) { return r.stackOutput(st, args) }
	st.tpl = tpl
	r.stacks[name] = st
	// Parameters: SSM-backed ones (the AMI) resolve to what the parameter store holds, the rest
	// to their defaults.
	for k, v := range params {
		m := v.(map[string]any)
		if strings.HasPrefix(fmt.Sprint(m["Type"]), "AWS::SSM::Parameter::Value") {
			st.w.Refs[k] = "ami-0123456789abcdef0"
		} else if d, ok := m["Default"]; ok {
			st.w.Refs[k] = fmt.Sprint(d)
		}
	}
	st.order, st.deps = order(t, res)
	for _, id := range st.order {
		rr := res[id]
		typ := rr["Type"].(string)
		st.w.Where = fmt.Sprintf("%s %s (%s): ", name, id, typ)
		props, _ := st.w.Resolve(t, rr["Properties"]).(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		st.props[id] = props
		r.create(st, id, typ, props)
		r.resources++
	}
	// CloudFormation evaluates the outputs last; one that cannot be resolved (an out-of-range
	// Fn::Select, say) fails the stack.
	st.outputs = map[string]any{}
	for _, id := range sortedKeys(tpl.outputs) {
		st.w.Where = fmt.Sprintf("%s output %s: ", name, id)
		st.outputs[id] = st.w.Resolve(t, tpl.outputs[id].(map[string]any)["Value"])
	}
	st.status = "CREATE_COMPLETE"
	if err := r.aws.checkAlarmTopics(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	r.runSchedules(st)
	for _, fn := range r.functions {
		// Lambda reclaims the network interfaces of a VPC function idle for consecutive weeks,
		// and its next invocation fails (Lambda Developer Guide, "Lambda Hyperplane ENIs"): that
		// would be CloudFormation's, at the stack's next update or delete.
		if fn.stack == st.name && fn.vpc && !fn.dailyOK {
			t.Errorf("%s: function %s runs in a VPC and nothing invokes it at least daily: weeks without a deploy leave it Inactive", name, fn.arn)
		}
	}
	r.publishStackStatus(st, "CREATE_COMPLETE")
}

// atMostDaily says a rate expression ("rate(value unit)", EventBridge User Guide, "Rate
// expressions") fires at least once a day.
func atMostDaily(expression string) bool {
	var n int
	var unit string
	if _, err := fmt.Sscanf(expression, "rate(%d %s", &n, &unit); err != nil {
		return false
	}
	per := map[string]int{"minute)": 1, "minutes)": 1, "hour)": 60, "hours)": 60, "day)": 1440, "days)": 1440}[unit]
	return per > 0 && n*per <= 1440
}

// publishStackStatus delivers the event CloudFormation puts on the default bus when the stack
// reaches status (CloudFormation User Guide, "Stack Status Change event detail") to every rule
// whose pattern matches it (EventBridge User Guide, "Event patterns": a field matches when its
// value is one in the pattern's array; nested objects match field by field). A target's Input
// replaces the event ("Input: Valid JSON text passed to the target"); the function must admit
// events.amazonaws.com and succeed.
func (r *rehearsal) publishStackStatus(st *stackState, status string) {
	t := r.t
	event := map[string]any{"version": "0", "id": "e-2", "detail-type": "CloudFormation Stack Status Change", "source": "aws.cloudformation",
		"account": st.account, "region": st.region, "resources": []any{stackID(st)},
		"detail": map[string]any{"stack-id": stackID(st), "status-details": map[string]any{"status": status, "status-reason": ""}}}
	raw, _ := json.Marshal(event)
	for _, rule := range r.stackRules {
		if !matchesPattern(rule.pattern, event) {
			continue
		}
		for _, target := range rule.targets {
			fn := r.functions[target[0]]
			switch {
			case fn == nil || fn.deleted:
				t.Fatalf("rule %s targets %s, which does not exist", rule.rule, target[0])
			case !slices.Contains(fn.invokers, "events.amazonaws.com"):
				t.Fatalf("rule %s targets %s, whose resource policy does not admit events.amazonaws.com (it admits %v)", rule.rule, target[0], fn.invokers)
			}
			payload := raw
			if target[1] != "" {
				if !json.Valid([]byte(target[1])) {
					t.Fatalf("rule %s: target Input %q is not JSON", rule.rule, target[1])
				}
				payload = []byte(target[1])
			}
			proc := r.process(fn)
			if res := proc.Invoke(payload, fn.timeout); res.Error != nil {
				t.Fatalf("rule %s: %s failed on %s's %s: %+v\n%s", rule.rule, target[0], st.name, status, res.Error, proc.Stdout())
			}
		}
	}
}

// matchesPattern is EventBridge's matching of the patterns the library writes: arrays of
// values and nested objects.
func matchesPattern(pattern, event map[string]any) bool {
	for k, want := range pattern {
		switch w := want.(type) {
		case []any:
			if !slices.ContainsFunc(w, func(v any) bool { return fmt.Sprint(v) == fmt.Sprint(event[k]) }) {
				return false
			}
		case map[string]any:
			sub, ok := event[k].(map[string]any)
			if !ok || !matchesPattern(w, sub) {
				return false
			}
		default:
			return false // EventBridge accepts only arrays and objects as pattern values
		}
	}
	return true
}

// revertDrift does what cdk deploy --revert-drift does to the endpoints of a stack whose template
// says PrivateDnsEnabled false: turns private DNS off on each one the enabler turned on, then
// completes the update. Every such endpoint must have it on again afterwards.
func (r *rehearsal) revertDrift(name string) {
	t, st := r.t, r.stacks[name]
	var reverted []*fEndpoint
	r.aws.mu.Lock()
	for id, phys := range st.physical {
		if e := r.aws.endpoints[phys]; e != nil && st.res[id]["Type"] == "AWS::EC2::VPCEndpoint" && e.privateDNS && !e.aws {
			e.privateDNS = false
			reverted = append(reverted, e)
		}
	}
	r.aws.mu.Unlock()
	st.status = "UPDATE_COMPLETE"
	r.publishStackStatus(st, "UPDATE_COMPLETE")
	for _, e := range reverted {
		if !e.privateDNS {
			t.Errorf("%s: endpoint %s has private DNS off after an update reverted it", name, e.id)
		}
	}
	r.reverted += len(reverted)
}

// runSchedules fires each of the stack's schedules once, as EventBridge would: the target must
// exist and admit events.amazonaws.com (Lambda resource-based policy; EventBridge User Guide,
// "Using resource-based policies for Amazon EventBridge"), the function must take the "Scheduled
// Event" and succeed, and every alarm on a metric the function publishes (embedded metric format)
// must name a metric and dimension values it really wrote.
func (r *rehearsal) runSchedules(st *stackState) {
	t := r.t
	for _, s := range r.schedules {
		if s.stack != st.name {
			continue
		}
		if !regexp.MustCompile(`^rate\(([2-9]|[1-9]\d+) (minutes|hours|days)\)$|^rate\(1 (minute|hour|day)\)$`).MatchString(s.expression) {
			// "rate(value unit)": unit minute for 1, minutes above (EventBridge User Guide, "Rate
			// expressions").
			t.Fatalf("rule %s: ScheduleExpression %q is not a rate expression EventBridge accepts", s.rule, s.expression)
		}
		fn := r.functions[s.target]
		switch {
		case fn == nil || fn.deleted:
			t.Fatalf("rule %s targets %s, which does not exist", s.rule, s.target)
		case !slices.Contains(fn.invokers, "events.amazonaws.com"):
			t.Fatalf("rule %s targets %s, whose resource policy does not admit events.amazonaws.com (it admits %v)", s.rule, s.target, fn.invokers)
		}
		raw := fmt.Sprintf(`{"version":"0","id":"e-1","detail-type":"Scheduled Event","source":"aws.events","account":%q,"time":"2026-11-21T12:00:00Z","region":%q,"resources":[%q],"detail":{}}`, fn.account, fn.region, s.rule)
		if s.input != "" {
			// A target's Input replaces the event: "nothing from the event itself is passed to
			// the target" (EventBridge API Reference, Target).
			raw = s.input
		}
		proc := r.process(fn)
		before := len(proc.Stdout())
		if res := proc.Invoke([]byte(raw), fn.timeout); res.Error != nil {
			t.Fatalf("rule %s: %s failed on its scheduled event %s: %+v\n%s", s.rule, s.target, raw, res.Error, proc.Stdout())
		}
		if atMostDaily(s.expression) {
			fn.dailyOK = true
		}
		if s.input != "" {
			// The keep-active input (handler.KeepActive) publishes nothing, and is answered with
			// no AWS call.
			if !proc.StdoutHas(before, `"msg":"kept active"`, 5*time.Second) {
				t.Fatalf("rule %s: %s did not answer its input %s as the keep-active one:\n%s", s.rule, s.target, raw, proc.Stdout())
			}
		} else if err := r.aws.checkAlarmsAgainstEMF(proc.Stdout()); err != nil {
			t.Fatalf("rule %s: %v", s.rule, err)
		}
	}
}

func (r *rehearsal) create(st *stackState, id, typ string, p map[string]any) {
	t, a, w := r.t, r.aws, &st.w
	a.mu.Lock()
	n := a.next()
	a.mu.Unlock()
	partition, _ := awsid.PartitionOf(st.region)
	phys := fmt.Sprintf("%s-%s-%04d", st.name, id, n)
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition.Name, service, st.region, st.account, resource)
	}
	attrs := map[string]any{}
	switch typ {
	case "AWS::EC2::VPC":
		phys = fmt.Sprintf("vpc-%017x", n)
		// EnableDnsSupport defaults to true, EnableDnsHostnames to false (AWS::EC2::VPC).
		a.vpcs[phys] = &fVpc{account: st.account, region: st.region, dnsSupport: p["EnableDnsSupport"] != false, dnsHostnames: p["EnableDnsHostnames"] == true}
		// Ipv6CidrBlocks is empty until an AWS::EC2::VPCCidrBlock associates one (aws-cdk#36714).
		attrs = map[string]any{"CidrBlock": p["CidrBlock"], "Ipv6CidrBlocks": []any{}, "VpcId": phys, "DefaultSecurityGroup": fmt.Sprintf("sg-%017x", n)}
	case "AWS::EC2::VPCCidrBlock":
		v := a.vpcs[fmt.Sprint(p["VpcId"])]
		if p["AmazonProvidedIpv6CidrBlock"] == true {
			v.ipv6 = append(v.ipv6, netip.MustParsePrefix(fmt.Sprintf("2600:1f18:%x:%x00::/56", n%0xffff, len(v.ipv6))).Masked().String())
			for vid, rr := range st.res {
				if rr["Type"] == "AWS::EC2::VPC" && st.physical[vid] == fmt.Sprint(p["VpcId"]) {
					w.Attrs[vid+".Ipv6CidrBlocks"] = ToAny(v.ipv6)
				}
			}
		}
	case "AWS::EC2::Subnet":
		phys = fmt.Sprintf("subnet-%017x", n)
		azID, name := fmt.Sprint(p["AvailabilityZoneId"]), fmt.Sprint(p["AvailabilityZone"])
		if p["AvailabilityZoneId"] == nil {
			azID = azIDOf(st.account, st.region, name)
		} else {
			name = azName(st.account, azID)
		}
		// A subnet's IPv6 range must come out of its VPC's (CreateSubnet).
		if v6, ok := p["Ipv6CidrBlock"].(string); ok && !slices.ContainsFunc(a.vpcs[fmt.Sprint(p["VpcId"])].ipv6, func(b string) bool {
			block, sub := netip.MustParsePrefix(b), netip.MustParsePrefix(v6)
			return block.Contains(sub.Addr()) && sub.Bits() >= block.Bits()
		}) {
			t.Fatalf("%sIpv6CidrBlock %s is not in the VPC's IPv6 ranges %v", w.Where, v6, a.vpcs[fmt.Sprint(p["VpcId"])].ipv6)
		}
		a.subnets[phys] = &fSubnet{vpc: fmt.Sprint(p["VpcId"]), azID: azID, azName: name}
		attrs = map[string]any{"AvailabilityZone": name, "AvailabilityZoneId": azID, "SubnetId": phys, "VpcId": p["VpcId"]}
	case "AWS::EC2::SecurityGroup":
		phys = fmt.Sprintf("sg-%017x", n)
		attrs = map[string]any{"GroupId": phys, "VpcId": p["VpcId"]}
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		phys = arn("elasticloadbalancing", fmt.Sprintf("loadbalancer/net/%s/%016x", id[:min(len(id), 20)], n))
		// Subnets or SubnetMappings, one of the two (AWS::ElasticLoadBalancingV2::LoadBalancer).
		for _, s := range AsAnyList(p["Subnets"]) {
			a.nlbs[phys] = append(a.nlbs[phys], s.(string))
		}
		for _, m := range AsAnyList(p["SubnetMappings"]) {
			m := m.(map[string]any)
			// "SourceNatIpv6Prefix: … an IPv6 prefix (/80 netmask) from the subnet CIDR block or
			// auto_assigned" (ELB API reference, SubnetMapping), only with the prefix option on
			// (aws-cdk-lib refuses it otherwise).
			if prefix, ok := m["SourceNatIpv6Prefix"]; ok && (p["EnablePrefixForIpv6SourceNat"] != "on" || prefix != "auto_assigned" && !strings.HasSuffix(fmt.Sprint(prefix), "/80")) {
				t.Fatalf("%sSourceNatIpv6Prefix %v needs EnablePrefixForIpv6SourceNat on and a /80 or auto_assigned", w.Where, prefix)
			}
			a.nlbs[phys] = append(a.nlbs[phys], m["SubnetId"].(string))
		}
		if len(a.nlbs[phys]) == 0 {
			t.Fatalf("%sneither Subnets nor SubnetMappings", w.Where)
		}
		// LoadBalancerFullName is the ARN's part after "loadbalancer/" (AWS::ElasticLoadBalancingV2::
		// LoadBalancer return values: net/my-load-balancer/50dc6c495c0c9188).
		lb := &fNLB{dualStack: strings.HasPrefix(fmt.Sprint(p["IpAddressType"]), "dualstack"), ipv6SourceNat: p["EnablePrefixForIpv6SourceNat"] == "on",
			fullName: strings.SplitN(phys, ":loadbalancer/", 2)[1]}
		// "The IP address type must be dualstack" for EnablePrefixForIpv6SourceNat (ELB API
		// reference, CreateLoadBalancer).
		if lb.ipv6SourceNat && !lb.dualStack {
			t.Fatalf("%sEnablePrefixForIpv6SourceNat on an NLB that is not dualstack", w.Where)
		}
		a.lbs[phys] = lb
		for _, attr := range AsAnyList(p["LoadBalancerAttributes"]) {
			attr := attr.(map[string]any)
			switch attr["Key"] {
			case "deletion_protection.enabled":
				a.setDeletionProtection(phys, attr["Value"] == "true")
			case "access_logs.s3.enabled":
				if attr["Value"] == "true" {
					if err := a.checkAccessLogs(st.account, st.region, p, r.bucketPolicyInForce(st, id)); err != nil {
						t.Fatalf("%s%v", w.Where, err)
					}
				}
			}
		}
		attrs = map[string]any{"DNSName": fmt.Sprintf("%s-%x.elb.%s.amazonaws.com", id[:min(len(id), 20)], n, st.region), "LoadBalancerFullName": lb.fullName, "LoadBalancerName": id, "CanonicalHostedZoneID": "Z2IFOLAFXWLO4F"}
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		phys = arn("elasticloadbalancing", fmt.Sprintf("targetgroup/%s/%016x", id[:min(len(id), 20)], n))
		// TargetGroupFullName is the ARN's resource part: targetgroup/<name>/<id>.
		tg := &fTG{protocol: fmt.Sprint(p["Protocol"]), ipType: "ipv4", fullName: strings.SplitN(phys, ":", 6)[5]}
		if v, ok := p["IpAddressType"].(string); ok {
			tg.ipType = v
		}
		// "The GENEVE, TLS, UDP, TCP_UDP, QUIC, and TCP_QUIC protocols are not supported for
		// health checks" (ELB API reference, CreateTargetGroup HealthCheckProtocol).
		if hc, ok := p["HealthCheckProtocol"].(string); ok && !slices.Contains([]string{"TCP", "HTTP", "HTTPS"}, hc) {
			t.Fatalf("%sHealthCheckProtocol %s is not supported", w.Where, hc)
		}
		for _, target := range AsAnyList(p["Targets"]) {
			if err := a.checkTarget(tg.ipType, fmt.Sprint(p["TargetType"]), fmt.Sprint(target.(map[string]any)["Id"])); err != nil {
				t.Fatalf("%s%v", w.Where, err)
			}
		}
		a.tgs[phys] = tg
		attrs = map[string]any{"TargetGroupFullName": tg.fullName, "TargetGroupName": id}
	case "AWS::ElasticLoadBalancingV2::Listener":
		// A listener's ARN extends its load balancer's: …:listener/net/<name>/<id>/<listener id>
		// (ELB API reference, CreateListener example).
		phys = strings.Replace(fmt.Sprint(p["LoadBalancerArn"]), ":loadbalancer/", ":listener/", 1) + fmt.Sprintf("/%016x", n)
		if err := a.checkListener(st.region, p); err != nil {
			t.Fatalf("%s%v", w.Where, err)
		}
	case "AWS::CertificateManager::Certificate":
		phys = arn("acm", fmt.Sprintf("certificate/%08x-0000-4000-8000-%012x", n, n))
		// "If the domain is hosted in Route 53 in your account and you use DNS validation, the
		// validation is handled automatically" via DomainValidationOption.HostedZoneId; otherwise
		// the stack stays CREATE_IN_PROGRESS until someone validates it
		// (AWS::CertificateManager::Certificate).
		zoned := map[string]bool{}
		for _, o := range AsAnyList(p["DomainValidationOptions"]) {
			if o := o.(map[string]any); o["HostedZoneId"] != nil {
				zoned[fmt.Sprint(o["DomainName"])] = true
			}
		}
		names := append([]string{fmt.Sprint(p["DomainName"])}, AsList(p["SubjectAlternativeNames"])...)
		for _, name := range names {
			if p["ValidationMethod"] != "DNS" || !zoned[name] {
				t.Fatalf("%s%s would wait for validation by hand: the stack would hang in CREATE_IN_PROGRESS", w.Where, name)
			}
		}
		a.certs[phys] = "ISSUED"
	case "AWS::S3::Bucket":
		phys = fmt.Sprintf("%s-%s-%x", strings.ToLower(st.name), strings.ToLower(id[:min(len(id), 20)]), n)
		attrs = map[string]any{"Arn": fmt.Sprintf("arn:%s:s3:::%s", partition.Name, phys), "DomainName": phys + ".s3.amazonaws.com"}
	case "AWS::S3::BucketPolicy":
		a.buckets[fmt.Sprint(p["Bucket"])] = AsAnyList(p["PolicyDocument"].(map[string]any)["Statement"])
	case "AWS::EC2::VPCEndpointService":
		phys = fmt.Sprintf("vpce-svc-%017x", n)
		var azIDs []string
		for _, lb := range p["NetworkLoadBalancerArns"].([]any) {
			for _, sn := range a.nlbs[fmt.Sprint(lb)] {
				if !slices.Contains(azIDs, a.subnets[sn].azID) {
					azIDs = append(azIDs, a.subnets[sn].azID)
				}
			}
		}
		s := &fService{id: phys, name: awsid.ServiceNamePrefix(st.region) + "." + st.region + "." + phys, account: st.account, region: st.region, azIDs: azIDs, state: "pendingVerification",
			label: fmt.Sprintf("_%020x", n), value: fmt.Sprintf("vpce:%020x", n)}
		for _, reg := range AsList(p["SupportedRegions"]) {
			s.regions = append(s.regions, reg)
		}
		if dns, ok := p["PrivateDnsName"].(string); ok {
			s.privateDNSName = dns
		}
		s.ipTypes = AsList(p["SupportedIpAddressTypes"])
		if len(s.ipTypes) == 0 {
			s.ipTypes = []string{"ipv4"} // the default (AWS::EC2::VPCEndpointService)
		}
		s.acceptance = p["AcceptanceRequired"] != false
		a.services[phys] = s
		attrs = map[string]any{"ServiceId": phys, "PrivateDnsNameConfiguration.Name": s.label, "PrivateDnsNameConfiguration.Value": s.value,
			"PrivateDnsNameConfiguration.State": s.state, "PrivateDnsNameConfiguration.Type": "TXT"}
	case "AWS::EC2::VPCEndpointServicePermissions":
		a.services[fmt.Sprint(p["ServiceId"])].principals = AsList(p["AllowedPrincipals"])
	case "AWS::Route53::RecordSet":
		// A record set's Name is fully qualified; the TXT value is quoted (Route 53 API).
		if p["Type"] == "TXT" {
			a.txt[strings.TrimSuffix(fmt.Sprint(p["Name"]), ".")] = strings.Trim(fmt.Sprint(p["ResourceRecords"].([]any)[0]), `"`)
		}
	case "AWS::IAM::Role":
		phys = fmt.Sprintf("%s-%s-%X", st.name, id[:min(len(id), 30)], n)
		defer func() {
			for _, action := range []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole"} {
				if why := r.execPolicyDenies(st, action, fmt.Sprintf("arn:%s:iam::%s:role/%s", partition.Name, st.account, phys)); why != "" {
					t.Fatalf("%s%s", w.Where, why)
				}
			}
		}()
		if name, ok := p["RoleName"].(string); ok {
			// A named role: unique per account (IAM CreateRole, EntityAlreadyExists).
			if a.roles[name] != nil {
				t.Fatalf("%srole %s already exists", w.Where, name)
			}
			phys = name
		}
		a.roles[phys] = &fRole{account: st.account, trust: p["AssumeRolePolicyDocument"]}
		// Inline policies are part of the role: in force wherever the role is (AWS::IAM::Role,
		// Policies).
		for _, inline := range AsAnyList(p["Policies"]) {
			pol := fPolicy{stack: st.name, id: id}
			for _, s := range inline.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				pol.statements = append(pol.statements, s.(map[string]any))
			}
			a.roles[phys].policies = append(a.roles[phys].policies, pol)
		}
		attrs = map[string]any{"Arn": fmt.Sprintf("arn:%s:iam::%s:role/%s", partition.Name, st.account, phys), "RoleId": fmt.Sprintf("AROA%016X", n)}
	case "AWS::IAM::Policy":
		pol := fPolicy{stack: st.name, id: id}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			pol.statements = append(pol.statements, s.(map[string]any))
		}
		for _, role := range AsList(p["Roles"]) {
			a.roles[role].policies = append(a.roles[role].policies, pol)
		}
	case "AWS::Lambda::Function":
		name := phys
		if fn, ok := p["FunctionName"].(string); ok {
			name = fn
		}
		// A function name is unique per account and Region (Lambda CreateFunction:
		// ResourceConflictException).
		phys = arn("lambda", "function:"+name)
		if r.functions[phys] != nil && !r.functions[phys].deleted {
			t.Fatalf("%sfunction %s already exists", w.Where, name)
		}
		role := strings.TrimPrefix(fmt.Sprint(p["Role"]), fmt.Sprintf("arn:%s:iam::%s:role/", partition.Name, st.account))
		fn := &fFunction{arn: phys, role: role, account: st.account, region: st.region, stack: st.name}
		if env, ok := p["Environment"].(map[string]any); ok {
			for k, v := range env["Variables"].(map[string]any) {
				fn.env = append(fn.env, k+"="+fmt.Sprint(v))
				if k == handler.Env { // the bootstrap runs what the template says
					fn.handler = fmt.Sprint(v)
				}
			}
		}
		secs, _ := p["Timeout"].(float64)
		fn.timeout = time.Duration(secs) * time.Second
		if vc, ok := p["VpcConfig"].(map[string]any); ok {
			// Lambda creates the function's network interfaces with its role at CreateFunction
			// ("The provided execution role does not have permissions to call
			// CreateNetworkInterface on EC2"; Lambda Developer Guide, VPC permissions).
			if denied := a.authorize(role, "ec2:CreateNetworkInterface", nil, "*"); denied != "" {
				t.Fatalf("%sfunction %s: the provided execution role does not have permissions to call CreateNetworkInterface on EC2", w.Where, name)
			}
			subnets, sgs := AsList(vc["SubnetIds"]), AsList(vc["SecurityGroupIds"])
			if len(subnets) == 0 || len(sgs) != 1 {
				t.Fatalf("%sfunction %s: VpcConfig %v, want subnets and one security group", w.Where, name, vc)
			}
			if a.nets == nil {
				a.nets = map[string]*fNet{}
			}
			a.nets[role] = &fNet{vpc: a.subnets[subnets[0]].vpc, sg: sgs[0], region: st.region}
			fn.vpc = true
		}
		r.functions[phys] = fn
		attrs = map[string]any{"Arn": phys}
		// Ref returns the function's name, GetAtt Arn its ARN (AWS::Lambda::Function return
		// values).
		phys = name
	case "AWS::Lambda::Alias":
		// Ref is the alias's ARN, the function's ARN and the alias name (AWS::Lambda::Alias);
		// FunctionName takes a name or an ARN.
		fnKey := fmt.Sprint(p["FunctionName"])
		if !strings.HasPrefix(fnKey, "arn:") {
			fnKey = arn("lambda", "function:"+fnKey)
		}
		if r.functions[fnKey] == nil || p["FunctionVersion"] != "$LATEST" {
			t.Fatalf("%salias of %v version %v: the rehearsal knows aliases of $LATEST of a function it created", w.Where, p["FunctionName"], p["FunctionVersion"])
		}
		phys = fnKey + ":" + fmt.Sprint(p["Name"])
		r.aliases[phys] = &fAlias{function: fnKey}
		attrs = map[string]any{"AliasArn": phys}
	case "AWS::Lambda::Permission":
		// A service principal's permission names its source (EventBridge: the rule's ARN).
		if principal := fmt.Sprint(p["Principal"]); principal == "events.amazonaws.com" && !strings.Contains(fmt.Sprint(p["SourceArn"]), ":events:") {
			t.Fatalf("%spermission for events.amazonaws.com without the rule's ARN as SourceArn: any rule of any account could invoke the function", w.Where)
		}
		// FunctionName takes a name or an ARN (AWS::Lambda::Permission).
		fnKey := fmt.Sprint(p["FunctionName"])
		if !strings.HasPrefix(fnKey, "arn:") {
			fnKey = arn("lambda", "function:"+fnKey)
		}
		if al := r.aliases[fnKey]; al != nil {
			// A permission on an alias lets its principal invoke that alias ARN only (Lambda
			// Developer Guide, "Using Lambda aliases in event sources and permissions policies").
			al.invokers = append(al.invokers, fmt.Sprint(p["Principal"]))
		} else if fn := r.functions[fnKey]; fn != nil {
			fn.invokers = append(fn.invokers, fmt.Sprint(p["Principal"]))
		} else {
			t.Fatalf("%sfunction %v does not exist", w.Where, p["FunctionName"])
		}
	case "AWS::StepFunctions::StateMachine":
		name := phys
		phys = arn("states", "stateMachine:"+name)
		attrs = map[string]any{"Arn": phys, "Name": name}
		role := strings.TrimPrefix(fmt.Sprint(p["RoleArn"]), fmt.Sprintf("arn:%s:iam::%s:role/", partition.Name, st.account))
		// Step Functions assumes the role to run the machine: its trust policy must admit
		// states.amazonaws.com (Step Functions Developer Guide, "Creating an IAM role for your
		// state machine"), for this account when it says aws:SourceAccount.
		if a.roles[role] == nil || !trusts(a.roles[role].trust, "states.amazonaws.com", st.account) {
			t.Fatalf("%srole %s does not let Step Functions of account %s assume it", w.Where, role, st.account)
		}
		subs := map[string]string{}
		for k, v := range p["DefinitionSubstitutions"].(map[string]any) {
			subs[k] = fmt.Sprint(v)
		}
		r.stepFunctions().Machine(phys, fmt.Sprint(p["DefinitionString"]), subs, func(fnArn string, payload []byte, _ time.Duration) ([]byte, string, string) {
			// The Task invokes the function as the machine's role (Guide, Lambda integration).
			denied := a.call(role, "lambda:InvokeFunction", fnArn)
			fn := r.functions[fnArn]
			switch {
			case denied != "":
				return nil, "Lambda.AWSLambdaException", "not authorized to perform: lambda:InvokeFunction on resource: " + denied
			case fn == nil || fn.deleted:
				return nil, "Lambda.ResourceNotFoundException", "Function not found: " + fnArn
			}
			res := r.process(fn).Invoke(payload, fn.timeout)
			if res.Error != nil {
				return nil, res.Error.Type, res.Error.Message
			}
			return res.Response, "", ""
		})
	case "AWS::SNS::Topic":
		phys = arn("sns", id)
		attrs = map[string]any{"TopicArn": phys, "TopicName": id}
		a.topics[phys] = true
	case "AWS::CloudWatch::Alarm":
		if err := a.checkAlarm(st.account, st.region, p); err != nil {
			t.Fatalf("%s%v", w.Where, err)
		}
		if err := r.checkAlarmDimensions(p); err != nil {
			t.Fatalf("%s%v", w.Where, err)
		}
		a.alarms = append(a.alarms, p)
		attrs = map[string]any{"Arn": arn("cloudwatch", "alarm:"+phys)}
	case "AWS::CloudWatch::Dashboard":
		if err := checkDashboard(p); err != nil {
			t.Fatalf("%s%v", w.Where, err)
		}
	case "AWS::Events::Rule":
		attrs = map[string]any{"Arn": arn("events", "rule/"+phys)}
		if pattern, ok := p["EventPattern"].(map[string]any); ok {
			rule := stackRule{stack: st.name, rule: attrs["Arn"].(string), pattern: pattern}
			for _, target := range AsAnyList(p["Targets"]) {
				in, _ := target.(map[string]any)["Input"].(string)
				rule.targets = append(rule.targets, [2]string{fmt.Sprint(target.(map[string]any)["Arn"]), in})
			}
			r.stackRules = append(r.stackRules, rule)
			break
		}
		for _, target := range AsAnyList(p["Targets"]) {
			in, _ := target.(map[string]any)["Input"].(string)
			r.schedules = append(r.schedules, schedule{stack: st.name, rule: attrs["Arn"].(string), expression: fmt.Sprint(p["ScheduleExpression"]), target: fmt.Sprint(target.(map[string]any)["Arn"]), input: in})
		}
	case "AWS::Logs::LogGroup":
		// A given LogGroupName is the group's name; its ARN ends in :* (AWS::Logs::LogGroup Arn).
		if name, ok := p["LogGroupName"].(string); ok {
			phys = name
		}
		// A group with a KmsKeyId needs that key to exist and to allow CloudWatch Logs of this
		// Region (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
		if key, ok := p["KmsKeyId"]; ok {
			policy, _ := json.Marshal(a.keys[fmt.Sprint(key)])
			if a.keys[fmt.Sprint(key)] == nil || !strings.Contains(string(policy), `"Service":"logs.`+st.region+`.amazonaws.com"`) {
				t.Fatalf("%sKmsKeyId %v is not a key whose policy allows logs.%s.amazonaws.com: %s", w.Where, key, st.region, policy)
			}
		}
		attrs = map[string]any{"Arn": arn("logs", "log-group:"+phys+":*")}
	case "AWS::KMS::Key":
		phys = fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
		attrs = map[string]any{"Arn": arn("kms", "key/"+phys), "KeyId": phys}
		a.keys[attrs["Arn"].(string)] = p["KeyPolicy"]
	case "AWS::EC2::LaunchTemplate":
		phys = fmt.Sprintf("lt-%017x", n)
		a.lts[phys] = p["LaunchTemplateData"]
		attrs = map[string]any{"LatestVersionNumber": "1", "DefaultVersionNumber": "1", "LaunchTemplateId": phys}
	case "AWS::IAM::InstanceProfile":
		attrs = map[string]any{"Arn": fmt.Sprintf("arn:%s:iam::%s:instance-profile/%s", partition.Name, st.account, phys)}
	case "AWS::EC2::Instance":
		phys = fmt.Sprintf("i-%017x", n)
		// The subnet is SubnetId or, when NetworkInterfaces is given instead, that of the
		// interface with DeviceIndex 0 (RunInstances accepts one or the other).
		// …or, when neither is given, from its launch template's interface (RunInstances: the
		// instance's parameters override the template's).
		subnet := fmt.Sprint(p["SubnetId"])
		nis, ok := p["NetworkInterfaces"].([]any)
		if lt, _ := p["LaunchTemplate"].(map[string]any); !ok && p["SubnetId"] == nil && lt != nil {
			data, _ := a.lts[fmt.Sprint(lt["LaunchTemplateId"])].(map[string]any)
			nis = AsAnyList(data["NetworkInterfaces"])
		}
		for _, ni := range nis {
			if ni := ni.(map[string]any); fmt.Sprint(ni["DeviceIndex"]) == "0" {
				subnet = fmt.Sprint(ni["SubnetId"])
				// A primary IPv6 address: PrimaryIpv6 with an IPv6 address on the interface (EC2
				// API reference, LaunchTemplateInstanceNetworkInterfaceSpecificationRequest).
				a.ipv6First[phys] = ni["PrimaryIpv6"] == true && fmt.Sprint(ni["Ipv6AddressCount"]) != "0" && ni["Ipv6AddressCount"] != nil
			}
		}
		if a.subnets[subnet] == nil {
			t.Fatalf("%ssubnet %v does not exist", w.Where, subnet)
		}
		// An instance's AvailabilityZone, when given, must be its subnet's (RunInstances).
		if az, ok := p["AvailabilityZone"].(string); ok && a.subnets[subnet].azName != az {
			t.Fatalf("%sAvailabilityZone %s is not the zone of subnet %v (%s)", w.Where, az, subnet, a.subnets[subnet].azName)
		}
		attrs = map[string]any{"InstanceId": phys, "PrivateIp": "10.0.0.10", "AvailabilityZone": a.subnets[subnet].azName}
	case "AWS::EC2::VPCEndpoint":
		phys = fmt.Sprintf("vpce-%017x", n)
		attrs = r.createEndpoint(st, phys, p)
		e := a.endpoints[phys]
		e.stack, e.logical, e.sgs = st.name, id, AsList(p["SecurityGroupIds"])
	case "AWS::EC2::VPCEndpointConnectionNotification":
		// EC2 publishes Connect events to the topic; the acceptor is subscribed to it in the same
		// stack before this exists (the topic policy and subscription come first in the
		// library's templates), so from now on notifications reach it.
		if s := a.services[fmt.Sprint(p["ServiceId"])]; s != nil && slices.Contains(AsList(p["ConnectionEvents"]), "Connect") {
			s.notified = true
		}
	case "AWS::SNS::TopicPolicy":
		for _, topic := range AsList(p["Topics"]) {
			a.topicPolicies[topic] = AsAnyList(p["PolicyDocument"].(map[string]any)["Statement"])
		}
	case "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress":
		egress := typ == "AWS::EC2::SecurityGroupEgress"
		peer := fmt.Sprint(p["SourceSecurityGroupId"])
		if egress {
			peer = fmt.Sprint(p["DestinationSecurityGroupId"])
		}
		port, _ := p["FromPort"].(float64)
		a.rules = append(a.rules, fRule{egress: egress, group: fmt.Sprint(p["GroupId"]), peer: peer, port: port, stack: st.name, logical: id})
	case "AWS::SNS::Subscription", "AWS::EC2::RouteTable",
		"AWS::EC2::SubnetRouteTableAssociation":
	default:
		if strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource" {
			phys, attrs = r.invokeCustom(st, id, typ, p, cfn.RequestCreate, "")
			r.custom++
			break
		}
		t.Fatalf("%sthe rehearsal does not model this resource type", w.Where)
	}
	st.physical[id] = phys
	w.Refs[id] = phys
	for k, v := range attrs {
		w.Attrs[id+"."+k] = v
	}
}

// createEndpoint applies CreateVpcEndpoint's rules.
func (r *rehearsal) createEndpoint(st *stackState, id string, p map[string]any) map[string]any {
	t, a, w := r.t, r.aws, st.w
	name := fmt.Sprint(p["ServiceName"])
	subnets := AsList(p["SubnetIds"])
	e := &fEndpoint{id: id, account: st.account, region: st.region, vpc: fmt.Sprint(p["VpcId"]), subnets: subnets, state: "available", tags: map[string]string{}}
	for _, tg := range AsAnyList(p["Tags"]) {
		m := tg.(map[string]any)
		e.tags[fmt.Sprint(m["Key"])] = fmt.Sprint(m["Value"])
	}
	var s *fService
	for _, x := range a.services {
		if x.name == name && !x.deleted {
			s = x
		}
	}
	e.dns = id + "-x." + name + ".vpce.amazonaws.com"
	entries := []any{"Z7HUB22UULQXV:" + e.dns}
	if s == nil {
		e.apiRegion = st.region
		if sr, ok := p["ServiceRegion"].(string); ok {
			e.apiRegion = sr // a cross-Region endpoint: PrivateLink guide, "Cross-Region enabled AWS services"
		}
		if !strings.HasPrefix(name, "com.amazonaws."+e.apiRegion+".") {
			t.Fatalf("%sservice %s does not exist", w.Where, name)
		}
		e.aws, e.api = true, strings.TrimPrefix(name, "com.amazonaws."+e.apiRegion+".")
	} else {
		region := st.region
		if sr, ok := p["ServiceRegion"].(string); ok {
			region = sr
		}
		switch {
		case region != s.region:
			t.Fatalf("%sServiceRegion %s, but %s is in %s", w.Where, region, name, s.region)
		// Only allowed principals may connect (PrivateLink guide, "Manage permissions").
		case !slices.Contains(s.principals, rootArn(st.account, s.region)) && !slices.Contains(s.principals, "*"):
			t.Fatalf("%saccount %s is not an allowed principal of %s (%v)", w.Where, st.account, name, s.principals)
		// Cross-Region consumers need the service to support their Region (PrivateLink guide).
		case s.region != st.region && !slices.Contains(s.regions, st.region):
			t.Fatalf("%s%s does not support Region %s (SupportedRegions %v)", w.Where, name, st.region, s.regions)
		// Private DNS is refused while the connection awaits acceptance.
		case p["PrivateDnsEnabled"] == true && s.acceptance:
			t.Fatalf("%sPrivate DNS can only be enabled after the endpoint connection is accepted by the owner of %s", w.Where, name)
		// A dualstack endpoint needs a service that supports IPv6 and subnets with IPv6 ranges
		// (PrivateLink guide, "IP address types").
		case p["IpAddressType"] == "dualstack" && !slices.Contains(s.ipTypes, "ipv6"):
			t.Fatalf("%sIpAddressType dualstack, but %s supports %v", w.Where, name, s.ipTypes)
		}
		if s.region == st.region {
			// Every subnet must be in a zone the service serves ("The VPC endpoint service …
			// does not support the availability zone of the subnet", CreateVpcEndpoint).
			for _, sn := range subnets {
				if !slices.Contains(s.azIDs, a.subnets[sn].azID) {
					t.Fatalf("%sThe VPC endpoint service %s does not support the availability zone of the subnet: %s (%s, %s), served: %v", w.Where, name, sn, a.subnets[sn].azName, a.subnets[sn].azID, s.azIDs)
				}
				entries = append(entries, "Z7HUB22UULQXV:"+id+"-x-"+a.subnets[sn].azName+"."+name+".vpce.amazonaws.com")
			}
		}
		// With acceptance required, a new connection awaits the provider.
		e.service, e.state = s.id, "available"
		if s.acceptance {
			e.state = "pendingAcceptance"
		}
	}
	a.endpoints[id] = e
	if s != nil && s.notified {
		r.notify(s)
	}
	return map[string]any{"Id": id, "DnsEntries": entries, "NetworkInterfaceIds": []any{}, "CreationTimestamp": "2026-11-21T00:00:00Z"}
}

// notify delivers the service's Connect notification to the acceptor subscribed to it, as SNS
// does after EC2 publishes it (AWS::EC2::VPCEndpointConnectionNotification, events Connect).
func (r *rehearsal) notify(s *fService) {
	for _, fn := range r.functions {
		if fn.handler == handler.Acceptor && !fn.deleted && slices.Contains(fn.env, "SERVICE_ID="+s.id) {
			ev := events.SNSEvent{Records: []events.SNSEventRecord{{EventSource: "aws:sns", SNS: events.SNSEntity{MessageID: "m-1", TopicArn: "arn:aws:sns:" + s.region + ":" + s.account + ":x", Message: `{"test":"Connect"}`}}}}
			raw, _ := json.Marshal(ev)
			if res := r.process(fn).Invoke(raw, fn.timeout); res.Error != nil {
				r.t.Fatalf("the acceptor failed on the Connect notification: %+v\n%s", res.Error, r.process(fn).Stdout())
			}
		}
	}
}

// process starts fn's handler on first use: the real bootstrap, its EC2 and CloudFormation
// calls sent to the fake, authorized as fn's role.
func (r *rehearsal) process(fn *fFunction) *runtimeapi.Server {
	if fn.proc != nil {
		return fn.proc
	}
	ec2 := ec2fake.New(r.t)
	r.aws.ec2API(ec2, caller{account: fn.account, region: fn.region, role: fn.role})
	r.cloudformationAPI(ec2, fn.role)
	fn.s3 = cfntest.New(r.t)
	steps := r.stepFunctions().Endpoint(func(action, resource string) string { return r.aws.call(fn.role, action, resource) })
	// The fake verifies a private DNS name at once: no need to wait the verifier's 15 s poll.
	env := []string{"AWS_REGION=" + fn.region, "AWS_ENDPOINT_URL_CLOUDFORMATION=" + ec2.URL, "AWS_ENDPOINT_URL_SFN=" + steps, "AWS_ENDPOINT_URL_LAMBDA=" + r.lambdaAPI(fn),
		providerfn.PollEnv + "=" + providerfn.MinPoll.String()}
	for _, kv := range fn.env {
		// A cross-Region Lambda endpoint's name (handler.LambdaEndpointEnv) must be the Regional
		// DNS name of such an endpoint of the function's VPC; the fake's Lambda API stands in
		// for its address, so the variable is checked and left out (the client then uses it).
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "LAMBDA_ENDPOINT_") {
			if !r.aws.lambdaEndpointNamed(fn.role, v) {
				r.t.Fatalf("function %s: %s names %q, which is no cross-Region Lambda endpoint's Regional DNS name in its VPC", fn.arn, k, v)
			}
			continue
		}
		env = append(env, kv)
	}
	fn.proc = runtimeapi.StartLocal(r.t, fn.handler, ec2.URL, fn.s3, env...)
	return fn.proc
}

// lambdaAPI serves Lambda's Invoke for the function caller (Lambda API Reference, Invoke: POST
// /2015-03-31/functions/{FunctionName}/invocations, FunctionName a name or ARN with an optional
// qualifier, or ?Qualifier=). A call is allowed when the caller's role may invoke the ARN it names
// (IAM) and, from another account, when that ARN's resource policy admits the caller's account:
// a permission on an alias covers that alias only (Lambda Developer Guide, "Using Lambda aliases
// in event sources and permissions policies"). The target runs with the named ARN as its invoked
// function ARN; a function error comes back as X-Amz-Function-Error with the error document.
func (r *rehearsal) lambdaAPI(caller *fFunction) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		fail := func(status int, code, msg string) {
			w.Header().Set("X-Amzn-Errortype", code)
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
		}
		path := strings.TrimSuffix(strings.TrimPrefix(q.URL.EscapedPath(), "/2015-03-31/functions/"), "/invocations")
		name, err := url.PathUnescape(path)
		if q.Method != http.MethodPost || err != nil || !strings.HasPrefix(name, "arn:") {
			fail(http.StatusBadRequest, "InvalidParameterValueException", "the rehearsal serves POST …/functions/<ARN>/invocations only, not "+q.Method+" "+q.URL.Path)
			return
		}
		if qual := q.URL.Query().Get("Qualifier"); qual != "" {
			name += ":" + qual
		}
		target, fnArn, invokers := name, name, []string(nil)
		if al := r.aliases[name]; al != nil {
			fnArn, invokers = al.function, al.invokers
		} else if fn := r.functions[name]; fn != nil && !fn.deleted {
			invokers = fn.invokers
		} else {
			fail(http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
			return
		}
		fn := r.functions[fnArn]
		if fn == nil || fn.deleted {
			fail(http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
			return
		}
		if denied := r.aws.call(caller.role, "lambda:InvokeFunction", target); denied != "" {
			fail(http.StatusForbidden, "AccessDeniedException", "User: "+caller.role+" is not authorized to perform: lambda:InvokeFunction on resource: "+target+" because no identity-based policy allows the lambda:InvokeFunction action")
			return
		}
		if fn.account != caller.account && !slices.Contains(invokers, caller.account) {
			fail(http.StatusForbidden, "AccessDeniedException", "User: "+caller.role+" is not authorized to perform: lambda:InvokeFunction on resource: "+target+" because no resource-based policy allows the lambda:InvokeFunction action")
			return
		}
		body, _ := io.ReadAll(q.Body)
		res := r.process(fn).InvokeAs(body, fn.timeout, target)
		if res.Error != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			raw, _ := json.Marshal(map[string]string{"errorMessage": res.Error.Message, "errorType": res.Error.Type})
			_, _ = w.Write(raw)
			return
		}
		r.invocations++
		_, _ = w.Write(res.Response)
	}))
	r.t.Cleanup(srv.Close)
	return srv.URL
}

// cloudformationAPI answers DescribeStacks and DescribeStackResource from the rehearsal's stacks
// (CloudFormation API reference, Query protocol).
func (r *rehearsal) cloudformationAPI(srv *ec2fake.Server, role string) {
	// Authorized on the stack's ARN (Service Authorization Reference, CloudFormation: stack).
	authorize := func(action string, st *stackState) (int, string, bool) {
		if res := r.aws.call(role, action, stackID(st)); res != "" {
			return http.StatusForbidden, ec2fake.Error("AccessDenied", "User: "+role+" is not authorized to perform: "+action+" on resource: "+res), false
		}
		return 0, "", true
	}
	envelope := func(action, inner string) (int, string) {
		return http.StatusOK, fmt.Sprintf(`<%sResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%sResponse>`, action, action, inner, action, action)
	}
	stackOf := func(f url.Values) *stackState {
		for _, st := range r.stacks {
			if strings.Contains(f.Get("StackName"), ":stack/"+st.name+"/") || f.Get("StackName") == st.name {
				return st
			}
		}
		return nil
	}
	srv.On("DescribeStacks", func(f url.Values) (int, string) {
		st := stackOf(f)
		if st == nil {
			return http.StatusBadRequest, ec2fake.Error("ValidationError", "Stack does not exist")
		}
		if code, body, ok := authorize("cloudformation:DescribeStacks", st); !ok {
			return code, body
		}
		return envelope("DescribeStacks", fmt.Sprintf(`<Stacks><member><StackName>%s</StackName><StackId>%s</StackId><StackStatus>%s</StackStatus><CreationTime>2026-11-21T00:00:00Z</CreationTime></member></Stacks>`, st.name, stackID(st), st.status))
	})
	srv.On("GetTemplate", func(f url.Values) (int, string) {
		st := stackOf(f)
		if st == nil {
			return http.StatusBadRequest, ec2fake.Error("ValidationError", "Stack does not exist")
		}
		if code, body, ok := authorize("cloudformation:GetTemplate", st); !ok {
			return code, body
		}
		body, _ := json.Marshal(map[string]any{"Resources": st.res})
		var esc strings.Builder
		_ = xml.EscapeText(&esc, body)
		return envelope("GetTemplate", "<TemplateBody>"+esc.String()+"</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>")
	})
	srv.On("DescribeStackResource", func(f url.Values) (int, string) {
		st := stackOf(f)
		id := f.Get("LogicalResourceId")
		if st == nil || st.physical[id] == "" {
			return http.StatusBadRequest, ec2fake.Error("ValidationError", "Resource "+id+" does not exist for stack")
		}
		if code, body, ok := authorize("cloudformation:DescribeStackResource", st); !ok {
			return code, body
		}
		return envelope("DescribeStackResource", fmt.Sprintf(`<StackResourceDetail><StackName>%s</StackName><LogicalResourceId>%s</LogicalResourceId><PhysicalResourceId>%s</PhysicalResourceId><ResourceType>%s</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>2026-11-21T00:00:00Z</LastUpdatedTimestamp></StackResourceDetail>`, st.name, id, st.physical[id], st.res[id]["Type"]))
	})
}

func stackID(st *stackState) string {
	p, _ := awsid.PartitionOf(st.region)
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", p.Name, st.region, st.account, st.name)
}

// invokeCustom sends a custom resource request the way CloudFormation does and follows the answer.
func (r *rehearsal) invokeCustom(st *stackState, id, typ string, p map[string]any, kind cfn.RequestType, physical string) (string, map[string]any) {
	return r.invokeCustomWith(st, id, typ, p, kind, physical, nil)
}

// invokeCustomWith is invokeCustom with the properties an Update replaces (OldResourceProperties).
func (r *rehearsal) invokeCustomWith(st *stackState, id, typ string, p map[string]any, kind cfn.RequestType, physical string, oldProps map[string]any) (string, map[string]any) {
	t := r.t
	token := fmt.Sprint(p["ServiceToken"])
	fn := r.functions[token]
	// CloudFormation invokes a ServiceToken in the stack's own Region, as the deploying identity,
	// so another account's function needs a resource policy for this account
	// (AWS::CloudFormation::CustomResource; Lambda resource-based policies).
	switch {
	case fn == nil || fn.deleted:
		t.Fatalf("%s%s: %s: function %s does not exist", st.w.Where, kind, typ, token)
	case fn.region != st.region:
		t.Fatalf("%sServiceToken %s is not in the stack's Region %s", st.w.Where, token, st.region)
	case fn.account != st.account && !slices.Contains(fn.invokers, st.account):
		t.Fatalf("%saccount %s may not invoke %s (its resource policy admits %v)", st.w.Where, st.account, token, fn.invokers)
	}
	if why := r.execPolicyDenies(st, "lambda:InvokeFunction", token); why != "" {
		t.Fatalf("%s%s", st.w.Where, why)
	}
	// CloudFormation sends every property as a string, ServiceToken included.
	props := map[string]any{}
	for k, v := range p {
		if s, ok := v.(string); ok {
			props[k] = s
		} else {
			raw, _ := json.Marshal(v)
			props[k] = string(raw)
		}
	}
	ev := cfn.Event{RequestType: kind, RequestID: fmt.Sprintf("req-%d", r.custom), ResponseURL: cfntest.ResponseURL, ResourceType: typ, LogicalResourceID: id,
		StackID: stackID(st), ResourceProperties: props, PhysicalResourceID: physical}
	if oldProps != nil {
		ev.OldResourceProperties = map[string]any{}
		for k, v := range oldProps {
			if s, ok := v.(string); ok {
				ev.OldResourceProperties[k] = s
			} else {
				raw, _ := json.Marshal(v)
				ev.OldResourceProperties[k] = string(raw)
			}
		}
	}
	raw, _ := json.Marshal(ev)
	proc := r.process(fn)
	// On Create the resource's dependencies exist; on Delete they still do (CloudFormation
	// deletes dependents first). Nothing else of this stack is certain either way.
	needs := dependsOn(st.deps, id)
	r.aws.inForce = func(stack, policy string) bool { return stack != st.name || needs[policy] }
	defer func() { r.aws.inForce = nil }()
	if n := r.aws.nets[fn.role]; n != nil && !r.aws.s3Gateway(n.vpc) {
		// The answer is a PUT to S3 (the pre-signed ResponseURL): from isolated subnets only
		// through a gateway endpoint (AWS::CloudFormation::CustomResource: a function in a VPC
		// must reach CloudFormation's response buckets).
		r.aws.denied = append(r.aws.denied, fmt.Sprintf("%s s3:PutObject on the response URL of %s (no S3 gateway endpoint in force in %s)", fn.role, id, n.vpc))
	}
	before := len(fn.s3.Responses())
	if res := proc.Invoke(raw, fn.timeout); res.Error != nil {
		t.Fatalf("%sthe function failed: %+v\n%s", st.w.Where, res.Error, proc.Stdout())
	}
	if _, waits := props[waitspec.StateMachineProperty]; waits && kind != cfn.RequestDelete {
		// The answer comes from the execution the invocation started.
		r.stepFunctions().WaitIdle(5 * time.Minute)
	}
	got := fn.s3.Responses()
	if len(got) != before+1 {
		t.Fatalf("%s%d answers to CloudFormation, want 1", st.w.Where, len(got)-before)
	}
	ans := got[len(got)-1]
	if ans.Status != cfn.StatusSuccess {
		t.Fatalf("%s%s FAILED: %s", st.w.Where, kind, ans.Reason)
	}
	return ans.PhysicalResourceID, ans.Data
}

// checkListener applies CreateListener's rules to a listener's protocol, certificate and target
// group.
func (a *fakeAWS) checkListener(region string, p map[string]any) error {
	lb := a.lbs[fmt.Sprint(p["LoadBalancerArn"])]
	if lb == nil {
		return fmt.Errorf("load balancer %v does not exist", p["LoadBalancerArn"])
	}
	proto := fmt.Sprint(p["Protocol"])
	udp := proto == "UDP" || proto == "TCP_UDP"
	// "UDP-based support can be enabled for dualstack NLBs only if Prefix for IPv6 source NAT
	// is enabled" (aws-load-balancer-controller annotations guide; ELB User Guide, "Listeners").
	if udp && lb.dualStack && !lb.ipv6SourceNat {
		return fmt.Errorf("%s listener on a dualstack NLB without EnablePrefixForIpv6SourceNat", proto)
	}
	if proto == "TLS" {
		// A TLS listener needs a certificate (CreateListener: CertificateNotFound), issued
		// and in the load balancer's Region (ACM User Guide, "Supported Regions"). One the
		// rehearsal did not create is the user's, issued before the deploy (README).
		certs := AsAnyList(p["Certificates"])
		if len(certs) == 0 {
			return fmt.Errorf("TLS listener without a certificate")
		}
		arn := fmt.Sprint(certs[0].(map[string]any)["CertificateArn"])
		if status, known := a.certs[arn]; !strings.Contains(arn, ":acm:"+region+":") || known && status != "ISSUED" {
			return fmt.Errorf("certificate %s is not an issued certificate of %s", arn, region)
		}
	} else if p["Certificates"] != nil || p["SslPolicy"] != nil || p["AlpnPolicy"] != nil {
		return fmt.Errorf("a %s listener with TLS settings", proto)
	}
	for _, action := range AsAnyList(p["DefaultActions"]) {
		tg := a.tgs[fmt.Sprint(action.(map[string]any)["TargetGroupArn"])]
		if tg == nil {
			return fmt.Errorf("target group %v does not exist", action)
		}
		// Listener and target group protocols that go together (ELB User Guide, "Create a
		// target group": TCP → TCP or TCP_UDP; TLS → TCP or TLS; UDP → UDP or TCP_UDP;
		// TCP_UDP → TCP_UDP).
		ok := map[string][]string{"TCP": {"TCP", "TCP_UDP"}, "TLS": {"TCP", "TLS"}, "UDP": {"UDP", "TCP_UDP"}, "TCP_UDP": {"TCP_UDP"}}[proto]
		if !slices.Contains(ok, tg.protocol) {
			return fmt.Errorf("%s listener forwarding to a %s target group", proto, tg.protocol)
		}
		// "You can't use an IPv4 target group with a UDP listener for a dualstack load
		// balancer" (ELB User Guide, "Create a target group").
		if udp && lb.dualStack && tg.ipType != "ipv6" {
			return fmt.Errorf("%s listener of a dualstack NLB forwarding to an %s target group", proto, tg.ipType)
		}
	}
	return nil
}

// checkAlarm applies PutMetricAlarm's rules (CloudWatch API reference): every action an SNS
// topic ARN of the alarm's account and Region that exists; Period 10, 20, 30 or a multiple of 60
// seconds; EvaluationPeriods × Period at most one day; DatapointsToAlarm at most
// EvaluationPeriods; at most 30 dimensions, each with a name and a value.
func (a *fakeAWS) checkAlarm(account, region string, p map[string]any) error {
	for _, key := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
		for _, act := range AsList(p[key]) {
			if partition, _ := awsid.PartitionOf(region); !strings.HasPrefix(act, "arn:"+partition.Name+":sns:"+region+":"+account+":") || !a.topics[act] {
				return fmt.Errorf("%s %s is not an existing SNS topic of %s in %s", key, act, account, region)
			}
		}
	}
	period, _ := strconv.Atoi(fmt.Sprint(p["Period"]))
	evals, _ := strconv.Atoi(fmt.Sprint(p["EvaluationPeriods"]))
	if !slices.Contains([]int{10, 20, 30}, period) && (period <= 0 || period%60 != 0) {
		return fmt.Errorf("Period %v is not 10, 20, 30 or a multiple of 60", p["Period"])
	}
	if evals < 1 || evals*period > 86400 {
		return fmt.Errorf("EvaluationPeriods %d × Period %d exceeds one day", evals, period)
	}
	if dp, ok := p["DatapointsToAlarm"]; ok {
		if n, _ := strconv.Atoi(fmt.Sprint(dp)); n < 1 || n > evals {
			return fmt.Errorf("DatapointsToAlarm %v is not between 1 and EvaluationPeriods %d", dp, evals)
		}
	}
	dims := AsAnyList(p["Dimensions"])
	if len(dims) > 30 {
		return fmt.Errorf("%d dimensions, at most 30", len(dims))
	}
	for _, d := range dims {
		d := d.(map[string]any)
		if fmt.Sprint(d["Name"]) == "" || fmt.Sprint(d["Value"]) == "" || d["Value"] == nil {
			return fmt.Errorf("dimension %v has no name or value", d)
		}
	}
	return nil
}

// checkAlarmDimensions makes sure an alarm on an AWS metric names resources that exist, in the
// form AWS publishes them, so it can ever see data: AWS/NetworkELB's LoadBalancer and TargetGroup
// are the ARNs' final portions (net/<name>/<id>, targetgroup/<name>/<id>; ELB User Guide,
// "CloudWatch metrics for your Network Load Balancer"); AWS/PrivateLinkServices' "Service Id"
// is a service; AWS/PrivateLinkEndpoints' "VPC Endpoint Id", "Service Name" and "VPC Id" are
// one endpoint's (PrivateLink guide, "CloudWatch metrics for AWS PrivateLink"); AWS/Lambda's
// FunctionName is a function's name.
func (r *rehearsal) checkAlarmDimensions(p map[string]any) error {
	a := r.aws
	dims := map[string]string{}
	for _, d := range AsAnyList(p["Dimensions"]) {
		d := d.(map[string]any)
		dims[fmt.Sprint(d["Name"])] = fmt.Sprint(d["Value"])
	}
	switch fmt.Sprint(p["Namespace"]) {
	case "AWS/NetworkELB":
		if lb := dims["LoadBalancer"]; !slices.ContainsFunc(slices.Collect(maps.Values(a.lbs)), func(x *fNLB) bool { return x.fullName == lb }) {
			return fmt.Errorf("LoadBalancer %q is no load balancer's full name", lb)
		}
		if tg, ok := dims["TargetGroup"]; ok && !slices.ContainsFunc(slices.Collect(maps.Values(a.tgs)), func(x *fTG) bool { return x.fullName == tg }) {
			return fmt.Errorf("TargetGroup %q is no target group's full name", tg)
		}
	case "AWS/PrivateLinkServices":
		if a.services[dims["Service Id"]] == nil {
			return fmt.Errorf("Service Id %q is no endpoint service", dims["Service Id"])
		}
	case "AWS/PrivateLinkEndpoints":
		e := a.endpoints[dims["VPC Endpoint Id"]]
		if e == nil || dims["VPC Id"] != e.vpc || dims["Endpoint Type"] != "Interface" {
			return fmt.Errorf("dimensions %v name no interface endpoint of that VPC", dims)
		}
		if s := a.services[e.service]; s != nil && dims["Service Name"] != s.name {
			return fmt.Errorf("Service Name %q is not the service of endpoint %s (%s)", dims["Service Name"], e.id, s.name)
		}
	case "AWS/Lambda":
		found := false
		for arn, fn := range r.functions {
			if !fn.deleted && strings.HasSuffix(arn, ":function:"+dims["FunctionName"]) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("FunctionName %q is no function", dims["FunctionName"])
		}
	}
	return nil
}

// checkAlarmTopics makes sure CloudWatch may publish to every alarm's topic: a topic policy
// replaces SNS's default one (which admits the account's own services), so a topic with a policy
// must allow cloudwatch.amazonaws.com sns:Publish (SNS Developer Guide, "Amazon SNS access
// control"; CloudWatch User Guide, "Using Amazon SNS notifications"), or the alarm's
// notifications are silently lost.
func (a *fakeAWS) checkAlarmTopics() error {
	for _, p := range a.alarms {
		for _, key := range []string{"AlarmActions", "OKActions"} {
			for _, topic := range AsList(p[key]) {
				statements, hasPolicy := a.topicPolicies[topic]
				if !hasPolicy {
					continue
				}
				allowed := allows(statements, "cloudwatch.amazonaws.com", "sns:Publish", topic)
				if !allowed {
					return fmt.Errorf("alarm %v notifies %s, whose topic policy does not let cloudwatch.amazonaws.com publish", p["AlarmName"], topic)
				}
			}
		}
	}
	return nil
}

// checkDashboard applies PutDashboard's rules (CloudWatch API reference): the name is 1-255
// characters of A-Z, a-z, 0-9, - and _; the body is a JSON object whose widgets each have a type
// and properties.
func checkDashboard(p map[string]any) error {
	if name := fmt.Sprint(p["DashboardName"]); !regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`).MatchString(name) {
		return fmt.Errorf("DashboardName %q has characters other than A-Z a-z 0-9 - _", name)
	}
	var body struct {
		Widgets []struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal([]byte(fmt.Sprint(p["DashboardBody"])), &body); err != nil {
		return fmt.Errorf("DashboardBody is not JSON: %v", err)
	}
	for i, w := range body.Widgets {
		if w.Type == "" || w.Properties == nil {
			return fmt.Errorf("widget %d has no type or properties", i)
		}
	}
	return nil
}

// checkAlarmsAgainstEMF makes sure every alarm on a metric a function publishes itself (a
// namespace not starting with AWS/) watches a metric name and dimension values that the
// function's embedded metric format records declare: an alarm on anything else would never see
// data.
func (a *fakeAWS) checkAlarmsAgainstEMF(stdout string) error {
	published := map[string]bool{} // namespace|metric|dim=value,…
	for _, line := range strings.Split(stdout, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["_aws"] == nil {
			continue
		}
		for _, d := range rec["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
			d := d.(map[string]any)
			for _, set := range d["Dimensions"].([]any) {
				var dims []string
				for _, name := range set.([]any) {
					dims = append(dims, fmt.Sprintf("%s=%v", name, rec[name.(string)]))
				}
				slices.Sort(dims)
				for _, m := range d["Metrics"].([]any) {
					published[fmt.Sprintf("%v|%v|%s", d["Namespace"], m.(map[string]any)["Name"], strings.Join(dims, ","))] = true
				}
			}
		}
	}
	for _, p := range a.alarms {
		ns := fmt.Sprint(p["Namespace"])
		if strings.HasPrefix(ns, "AWS/") {
			continue
		}
		var dims []string
		for _, d := range AsAnyList(p["Dimensions"]) {
			d := d.(map[string]any)
			dims = append(dims, fmt.Sprintf("%v=%v", d["Name"], d["Value"]))
		}
		slices.Sort(dims)
		key := fmt.Sprintf("%s|%v|%s", ns, p["MetricName"], strings.Join(dims, ","))
		if !published[key] {
			return fmt.Errorf("an alarm watches %s, which the function never published (it published %v)", key, slices.Sorted(maps.Keys(published)))
		}
	}
	return nil
}

// checkTarget applies RegisterTargets' rules for a target of a target group: "All targets in a
// target group must have the same IP address type as the target group" (ELB User Guide, "Create
// a target group"), and "When registering targets by instance ID for a IPv6 target group, the
// targets must have an assigned primary IPv6 address" (User Guide, "Register targets").
func (a *fakeAWS) checkTarget(ipType, targetType, id string) error {
	if ipType != "ipv6" {
		return nil
	}
	switch targetType {
	case "instance":
		if !a.ipv6First[id] {
			return fmt.Errorf("instance %s has no primary IPv6 address, but the target group is ipv6", id)
		}
	case "ip":
		if ip, err := netip.ParseAddr(id); err != nil || !ip.Is6() {
			return fmt.Errorf("target %s is not an IPv6 address, but the target group is ipv6", id)
		}
	default:
		return fmt.Errorf("an ipv6 target group of target type %s", targetType)
	}
	return nil
}

// bucketPolicyInForce tells whether a bucket policy of the stack exists when id is created:
// only what id depends on is certain to (CloudFormation user guide, DependsOn attribute).
func (r *rehearsal) bucketPolicyInForce(st *stackState, id string) bool {
	needs := dependsOn(st.deps, id)
	for pid, rr := range st.res {
		if rr["Type"] == "AWS::S3::BucketPolicy" && needs[pid] && st.physical[pid] != "" {
			return true
		}
	}
	return false
}

// checkAccessLogs applies the rule for turning on access logs: ELB log delivery must already be
// allowed to write into the bucket, under <prefix>/AWSLogs/<account>/ (ELB User Guide, "Enable
// access logs for your Network Load Balancer": the bucket policy grants delivery.logs.amazonaws.com
// s3:PutObject there; otherwise "Access Denied for bucket"). policyInForce says whether the
// bucket policy certainly exists when the load balancer is created.
func (a *fakeAWS) checkAccessLogs(account, region string, p map[string]any, policyInForce bool) error {
	var bucket, prefix string
	for _, attr := range AsAnyList(p["LoadBalancerAttributes"]) {
		attr := attr.(map[string]any)
		switch attr["Key"] {
		case "access_logs.s3.bucket":
			bucket = fmt.Sprint(attr["Value"])
		case "access_logs.s3.prefix":
			prefix = fmt.Sprint(attr["Value"])
		}
	}
	// A bucket that existed before the deploy (ProviderProps.AccessLogsBucket imported by name)
	// has its policy already.
	policyInForce = policyInForce || a.existingBuckets[bucket]
	key := strings.TrimPrefix(prefix+"/", "/") + "AWSLogs/" + account + "/x.log.gz"
	partition, _ := awsid.PartitionOf(region)
	object := fmt.Sprintf("arn:%s:s3:::%s/%s", partition.Name, bucket, key)
	// What log delivery's request carries (the guide's policy conditions on it): this account,
	// a logs ARN of this Region and account, and the bucket-owner-full-control ACL.
	ctx := map[string]string{"aws:SourceAccount": account, "aws:SourceArn": fmt.Sprintf("arn:%s:logs:%s:%s:delivery-source:nlb", partition.Name, region, account), "s3:x-amz-acl": "bucket-owner-full-control"}
	allowed := allowsIn(a.buckets[bucket], "delivery.logs.amazonaws.com", "s3:PutObject", object, ctx)
	if !policyInForce || !allowed {
		return fmt.Errorf("Access Denied for bucket %s: the policy in force (certain to exist: %v) does not let delivery.logs.amazonaws.com put %s", bucket, policyInForce, object)
	}
	return nil
}

// turnOffDeletionProtection is the README's step before deleting a provider stack with
// deletionProtection: the NLB's protection turned off outside CloudFormation (an update would be
// refused by Control Tower's CT.ELASTICLOADBALANCING.PR.5 hook).
func (r *rehearsal) turnOffDeletionProtection(name string) {
	st := r.stacks[name]
	for id, rr := range st.res {
		if rr["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer" {
			r.aws.setDeletionProtection(st.physical[id], false)
		}
	}
}

// destroy deletes a stack in the reverse of its creation order (CloudFormation deletes
// dependents first).
func (r *rehearsal) destroy(name string) {
	st := r.stacks[name]
	st.status = "DELETE_IN_PROGRESS"
	for i := len(st.order) - 1; i >= 0; i-- {
		id := st.order[i]
		r.deleteResource(st, id, st.res[id], st.physical[id], st.props[id], "delete")
	}
	st.status = "DELETE_COMPLETE"
}

// deleteResource deletes one resource of st: the template's rr, created as phys with props.
func (r *rehearsal) deleteResource(st *stackState, id string, rr map[string]any, phys string, props map[string]any, verb string) {
	t, a, name := r.t, r.aws, st.name
	typ := rr["Type"].(string)
	st.w.Where = fmt.Sprintf("%s %s %s (%s): ", verb, name, id, typ)
	if rr["DeletionPolicy"] == "Retain" {
		return // CloudFormation skips it: no call at all (DeletionPolicy attribute)
	}
	switch {
	case strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource":
		r.invokeCustom(st, id, typ, props, cfn.RequestDelete, phys)
	case typ == "AWS::IAM::Policy":
		for _, role := range a.roles {
			for i := range role.policies {
				if role.policies[i].stack == name && role.policies[i].id == id {
					role.policies[i].deleted = true
				}
			}
		}
	case typ == "AWS::EC2::VPCEndpoint":
		a.endpoints[phys].state = "deleted"
	case typ == "AWS::EC2::VPCEndpointService":
		// Refused while connections are pendingAcceptance or available (EC2 API reference,
		// DeleteVpcEndpointServiceConfigurations: ExistingVpcEndpointConnections).
		for _, e := range a.endpoints {
			if e.service == phys && (e.state == "pendingAcceptance" || e.state == "available" || e.state == "pending") {
				t.Fatalf("%sExistingVpcEndpointConnections: endpoint %s is %s (denied so far: %v)", st.w.Where, e.id, e.state, a.denied)
			}
		}
		a.services[phys].deleted = true
	case typ == "AWS::ElasticLoadBalancingV2::LoadBalancer":
		if err := a.deleteNLB(phys); err != nil {
			t.Fatalf("%s%v", st.w.Where, err)
		}
	case typ == "AWS::Lambda::Function":
		partition, _ := awsid.PartitionOf(st.region)
		r.functions[fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition.Name, st.region, st.account, phys)].deleted = true
	case typ == "AWS::StepFunctions::StateMachine":
		r.stepFunctions().Delete(phys)
	case typ == "AWS::IAM::Role":
		delete(a.roles, phys)
	}
}

// replacedBy lists, per resource type, the properties whose change CloudFormation makes by
// replacing the resource (CloudFormation Template Reference, each property's "Update requires:
// Replacement"). The update rehearsal refuses to change any other property it does not model.
var replacedBy = map[string][]string{
	"AWS::EC2::VPCEndpoint":                       {"ServiceName", "VpcId", "VpcEndpointType", "ServiceRegion"},
	"AWS::EC2::VPCEndpointConnectionNotification": {"ServiceId", "VPCEndpointId"},
	"AWS::EC2::VPCEndpointServicePermissions":     {"ServiceId"},
	"AWS::Lambda::Permission":                     {"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"},
	"AWS::IAM::Role":                              {"RoleName", "Path"},
}

// update is cdk deploy of stack name with tpl, then CloudFormation's update (CloudFormation User
// Guide, "Update behaviors of stack resources"): a template unchanged since the last deploy is
// skipped, as the CDK CLI does (it compares templates before deploying); otherwise, in the new
// template's order, a new resource is created, a custom resource whose properties changed gets an
// Update (and, with a new physical ID, its old one a Delete at cleanup), a resource whose
// replacing property changed is created anew and the old one deleted at cleanup, other changes
// apply in place; resources gone from the template are deleted at cleanup. It reports whether
// the stack was updated.
func (r *rehearsal) update(name string, tpl template) bool {
	t, st := r.t, r.stacks[name]
	if reflect.DeepEqual(st.tpl, tpl) {
		return false
	}
	st.status = "UPDATE_IN_PROGRESS"
	oldRes, oldOrder, oldDeps, oldProps, oldPhys := st.res, st.order, st.deps, st.props, maps.Clone(st.physical)
	st.res, st.tpl = tpl.res, tpl
	st.order, st.deps = order(t, tpl.res)
	st.props = maps.Clone(oldProps)
	type gone struct {
		id   string
		rr   map[string]any
		phys string
		p    map[string]any
	}
	var cleanup []gone
	for _, id := range st.order {
		rr := tpl.res[id]
		typ := rr["Type"].(string)
		st.w.Where = fmt.Sprintf("update %s %s (%s): ", name, id, typ)
		props, _ := st.w.Resolve(t, rr["Properties"]).(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		prev, existed := oldRes[id]
		switch {
		case !existed:
			st.props[id] = props
			r.create(st, id, typ, props)
			r.resources++
		case prev["Type"] != typ:
			t.Fatalf("%sthe type changed from %v: CloudFormation refuses that", st.w.Where, prev["Type"])
		case reflect.DeepEqual(oldProps[id], props):
		case strings.HasPrefix(typ, "Custom::"):
			st.props[id] = props
			phys, attrs := r.invokeCustomWith(st, id, typ, props, cfn.RequestUpdate, oldPhys[id], oldProps[id])
			if phys != oldPhys[id] {
				cleanup = append(cleanup, gone{id, prev, oldPhys[id], oldProps[id]})
			}
			st.physical[id], st.w.Refs[id] = phys, phys
			for k, v := range attrs {
				st.w.Attrs[id+"."+k] = v
			}
		case slices.ContainsFunc(replacedBy[typ], func(k string) bool { return !reflect.DeepEqual(oldProps[id][k], props[k]) }):
			st.props[id] = props
			r.create(st, id, typ, props)
			cleanup = append(cleanup, gone{id, prev, oldPhys[id], oldProps[id]})
		default:
			st.props[id] = props
			r.modify(st, id, typ, oldPhys[id], props)
		}
	}
	st.outputs = map[string]any{}
	for _, id := range sortedKeys(tpl.outputs) {
		st.w.Where = fmt.Sprintf("%s output %s: ", name, id)
		st.outputs[id] = st.w.Resolve(t, tpl.outputs[id].(map[string]any)["Value"])
	}
	// Cleanup: the replaced resources, then those no longer in the template, dependents first,
	// each while what it depended on in the old template still exists.
	st.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	newDeps := st.deps
	st.deps = oldDeps
	for _, g := range cleanup {
		r.deleteResource(st, g.id, g.rr, g.phys, g.p, "cleanup")
	}
	for i := len(oldOrder) - 1; i >= 0; i-- {
		if id := oldOrder[i]; tpl.res[id] == nil {
			r.deleteResource(st, id, oldRes[id], oldPhys[id], oldProps[id], "cleanup")
			delete(st.props, id)
			delete(st.physical, id)
		}
	}
	st.deps = newDeps
	st.status = "UPDATE_COMPLETE"
	r.runSchedules(st)
	r.publishStackStatus(st, "UPDATE_COMPLETE")
	return true
}

// modify applies an in-place update of the types the update rehearsal models; any other type
// fails the test rather than pass unmodelled.
func (r *rehearsal) modify(st *stackState, id, typ, phys string, p map[string]any) {
	t, a := r.t, r.aws
	switch typ {
	case "AWS::Lambda::Function":
		// Environment and code apply to the next invocation: the next process.
		partition, _ := awsid.PartitionOf(st.region)
		fn := r.functions[fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition.Name, st.region, st.account, phys)]
		fn.env = nil
		if env, ok := p["Environment"].(map[string]any); ok {
			for k, v := range env["Variables"].(map[string]any) {
				fn.env = append(fn.env, k+"="+fmt.Sprint(v))
			}
		}
		fn.proc = nil
	case "AWS::IAM::Policy":
		pol := fPolicy{stack: st.name, id: id}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			pol.statements = append(pol.statements, s.(map[string]any))
		}
		for _, role := range a.roles {
			role.policies = slices.DeleteFunc(role.policies, func(x fPolicy) bool { return x.stack == st.name && x.id == id })
		}
		for _, role := range AsList(p["Roles"]) {
			a.roles[role].policies = append(a.roles[role].policies, pol)
		}
	case "AWS::IAM::Role":
		a.roles[phys].trust = p["AssumeRolePolicyDocument"]
	case "AWS::SNS::TopicPolicy":
		for _, topic := range AsList(p["Topics"]) {
			a.topicPolicies[topic] = AsAnyList(p["PolicyDocument"].(map[string]any)["Statement"])
		}
	case "AWS::Events::Rule":
		for i, rule := range r.stackRules {
			if rule.stack == st.name && rule.rule == st.w.Attrs[id+".Arn"] {
				r.stackRules[i].targets = nil
				for _, target := range AsAnyList(p["Targets"]) {
					in, _ := target.(map[string]any)["Input"].(string)
					r.stackRules[i].targets = append(r.stackRules[i].targets, [2]string{fmt.Sprint(target.(map[string]any)["Arn"]), in})
				}
			}
		}
	case "AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard", "AWS::SNS::Topic", "AWS::Logs::LogGroup":
		// Nothing the rehearsal reads changes in place.
	default:
		t.Fatalf("%sthe update rehearsal does not model an in-place update of %s", st.w.Where, typ)
	}
}

func TestTheRehearsalAppliesCreateListenersRules(t *testing.T) {
	a := newFakeAWS()
	const dual, v4, tg4, tg6 = "lb-dual", "lb-v4", "tg-v4", "tg-v6"
	a.lbs[dual] = &fNLB{dualStack: true}
	a.lbs[v4] = &fNLB{}
	a.tgs[tg4] = &fTG{protocol: "UDP", ipType: "ipv4"}
	a.tgs[tg6] = &fTG{protocol: "UDP", ipType: "ipv6"}
	a.tgs["tg-tcp"] = &fTG{protocol: "TCP", ipType: "ipv4"}
	a.certs["arn:aws:acm:eu-west-1:111111111111:certificate/pending"] = "PENDING_VALIDATION"
	listener := func(lb, proto, tg string, extra ...any) map[string]any {
		p := map[string]any{"LoadBalancerArn": lb, "Protocol": proto, "DefaultActions": []any{map[string]any{"TargetGroupArn": tg}}}
		for i := 0; i < len(extra); i += 2 {
			p[extra[i].(string)] = extra[i+1]
		}
		return p
	}
	cert := func(arn string) []any { return []any{map[string]any{"CertificateArn": arn}} }
	for _, c := range []struct {
		name string
		p    map[string]any
		want string
	}{
		{"UDP on a dualstack NLB without source NAT prefixes", listener(dual, "UDP", tg6), "UDP listener on a dualstack NLB without EnablePrefixForIpv6SourceNat"},
		{"UDP on an IPv4 NLB", listener(v4, "UDP", tg4), ""},
		{"TLS without a certificate", listener(v4, "TLS", "tg-tcp"), "TLS listener without a certificate"},
		{"TLS with a certificate of another Region", listener(v4, "TLS", "tg-tcp", "Certificates", cert("arn:aws:acm:us-east-1:111111111111:certificate/x")), "is not an issued certificate of eu-west-1"},
		{"TLS with a certificate still pending validation", listener(v4, "TLS", "tg-tcp", "Certificates", cert("arn:aws:acm:eu-west-1:111111111111:certificate/pending")), "is not an issued certificate"},
		{"TLS settings on TCP", listener(v4, "TCP", "tg-tcp", "SslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06"), "a TCP listener with TLS settings"},
		{"a TLS listener forwarding to a UDP target group", listener(v4, "TLS", tg4, "Certificates", cert("arn:aws:acm:eu-west-1:111111111111:certificate/mine")), "TLS listener forwarding to a UDP target group"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := a.checkListener("eu-west-1", c.p)
			if c.want == "" && err != nil {
				t.Fatal(err)
			}
			if c.want != "" {
				MustContain(t, ErrString(err), c.want)
			}
		})
	}
	a.lbs[dual].ipv6SourceNat = true
	MustContain(t, ErrString(a.checkListener("eu-west-1", listener(dual, "UDP", tg4))), "UDP listener of a dualstack NLB forwarding to an ipv4 target group")
	if err := a.checkListener("eu-west-1", listener(dual, "UDP", tg6)); err != nil {
		t.Fatal(err)
	}
}

func TestTheRehearsalRegistersInIPv6TargetGroupsOnlyIPv6AddressesAndInstancesWithAPrimaryIPv6Address(t *testing.T) {
	a := newFakeAWS()
	a.ipv6First["i-dual"] = true
	MustContain(t, ErrString(a.checkTarget("ipv6", "instance", "i-v4")), "instance i-v4 has no primary IPv6 address, but the target group is ipv6")
	MustContain(t, ErrString(a.checkTarget("ipv6", "ip", "10.0.0.1")), "target 10.0.0.1 is not an IPv6 address")
	for _, ok := range [][2]string{{"instance", "i-dual"}, {"ip", "2600:1f18::10"}} {
		if err := a.checkTarget("ipv6", ok[0], ok[1]); err != nil {
			t.Error(err)
		}
	}
	if err := a.checkTarget("ipv4", "instance", "i-v4"); err != nil {
		t.Error(err)
	}
}

func TestTheRehearsalTurnsOnAccessLogsOnlyWhenLogDeliveryMayAlreadyWrite(t *testing.T) {
	a := newFakeAWS()
	lb := map[string]any{"LoadBalancerAttributes": []any{
		map[string]any{"Key": "access_logs.s3.enabled", "Value": "true"}, map[string]any{"Key": "access_logs.s3.bucket", "Value": "logs"},
		map[string]any{"Key": "access_logs.s3.prefix", "Value": "nlb"},
	}}
	allow := func(resource string) []any {
		return []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject", "Resource": resource}}
	}
	MustContain(t, ErrString(a.checkAccessLogs("111111111111", "eu-west-1", lb, true)), "Access Denied for bucket logs")
	a.buckets["logs"] = allow("arn:aws:s3:::logs/AWSLogs/111111111111/*") // without the prefix
	MustContain(t, ErrString(a.checkAccessLogs("111111111111", "eu-west-1", lb, true)), "does not let delivery.logs.amazonaws.com put arn:aws:s3:::logs/nlb/AWSLogs/111111111111/x.log.gz")
	a.buckets["logs"] = allow("arn:aws:s3:::logs/nlb/AWSLogs/111111111111/*")
	MustContain(t, ErrString(a.checkAccessLogs("111111111111", "eu-west-1", lb, false)), "certain to exist: false")
	if err := a.checkAccessLogs("111111111111", "eu-west-1", lb, true); err != nil {
		t.Fatal(err)
	}
	// Conditions are the request's: another account's deliveries, or another Region's, are not
	// this NLB's.
	conditioned := func(account, region string) []any {
		st := allow("arn:aws:s3:::logs/nlb/AWSLogs/111111111111/*")[0].(map[string]any)
		st["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}, "ArnLike": map[string]any{"aws:SourceArn": "arn:aws:logs:" + region + ":" + account + ":*"}}
		return []any{st}
	}
	a.buckets["logs"] = conditioned("999999999999", "eu-west-1")
	MustContain(t, ErrString(a.checkAccessLogs("111111111111", "eu-west-1", lb, true)), "does not let delivery.logs.amazonaws.com put")
	a.buckets["logs"] = conditioned("111111111111", "us-east-1")
	MustContain(t, ErrString(a.checkAccessLogs("111111111111", "eu-west-1", lb, true)), "does not let delivery.logs.amazonaws.com put")
	a.buckets["logs"] = conditioned("111111111111", "eu-west-1")
	if err := a.checkAccessLogs("111111111111", "eu-west-1", lb, true); err != nil {
		t.Fatal(err)
	}
}

func TestTheRehearsalRefusesToDeleteAProtectedNLBUntilProtectionIsOff(t *testing.T) {
	a := newFakeAWS()
	const nlb = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/x/1"
	a.nlbs[nlb] = []string{"subnet-1"}
	a.setDeletionProtection(nlb, true)
	MustContain(t, ErrString(a.deleteNLB(nlb)), "OperationNotPermitted", "deletion protection is enabled")
	a.setDeletionProtection(nlb, false)
	if err := a.deleteNLB(nlb); err != nil {
		t.Fatalf("after turning protection off: %v", err)
	}
}

// TestDeployRehearsalOfAReplacedService deploys a provider (with its acceptor) and a consumer of
// it in another account, then deploy --all again after the provider's construct is renamed, which
// replaces its endpoint service (a new logical ID, a new service ID): the consumer's template
// changes with it (the output it reads is named after the service), so its update is not skipped,
// reads the new name and replaces its endpoint, which is accepted again; the old service is
// deleted once its connection is rejected. A third deploy of the same templates is skipped.
// Then destroy --all.
func TestDeployRehearsalOfAReplacedService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the Lambda bootstraps")
	}
	t.Parallel()
	synth := func(providerID string) *Fixture {
		return jsiiLocked(func() *Fixture {
			return Synth(t, "rehearsal-replaced-"+providerID, func(app awscdk.App) error {
				ps := awscdk.NewStack(app, jsii.String("Provider"), &awscdk.StackProps{Env: EuWest1})
				p := provider.NewProvider(ps, providerID, &provider.ProviderProps{
					AvailabilityZoneIds: []string{"euw1-az1", "euw1-az2"}, Listeners: []provider.Listener{{Port: 443}}, AllowedPrincipals: []string{"222222222222"}, DemoTarget: true,
				})
				acceptor.NewAcceptor(ps, "Acceptor", &acceptor.AcceptorProps{Service: p})
				cs := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")}})
				consumer.NewConsumer(cs, "Consumer", &consumer.ConsumerProps{Provider: p, PrivateDns: jsii.Bool(false),
					AcceptorArn: acceptor.Location{Account: "111111111111", Region: "eu-west-1", StackName: "Provider"}.Arn()})
				return nil
			}, NoControlTowerCheck)
		})
	}
	before, after := synth("Service"), synth("ServiceV2")
	r := &rehearsal{t: t, aws: newFakeAWS(), functions: map[string]*fFunction{}, aliases: map[string]*fAlias{}}
	for _, s := range jsiiLocked(func() []string { return deployOrder(t, before) }) {
		r.deploy(s, jsiiLocked(func() template { return snapshot(before, s) }))
	}
	endpointOf := func() *fEndpoint {
		for _, e := range r.aws.endpoints {
			if !e.aws && e.state != "deleted" {
				return e
			}
		}
		t.Fatal("no consumer endpoint")
		return nil
	}
	first := endpointOf()
	firstService := r.aws.services[first.service]
	var updated []string
	for _, s := range jsiiLocked(func() []string { return deployOrder(t, after) }) {
		if r.update(s, jsiiLocked(func() template { return snapshot(after, s) })) {
			updated = append(updated, s)
		}
	}
	if !slices.Equal(updated, []string{"Provider", "Consumer"}) {
		t.Fatalf("deploy --all updated %v, want the provider and the consumer (an unchanged consumer template would be skipped)", updated)
	}
	now := endpointOf()
	switch {
	case now.id == first.id:
		t.Errorf("the consumer kept endpoint %s to the replaced service", first.id)
	case now.service == first.service || r.aws.services[now.service] == nil || r.aws.services[now.service].deleted:
		t.Errorf("the new endpoint %s connects to %s, not to the new service", now.id, now.service)
	case now.state != "available":
		t.Errorf("the new endpoint %s is %s, want available (accepted)", now.id, now.state)
	case !firstService.deleted:
		t.Errorf("the replaced service %s was not deleted", firstService.id)
	case r.aws.endpoints[first.id].state != "deleted":
		t.Errorf("the old endpoint %s is %s, want deleted", first.id, r.aws.endpoints[first.id].state)
	}
	for _, s := range []string{"Provider", "Consumer"} {
		if r.update(s, jsiiLocked(func() template { return snapshot(after, s) })) {
			t.Errorf("deploying %s again with the same template updated it, but cdk deploy skips it", s)
		}
	}
	r.destroy("Consumer")
	r.destroy("Provider")
	if len(r.aws.denied) > 0 {
		t.Errorf("denied calls:\n%s", strings.Join(r.aws.denied, "\n"))
	}
	t.Logf("rehearsal of a replaced service: %d resources, %d custom resources, %d stack outputs read, %d acceptance requests, %d EC2 calls, %d denied", r.resources, r.custom, r.readOutputs, r.invocations, r.aws.calls, len(r.aws.denied))
}
