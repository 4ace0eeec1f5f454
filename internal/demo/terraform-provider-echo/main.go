// Command terraform-provider-echo serves terraform-plugin-testing's echo
// provider as a plugin binary, so that make demo and the example checks can
// reach it through dev_overrides like any other provider: it is in no
// registry. It stands in for a secrets manager's write-only argument.
package main

import (
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
)

func main() {
	srv, err := echoprovider.NewProviderServer()()
	if err != nil {
		log.Fatal(err)
	}
	if err := tf6server.Serve("registry.terraform.io/hashicorp/echo", func() tfprotov6.ProviderServer { return srv }); err != nil {
		log.Fatal(err)
	}
}
