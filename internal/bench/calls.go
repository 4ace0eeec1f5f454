package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// callLogin stands for the login call of either mode (login or token) in floors.
const callLogin simulator.Op = "login"

// callFloors are the calls each operation cannot do without, per provider
// process that needs the API: one login each, and the operation's own calls.
// Terraform starts a new process per walk, so an apply logs in twice: once
// in the plan walk (refresh), once in the apply walk.
var callFloors = map[string]map[simulator.Op]int{
	opPlanNothing: {callLogin: 1, simulator.OpList: 1},
	opPlanDrift:   {callLogin: 1, simulator.OpList: 1},
	opApplyEdit:   {callLogin: 2, simulator.OpList: 1, simulator.OpEdit: 1},
	// The refresh lists, and the key's ID is in the prior state: the
	// regenerate itself needs no list of its own.
	opApplyRotate: {callLogin: 2, simulator.OpList: 1, simulator.OpRegenerate: 1},
	opImport:      {callLogin: 1, simulator.OpList: 1},
	opDestroy:     {callLogin: 2, simulator.OpList: 1, simulator.OpDelete: 1},
	opForget:      {callLogin: 1, simulator.OpList: 1},
}

// callReasons explains, per operation and call, why the provider makes more
// of that call than the floor. A reason is printed only where the
// measurement shows an excess.
var callReasons = map[string]map[simulator.Op]string{
	opApplyRotate: {
		simulator.OpList: "Create lists to find the key's ID: the create half of a replacement gets no prior state",
	},
	opDestroy: {
		simulator.OpList: "Delete lists to check that the key still holds the string the state recorded " +
			"(a create_before_destroy replacement, a saved plan applied late, a change in the portal)",
	},
}

// callRow is one operation in one login mode.
type callRow struct {
	Op          string
	Mode        string
	Processes   int         // provider processes terraform started
	Walks       []walkCount // the same, by graph walk
	Calls       map[simulator.Op]int
	RateLimited int
}

// loginCalls is the row's login calls of either kind.
func (r callRow) loginCalls() int { return r.Calls[simulator.OpLogin] + r.Calls[simulator.OpToken] }

// total is every API call of the row.
func (r callRow) total() int {
	n := 0
	for _, v := range r.Calls {
		n += v
	}
	return n
}

// count is the row's calls of op, with callLogin for either login.
func (r callRow) count(op simulator.Op) int {
	if op == callLogin {
		return r.loginCalls()
	}
	return r.Calls[op]
}

// countedOps are the calls compared with the floor, callLogin standing for
// either login, in the order the table names them.
var countedOps = []simulator.Op{callLogin, simulator.OpList, simulator.OpEdit, simulator.OpRegenerate,
	simulator.OpAdd, simulator.OpDelete, simulator.OpSessionStatus, simulator.OpLogout}

// excess lists the calls above the floor, e.g. "+1 list".
func (r callRow) excess() []string {
	floor := callFloors[r.Op]
	var out []string
	for _, op := range countedOps {
		if d := r.count(op) - floor[op]; d > 0 {
			out = append(out, fmt.Sprintf("+%d %s", d, op))
		}
	}
	return out
}

func floorTotal(op string) int {
	n := 0
	for _, v := range callFloors[op] {
		n += v
	}
	return n
}

// callsPhase runs every operation once per login mode, each in an
// organization of its own, and counts the calls the simulator served.
func (b *bench) callsPhase(ctx context.Context) ([]callRow, error) {
	sim, err := simulator.New(simulator.Options{
		Organizations: []simulator.OrgConfig{{Name: "legacy"}, {Name: "oneapi"}},
	})
	if err != nil {
		return nil, err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()

	var rows []callRow
	for _, mode := range []string{modeLegacy, modeOneAPI} {
		r, err := b.callsInMode(ctx, sim, mode)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mode, err)
		}
		rows = append(rows, r...)
	}
	// the table's order: operation first, then mode
	ordered := make([]callRow, 0, len(rows))
	for _, op := range callOps {
		for _, r := range rows {
			if r.Op == op {
				ordered = append(ordered, r)
			}
		}
	}
	return ordered, nil
}

// callsInMode is the lifecycle of one key: import, plans, edit, drift,
// rotation, both kinds of destroy. Between steps the simulator clock moves a
// minute on, so that no rate window (delete: 1 per minute) carries over.
func (b *bench) callsInMode(ctx context.Context, sim *simulator.Simulator, mode string) ([]callRow, error) {
	org := sim.Organization(strings.ToLower(mode))
	dir, err := b.workdir("calls-" + org.Name())
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(b.dir, "calls-"+org.Name()+".log")
	config := func(importBlock bool, body string) error {
		text := terraformBlock(ourSource) + providerBlock("", orgLogin(sim, org, mode)) +
			"resource \"cloudconnector_api_key\" \"this\" {\n" + body + "}\n"
		if importBlock {
			text += "import {\n  to = cloudconnector_api_key.this\n  id = \"current\"\n}\n"
		}
		return writeConfig(dir, text)
	}
	// step runs one terraform command; measured steps count calls and processes.
	var rows []callRow
	step := func(op string, importBlock bool, body, want string, args ...string) error {
		sim.Advance(time.Minute + time.Second)
		if err := config(importBlock, body); err != nil {
			return err
		}
		env := []string{b.freshPace()} // the provider's pace history goes with the simulator clock
		if op != "" {
			// terraform appends to its log: start each measured command afresh
			if err := os.Remove(logPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			env = append(env, "TF_LOG=debug", "TF_LOG_PATH="+logPath)
			sim.ResetCounts()
		}
		res, err := b.terraform(dir, env...).Run(ctx, append(args, "-input=false", "-no-color")...)
		if err != nil {
			return err
		}
		if want != "" && !strings.Contains(res.Stdout, want) {
			return fmt.Errorf("terraform %s: the output lacks %q:\n%s", strings.Join(args, " "), want, res.Stdout)
		}
		if op == "" {
			return nil
		}
		c := org.Counts()
		row := callRow{Op: op, Mode: mode, Calls: c.Calls, RateLimited: c.RateLimited}
		var logged int
		if row.Processes, row.Walks, logged, err = walkStarts(logPath, b.ourBin); err != nil {
			return err
		}
		// main.go turns the provider's logs off only when no TF_LOG* is set
		if logged == 0 {
			return fmt.Errorf("terraform %s with TF_LOG=debug: the log holds no line from the provider", strings.Join(args, " "))
		}
		rows = append(rows, row)
		b.logf("%-40s %-7s %d processes, calls %v", op, mode, row.Processes, c.Calls)
		return nil
	}
	apply := []string{"apply", "-auto-approve"}
	destroy := []string{"destroy", "-auto-approve"}
	const edited = "BenchEdit001"
	steps := []struct {
		op          string
		importBlock bool
		body, want  string
		args        []string
		before      func() error
	}{
		{op: opImport, importBlock: true, want: "1 imported", args: apply},
		{op: opPlanNothing, want: "No changes.", args: []string{"plan"}},
		{op: opApplyEdit, body: "  key = \"" + edited + "\"\n", want: "1 changed", args: apply},
		{op: opPlanDrift, body: "  key = \"" + edited + "\"\n", want: "1 to change", args: []string{"plan"},
			before: func() error { _, err := org.RegenerateKey(); return err }}, // as in the portal
		// to the rotation configuration (itself a replacement or an update; not counted)
		{body: "  regenerate_triggers = { n = \"0\" }\n", args: apply},
		{op: opApplyRotate, body: "  regenerate_triggers = { n = \"1\" }\n", want: "1 added, 0 changed, 1 destroyed", args: apply},
		{op: opForget, body: "  regenerate_triggers = { n = \"1\" }\n", want: "1 destroyed", args: destroy},
		{importBlock: true, body: "  delete_on_destroy = true\n", want: "1 imported", args: apply},
		{op: opDestroy, body: "  delete_on_destroy = true\n", want: "1 destroyed", args: destroy},
	}
	for _, s := range steps {
		if s.before != nil {
			if err := s.before(); err != nil {
				return nil, err
			}
		}
		if err := step(s.op, s.importBlock, s.body, s.want, s.args...); err != nil {
			return nil, err
		}
	}
	if _, found := org.Key(); found {
		return nil, fmt.Errorf("organization %s still has a key after destroy with delete_on_destroy", org.Name())
	}
	return rows, nil
}
