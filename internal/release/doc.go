// Package release holds the test that installs this provider as users do:
// goreleaser's snapshot, laid out as a filesystem mirror, taken by
// `terraform init` with no dev_overrides, then planned and applied against
// the simulator. `make release-snapshot` builds the full release.
package release
