// Package quietlogs turns a provider process's log output off when the user
// asked for no log. Terraform discards a provider's logs then, yet the SDK
// would still encode every RPC's TRACE lines as JSON and Terraform decode
// each (make bench: some 15% of a plan's CPU). cloudconnector and the
// benchmark's do-nothing provider both call it, so that the floor it is
// measured against is as quiet as it is.
package quietlogs

import "strings"

// Levels are the provider-side log levels that default to TRACE when unset:
// terraform-plugin-go's and the framework's, and cloudconnector's own.
var Levels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CLOUDCONNECTOR"}

// UnlessLogging sets every level in Levels to "off" when no TF_LOG* or
// TF_ACC_LOG* variable in environ has a value. Terraform's environment
// reaches the provider, so any TF_LOG* the user sets keeps logging.
func UnlessLogging(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value != "" && (strings.HasPrefix(name, "TF_LOG") || strings.HasPrefix(name, "TF_ACC_LOG")) {
			return
		}
	}
	for _, name := range Levels {
		_ = setenv(name, "off")
	}
}
