package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/testsupport"
)

// envFactories serves this provider reading env, and the echo provider that
// tests of the ephemeral resource hand its values to.
func envFactories(env *testsupport.Env) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		TypeName: providerserver.NewProtocol6WithError(NewWithEnv("test", env.Lookup)()),
		"echo":   echoprovider.NewProviderServer(),
	}
}

// simulatorCheck runs f after apply, against the simulator rather than the state.
type simulatorCheck func() error

func (f simulatorCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

// expectSimKeyValue: the organization's key string at the API is want.
func expectSimKeyValue(org *simulator.Organization, want string) statecheck.StateCheck {
	return simulatorCheck(func() error {
		k, ok := org.Key()
		if !ok {
			return fmt.Errorf("organization %s has no key", org.Name())
		}
		if k.Value != want {
			return fmt.Errorf("organization %s's key %d holds another string than the configured one", org.Name(), k.ID)
		}
		return nil
	})
}

// notInState fails when any of the strings appears anywhere in the state, as
// `terraform show -json` gives it (sensitive values included).
type notInState []string

func expectNotInState(secrets ...string) statecheck.StateCheck { return notInState(secrets) }

func (n notInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	for i, s := range n {
		if strings.Contains(string(raw), s) {
			resp.Error = fmt.Errorf("secret #%d appears in the state", i+1)
			return
		}
	}
}
