// Package release holds the tests that install this provider as users do:
// goreleaser's snapshot, laid out as a filesystem mirror, and `make install`'s
// build in Terraform's implied local mirror, each taken by `terraform init`
// with no dev_overrides, then applied against the simulator.
// `make release-snapshot` builds the full release.
package release
