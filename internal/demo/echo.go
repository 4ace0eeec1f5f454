package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
)

// echoSource is the source address under which the echo provider is
// reattached; the demo's configurations name it as "hashicorp/echo".
const echoSource = "registry.terraform.io/hashicorp/echo"

// echoServer is terraform-plugin-testing's echo provider served in this
// process, for Terraform to reach through TF_REATTACH_PROVIDERS. Nothing is
// downloaded or installed for it.
type echoServer struct {
	reattach string // the TF_REATTACH_PROVIDERS value
	network  string // where it listens ("unix" and a socket path)
	address  string
	cancel   context.CancelFunc
	closed   chan struct{}
}

// reattachConfig is the JSON shape Terraform reads from TF_REATTACH_PROVIDERS
// (go-plugin's ReattachConfig, whose Addr does not marshal by itself).
type reattachConfig struct {
	Protocol        string
	ProtocolVersion int
	Pid             int
	Test            bool
	Addr            struct{ Network, String string }
}

// startEcho serves the echo provider until stop is called.
func startEcho(ctx context.Context) (*echoServer, error) {
	srv, err := echoprovider.NewProviderServer()()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve(echoSource, func() tfprotov6.ProviderServer { return srv },
			tf6server.WithDebug(ctx, configs, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithoutLogStderrOverride(),
		)
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configs:
	case err := <-served:
		cancel()
		if err == nil {
			err = errors.New("the server stopped before it was ready")
		}
		return nil, fmt.Errorf("serving the echo provider: %w", err)
	case <-time.After(10 * time.Second):
		cancel()
		return nil, errors.New("serving the echo provider: no reattach configuration after 10s")
	}
	rc := reattachConfig{Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test}
	rc.Addr.Network, rc.Addr.String = cfg.Addr.Network(), cfg.Addr.String()
	b, err := json.Marshal(map[string]reattachConfig{echoSource: rc})
	if err != nil {
		cancel()
		<-closed
		return nil, err
	}
	return &echoServer{reattach: string(b), network: rc.Addr.Network, address: rc.Addr.String, cancel: cancel, closed: closed}, nil
}

// Env is the variable that points Terraform at this server.
func (e *echoServer) Env() string { return "TF_REATTACH_PROVIDERS=" + e.reattach }

// Stop ends the server and waits until it has stopped serving.
func (e *echoServer) Stop() {
	e.cancel()
	<-e.closed
}
