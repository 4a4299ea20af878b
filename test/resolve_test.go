package test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/privatelink-go/privatelink/awsid"
)

// world gives intrinsic functions the values AWS would: pseudo parameters of the stack's
// account and Region (and the partition that Region belongs to), a physical ID per Ref, and
// the attributes a test sets. An attribute nobody set, or an unknown function, fails the test,
// so what is asserted is the value AWS will read, never a token.
type world struct {
	account, region string
	stack           string            // the stack's name; default "Stack"
	refs            map[string]string // logical ID -> physical ID; default "<logicalId>"
	attrs           map[string]any    // "LogicalId.Attribute" -> value
	conditions      map[string]bool   // condition name -> value, for Fn::If
	mappings        map[string]any    // the template's Mappings, for Fn::FindInMap
	// strict refuses a Ref to a logical ID without a physical ID (the deploy rehearsal: a
	// resource not created yet), instead of answering "<logicalId>".
	strict bool
	// where prefixes failures: the resource and property being resolved.
	where string
}

func (w world) stackName() string {
	if w.stack == "" {
		return "Stack"
	}
	return w.stack
}

// stackUUID is the last part of the stack's AWS::StackId.
func (w world) stackUUID() string { return "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" }

func (w world) fail(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf(w.where+format, args...)
}

func (w world) resolve(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = w.resolve(t, e)
		}
		return out
	case map[string]any:
		if len(x) != 1 {
			out := map[string]any{}
			for k, e := range x {
				out[k] = w.resolve(t, e)
			}
			return out
		}
		for fn, arg := range x {
			switch fn {
			case "Ref":
				switch name := arg.(string); name {
				case "AWS::AccountId":
					return w.account
				case "AWS::Region":
					return w.region
				case "AWS::Partition":
					p, ok := awsid.PartitionOf(w.region)
					if !ok {
						t.Fatalf("no partition for Region %s", w.region)
					}
					return p.Name
				case "AWS::StackId":
					p, _ := awsid.PartitionOf(w.region)
					return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", p.Name, w.region, w.account, w.stackName(), w.stackUUID())
				case "AWS::URLSuffix":
					p, _ := awsid.PartitionOf(w.region)
					return p.DNSSuffix
				case "AWS::StackName":
					return w.stackName()
				case "AWS::NoValue":
					return nil
				default:
					if id, ok := w.refs[name]; ok {
						return id
					}
					if w.strict {
						w.fail(t, "Ref %s: no such resource or parameter has a value yet", name)
					}
					return "<" + name + ">"
				}
			case "Fn::GetAtt":
				parts := arg.([]any)
				key := parts[0].(string) + "." + parts[1].(string)
				val, ok := w.attrs[key]
				if !ok && parts[1] == "Arn" {
					// Any resource's ARN: in the stack's partition, Region and account.
					p, _ := awsid.PartitionOf(w.region)
					return fmt.Sprintf("arn:%s:service:%s:%s:%s", p.Name, w.region, w.account, parts[0])
				}
				if !ok {
					w.fail(t, "Fn::GetAtt %s: the test gave this attribute no value", key)
				}
				return val
			case "Fn::Join":
				parts := arg.([]any)
				var ss []string
				for _, e := range w.resolve(t, parts[1]).([]any) {
					ss = append(ss, fmt.Sprint(e))
				}
				return strings.Join(ss, parts[0].(string))
			case "Fn::Select":
				parts := arg.([]any)
				list := w.resolve(t, parts[1]).([]any)
				i := int(parts[0].(float64))
				if i >= len(list) {
					w.fail(t, "Fn::Select %d of a %d-element list %v: out of range", i, len(list), list)
				}
				return list[i]
			case "Fn::Split":
				parts := arg.([]any)
				var out []any
				for _, s := range strings.Split(w.resolve(t, parts[1]).(string), parts[0].(string)) {
					out = append(out, s)
				}
				return out
			case "Fn::Base64":
				return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(w.resolve(t, arg))))
			case "Fn::GetAZs":
				return []any{w.region + "a", w.region + "b", w.region + "c"}
			case "Fn::ImportValue":
				// Another stack's export: a value the test gives ("Fn::ImportValue <name>"), or
				// outside the strict rehearsal a placeholder, as for a Ref.
				name := fmt.Sprint(w.resolve(t, arg))
				if v, ok := w.attrs["Fn::ImportValue "+name]; ok {
					return v
				}
				if w.strict {
					w.fail(t, "Fn::ImportValue %s: no stack exports it", name)
				}
				return "<import " + name + ">"
			case "Fn::FindInMap":
				parts := w.resolve(t, arg).([]any)
				table, _ := w.mappings[fmt.Sprint(parts[0])].(map[string]any)
				row, _ := table[fmt.Sprint(parts[1])].(map[string]any)
				val, ok := row[fmt.Sprint(parts[2])]
				if !ok {
					// CloudFormation fails the deploy on a key the mapping lacks.
					w.fail(t, "Fn::FindInMap %v: no such entry", parts)
				}
				return val
			case "Fn::If":
				parts := arg.([]any)
				v, ok := w.conditions[parts[0].(string)]
				if !ok {
					w.fail(t, "Fn::If: condition %v has no value", parts[0])
				}
				if v {
					return w.resolve(t, parts[1])
				}
				return w.resolve(t, parts[2])
			case "Fn::Sub":
				// The string form: ${Name} is a Ref or a pseudo parameter, ${Name.Attr} a GetAtt.
				str, _ := arg.(string)
				return subVar.ReplaceAllStringFunc(str, func(m string) string {
					name := m[2 : len(m)-1]
					if l, a, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
						return fmt.Sprint(w.resolve(t, map[string]any{"Fn::GetAtt": []any{l, a}}))
					}
					return fmt.Sprint(w.resolve(t, map[string]any{"Ref": name}))
				})
			case "Fn::Cidr":
				// [block, count, cidrBits]: the first count subnets of cidrBits host bits.
				parts := w.resolve(t, arg).([]any)
				block, err := netip.ParsePrefix(fmt.Sprint(parts[0]))
				if err != nil {
					w.fail(t, "Fn::Cidr of %v: %v", parts[0], err)
				}
				count, _ := strconv.Atoi(fmt.Sprint(parts[1]))
				bits, _ := strconv.Atoi(fmt.Sprint(parts[2]))
				size := block.Addr().BitLen() - bits
				if size < block.Bits() || count > 1<<min(size-block.Bits(), 30) {
					w.fail(t, "Fn::Cidr: %d subnets of /%d do not fit in %s", count, size, block)
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
					w.fail(t, "resolve: %s is not modelled here", fn)
				}
				return map[string]any{fn: w.resolve(t, arg)}
			}
		}
	}
	return v
}

var subVar = regexp.MustCompile(`\$\{[^}]+\}`)

// eachObject calls visit with every JSON object in v, v itself included, depth first: where a
// template's intrinsic functions are.
func eachObject(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		for _, e := range x {
			eachObject(e, visit)
		}
	case []any:
		for _, e := range x {
			eachObject(e, visit)
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

// resources returns the template's resources of type typ, by logical ID.
func resources(tpl assertions.Template, typ string) map[string]map[string]any {
	raw, _ := json.Marshal(tpl.ToJSON())
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

func only(t *testing.T, rs map[string]map[string]any) (string, map[string]any) {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%d resources, want 1", len(rs))
	}
	for id, r := range rs {
		return id, r
	}
	return "", nil
}

func props(r map[string]any) map[string]any { p, _ := r["Properties"].(map[string]any); return p }

// outputs returns the template's outputs by description prefix.
func output(t *testing.T, tpl assertions.Template, descPrefix string) any {
	t.Helper()
	raw, _ := json.Marshal(tpl.ToJSON())
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
