package testkit

import (
	"fmt"
	"net/url"
)

func Refs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		switch x := x.(type) {
		case map[string]any:
			if r, ok := x["Ref"]; ok {
				out = append(out, fmt.Sprint(r))
			} else if g, ok := x["Fn::GetAtt"].([]any); ok {
				out = append(out, fmt.Sprint(g[0])+"."+fmt.Sprint(g[1]))
			}
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

func AsList(v any) []string {
	var out []string
	for _, x := range AsAnyList(v) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func AsAnyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func ToAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func List(f url.Values, prefix string) []string {
	var out []string
	for i := 1; f.Get(fmt.Sprintf("%s.%d", prefix, i)) != ""; i++ {
		out = append(out, f.Get(fmt.Sprintf("%s.%d", prefix, i)))
	}
	return out
}
