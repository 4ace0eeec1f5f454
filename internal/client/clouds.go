package client

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultCloud is the production cloud, used when no cloud is configured.
const DefaultCloud = "zscaler"

// OneAPIAudience is the audience every OneAPI token request names.
const OneAPIAudience = "https://api.zscaler.com"

// Clouds lists the Zscaler clouds that host the Cloud & Branch Connector API.
var clouds = []string{
	"zscaler", "zscalerone", "zscalertwo", "zscalerthree", "zscloud",
	"zscalerbeta", "zscalergov", "zscalerten", "zspreview",
}

// clouds where OneAPI is not offered: only legacy login reaches them.
var legacyOnlyClouds = []string{"zscalergov", "zscalerten"}

// Clouds returns the known cloud names in the vendor's order.
func Clouds() []string { return slices.Clone(clouds) }

// IsCloud reports whether name is a known cloud.
func IsCloud(name string) bool { return slices.Contains(clouds, name) }

// OneAPISupported reports whether OneAPI login is offered on the cloud.
func OneAPISupported(cloud string) bool {
	return IsCloud(cloud) && !slices.Contains(legacyOnlyClouds, cloud)
}

// AuthMode says how the client logs in.
type AuthMode string

const (
	// AuthLegacy is the session login with username, password and API key.
	AuthLegacy AuthMode = "legacy"
	// AuthOneAPI is the OAuth2 client-credentials login through ZIdentity.
	AuthOneAPI AuthMode = "oneapi"
)

// checkCloud refuses an unknown cloud, and one without OneAPI for a OneAPI login.
func checkCloud(cloud string, mode AuthMode) error {
	if !IsCloud(cloud) {
		return fmt.Errorf("unknown cloud %q: valid clouds are %s", cloud, strings.Join(clouds, ", "))
	}
	if mode == AuthOneAPI && !OneAPISupported(cloud) {
		return fmt.Errorf("OneAPI is not offered on cloud %q: use legacy login (username, password, api_key) there", cloud)
	}
	return nil
}

// BaseURL gives the API base URL of a cloud for an auth mode.
func BaseURL(cloud string, mode AuthMode) (string, error) {
	if err := checkCloud(cloud, mode); err != nil {
		return "", err
	}
	switch mode {
	case AuthLegacy:
		return "https://connector." + cloud + ".net/api/v1", nil
	case AuthOneAPI:
		if cloud == DefaultCloud {
			return "https://api.zsapi.net/ztw/api/v1", nil
		}
		return "https://api." + cloud + ".zsapi.net/ztw/api/v1", nil
	default:
		return "", fmt.Errorf("unknown auth mode %q: use %q or %q", mode, AuthLegacy, AuthOneAPI)
	}
}

// TokenURL gives the OneAPI token URL for a vanity domain on a cloud.
func TokenURL(cloud, vanityDomain string) (string, error) {
	if err := checkCloud(cloud, AuthOneAPI); err != nil {
		return "", err
	}
	if vanityDomain == "" {
		return "", fmt.Errorf("a vanity domain is needed to build the OneAPI token URL")
	}
	host := "zslogin.net"
	if cloud != DefaultCloud {
		host = "zslogin" + cloud + ".net"
	}
	return "https://" + vanityDomain + "." + host + "/oauth2/v1/token", nil
}
