package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seed62df8d36/terraform-provider-cloudconnector/internal/simulator"
)

// The operations of the calls table, in its order.
const (
	opPlanNothing = "plan, nothing to do"
	opPlanDrift   = "plan with drift"
	opApplyEdit   = "apply of an edit"
	opApplyRotate = "apply of a rotation"
	opImport      = "import (`import` block, apply)"
	opDestroy     = "destroy (`delete_on_destroy = true`)"
	opForget      = "destroy (default: forget)"
)

var callOps = []string{opPlanNothing, opPlanDrift, opApplyEdit, opApplyRotate, opImport, opDestroy, opForget}

// callLogin stands for the login call of either mode (login or token).
const callLogin simulator.Op = "login"

// callFloors are the calls each operation cannot do without, per provider
// process that needs the API: one login each, and the operation's own calls.
// Terraform starts a new process per walk, so an apply logs in twice: in the
// plan walk (refresh) and in the apply walk. A rotation's new half gets no
// prior state, so the apply walk lists the key again before it regenerates it.
var callFloors = map[string]map[simulator.Op]int{
	opPlanNothing: {callLogin: 1, simulator.OpList: 1},
	opPlanDrift:   {callLogin: 1, simulator.OpList: 1},
	opApplyEdit:   {callLogin: 2, simulator.OpList: 1, simulator.OpEdit: 1},
	opApplyRotate: {callLogin: 2, simulator.OpList: 2, simulator.OpRegenerate: 1},
	opImport:      {callLogin: 1, simulator.OpList: 1},
	opDestroy:     {callLogin: 2, simulator.OpList: 1, simulator.OpDelete: 1},
	opForget:      {callLogin: 1, simulator.OpList: 1},
}

// callReasons say why an operation makes more calls than its floor; the
// report prints one where the measurement shows an excess.
var callReasons = map[string]string{
	opDestroy: "Delete lists to check that the key is still as the destroy's plan saw it (a saved plan " +
		"applied late, a change in the portal) before it deletes it",
}

// countedOps are the calls compared with the floor, in the report's order.
var countedOps = []simulator.Op{callLogin, simulator.OpList, simulator.OpEdit, simulator.OpRegenerate,
	simulator.OpAdd, simulator.OpDelete, simulator.OpSessionStatus, simulator.OpLogout}

// callRow is one operation in one login mode.
type callRow struct {
	Op, Mode    string
	Processes   int // provider processes terraform started
	Calls       map[simulator.Op]int
	RateLimited int
}

// count is the row's calls of op, callLogin counting either login.
func (r callRow) count(op simulator.Op) int {
	if op == callLogin {
		return r.Calls[simulator.OpLogin] + r.Calls[simulator.OpToken]
	}
	return r.Calls[op]
}

// excess lists the calls above the floor, e.g. "+1 list".
func (r callRow) excess() []string {
	var out []string
	for _, op := range countedOps {
		if d := r.count(op) - callFloors[r.Op][op]; d > 0 {
			out = append(out, fmt.Sprintf("+%d %s", d, op))
		}
	}
	return out
}

// callsPhase runs one key's life, once per login mode, each in an
// organization of its own: import, plans, edit, drift, rotation, both kinds
// of destroy; and counts the calls the simulator served for each command.
// Between commands the simulator's clock moves a minute on, so that no rate
// window (delete: 1 per minute) carries over.
func (b *bench) callsPhase(ctx context.Context) ([]callRow, error) {
	sim, err := startSimulator("legacy", "oneapi")
	if err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()
	const edited, triggers, deletes = "  key = \"BenchEdit001\"\n", "  regenerate_triggers = { n = \"%d\" }\n", "  delete_on_destroy = true\n"
	steps := []struct {
		op, body, want string
		importBlock    bool
		cmd            []string
	}{
		{op: opImport, importBlock: true, want: "1 imported", cmd: applyArgs},
		{op: opPlanNothing, want: "No changes.", cmd: planArgs},
		{op: opApplyEdit, body: edited, want: "1 changed", cmd: applyArgs},
		{op: opPlanDrift, body: edited, want: "1 to change", cmd: planArgs},
		{body: fmt.Sprintf(triggers, 0), cmd: applyArgs}, // to the rotation configuration (not counted)
		{op: opApplyRotate, body: fmt.Sprintf(triggers, 1), want: "1 added, 0 changed, 1 destroyed", cmd: applyArgs},
		{op: opForget, body: fmt.Sprintf(triggers, 1), want: "1 destroyed", cmd: destroyArgs},
		{importBlock: true, body: deletes, want: "1 imported", cmd: applyArgs},
		{op: opDestroy, body: deletes, want: "1 destroyed", cmd: destroyArgs},
	}
	var rows []callRow
	for _, mode := range []string{"legacy", "OneAPI"} {
		org := sim.Organization(strings.ToLower(mode))
		for i, s := range steps {
			if s.op == opPlanDrift { // the key changes in the portal
				if _, err := org.RegenerateKey(); err != nil {
					return nil, err
				}
			}
			sim.Advance(time.Minute + time.Second)
			text := terraformBlock(ours) + providerBlock(sim, org, sim.URL(), "", mode == "OneAPI") +
				"resource \"cloudconnector_api_key\" \"this\" {\n" + s.body + "}\n"
			if s.importBlock {
				text += "import {\n  to = cloudconnector_api_key.this\n  id = \"current\"\n}\n"
			}
			dir, err := b.workdir("calls-"+org.Name(), text)
			if err != nil {
				return nil, err
			}
			logPath := filepath.Join(dir, fmt.Sprintf("terraform-%d.log", i))
			sim.ResetCounts()
			out, _, _, err := b.terraform(ctx, dir, map[string]string{"TF_LOG": "debug", "TF_LOG_PATH": logPath}, s.cmd...)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", s.op, mode, err)
			}
			if !strings.Contains(out, s.want) {
				return nil, fmt.Errorf("%s, %s: the output lacks %q:\n%s", s.op, mode, s.want, out)
			}
			if s.op == "" {
				continue
			}
			log, err := os.ReadFile(logPath)
			if err != nil {
				return nil, err
			}
			// the provider's logs are off only when no TF_LOG* is set (quietlogs)
			if !strings.Contains(string(log), " provider.terraform-provider-cloudconnector: ") {
				return nil, fmt.Errorf("%s with TF_LOG=debug: the log holds no line from the provider", s.op)
			}
			c := org.Counts()
			rows = append(rows, callRow{Op: s.op, Mode: mode, Calls: c.Calls, RateLimited: c.RateLimited,
				Processes: strings.Count(string(log), "starting plugin: path="+b.bins[ours]+" ")})
			b.logf("%-40s %-7s %d processes, calls %v", s.op, mode, rows[len(rows)-1].Processes, c.Calls)
		}
		if _, found := org.Key(); found {
			return nil, fmt.Errorf("organization %s still has a key after destroy with delete_on_destroy", org.Name())
		}
	}
	slices.SortStableFunc(rows, func(x, y callRow) int { return slices.Index(callOps, x.Op) - slices.Index(callOps, y.Op) })
	return rows, nil
}
