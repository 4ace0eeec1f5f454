// Package simulator is an in-memory stand-in for the Zscaler Cloud & Branch Connector
// API, as far as API keys go, served over HTTP for tests, demos and benchmarks.
//
// What it implements follows /work/shared/api-contract.md, and it keeps that
// document's split between facts that are documented and facts that are inferred:
//
// Documented by the vendor (public API reference, help pages, the vendor's SDKs):
//   - legacy login (POST/GET/DELETE /api/v1/auth) with the obfuscated key, the
//     JSESSIONID session cookie and the 30-minute idle timeout;
//   - OneAPI login: the client-credentials token endpoint, with a client secret or an
//     RS256 private-key JWT assertion, and Bearer tokens on /ztw/api/v1;
//   - GET /apiKeys (with partner keys on request) and POST /apiKeys/{id}/regenerate;
//   - the error shape {"code","message"}, the 429 rate-limit body, the per-call rate
//     limits, the edit lock (409 EDIT_LOCK_NOT_AVAILABLE) and 403 ONLY_ONEAPI_SUPPORTED.
//
// Inferred (the admin portal can do it, the public reference does not show it):
//   - POST /apiKeys (add while the organization has no key, else 400 DUPLICATE_ITEM),
//     PUT /apiKeys/{id} with {"keyValue"} (12 letters or digits, different from the
//     current one) and DELETE /apiKeys/{id}. An organization created with
//     OrgConfig.WithoutInferredCalls answers these with 405, so that a client can be
//     tested against a tenant where they do not exist.
//
// Where the contract is silent the simulator picks the strict reading, and its
// choices are written beside the code that makes them. Beyond the API it offers
// fault injection (Fault), latency, a movable clock (Advance), out-of-band changes
// as an administrator would make them in the portal (Organization methods), call
// counts, and the same controls over HTTP under /_simulator/. Every key, password
// and secret it holds is fake and generated or given by its user.
package simulator
