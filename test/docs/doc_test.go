package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The packages users import.
var publicPackages = []string{"constructs/provider", "constructs/consumer", "constructs/acceptor", "constructs/alarms", "constructs/logkey", "constructs/link", "awsid"}

// defaultOrRequired is what a prop's doc must say about its zero value.
var defaultOrRequired = regexp.MustCompile(`\b(Default|Required)\b`)

// Every exported declaration, struct field and interface method of the public packages has its
// own doc comment, and every field of a props struct (…Props, Listener, ServicePort) says its
// default or that it is required: go doc is the reference users read.
func TestEveryExportedNameIsDocumentedAndEveryPropSaysItsDefault(t *testing.T) {
	for _, pkg := range publicPackages {
		files, _ := filepath.Glob(filepath.Join("..", "..", pkg, "*.go"))
		if len(files) == 0 {
			t.Errorf("no Go files in %s: the public packages moved", pkg)
		}
		fset := token.NewFileSet()
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			where := func(n ast.Node) string { return fset.Position(n.Pos()).String() }
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || exportedRecv(d.Recv)) {
						t.Errorf("%s: %s has no doc comment", where(d), d.Name.Name)
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch s := spec.(type) {
						case *ast.TypeSpec:
							if !s.Name.IsExported() {
								continue
							}
							if d.Doc == nil && s.Doc == nil {
								t.Errorf("%s: type %s has no doc comment", where(s), s.Name.Name)
							}
							checkMembers(t, where, s)
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
									t.Errorf("%s: %s has no doc comment", where(n), n.Name)
								}
							}
						}
					}
				}
			}
		}
	}
}

func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

func checkMembers(t *testing.T, where func(ast.Node) string, s *ast.TypeSpec) {
	t.Helper()
	isProps := strings.HasSuffix(s.Name.Name, "Props") || s.Name.Name == "Listener" || s.Name.Name == "ServicePort"
	var fields []*ast.Field
	switch typ := s.Type.(type) {
	case *ast.StructType:
		fields = typ.Fields.List
	case *ast.InterfaceType:
		fields = typ.Methods.List
	}
	for _, field := range fields {
		if len(field.Names) == 0 {
			continue // embedded
		}
		for _, n := range field.Names {
			if !n.IsExported() {
				continue
			}
			switch {
			case field.Doc == nil:
				t.Errorf("%s: %s.%s has no doc comment of its own", where(n), s.Name.Name, n.Name)
			case len(field.Names) > 1:
				t.Errorf("%s: %s.%s shares its declaration and doc with %d others: give each its own", where(n), s.Name.Name, n.Name, len(field.Names)-1)
			case isProps && !defaultOrRequired.MatchString(field.Doc.Text()):
				t.Errorf("%s: %s.%s does not say its default (or that it is required): %q", where(n), s.Name.Name, n.Name, field.Doc.Text())
			}
		}
	}
}
