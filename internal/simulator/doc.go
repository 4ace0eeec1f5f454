// Package simulator is an in-memory stand-in for the Zscaler Cloud & Branch Connector
// API, as far as API keys go, served over HTTP for tests, demos and benchmarks: legacy
// and OneAPI login, the /apiKeys calls, the API's errors and rate limits, and, under
// /_simulator/, controls for faults, latency, the clock and the organizations.
//
// README.md, beside this file, describes the API it follows (and which parts of it are
// documented by the vendor and which inferred), how to run it, and every control.
// Where the API's documentation is silent the simulator picks the strict reading, and
// the code that makes each choice says so. Every key, password and secret it holds is
// fake: generated, or given by its user.
package simulator
