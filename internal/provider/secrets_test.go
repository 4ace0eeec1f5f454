package provider

import (
	"bufio"
	"crypto/md5"  //nolint:gosec // the test looks for MD5 digests of keys
	"crypto/sha1" //nolint:gosec // and SHA-1 ones
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/tfrun"
)

// logLinesScanned counts the lines of Terraform logs and output that the
// secrets test searched.
var logLinesScanned atomic.Int64

// secretsRun runs terraform, as a user does, against one simulator
// organization, and keeps what it must never show and where to look.
type secretsRun struct {
	t    *testing.T
	tf   tfrun.Terraform
	sim  *simulator.Simulator
	org  *simulator.Organization
	dir  string
	env  func() []string // the login env of the next command
	mu   sync.Mutex
	keep map[string]string // secret value → what it is (for messages without the value)
	// digests are the keep entries that are digests: the only ones looked for
	// where the key string itself belongs (the state, `show -json`: sensitive).
	digests map[string]bool
	// stateLike are the paths where the key string belongs
	stateLike map[string]bool
	seen      []string // files and outputs to search, as paths
	n         int
}

func (r *secretsRun) secret(what, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if value != "" {
		r.keep[value] = what
	}
}

// noteKey records the organization's key string of the moment, and every
// fast digest of it that a careless provider might show.
func (r *secretsRun) noteKey() {
	if k, ok := r.org.Key(); ok {
		what := fmt.Sprintf("key string of key %d", k.ID)
		r.secret(what, k.Value)
		for digest, how := range fastDigests(k.Value, strconv.FormatInt(k.ID, 10)) {
			r.secret(how+" of the "+what, digest)
			r.mu.Lock()
			r.digests[digest] = true
			r.mu.Unlock()
		}
	}
}

// fastDigests are MD5, SHA-1, SHA-256 and SHA-512 of a key string, alone and
// salted with public data (its ID), in hex and base64: what a plan pasted
// into a pull request must not hold, since a human-chosen string falls to a
// dictionary.
func fastDigests(value, id string) map[string]string {
	out := map[string]string{}
	for _, in := range []string{value, id + ":" + value, value + ":" + id, id + value, value + id} {
		for name, sum := range map[string][]byte{
			"MD5": md5Sum(in), "SHA-1": sha1Sum(in), "SHA-256": sha256Sum(in), "SHA-512": sha512Sum(in),
		} {
			out[hex.EncodeToString(sum)] = name + " (hex)"
			out[strings.ToUpper(hex.EncodeToString(sum))] = name + " (hex)"
			out[base64.StdEncoding.EncodeToString(sum)] = name + " (base64)"
			out[base64.RawURLEncoding.EncodeToString(sum)] = name + " (base64url)"
		}
	}
	return out
}

func md5Sum(s string) []byte    { b := md5.Sum([]byte(s)); return b[:] }  //nolint:gosec // looked for, not used
func sha1Sum(s string) []byte   { b := sha1.Sum([]byte(s)); return b[:] } //nolint:gosec // looked for, not used
func sha256Sum(s string) []byte { b := sha256.Sum256([]byte(s)); return b[:] }
func sha512Sum(s string) []byte { b := sha512.Sum512([]byte(s)); return b[:] }

func (r *secretsRun) write(config string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(secretsConfigHeader+config), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// run runs one terraform command with trace logging into its own file. When
// wantErr is set, the command must fail with that text in its output.
func (r *secretsRun) run(wantErr string, args ...string) {
	r.t.Helper()
	r.n++
	logPath := filepath.Join(r.dir, fmt.Sprintf("trace-%02d.log", r.n))
	r.noteKey()
	r.sim.Advance(2 * time.Second) // each command in a fresh rate-limit window
	r.tf.Env = append([]string{"TF_LOG=trace", "TF_LOG_PROVIDER=trace", "TF_LOG_PATH=" + logPath}, r.env()...)
	res, err := r.tf.Run(r.t.Context(), append(args, "-no-color")...)
	r.noteKey()
	for i, out := range []string{res.Stdout, res.Stderr} {
		p := filepath.Join(r.dir, fmt.Sprintf("output-%02d-%d.txt", r.n, i))
		if werr := os.WriteFile(p, []byte(out), 0o600); werr != nil {
			r.t.Fatal(werr)
		}
		r.seen = append(r.seen, p)
		// `show -json` prints sensitive values in full, as the state holds them
		r.stateLike[p] = slices.Contains(args, "show") && slices.Contains(args, "-json")
	}
	r.seen = append(r.seen, logPath)
	switch {
	case wantErr == "" && err != nil:
		r.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	case wantErr != "" && err == nil:
		r.t.Fatalf("terraform %s succeeded; want an error saying %q", strings.Join(args, " "), wantErr)
	case wantErr != "" && !expectErrorText(wantErr).MatchString(res.Stderr+res.Stdout):
		r.t.Fatalf("terraform %s: the error does not say %q:\n%s", strings.Join(args, " "), wantErr, res.Stderr)
	}
}

// scan searches every log and output for every secret, line by line.
func (r *secretsRun) scan() {
	r.t.Helper()
	r.noteKey()
	// the state, and its backup, as Terraform wrote them
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if p := filepath.Join(r.dir, name); fileExists(p) {
			r.seen = append(r.seen, p)
			r.stateLike[p] = true
		}
	}
	values := make([]string, 0, len(r.keep))
	for v := range r.keep {
		values = append(values, v)
	}
	sort.Strings(values)
	lines, requests, opens := 0, 0, 0
	for _, p := range r.seen {
		f, err := os.Open(p)
		if err != nil {
			r.t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			lines++
			line := sc.Text()
			if strings.Contains(line, "cloudconnector request") {
				requests++
			}
			if strings.Contains(line, "EphemeralResource Open") {
				opens++
			}
			for _, v := range values {
				if r.stateLike[p] && !r.digests[v] {
					continue
				}
				if strings.Contains(line, v) {
					r.t.Errorf("%s appears in %s, line %d", r.keep[v], filepath.Base(p), lines)
				}
			}
		}
		if err := sc.Err(); err != nil {
			r.t.Fatal(err)
		}
		_ = f.Close()
	}
	// the provider's own lines (the client's, one a request) and the
	// ephemeral resource's opening must be in what was searched
	if lines < 1000 || requests == 0 || opens == 0 {
		r.t.Fatalf("%d lines, %d client request lines, %d ephemeral opens: the trace logs are not what the test searches",
			lines, requests, opens)
	}
	logLinesScanned.Add(int64(lines))
	r.t.Logf("%d secrets searched for in %d lines of %d logs and outputs (%d client request lines)", len(values), lines, len(r.seen), requests)
}

const secretsConfigHeader = `terraform {
  required_providers {
    cloudconnector = { source = "seed62df8d36/cloudconnector" }
  }
}

provider "cloudconnector" {
  max_retries = 1
}

# opened at every plan and apply: it reads the key string
ephemeral "cloudconnector_api_key" "current" {}

`

// secretsResource is the resource block with body, and a precondition that
// makes Terraform open the ephemeral resource.
func secretsResource(body string) string {
	return "resource \"cloudconnector_api_key\" \"this\" {\n" + body + `
  lifecycle {
    precondition {
      condition     = ephemeral.cloudconnector_api_key.current.enabled
      error_message = "The organization's key is disabled."
    }
  }
}
`
}

// TestAccSecretsNeverShown builds the provider and runs terraform as a user
// does, with TF_LOG=trace and TF_LOG_PROVIDER=trace, through import, plan,
// an edit whose answer is lost, rotations, failed commands, show and
// destroy, in legacy and OneAPI login. No password, login key, client
// secret, private key (any line of it) or key string the organization ever
// held may appear in a log, in the output, in an error or in a plan.
func TestAccSecretsNeverShown(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC not set: this test runs the terraform binary")
	}
	bin, cli := userTerraform(t)
	t.Cleanup(func() { t.Logf("secrets: %d lines of logs and output scanned", logLinesScanned.Load()) })
	for _, mode := range []string{"legacy", "oneapi client secret", "oneapi private key"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			pemText := testPrivateKeyPEM(t)
			sim := testsupport.StartSimulator(t, simulator.OrgConfig{Name: "secrets", ClientPublicKey: &testKey.key.PublicKey})
			org := sim.DefaultOrganization()
			cfg := org.Config()
			work := t.TempDir()
			r := &secretsRun{t: t, sim: sim, org: org, dir: work, keep: map[string]string{},
				digests: map[string]bool{}, stateLike: map[string]bool{},
				tf: tfrun.Terraform{Bin: bin, Dir: work}}
			r.secret("the password", cfg.Password)
			r.secret("the client secret", cfg.ClientSecret)
			for _, line := range pemMasks(pemText)[1:] {
				r.secret("the private key", line)
			}
			base := []string{"TF_CLI_CONFIG_FILE=" + cli}
			loginKey := func() string { k, _ := org.Key(); return k.Value } // a user who updates ZTC_API_KEY
			switch mode {
			case "legacy":
				r.env = func() []string {
					return append(base, "ZTC_BASE_URL="+sim.LegacyBaseURL(), "ZTC_USERNAME="+cfg.Username,
						"ZTC_PASSWORD="+cfg.Password, "ZTC_API_KEY="+loginKey())
				}
			case "oneapi client secret":
				r.env = func() []string {
					return append(base, "ZTC_BASE_URL="+sim.OneAPIBaseURL(), "ZSCALER_CLIENT_ID="+cfg.ClientID,
						"ZSCALER_CLIENT_SECRET="+cfg.ClientSecret, "ZSCALER_TOKEN_URL="+sim.TokenURL())
				}
			default:
				r.env = func() []string {
					return append(base, "ZTC_BASE_URL="+sim.OneAPIBaseURL(), "ZSCALER_CLIENT_ID="+cfg.ClientID,
						"ZSCALER_PRIVATE_KEY="+pemText, "ZSCALER_TOKEN_URL="+sim.TokenURL())
				}
			}
			lifecycleWithSecrets(r, mode)
			r.scan()
		})
	}
}

func lifecycleWithSecrets(r *secretsRun, mode string) {
	r.write(secretsResource(""))
	r.run("", "import", "-input=false", "cloudconnector_api_key.this", "current")

	r.write(secretsResource(`key = "SecretEdit01"`))
	r.secret("the configured key string", "SecretEdit01")
	r.run("", "plan", "-input=false")
	// the edit reaches the simulator and its answer is lost: a list confirms it
	r.sim.InjectFault(simulator.Fault{Op: simulator.OpEdit, AfterApply: true, Drop: true})
	r.run("", "apply", "-auto-approve", "-input=false")
	r.run("", "show")

	r.write(secretsResource(`regenerate_triggers = { rotation = "1" }`))
	r.run("", "apply", "-auto-approve", "-input=false") // triggers added: no call
	r.write(secretsResource(`regenerate_triggers = { rotation = "1b" }`))
	r.run("", "plan", "-input=false", "-out=rotation.tfplan")
	r.run("", "show", "-json", "rotation.tfplan")                          // the plan, as pasted into a pull request
	r.run("", "apply", "-auto-approve", "-input=false", "rotation.tfplan") // a rotation: one regenerate
	r.run("", "show", "-json")

	// a rotation the API refuses: the error goes to stderr
	r.write(secretsResource(`regenerate_triggers = { rotation = "2" }`))
	r.sim.InjectFault(simulator.Fault{Op: simulator.OpRegenerate, Status: http.StatusServiceUnavailable, Times: -1})
	r.run("Cannot regenerate the API key", "apply", "-auto-approve", "-input=false")
	r.sim.ClearFaults()

	// a login the API refuses, with a stale or wrong credential
	good := r.env
	switch mode {
	case "legacy":
		r.env = func() []string { return append(good(), "ZTC_API_KEY=StaleKey0001") }
		r.secret("a stale login key", "StaleKey0001")
	case "oneapi client secret":
		r.env = func() []string { return append(good(), "ZSCALER_CLIENT_SECRET=wrong-secret-7Hq2") }
		r.secret("a wrong client secret", "wrong-secret-7Hq2")
	}
	if mode != "oneapi private key" {
		refused := map[string]string{"legacy": "The legacy login was refused", "oneapi client secret": "The OneAPI token request was refused"}
		r.run(refused[mode], "plan", "-input=false")
		r.env = good
	}

	r.run("", "apply", "-auto-approve", "-input=false") // the rotation, now through
	r.write(secretsResource("regenerate_triggers = { rotation = \"2\" }\ndelete_on_destroy = true"))
	r.run("", "apply", "-auto-approve", "-input=false")
	r.run("", "destroy", "-auto-approve", "-input=false")
	if _, ok := r.org.Key(); ok {
		r.t.Fatal("destroy with delete_on_destroy should have deleted the key")
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
