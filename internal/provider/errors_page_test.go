package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// errorsPage is the guide that lists every error and warning a user can meet.
const errorsPage = "../../templates/guides/errors-and-warnings.md.tmpl"

// TestErrorsPageListsEveryDiagnostic keeps the errors page and the code in
// step: every summary the provider can show is a heading of the page, and
// every heading is a summary the provider can still show.
func TestErrorsPageListsEveryDiagnostic(t *testing.T) {
	inCode := diagnosticSummaries(t)
	page, err := os.ReadFile(errorsPage)
	if err != nil {
		t.Fatal(err)
	}
	var onPage []string
	for _, line := range strings.Split(string(page), "\n") {
		if h, ok := strings.CutPrefix(line, "### "); ok {
			onPage = append(onPage, strings.TrimSpace(h))
		}
	}
	for _, s := range inCode {
		if !slices.Contains(onPage, s) {
			t.Errorf("%s: no heading %q; say there what it means and what to do", errorsPage, "### "+s)
		}
	}
	for _, s := range frameworkSummaries {
		if !slices.Contains(onPage, s) {
			t.Errorf("%s: no heading %q for the framework validators' errors", errorsPage, "### "+s)
		}
	}
	for _, h := range onPage {
		if !slices.Contains(inCode, h) && h != genericInvalidArgument && !slices.Contains(frameworkSummaries, h) {
			t.Errorf("%s: the heading %q is no summary the provider shows any more", errorsPage, h)
		}
	}
	if len(inCode) < 20 {
		t.Fatalf("found only %d summaries in the code: the parser missed them", len(inCode))
	}
}

// genericInvalidArgument stands for the validators' "Invalid <argument>".
const genericInvalidArgument = "Invalid <argument>"

// frameworkSummaries are those of terraform-plugin-framework-validators,
// which check cloud, the blank login arguments, client_id, vanity_domain,
// max_retries and request_timeout.
var frameworkSummaries = []string{"Invalid Attribute Value Match", "Invalid Attribute Value Length", "Invalid Attribute Value"}

// diagnosticSummaries parses the package's source for the summaries of
// diagnostics: string literals given to AddError, AddWarning,
// AddAttributeError and their diag.New* forms, summary fields of validators,
// and "Cannot " with each apiOperation.
func diagnosticSummaries(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	summaryArg := map[string]int{
		"AddError": 0, "AddWarning": 0, "NewErrorDiagnostic": 0, "NewWarningDiagnostic": 0,
		"AddAttributeError": 1, "AddAttributeWarning": 1, "NewAttributeErrorDiagnostic": 1, "NewAttributeWarningDiagnostic": 1,
	}
	var out []string
	add := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if i, ok := summaryArg[sel.Sel.Name]; ok && len(n.Args) > i {
						add(n.Args[i])
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "summary" {
					add(n.Value)
				}
			case *ast.ValueSpec:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "apiOperation" {
					for _, v := range n.Values {
						if lit, ok := v.(*ast.BasicLit); ok {
							s, _ := strconv.Unquote(lit.Value)
							out = append(out, "Cannot "+s)
						}
					}
				}
			}
			return true
		})
	}
	slices.Sort(out)
	return out
}
