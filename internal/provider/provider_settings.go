package provider

import (
	"cmp"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// Environment variables, named as in Zscaler's own providers so that
// existing CI secrets work unchanged.
const (
	envCloud        = "ZTC_CLOUD"
	envCloudVendor  = "ZSCALER_CLOUD"
	envBaseURL      = "ZTC_BASE_URL"
	envUsername     = "ZTC_USERNAME"
	envPassword     = "ZTC_PASSWORD"
	envAPIKey       = "ZTC_API_KEY"
	envClientID     = "ZSCALER_CLIENT_ID"
	envClientSecret = "ZSCALER_CLIENT_SECRET"
	envPrivateKey   = "ZSCALER_PRIVATE_KEY"
	envVanityDomain = "ZSCALER_VANITY_DOMAIN"
	envTokenURL     = "ZSCALER_TOKEN_URL"
)

const (
	defaultMaxRetries            = 5
	maxMaxRetries                = 20
	defaultRequestTimeoutSeconds = 30
	maxRequestTimeoutSeconds     = 300
)

// settings is the provider configuration after env fallbacks, defaults and
// checks: everything the client and the data source need.
type settings struct {
	cloud         string
	authMode      client.AuthMode
	baseURLOrigin string // where client.BaseURL came from, for messages
	// hasLogin is false when no credential is set at all: the provider still
	// serves what needs no API (the base URL), and says so when a call is needed.
	hasLogin bool
	client   client.Config
	// privateKeyPEM is the OneAPI private key's text, kept only to mask it in logs.
	privateKeyPEM string
	// apiKeyOrigin is where legacy login's api_key came from, for the warnings
	// that say which setting to update when the organization's key changes.
	apiKeyOrigin string
}

// setting is one argument's value and where it came from, for messages.
type setting struct {
	attr   string
	env    string // the env var the value came from, "" when from the provider block
	value  string
	isSet  bool
	config bool
}

func (s setting) origin() string {
	if s.env != "" {
		return "environment variable " + s.env
	}
	return "argument " + s.attr
}

// pick reads an argument, falling back to the first env var that is set.
func pick(attr string, v types.String, lookupEnv LookupEnv, envs ...string) setting {
	if !v.IsNull() && !v.IsUnknown() {
		return setting{attr: attr, value: v.ValueString(), isSet: true, config: true}
	}
	for _, name := range envs {
		if val, ok := lookupEnv(name); ok && val != "" {
			return setting{attr: attr, env: name, value: val, isSet: true}
		}
	}
	return setting{attr: attr}
}

// resolveSettings turns the provider block and the environment into settings,
// or into diagnostics that name the argument, its env var and the fix.
func resolveSettings(m providerModel, lookupEnv LookupEnv) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s settings

	for attr, v := range map[string]types.String{
		"cloud": m.Cloud, "base_url": m.BaseURL, "username": m.Username, "password": m.Password,
		"api_key": m.APIKey, "client_id": m.ClientID, "client_secret": m.ClientSecret,
		"private_key": m.PrivateKey, "vanity_domain": m.VanityDomain, "token_url": m.TokenURL,
	} {
		if v.IsUnknown() {
			diags.AddAttributeError(path.Root(attr), "Provider argument not known at plan time",
				attr+" depends on a value that is known only after apply, but the provider needs it to plan. "+
					"Set it from a value known at plan time (a variable, a data source), or apply what it comes from first.")
		}
	}
	if m.MaxRetries.IsUnknown() || m.RequestTimeout.IsUnknown() {
		diags.AddError("Provider argument not known at plan time",
			"max_retries and request_timeout must be known at plan time: set them to constants or variables.")
	}
	if diags.HasError() {
		return s, diags
	}

	cloud := pick("cloud", m.Cloud, lookupEnv, envCloud, envCloudVendor)
	s.cloud = client.DefaultCloud
	if cloud.isSet {
		// space around the name is ignored: an exported variable often ends in a newline
		name := cloudName(strings.TrimSpace(cloud.value))
		if name == "" {
			diags.AddAttributeError(path.Root("cloud"), "Unknown Zscaler cloud",
				fmt.Sprintf("%s is %q, which is not a Zscaler cloud. Valid clouds: %s. Set it to the cloud in your "+
					"admin portal's URL, or leave it unset for %s.",
					cloud.origin(), cloud.value, strings.Join(client.Clouds(), ", "), client.DefaultCloud))
			return s, diags
		}
		s.cloud = name
	}

	legacy, oneAPI := loginSettings(m, lookupEnv)
	tokenURL := pick("token_url", m.TokenURL, lookupEnv, envTokenURL)

	// Arguments in the provider block win over the environment: a legacy login
	// written in HCL is not spoiled by ZSCALER_* variables meant for another provider.
	legacyInConfig, oneAPIInConfig := anyFromConfig(legacy), anyFromConfig(oneAPI)
	switch {
	case legacyInConfig && oneAPIInConfig:
		diags.Append(mixedLoginError(legacy, oneAPI))
		return s, diags
	case legacyInConfig:
		oneAPI = onlyFromConfig(oneAPI)
	case oneAPIInConfig:
		legacy = onlyFromConfig(legacy)
	default:
		if anySet(legacy) && anySet(oneAPI) {
			diags.Append(mixedLoginError(legacy, oneAPI))
			return s, diags
		}
	}

	s.authMode = client.AuthLegacy
	switch {
	case anySet(oneAPI):
		s.authMode = client.AuthOneAPI
		s.hasLogin = true
		diags.Append(checkOneAPI(&s, oneAPI, tokenURL)...)
	case anySet(legacy):
		s.hasLogin = true
		diags.Append(checkLegacy(&s, legacy)...)
	}

	baseURL := pick("base_url", m.BaseURL, lookupEnv, envBaseURL)
	if baseURL.isSet {
		u, err := client.CheckEndpointURL(baseURL.value)
		if err == nil {
			u, err = withAPIPath(u, s.authMode)
		}
		if err != nil {
			diags.AddAttributeError(path.Root("base_url"), "Invalid base_url",
				fmt.Sprintf("%s: %s.", baseURL.origin(), err))
		}
		s.client.BaseURL, s.baseURLOrigin = u, baseURL.origin()
	} else if s.authMode == client.AuthOneAPI && !client.OneAPISupported(s.cloud) {
		diags.AddAttributeError(path.Root("client_id"), "OneAPI is not offered on this cloud",
			fmt.Sprintf("Cloud %s offers only legacy login. Use username, password and api_key (%s, %s, %s) "+
				"instead of client_id.", s.cloud, envUsername, envPassword, envAPIKey))
	} else {
		u, err := client.BaseURL(s.cloud, s.authMode)
		if err != nil {
			diags.AddAttributeError(path.Root("cloud"), "No API base URL for this cloud", err.Error())
		}
		s.client.BaseURL, s.baseURLOrigin = u, fmt.Sprintf("cloud %q", s.cloud)
	}

	s.client.MaxRetries = defaultMaxRetries
	if !m.MaxRetries.IsNull() {
		s.client.MaxRetries = int(m.MaxRetries.ValueInt64())
	}
	s.client.RequestTimeout = time.Duration(cmp.Or(m.RequestTimeout.ValueInt64(), defaultRequestTimeoutSeconds)) * time.Second
	return s, diags
}

// loginSettings are the arguments of each login mode, in the order that
// checkLegacy and checkOneAPI expect.
func loginSettings(m providerModel, lookupEnv LookupEnv) (legacy, oneAPI []setting) {
	legacy = []setting{
		pick("username", m.Username, lookupEnv, envUsername),
		pick("password", m.Password, lookupEnv, envPassword),
		pick("api_key", m.APIKey, lookupEnv, envAPIKey),
	}
	oneAPI = []setting{
		pick("client_id", m.ClientID, lookupEnv, envClientID),
		pick("client_secret", m.ClientSecret, lookupEnv, envClientSecret),
		pick("private_key", m.PrivateKey, lookupEnv, envPrivateKey),
		pick("vanity_domain", m.VanityDomain, lookupEnv, envVanityDomain),
	}
	return legacy, oneAPI
}

func checkLegacy(s *settings, legacy []setting) diag.Diagnostics {
	var diags diag.Diagnostics
	envOf := map[string]string{"username": envUsername, "password": envPassword, "api_key": envAPIKey}
	for _, v := range legacy {
		if !v.isSet {
			diags.AddAttributeError(path.Root(v.attr), "Incomplete legacy login",
				fmt.Sprintf("Legacy login needs username, password and api_key, and %s is not set. Set %s in the "+
					"provider block or the %s environment variable, or log in with OneAPI (client_id) instead.",
					v.attr, v.attr, envOf[v.attr]))
		}
	}
	username, password, apiKey := legacy[0], legacy[1], legacy[2]
	if apiKey.isSet && apiKey.env != "" {
		if err := checkLoginKey(apiKey.value); err != nil {
			diags.AddAttributeError(path.Root("api_key"), "Invalid api_key",
				fmt.Sprintf("%s: %s.", apiKey.origin(), err))
		}
	}
	s.client.Username, s.client.Password, s.client.APIKey = username.value, password.value, apiKey.value
	s.apiKeyOrigin = apiKey.origin()
	return diags
}

func checkOneAPI(s *settings, oneAPI []setting, tokenURL setting) diag.Diagnostics {
	var diags diag.Diagnostics
	clientID, secret, privateKey, vanity := oneAPI[0], oneAPI[1], oneAPI[2], oneAPI[3]
	if !clientID.isSet {
		diags.AddAttributeError(path.Root("client_id"), "Incomplete OneAPI login",
			fmt.Sprintf("OneAPI login is configured (%s is set) but client_id is not. Set client_id in the provider "+
				"block or the %s environment variable.", firstSet(oneAPI).origin(), envClientID))
	} else if !client.ClientIDPattern.MatchString(clientID.value) {
		// the client would refuse it in Configure with a message that names no argument
		diags.AddAttributeError(path.Root("client_id"), "Invalid client_id",
			fmt.Sprintf("%s holds spaces or characters outside printable ASCII, which no OneAPI client ID has. Copy "+
				"it again from ZIdentity (Integration > API Clients), without quotes or line breaks.", clientID.origin()))
	}
	switch {
	case secret.isSet && privateKey.isSet:
		diags.AddAttributeError(path.Root("private_key"), "Conflicting OneAPI credentials",
			fmt.Sprintf("Both %s and %s are set. A OneAPI client logs in with a secret or with a private key, "+
				"not both: remove one.", secret.origin(), privateKey.origin()))
	case !secret.isSet && !privateKey.isSet:
		diags.AddAttributeError(path.Root("client_secret"), "Incomplete OneAPI login",
			fmt.Sprintf("OneAPI login needs client_secret or private_key, and neither is set. Set client_secret "+
				"(%s) or private_key (%s).", envClientSecret, envPrivateKey))
	}
	if privateKey.isSet {
		text, key, err := loadPrivateKey(privateKey.value)
		if err != nil {
			diags.AddAttributeError(path.Root("private_key"), "Invalid private_key",
				fmt.Sprintf("%s: %s.", privateKey.origin(), err))
		}
		s.privateKeyPEM, s.client.PrivateKey = text, key
	}
	if vanity.isSet && vanity.env != "" {
		if err := checkVanityDomain(vanity.value); err != nil {
			diags.AddAttributeError(path.Root("vanity_domain"), "Invalid vanity_domain",
				fmt.Sprintf("%s: %s.", vanity.origin(), err))
		}
	}
	switch {
	case tokenURL.isSet:
		u, err := client.CheckEndpointURL(tokenURL.value)
		if err != nil {
			diags.AddAttributeError(path.Root("token_url"), "Invalid token_url",
				fmt.Sprintf("%s: %s.", tokenURL.origin(), err))
		}
		s.client.TokenURL = u
	case !vanity.isSet:
		diags.AddAttributeError(path.Root("vanity_domain"), "Incomplete OneAPI login",
			fmt.Sprintf("OneAPI login needs vanity_domain (the name in https://<vanity_domain>.zslogin.net) to find "+
				"its token URL. Set vanity_domain or the %s environment variable, or set token_url (%s).",
				envVanityDomain, envTokenURL))
	case client.OneAPISupported(s.cloud):
		u, err := client.TokenURL(s.cloud, vanity.value)
		if err != nil {
			diags.AddAttributeError(path.Root("vanity_domain"), "No OneAPI token URL", err.Error())
		}
		s.client.TokenURL = u
	}
	s.client.ClientID, s.client.ClientSecret = clientID.value, secret.value
	return diags
}

func mixedLoginError(legacy, oneAPI []setting) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("client_id"), "Both legacy and OneAPI login are configured",
		fmt.Sprintf("Legacy login: %s. OneAPI login: %s. Keep one login and remove the other's settings.",
			whereSet(legacy), whereSet(oneAPI)))
}

func anySet(ss []setting) bool { return firstSet(ss).isSet }

func firstSet(ss []setting) setting {
	for _, s := range ss {
		if s.isSet {
			return s
		}
	}
	return setting{}
}

func anyFromConfig(ss []setting) bool {
	for _, s := range ss {
		if s.config {
			return true
		}
	}
	return false
}

func onlyFromConfig(ss []setting) []setting {
	out := make([]setting, len(ss))
	for i, s := range ss {
		if s.config {
			out[i] = s
		} else {
			out[i] = setting{attr: s.attr}
		}
	}
	return out
}

// whereSet lists the settings that are set, by where they come from:
// "username in the provider block; ZTC_PASSWORD, ZTC_API_KEY in the environment".
func whereSet(ss []setting) string {
	var block, env []string
	for _, s := range ss {
		switch {
		case s.config:
			block = append(block, s.attr)
		case s.isSet:
			env = append(env, s.env)
		}
	}
	var parts []string
	if len(block) > 0 {
		parts = append(parts, strings.Join(block, ", ")+" in the provider block")
	}
	if len(env) > 0 {
		parts = append(parts, strings.Join(env, ", ")+" in the environment")
	}
	return strings.Join(parts, "; ")
}

// maxPrivateKeyFile bounds what is read of a private_key path: a PEM RSA key
// of 16384 bits takes about 13 KB.
const maxPrivateKeyFile = 64 << 10

// loadPrivateKey reads private_key, PEM text or the path of a file holding
// it, for its validator and for Configure alike. It returns the PEM text too
// (the file's, for a path), which Configure masks in the provider's logs.
// Its errors never quote the key.
func loadPrivateKey(value string) (text string, key *rsa.PrivateKey, err error) {
	text = value
	if !strings.Contains(value, "-----BEGIN") {
		b, err := readKeyFile(value)
		if err != nil {
			return "", nil, errors.New("it is neither PEM text nor the path of a readable file")
		}
		text = string(b)
	}
	key, err = client.ParsePrivateKey(text)
	if err != nil {
		return text, nil, fmt.Errorf("%w; give an RSA private key in PEM form (PKCS #1 or PKCS #8), or the path of a file holding one", err)
	}
	// the client refuses smaller keys; saying so here names the argument
	if bits := key.N.BitLen(); bits < client.MinPrivateKeyBits {
		return text, nil, fmt.Errorf("the RSA key has %d bits, and OneAPI signing needs at least %d; give a key of %d bits or more",
			bits, client.MinPrivateKeyBits, client.MinPrivateKeyBits)
	}
	return text, key, nil
}

// readKeyFile reads a regular file of at most maxPrivateKeyFile bytes: a
// path such as /dev/zero or a named pipe would otherwise never end.
func readKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() || info.Size() > maxPrivateKeyFile {
		return nil, errors.New("not a regular file of a key's size")
	}
	f, err := os.Open(path) //nolint:gosec // the path is the user's own configuration
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxPrivateKeyFile+1))
	if err != nil || len(b) > maxPrivateKeyFile {
		return nil, errors.New("not a regular file of a key's size")
	}
	return b, nil
}

// The API paths of the two login modes, as on Zscaler's hosts.
const (
	legacyAPIPath = "/api/v1"
	oneAPIAPIPath = "/ztw/api/v1"
)

// withAPIPath completes a base URL given as a bare host with the login
// mode's API path, and refuses the other mode's path, which the API would
// answer with 404s or refused logins that look like a missing key or bad
// credentials. Other paths (a proxy's prefix, say) are taken as they are.
func withAPIPath(u string, mode client.AuthMode) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	host := parsed.Scheme + "://" + parsed.Host
	want := legacyAPIPath
	if mode == client.AuthOneAPI {
		want = oneAPIAPIPath
	}
	p := strings.TrimRight(parsed.Path, "/")
	var found string // the mode whose path p ends in; OneAPI's first, since it ends in legacy's
	switch {
	case p == "":
		return host + want, nil
	case strings.HasSuffix(p, oneAPIAPIPath):
		found = oneAPIAPIPath
	case strings.HasSuffix(p, legacyAPIPath):
		found = legacyAPIPath
	}
	if found == "" || found == want {
		return u, nil
	}
	return "", fmt.Errorf("%s ends in %s, the API path of %s login, but this provider logs in with %s, whose API "+
		"path is %s; use %s%s", u, found, modeName(found == oneAPIAPIPath), modeName(mode == client.AuthOneAPI),
		want, host, strings.TrimSuffix(p, found)+want)
}

func modeName(oneAPI bool) string {
	if oneAPI {
		return "OneAPI"
	}
	return "legacy"
}
