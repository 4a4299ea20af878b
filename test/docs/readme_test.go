package docs

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readmeExamples are the README's Go programs, each generated from an Example function that
// `go test` compiles and runs: the README's code cannot rot.
var readmeExamples = []struct{ file, function string }{
	{"../../constructs/provider/example_test.go", "Example"},
	{"../../constructs/consumer/example_test.go", "Example"},
}

// exampleProgram renders function of file as a main program: the file's imports that the body
// uses, and the body up to its first fmt.Println (what the example prints for its Output check).
func exampleProgram(file, function string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	var body []ast.Stmt
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == function && fn.Recv == nil {
			body = fn.Body.List
		}
	}
	if len(body) == 0 {
		return "", fmt.Errorf("%s has no function %s with a body", file, function)
	}
	for i, s := range body {
		if call, ok := s.(*ast.ExprStmt); ok && strings.HasPrefix(string(src[fset.Position(call.Pos()).Offset:fset.Position(call.End()).Offset]), "fmt.Println(") {
			body = body[:i]
			break
		}
	}
	code := string(src[fset.Position(body[0].Pos()).Offset:fset.Position(body[len(body)-1].End()).Offset])
	var paths []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		paths = append(paths, path)
	}
	// Package names as declared (jsii-runtime-go is package jsii, …/awscdk/v2 package awscdk).
	listed, err := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}} {{.Name}}"}, paths...)...).Output()
	if err != nil {
		return "", fmt.Errorf("go list %v: %v", paths, err)
	}
	names := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(listed)), "\n") {
		path, name, _ := strings.Cut(line, " ")
		names[path] = name
	}
	var std, others []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := names[path]
		spec := imp.Path.Value
		if imp.Name != nil {
			name, spec = imp.Name.Name, imp.Name.Name+" "+spec
		}
		if !strings.Contains(code, name+".") {
			continue
		}
		if strings.Contains(strings.Split(path, "/")[0], ".") {
			others = append(others, spec)
		} else {
			std = append(std, spec)
		}
	}
	var b bytes.Buffer
	b.WriteString("package main\n\nimport (\n")
	for _, s := range std {
		b.WriteString("\t" + s + "\n")
	}
	if len(std) > 0 && len(others) > 0 {
		b.WriteString("\n")
	}
	for _, s := range others {
		b.WriteString("\t" + s + "\n")
	}
	b.WriteString(")\n\nfunc main() {\n\t" + code + "\n}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		return "", fmt.Errorf("%s %s does not render as a program: %v\n%s", file, function, err, b.String())
	}
	return string(out), nil
}

// readmeBlock finds the ```go block after the marker naming file and function.
func readmeBlock(readme, file, function string) (start, end int, err error) {
	marker := "<!-- generated from " + strings.TrimPrefix(file, "../../") + " " + function + " by test/docs/readme_test.go -->\n```go\n"
	i := strings.Index(readme, marker)
	if i < 0 {
		return 0, 0, fmt.Errorf("README.md has no block marked %q", strings.TrimSuffix(marker, "\n```go\n"))
	}
	start = i + len(marker)
	n := strings.Index(readme[start:], "```\n")
	if n < 0 {
		return 0, 0, fmt.Errorf("README.md's block after %q is not closed", marker)
	}
	return start, start + n, nil
}

func TestTheReadmesExamplesAreTheCompiledExamples(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, ex := range readmeExamples {
		want, err := exampleProgram(ex.file, ex.function)
		if err != nil {
			t.Fatal(err)
		}
		start, end, err := readmeBlock(readme, ex.file, ex.function)
		if err != nil {
			t.Fatal(err)
		}
		vetProgram(t, want)
		if got := readme[start:end]; got != want {
			if *update {
				readme = readme[:start] + want + readme[end:]
				continue
			}
			t.Errorf("README.md's example from %s %s differs from it (run `go test ./test/docs -run Readme -update`):\n--- README\n%s\n--- generated\n%s", ex.file, ex.function, got, want)
		}
	}
	if *update && readme != string(raw) {
		if err := os.WriteFile("../../README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// vetProgram type-checks program as a main package of this module (go vet: no link), so the
// README's copy compiles as shown, imports included.
func vetProgram(t *testing.T, program string) {
	t.Helper()
	// Inside the module, so its go.mod resolves the imports; a leading dot keeps ./... out.
	dir, err := os.MkdirTemp("../..", ".readme-example-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := goVet(dir); err != nil {
		t.Fatalf("the README's program does not compile: %v\n%s\n%s", err, out, program)
	}
}

func goVet(dir string) ([]byte, error) {
	cmd := exec.Command("go", "vet", "./"+filepath.Base(dir))
	cmd.Dir = "../.."
	return cmd.CombinedOutput()
}

var update = flag.Bool("update", false, "rewrite the README's generated examples")
