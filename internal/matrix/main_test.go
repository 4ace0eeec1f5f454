package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

func TestRead(t *testing.T) {
	const p = "example.com/m/internal/provider"
	stream := strings.Join([]string{
		`{"Action":"run","Package":"` + p + `","Test":"TestAccAPIKeyEdit"}`,
		`{"Action":"pass","Package":"` + p + `","Test":"TestAccAPIKeyEdit"}`,
		`{"Action":"output","Package":"` + p + `","Test":"TestAccAPIKeyIdentityImport","Output":"=== RUN   TestAccAPIKeyIdentityImport\n"}`,
		`{"Action":"output","Package":"` + p + `","Test":"TestAccAPIKeyIdentityImport","Output":"    identity_test.go:42: Terraform CLI version 1.11.4 is below minimum version 1.12.0: skipping test\n"}`,
		`{"Action":"output","Package":"` + p + `","Test":"TestAccAPIKeyIdentityImport","Output":"--- SKIP: TestAccAPIKeyIdentityImport (0.00s)\n"}`,
		`{"Action":"skip","Package":"` + p + `","Test":"TestAccAPIKeyIdentityImport"}`,
		`{"Action":"output","Package":"` + p + `","Test":"TestAccAPIKeyIdentityByCurrent/id","Output":"    x_test.go:9: below 1.12.0\n"}`,
		`{"Action":"skip","Package":"` + p + `","Test":"TestAccAPIKeyIdentityByCurrent/id"}`,
		`{"Action":"pass","Package":"` + p + `","Test":"TestAccAPIKeyIdentityByCurrent"}`,
		`{"Action":"fail","Package":"` + p + `","Test":"TestAccAPIKeyRegenerateActionInvoked/sub"}`,
		`{"Action":"fail","Package":"` + p + `","Test":"TestAccAPIKeyRegenerateActionInvoked"}`,
		`{"Action":"fail","Package":"` + p + `"}`,
		`{"Action":"fail","Package":"example.com/m/internal/demo"}`,
		`not json`,
	}, "\n")
	r := &run{bin: tfrun.Binary{Version: "1.11.4"}}
	r.read(strings.NewReader(stream))

	if r.passed != 1 || r.skipped != 2 || r.failed != 2 {
		t.Errorf("passed %d, skipped %d, failed %d; want 1, 2, 2 (a subtest counts with its parent, a parent whose "+
			"subtests all skipped as skipped, a package that did not run as one failure)", r.passed, r.skipped, r.failed)
	}
	if got := r.skips["below 1.12.0"]; len(got) != 1 || got[0] != "provider.TestAccAPIKeyIdentityByCurrent" {
		t.Errorf("skips %v, want the subtests' reason for provider.TestAccAPIKeyIdentityByCurrent", r.skips)
	}
	wantReason := "Terraform CLI version 1.11.4 is below minimum version 1.12.0: skipping test"
	if got := r.skips[wantReason]; len(got) != 1 || got[0] != "provider.TestAccAPIKeyIdentityImport" {
		t.Errorf("skips %v, want the reason %q for provider.TestAccAPIKeyIdentityImport", r.skips, wantReason)
	}
	for feature, want := range map[string]string{
		"baseline":                     "pass (1)",
		"identity (1.12+)":             "skip: " + wantReason, // the reason with most tests; ties by name
		"action (1.14+)":               "FAIL (1 of 1)",
		"provider for_each (OpenTofu)": "—",
	} {
		if got := r.cell(feature); got != want {
			t.Errorf("cell(%q) = %q, want %q", feature, got, want)
		}
	}
}

func TestBinaryOrder(t *testing.T) {
	got := []tfrun.Binary{{Version: "1.12.6", OpenTofu: true}, {Version: "1.15.0"}, {Version: "1.9.0"}, {Version: "1.12.2"}}
	sort.SliceStable(got, func(i, j int) bool { return got[i].Less(got[j]) })
	var names []string
	for _, b := range got {
		names = append(names, b.String())
	}
	want := "Terraform 1.9.0, Terraform 1.12.2, Terraform 1.15.0, OpenTofu 1.12.6"
	if strings.Join(names, ", ") != want {
		t.Errorf("order %q, want %q", strings.Join(names, ", "), want)
	}
}
