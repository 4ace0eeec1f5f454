package provider

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// Fuzz targets for the provider's own validators and decoders. The client's
// decoders have theirs in internal/client; the existing endpoint URL, login
// key and vanity domain targets are in provider_settings_test.go.

// sameClass returns a stand-in for a key string that any check treats alike:
// the same length, and letters and digits only exactly when s is.
func sameClass(s string) string {
	if s == "" {
		return ""
	}
	if isAlphanumeric(s) {
		return strings.Repeat("a", len(s))
	}
	return "!" + strings.Repeat("a", len(s)-1)
}

func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Severity().String() + "|" + d.Summary() + "|" + d.Detail() + "\n")
	}
	return b.String()
}

// FuzzKeyStringValidator: key and key_wo accept exactly what the API's edit
// accepts, and the error never depends on the string beyond its length and
// whether it is letters and digits: it cannot echo it.
func FuzzKeyStringValidator(f *testing.F) {
	for _, s := range []string{"AbCd12EfGh34", "", "short", "AbCd12EfGh3!", "ÄbCd12EfGh3", "AbCd12EfGh34X", "AbCd12\nEfGh3", "\x00\x00\x00"} {
		f.Add(s)
	}
	validate := func(v string) diag.Diagnostics {
		var resp validator.StringResponse
		keyStringValidator().ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("key"), ConfigValue: types.StringValue(v),
		}, &resp)
		return resp.Diagnostics
	}
	f.Fuzz(func(t *testing.T, v string) {
		diags := validate(v)
		if diags.HasError() == client.ValidKeyValue(v) {
			t.Fatalf("validator error %v for %q, the API's rule says valid=%v", diags.HasError(), v, client.ValidKeyValue(v))
		}
		if got, stand := diagsText(diags), diagsText(validate(sameClass(v))); got != stand {
			t.Fatalf("the message depends on the string itself:\n%s\nvs\n%s", got, stand)
		}
	})
}

// validCloudsListed is how cloudValidator's refusal lists the clouds.
var validCloudsListed = `["zscaler" "zscalerone" "zscalertwo" "zscalerthree" "zscloud" "zscalerbeta" "zscalergov" "zscalerten" "zspreview"]`

// FuzzCloudValidator: a name is accepted exactly when it spells a cloud in
// some case, cloudName then gives that cloud, and a refusal lists them all.
func FuzzCloudValidator(f *testing.F) {
	for _, s := range []string{"zscaler", "ZscalerTwo", " zscloud ", "zscalerfour", "", "zscaler.net", "\xff", "zſcaler"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		var resp validator.StringResponse
		cloudValidator.ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("cloud"), ConfigValue: types.StringValue(name),
		}, &resp)
		canonical := cloudName(name)
		if resp.Diagnostics.HasError() != (canonical == "") {
			t.Fatalf("validator error %v for %q, cloudName gives %q", resp.Diagnostics.HasError(), name, canonical)
		}
		if canonical != "" && !client.IsCloud(canonical) {
			t.Fatalf("cloudName(%q) = %q, which the client does not know", name, canonical)
		}
		if client.IsCloud(strings.ToLower(name)) && canonical != strings.ToLower(name) {
			t.Fatalf("cloudName(%q) = %q", name, canonical)
		}
		if text := diagsText(resp.Diagnostics); canonical == "" && !strings.Contains(text, validCloudsListed) {
			t.Fatalf("the refusal does not list the valid clouds: %s", text)
		}
	})
}

// FuzzImportID drives ImportResourceState through the provider server, as
// Terraform calls it: an ID is taken when it is `current` or a positive
// number, and then it is the state's id; anything else is one clear error.
func FuzzImportID(f *testing.F) {
	for _, s := range []string{"current", "1003", "0", "-1", "+5", "007", "", "CURRENT", "current ", "1e3", "99999999999999999999", "../1", "\x00"} {
		f.Add(s)
	}
	server, err := providerserver.NewProtocol6WithError(NewWithEnv("test", envOf(nil))())()
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		f.Fatal(err)
	}
	resourceType := schemas.ResourceSchemas[TypeName+"_api_key"].ValueType()
	f.Fuzz(func(t *testing.T, id string) {
		resp, err := server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: TypeName + "_api_key", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		n, perr := strconv.ParseInt(id, 10, 64)
		valid := id == importCurrent || (perr == nil && n > 0)
		var errs []*tfprotov6.Diagnostic
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				errs = append(errs, d)
			}
		}
		if !valid {
			if len(errs) != 1 || len(resp.ImportedResources) != 0 || !strings.Contains(errs[0].Detail, "`current`") {
				t.Fatalf("ID %q: want one error that names `current`, got %d errors and %d resources", id, len(errs), len(resp.ImportedResources))
			}
			return
		}
		if len(errs) != 0 || len(resp.ImportedResources) != 1 {
			t.Fatalf("ID %q refused: %v", id, errs)
		}
		imported := resp.ImportedResources[0]
		raw, err := imported.State.Unmarshal(resourceType)
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := raw.As(&attrs); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := attrs["id"].As(&got); err != nil || got != id {
			t.Fatalf("imported id %q, want %q (%v)", got, id, err)
		}
		if !strings.Contains(string(imported.Private), privateImport) {
			t.Fatalf("the import is not marked for Read: %q", imported.Private)
		}
	})
}

// fakePrivate is private state as Terraform hands it back: any bytes.
type fakePrivate []byte

func (p fakePrivate) GetKey(context.Context, string) ([]byte, diag.Diagnostics) { return p, nil }

// FuzzLastTakeover: an object's takeover record decodes, or is ignored,
// whatever the bytes; it never fails a plan, and only a record that names a
// way and a key counts. Only a write or an adoption with a time proves that
// the object owns the key.
func FuzzLastTakeover(f *testing.F) {
	for _, s := range []string{
		`{"how":"write","version":{"id":5,"last_modified_time":"2026-12-01T00:00:00Z","last_modified_by":"a"}}`,
		`{"how":"adopt","version":{"id":5,"last_modified_time":""}}`, `{"how":"seen","version":{"id":5}}`,
		`{"how":"","version":{"id":5}}`, `{"how":"write","version":{"id":0}}`, `{"last_modified_time":5}`,
		`{"fingerprint":"abc"}`, `null`, `[]`, `{`, ``, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, found := lastTakeover(context.Background(), fakePrivate(raw))
		var want takeoverRecord
		decodes := len(raw) > 0 && json.Unmarshal(raw, &want) == nil && want.How != "" && want.Version.ID > 0
		if found != decodes || (found && got != want) {
			t.Fatalf("decoded %+v (found %t) from %q, want %+v (found %t)", got, found, raw, want, decodes)
		}
		owns := found && (got.How == takeoverWrite || got.How == takeoverAdopt) && got.Version.Time != ""
		if got.owns(got.Version) != owns {
			t.Fatalf("%+v: owns its own version = %t, want %t", got, got.owns(got.Version), owns)
		}
	})
}

// FuzzResolveSettings feeds the provider's environment variables with any
// values. Whatever it accepts, the API client accepts too (so nothing fails
// later, half-way through an apply), and its messages never depend on a
// secret beyond whether it is set (or, for api_key, its length and form).
func FuzzResolveSettings(f *testing.F) {
	f.Add("", "", "admin@acme.com", "pw", "AbCd12EfGh34", "", "", "", "")
	f.Add("zscalertwo", "http://127.0.0.1:9/api/v1", "admin@acme.com", "hunter2", "AbCd12EfGh34", "", "", "", "")
	f.Add("", "https://h/?", "", "", "", "client one", "s3cret", "acme", "")
	f.Add("zscalergov", "", "", "", "", "abc", "s3cret", "acme", "")
	f.Add("", "", "", "", "", "abc", "s3cret", "", "https://login.example.com/oauth2/v1/token")
	f.Add("ZSCALER", "https://u:p@h/", "a", "", "short", "abc", "", "a.b", "http://10.0.0.1/t")
	f.Fuzz(func(t *testing.T, cloud, baseURL, username, password, apiKey, clientID, clientSecret, vanity, tokenURL string) {
		env := func(password, apiKey, clientSecret string) LookupEnv {
			return envOf(map[string]string{
				envCloud: cloud, envBaseURL: baseURL, envUsername: username, envPassword: password, envAPIKey: apiKey,
				envClientID: clientID, envClientSecret: clientSecret, envVanityDomain: vanity, envTokenURL: tokenURL,
			})
		}
		s, diags := resolveSettings(nullModel(), env(password, apiKey, clientSecret))
		_, standDiags := resolveSettings(nullModel(), env(sameClass(password), sameClass(apiKey), sameClass(clientSecret)))
		if got, stand := diagsText(diags), diagsText(standDiags); got != stand {
			t.Fatalf("the messages depend on a secret's value:\n%s\nvs\n%s", got, stand)
		}
		if diags.HasError() {
			return
		}
		if _, err := client.CheckEndpointURL(s.client.BaseURL); err != nil {
			t.Fatalf("accepted base URL %q: %v", s.client.BaseURL, err)
		}
		if !s.hasLogin {
			return
		}
		if _, d := newProviderData(s, "test", ""); d.HasError() {
			t.Fatalf("settings accepted, but the client refuses them: %s", diagsText(d))
		}
	})
}

// FuzzLoadPrivateKeyPEM: PEM text that is accepted is an RSA key the client
// signs with; errors never repeat a line of the text. (Paths are not fuzzed:
// they would read the fuzzing machine's files.)
func FuzzLoadPrivateKeyPEM(f *testing.F) {
	f.Add(testPrivateKeyPEM(f))
	f.Add("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")
	f.Add("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n")
	f.Fuzz(func(t *testing.T, text string) {
		if !strings.Contains(text, "-----BEGIN") {
			text = "-----BEGIN PRIVATE KEY-----\n" + text
		}
		_, key, err := loadPrivateKey(text)
		if err != nil {
			for _, line := range strings.Split(text, "\n") {
				// body lines: long, no spaces, no armor (the messages' own words are shorter)
				line = strings.TrimSpace(line)
				if len(line) >= 16 && !strings.ContainsAny(line, " \t") && !strings.Contains(line, "-----") && strings.Contains(err.Error(), line) {
					t.Fatalf("the error repeats a line of the key: %v", err)
				}
			}
			return
		}
		if _, err := client.New(client.Config{BaseURL: "https://api.zsapi.net/ztw/api/v1", ClientID: "abc", PrivateKey: key,
			TokenURL: "https://acme.zslogin.net/oauth2/v1/token"}); err != nil {
			t.Fatalf("accepted a key the client refuses: %v", err)
		}
	})
}
