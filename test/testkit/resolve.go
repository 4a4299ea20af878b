package testkit

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/privatelink-go/privatelink/awsid"
)

// World gives intrinsic functions the values AWS would: pseudo parameters of the stack's
// account and Region (and the partition that Region belongs to), a physical ID per Ref, and
// the attributes a test sets. An attribute nobody set, or an unknown function, fails the test,
// so what is asserted is the value AWS will read, never a token.
type World struct {
	Account, Region string
	Stack           string            // the stack's name; default "Stack"
	Refs            map[string]string // logical ID -> physical ID; default "<logicalId>"
	Attrs           map[string]any    // "LogicalId.Attribute" -> value
	Conditions      map[string]bool   // condition name -> value, for Fn::If
	Mappings        map[string]any    // the template's Mappings, for Fn::FindInMap
	// StackOutput answers Fn::GetStackOutput (its arguments resolved: StackName, OutputName,
	// Region, RoleArn) with the output's value, or a message why CloudFormation would refuse
	// it. Without it, a placeholder outside the strict rehearsal.
	StackOutput func(args map[string]any) (any, string)
	// strict refuses a Ref to a logical ID without a physical ID (the deploy rehearsal: a
	// resource not created yet), instead of answering "<logicalId>".
	Strict bool
	// where prefixes failures: the resource and property being resolved.
	Where string
}

func (w World) StackName() string {
	if w.Stack == "" {
		return "Stack"
	}
	return w.Stack
}

// stackUUID is the last part of the stack's AWS::StackId.
func (w World) StackUUID() string { return "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" }

func (w World) Fail(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf(w.Where+format, args...)
}

func (w World) Resolve(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = w.Resolve(t, e)
		}
		return out
	case map[string]any:
		if len(x) != 1 {
			out := map[string]any{}
			for k, e := range x {
				out[k] = w.Resolve(t, e)
			}
			return out
		}
		for fn, arg := range x {
			switch fn {
			case "Ref":
				switch name := arg.(string); name {
				case "AWS::AccountId":
					return w.Account
				case "AWS::Region":
					return w.Region
				case "AWS::Partition":
					p, ok := awsid.PartitionOf(w.Region)
					if !ok {
						t.Fatalf("no partition for Region %s", w.Region)
					}
					return p.Name
				case "AWS::StackId":
					p, _ := awsid.PartitionOf(w.Region)
					return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", p.Name, w.Region, w.Account, w.StackName(), w.StackUUID())
				case "AWS::URLSuffix":
					p, _ := awsid.PartitionOf(w.Region)
					return p.DNSSuffix
				case "AWS::StackName":
					return w.StackName()
				case "AWS::NoValue":
					return nil
				default:
					if id, ok := w.Refs[name]; ok {
						return id
					}
					if w.Strict {
						w.Fail(t, "Ref %s: no such resource or parameter has a value yet", name)
					}
					return "<" + name + ">"
				}
			case "Fn::GetAtt":
				parts := arg.([]any)
				key := parts[0].(string) + "." + parts[1].(string)
				val, ok := w.Attrs[key]
				if !ok && parts[1] == "Arn" {
					// Any resource's ARN: in the stack's partition, Region and account.
					p, _ := awsid.PartitionOf(w.Region)
					return fmt.Sprintf("arn:%s:service:%s:%s:%s", p.Name, w.Region, w.Account, parts[0])
				}
				if !ok {
					w.Fail(t, "Fn::GetAtt %s: the test gave this attribute no value", key)
				}
				return val
			case "Fn::Join":
				parts := arg.([]any)
				var ss []string
				for _, e := range w.Resolve(t, parts[1]).([]any) {
					ss = append(ss, fmt.Sprint(e))
				}
				return strings.Join(ss, parts[0].(string))
			case "Fn::Select":
				parts := arg.([]any)
				list := w.Resolve(t, parts[1]).([]any)
				i := int(parts[0].(float64))
				if i >= len(list) {
					w.Fail(t, "Fn::Select %d of a %d-element list %v: out of range", i, len(list), list)
				}
				return list[i]
			case "Fn::Split":
				parts := arg.([]any)
				var out []any
				for _, s := range strings.Split(w.Resolve(t, parts[1]).(string), parts[0].(string)) {
					out = append(out, s)
				}
				return out
			case "Fn::Base64":
				return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(w.Resolve(t, arg))))
			case "Fn::GetAZs":
				return []any{w.Region + "a", w.Region + "b", w.Region + "c"}
			case "Fn::ImportValue":
				// Another stack's export: a value the test gives ("Fn::ImportValue <name>"), or
				// outside the strict rehearsal a placeholder, as for a Ref.
				name := fmt.Sprint(w.Resolve(t, arg))
				if v, ok := w.Attrs["Fn::ImportValue "+name]; ok {
					return v
				}
				if w.Strict {
					w.Fail(t, "Fn::ImportValue %s: no stack exports it", name)
				}
				return "<import " + name + ">"
			case "Fn::GetStackOutput":
				// CloudFormation Template Reference, Fn::GetStackOutput: StackName and OutputName
				// required, Region default the stack's, RoleArn default its execution role.
				args, _ := w.Resolve(t, arg).(map[string]any)
				if args["StackName"] == nil || args["OutputName"] == nil {
					w.Fail(t, "Fn::GetStackOutput %v: StackName and OutputName are required", arg)
				}
				if w.StackOutput != nil {
					v, why := w.StackOutput(args)
					if why != "" {
						w.Fail(t, "Fn::GetStackOutput %v: %s", args, why)
					}
					return v
				}
				if w.Strict {
					w.Fail(t, "Fn::GetStackOutput %v: no stack outputs are known", args)
				}
				return fmt.Sprintf("<output %v.%v>", args["StackName"], args["OutputName"])
			case "Fn::FindInMap":
				parts := w.Resolve(t, arg).([]any)
				table, _ := w.Mappings[fmt.Sprint(parts[0])].(map[string]any)
				row, _ := table[fmt.Sprint(parts[1])].(map[string]any)
				val, ok := row[fmt.Sprint(parts[2])]
				if !ok {
					// CloudFormation fails the deploy on a key the mapping lacks.
					w.Fail(t, "Fn::FindInMap %v: no such entry", parts)
				}
				return val
			case "Fn::If":
				parts := arg.([]any)
				v, ok := w.Conditions[parts[0].(string)]
				if !ok {
					w.Fail(t, "Fn::If: condition %v has no value", parts[0])
				}
				if v {
					return w.Resolve(t, parts[1])
				}
				return w.Resolve(t, parts[2])
			case "Fn::Sub":
				// The string form: ${Name} is a Ref or a pseudo parameter, ${Name.Attr} a GetAtt.
				str, _ := arg.(string)
				return SubVar.ReplaceAllStringFunc(str, func(m string) string {
					name := m[2 : len(m)-1]
					if l, a, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
						return fmt.Sprint(w.Resolve(t, map[string]any{"Fn::GetAtt": []any{l, a}}))
					}
					return fmt.Sprint(w.Resolve(t, map[string]any{"Ref": name}))
				})
			case "Fn::Cidr":
				// [block, count, cidrBits]: the first count subnets of cidrBits host bits.
				parts := w.Resolve(t, arg).([]any)
				block, err := netip.ParsePrefix(fmt.Sprint(parts[0]))
				if err != nil {
					w.Fail(t, "Fn::Cidr of %v: %v", parts[0], err)
				}
				count, _ := strconv.Atoi(fmt.Sprint(parts[1]))
				bits, _ := strconv.Atoi(fmt.Sprint(parts[2]))
				size := block.Addr().BitLen() - bits
				if size < block.Bits() || count > 1<<min(size-block.Bits(), 30) {
					w.Fail(t, "Fn::Cidr: %d subnets of /%d do not fit in %s", count, size, block)
				}
				var out []any
				addr := block.Masked().Addr()
				for range count {
					out = append(out, netip.PrefixFrom(addr, size).String())
					addr = nextPrefix(addr, size)
				}
				return out
			default:
				if strings.HasPrefix(fn, "Fn::") {
					w.Fail(t, "resolve: %s is not modelled here", fn)
				}
				return map[string]any{fn: w.Resolve(t, arg)}
			}
		}
	}
	return v
}

var SubVar = regexp.MustCompile(`\$\{[^}]+\}`)

// EachObject calls visit with every JSON object in v, v itself included, depth first: where a
// template's intrinsic functions are.
func EachObject(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		for _, e := range x {
			EachObject(e, visit)
		}
	case []any:
		for _, e := range x {
			EachObject(e, visit)
		}
	}
}

// nextPrefix is the address of the prefix of size bits after the one at addr.
func nextPrefix(addr netip.Addr, size int) netip.Addr {
	b := addr.AsSlice()
	i, carry := (size-1)/8, byte(1)<<(7-(size-1)%8)
	for ; i >= 0; i-- {
		sum := uint16(b[i]) + uint16(carry)
		b[i], carry = byte(sum), byte(sum>>8)
		if carry == 0 {
			break
		}
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// templateBytes is tpl as JSON, read from jsii once per template: a Template's JSON never changes
// (aws-cdk-lib assertions/lib/template.js keeps the stack artifact's parsed template, which
// nothing there modifies; a synth again makes a new artifact), and each ToJSON is a round trip
// to node carrying the whole template (130 calls in the constructs' -short tests, 17 now).
// Callers unmarshal their own copy, so none sees another's changes.
func templateBytes(tpl assertions.Template) []byte {
	if raw, ok := templateCache.Load(tpl); ok {
		return raw.([]byte)
	}
	raw, _ := json.Marshal(tpl.ToJSON())
	v, _ := templateCache.LoadOrStore(tpl, raw)
	return v.([]byte)
}

var templateCache sync.Map // assertions.Template -> []byte

// Resources returns the template's resources of type typ, by logical ID.
func Resources(tpl assertions.Template, typ string) map[string]map[string]any {
	raw := templateBytes(tpl)
	var doc struct{ Resources map[string]map[string]any }
	_ = json.Unmarshal(raw, &doc)
	out := map[string]map[string]any{}
	for id, r := range doc.Resources {
		if typ == "" || r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

func Only(t *testing.T, rs map[string]map[string]any) (string, map[string]any) {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%d resources, want 1", len(rs))
	}
	for id, r := range rs {
		return id, r
	}
	return "", nil
}

func Props(r map[string]any) map[string]any { p, _ := r["Properties"].(map[string]any); return p }

// outputs returns the template's outputs by description prefix.
func Output(t *testing.T, tpl assertions.Template, descPrefix string) any {
	t.Helper()
	raw := templateBytes(tpl)
	var doc struct{ Outputs map[string]map[string]any }
	_ = json.Unmarshal(raw, &doc)
	for _, o := range doc.Outputs {
		if d, _ := o["Description"].(string); strings.HasPrefix(d, descPrefix) {
			return o["Value"]
		}
	}
	t.Fatalf("no output described %q", descPrefix)
	return nil
}
