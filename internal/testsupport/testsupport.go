// Package testsupport holds what several test packages need: the simulator
// started per test, the environments and listeners that reach it, and the
// terraform binary the tests run.
package testsupport

// OpenTofuRegistryHost is where OpenTofu looks for a provider source without a host.
const OpenTofuRegistryHost = "registry.opentofu.org"
