package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/client"
)

// apiOperation names what the provider was doing, for the summary line.
type apiOperation string

const (
	opRead        apiOperation = "read the organization's API key"
	opAdd         apiOperation = "add an API key"
	opEdit        apiOperation = "edit the API key string"
	opSetOnCreate apiOperation = "set the adopted key's string"
	opRegenerate  apiOperation = "regenerate the API key"
	opDelete      apiOperation = "delete the API key"
)

// apiError turns a client error into what the user reads: what failed, why,
// and the fix for this provider's login mode. The client's errors carry no
// secrets.
func (d *providerData) apiError(op apiOperation, err error, attr path.Path) diag.Diagnostic {
	summary := "Cannot " + string(op)
	oneAPI := d != nil && d.settings.authMode == client.AuthOneAPI
	var detail string
	switch {
	case errors.Is(err, client.ErrNotSupported):
		detail = notSupportedAdvice(op)
	case errors.Is(err, client.ErrNotFound) && isEndpointCall(err):
		// A list or a login has no key to miss: a 404 there is the API's routing.
		detail = fmt.Sprintf("%s: no Cloud & Branch Connector API answers at %s (from %s). Check the URL: legacy "+
			"login uses https://connector.<cloud>.net/api/v1, OneAPI https://api.<cloud>.zsapi.net/ztw/api/v1.",
			err, d.settings.client.BaseURL, d.settings.baseURLOrigin)
	case errors.Is(err, client.ErrOneAPIOnly):
		detail = "This tenant has moved to OneAPI and refuses legacy login. Log in with OneAPI instead: set client_id, " +
			"client_secret (or private_key) and vanity_domain (" + envClientID + ", " + envClientSecret + ", " +
			envVanityDomain + ") and remove username, password and api_key."
	case errors.Is(err, client.ErrKeyDisabled):
		detail = "The organization's API key is disabled, so legacy login with it is refused. Enable it in the admin " +
			"portal (Administration > API Key Management), or log in with OneAPI."
	case errors.Is(err, client.ErrLoginRefused) && oneAPI:
		detail = "The OneAPI token request was refused: " + err.Error() + ". Check client_id and its client_secret " +
			"or private_key (" + envClientID + ", " + envClientSecret + ", " + envPrivateKey + "), and that " +
			"vanity_domain (" + envVanityDomain + ") names your ZIdentity tenant."
	case errors.Is(err, client.ErrLoginRefused):
		detail = "The legacy login was refused: " + err.Error() + ". Check username, password and api_key (" +
			envUsername + ", " + envPassword + ", " + envAPIKey + "). api_key is the organization's key: if it was " +
			"regenerated or deleted (in the portal, or by an apply), set api_key (" + envAPIKey + ") to the current key."
	case errors.Is(err, client.ErrForbidden) && oneAPI:
		detail = "The API refused the call: " + err.Error() + ". The OneAPI client needs the API Key Management " +
			"permission: grant it to the client's role in ZIdentity, then run the command again."
	case errors.Is(err, client.ErrForbidden):
		detail = "The API refused the call: " + err.Error() + ". The admin role needs the API Key Management " +
			"permission: grant it in the admin portal (Administration > Role Management), then run the command again."
	case errors.Is(err, client.ErrPaceLimit):
		// The message says which limit and when the call is allowed again.
		detail = err.Error() + "."
	case errors.Is(err, client.ErrRateLimited):
		detail = "The API kept answering 429 (rate limit) after the provider's retries: " + err.Error() + ". Another " +
			"tool may be using the same organization's limits. Wait a minute and run the command again, or raise max_retries."
	case errors.Is(err, client.ErrEditLocked):
		detail = "Another admin or tool holds the organization's edit lock (409 EDIT_LOCK_NOT_AVAILABLE) and kept it " +
			"through the provider's retries. Wait for their change to finish, then run the command again."
	case errors.Is(err, client.ErrOutcomeUnknown):
		detail = "The API did not confirm whether the change happened, and checking failed too: " + err.Error() +
			". Nothing is lost: run `terraform plan` (or `terraform apply -refresh-only`) to see the key as it is, then " +
			"apply again if it still differs from the configuration."
	case errors.Is(err, client.ErrNotFound):
		detail = "The key no longer exists at the API (deleted since the plan was made?): " + err.Error() + ". Run " +
			"`terraform apply` again: its refresh notices the key is gone and the plan adopts or adds one."
	case errors.Is(err, client.ErrInvalidInput):
		detail = "The API refused the request: " + err.Error() + "."
	case errors.Is(err, client.ErrUnauthorized):
		detail = "The API refused the session even after a fresh login: " + err.Error() + ". Check that the login " +
			"credentials are current, then run the command again."
	case errors.Is(err, client.ErrTLS):
		detail = fmt.Sprintf("%s. Nothing was sent, and running the command again will not help. Check that the URL "+
			"(from %s) is the API's; if a TLS-intercepting proxy is in the way (HTTPS_PROXY, NO_PROXY), or the "+
			"endpoint uses a private CA, give this machine that CA: SSL_CERT_FILE or SSL_CERT_DIR, or the system's "+
			"trust store.", err, d.urlOrigin(err))
	case errors.Is(err, client.ErrUnreachable):
		detail = fmt.Sprintf("%s. Check the URL (from %s), that this machine can reach it, and any proxy "+
			"(HTTPS_PROXY, NO_PROXY).", err, d.urlOrigin(err))
	case errors.Is(err, client.ErrTimeout):
		detail = fmt.Sprintf("%s. The endpoint took the connection but sent no answer. Check that the URL (from %s) "+
			"points at the API, and any proxy (HTTPS_PROXY); raise request_timeout only if the API is known to be slow.",
			err, d.urlOrigin(err))
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		detail = "The request did not finish in time (request_timeout) or was interrupted: " + err.Error() + ". Run " +
			"`terraform plan` to see the key as it is, then apply again; raise request_timeout if the API is slow."
	default:
		detail = "The API call failed: " + err.Error() + ". Run the command again; if it keeps failing, run " +
			"`terraform plan` to see the key as it is."
	}
	if attr.Equal(path.Empty()) {
		return diag.NewErrorDiagnostic(summary, detail)
	}
	return diag.NewAttributeErrorDiagnostic(attr, summary, detail)
}

// urlOrigin says where the URL of a failed request came from: the token
// URL for a OneAPI token request, the base URL for every other call.
func (d *providerData) urlOrigin(err error) string {
	var te *client.TransportError
	if errors.As(err, &te) && te.Op == client.OpToken {
		return "token_url or " + envTokenURL + ", else vanity_domain"
	}
	if d == nil || d.settings.baseURLOrigin == "" {
		return "base_url or " + envBaseURL + ", else cloud"
	}
	return d.settings.baseURLOrigin
}

// isEndpointCall reports whether err is the answer to a call that names no
// key (a list, a login, a token request).
func isEndpointCall(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && (ae.Op == client.OpList || ae.Op == client.OpLogin || ae.Op == client.OpToken)
}

// notSupportedAdvice: tenants without the inferred calls can still do these
// things in the portal; say where, and how Terraform catches up afterwards.
func notSupportedAdvice(op apiOperation) string {
	const tenant = "This tenant does not offer this call through its API (regenerate and read work everywhere). "
	switch op {
	case opEdit:
		return tenant + "Set the key string in the admin portal (Administration > API Key Management), then run " +
			"`terraform apply -refresh-only` so that the state takes it; or remove key and key_wo to keep the key as it is."
	case opSetOnCreate:
		return tenant + "Set the string in the admin portal (Administration > API Key Management) and apply again: " +
			"a key that already holds the configured string is adopted without an edit. Or remove key and key_wo to " +
			"adopt the key as it is."
	case opAdd:
		return tenant + "The organization has no API key: add one in the admin portal (Administration > API Key " +
			"Management), then run `terraform apply` again, which takes it over, or import it with the ID `current`."
	case opDelete:
		return tenant + "Delete the key in the admin portal (Administration > API Key Management) and run " +
			"`terraform apply -refresh-only`, which drops it from the state; or set delete_on_destroy = false, apply, " +
			"and destroy again to leave the key in place."
	default:
		return tenant + "Make the change in the admin portal (Administration > API Key Management), then run " +
			"`terraform apply -refresh-only`."
	}
}

// The warnings below are the ones a plan shows before the apply changes or
// deletes the key, and the few an apply shows when it did less than the plan
// said. Each says what the apply will really do.

// loginKeyNote adds, under legacy login, that the key is the one this
// provider logs in with and which setting to update with what; "" under OneAPI.
func (d *providerData) loginKeyNote(newString string) string {
	if !d.legacyLogin() {
		return ""
	}
	return fmt.Sprintf(" This is the key this provider logs in with (legacy login, api_key from %s): set it to %s "+
		"before the next run, or log in with OneAPI, which does not depend on the key.", d.settings.apiKeyOrigin, newString)
}

// regeneratingWarning: the apply gives key id a new random string.
func (d *providerData) regeneratingWarning(id int64, why string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Regenerating the organization's API key",
		fmt.Sprintf("%s, so this apply regenerates key %d: a new random string, in this resource's sensitive key "+
			"attribute. Whatever uses the current string stops working.%s", why, id,
			d.loginKeyNote("the new string (terraform output, or the cloudconnector_api_key ephemeral resource)")))
}

// loginKeyEditWarning: under legacy login, the apply edits the login key.
func (d *providerData) loginKeyEditWarning(id int64, from string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("This apply changes the provider's login key",
		fmt.Sprintf("This apply sets key %d to the string in %s.%s", id, from, d.loginKeyNote("that string")))
}

// driftWarning: under key_wo, the key changed outside Terraform and the apply
// sets key_wo again.
func (d *providerData) driftWarning(now keyVersion) diag.Diagnostic {
	when := "at an unknown time"
	if now.Time != "" {
		when = "at " + now.Time
	}
	by := ""
	if now.By != "" {
		by = " by " + now.By
	}
	return diag.NewWarningDiagnostic("The API key was changed outside Terraform",
		fmt.Sprintf("Key %d was changed %s%s, after this resource last set it from key_wo. This apply sets it to "+
			"key_wo again.%s", now.ID, when, by, d.loginKeyNote("the key_wo string")))
}
