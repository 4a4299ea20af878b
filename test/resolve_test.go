package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/privatelink-go/privatelink/constructs/awsid"
)

// world gives intrinsic functions the values AWS would: pseudo parameters of the stack's
// account and Region (and the partition that Region belongs to), a physical ID per Ref, and
// the attributes a test sets. An attribute nobody set, or an unknown function, fails the test,
// so what is asserted is the value AWS will read, never a token.
type world struct {
	account, region string
	refs            map[string]string // logical ID -> physical ID; default "<logicalId>"
	attrs           map[string]any    // "LogicalId.Attribute" -> value
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
					return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/Stack/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", p.Name, w.region, w.account)
				case "AWS::URLSuffix":
					p, _ := awsid.PartitionOf(w.region)
					return p.DNSSuffix
				default:
					if id, ok := w.refs[name]; ok {
						return id
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
					t.Fatalf("Fn::GetAtt %s: the test gave this attribute no value", key)
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
					t.Fatalf("Fn::Select %d of a %d-element list %v: out of range", i, len(list), list)
				}
				return list[i]
			case "Fn::Split":
				parts := arg.([]any)
				var out []any
				for _, s := range strings.Split(w.resolve(t, parts[1]).(string), parts[0].(string)) {
					out = append(out, s)
				}
				return out
			default:
				if strings.HasPrefix(fn, "Fn::") {
					t.Fatalf("resolve: %s is not modelled here", fn)
				}
				return map[string]any{fn: w.resolve(t, arg)}
			}
		}
	}
	return v
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
