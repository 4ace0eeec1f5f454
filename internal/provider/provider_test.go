package provider

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"regexp"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// providerFactories serves this provider in-process, reading env only from
// the given map, so that tests of env fallbacks can run in parallel.
func providerFactories(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	lookup := func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(NewWithEnv("test", lookup)()),
	}
}

// withTerraformBlock prefixes a test configuration with its required_providers.
func withTerraformBlock(config string, providers ...string) string {
	if len(providers) == 0 {
		providers = []string{TypeName}
	}
	return terraformBlock(providers...) + config
}

// expectErrorText turns a message a user reads into a pattern that matches it
// across Terraform's line wrapping.
func expectErrorText(text string) *regexp.Regexp {
	words := regexp.MustCompile(`\s+`).Split(regexp.QuoteMeta(text), -1)
	pattern := ""
	for i, w := range words {
		if i > 0 {
			pattern += `\s+`
		}
		pattern += w
	}
	return regexp.MustCompile(pattern)
}

// realEnvFactories serves the provider as main.go does, reading the process environment.
func realEnvFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(New("test")()),
	}
}

var testKey struct {
	once sync.Once
	pem  string
	key  *rsa.PrivateKey
}

// testPrivateKeyPEM returns one RSA key, PKCS #8 PEM, made once per test binary.
func testPrivateKeyPEM(t testing.TB) string {
	t.Helper()
	testKey.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			panic(err)
		}
		testKey.key = key
		testKey.pem = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	})
	return testKey.pem
}
