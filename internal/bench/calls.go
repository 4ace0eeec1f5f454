package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

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
// Terraform starts a new process per walk, so an apply logs in twice: once
// in the plan walk (refresh), once in the apply walk.
var callFloors = map[string]map[simulator.Op]int{
	opPlanNothing: {callLogin: 1, simulator.OpList: 1},
	opPlanDrift:   {callLogin: 1, simulator.OpList: 1},
	opApplyEdit:   {callLogin: 2, simulator.OpList: 1, simulator.OpEdit: 1},
	// The refresh lists; then Create, the second half of the replacement,
	// lists the organization's key before it regenerates it (it adopts,
	// edits or regenerates what it finds, issue 10): one list more than when
	// Delete handed the key over to Create in the same process.
	opApplyRotate: {callLogin: 2, simulator.OpList: 2, simulator.OpRegenerate: 1},
	opImport:      {callLogin: 1, simulator.OpList: 1},
	opDestroy:     {callLogin: 2, simulator.OpList: 1, simulator.OpDelete: 1},
	opForget:      {callLogin: 1, simulator.OpList: 1},
}

// callReasons explains, per operation and call, why the provider makes more
// of that call than the floor; printed only where the measurement shows it.
var callReasons = map[string]map[simulator.Op]string{
	opDestroy: {simulator.OpList: "Delete lists to check that the key still holds the string the state recorded " +
		"(a create_before_destroy replacement, a saved plan applied late, a change in the portal)"},
}

// countedOps are the calls compared with the floor, in the order the table names them.
var countedOps = []simulator.Op{callLogin, simulator.OpList, simulator.OpEdit, simulator.OpRegenerate,
	simulator.OpAdd, simulator.OpDelete, simulator.OpSessionStatus, simulator.OpLogout}

// callRow is one operation in one login mode.
type callRow struct {
	Op, Mode    string
	Processes   int      // provider processes terraform started
	Walks       []string // the same by graph walk: "Plan 1"
	Calls       map[simulator.Op]int
	RateLimited int
}

// count is the row's calls of op, with callLogin for either login.
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

// callsPhase runs the lifecycle of one key once per login mode, each in an
// organization of its own, and counts the calls the simulator served.
func (b *bench) callsPhase(ctx context.Context) ([]callRow, error) {
	sim, err := startSimulator("legacy", "oneapi")
	if err != nil {
		return nil, err
	}
	defer func() { _ = sim.Close() }()
	byOp := map[string][]callRow{}
	for _, mode := range []string{"legacy", "OneAPI"} {
		rows, err := b.callsInMode(ctx, sim, mode)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mode, err)
		}
		for _, r := range rows {
			byOp[r.Op] = append(byOp[r.Op], r)
		}
	}
	var rows []callRow
	for _, op := range callOps {
		rows = append(rows, byOp[op]...)
	}
	return rows, nil
}

// callsInMode is one key's life: import, plans, edit, drift, rotation, both
// kinds of destroy. Between commands the simulator clock moves a minute on,
// so that no rate window (delete: 1 per minute) carries over.
func (b *bench) callsInMode(ctx context.Context, sim *simulator.Simulator, mode string) ([]callRow, error) {
	org := sim.Organization(strings.ToLower(mode))
	dir, err := b.workdir("calls-"+org.Name(), "")
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(b.dir, "calls-"+org.Name()+".log")
	const edited, triggers = "  key = \"BenchEdit001\"\n", "  regenerate_triggers = { n = \"%d\" }\n"
	apply := func(tf *tfexec.Terraform) error { return tf.Apply(ctx) }
	plan := func(tf *tfexec.Terraform) error { _, err := tf.Plan(ctx); return err }
	destroy := func(tf *tfexec.Terraform) error { return tf.Destroy(ctx) }
	steps := []struct {
		op, body, want string
		importBlock    bool
		cmd            func(*tfexec.Terraform) error
		before         func() error
	}{
		{op: opImport, importBlock: true, want: "1 imported", cmd: apply},
		{op: opPlanNothing, want: "No changes.", cmd: plan},
		{op: opApplyEdit, body: edited, want: "1 changed", cmd: apply},
		{op: opPlanDrift, body: edited, want: "1 to change", cmd: plan,
			before: func() error { _, err := org.RegenerateKey(); return err }}, // as in the portal
		{body: fmt.Sprintf(triggers, 0), cmd: apply}, // to the rotation configuration (not counted)
		{op: opApplyRotate, body: fmt.Sprintf(triggers, 1), want: "1 added, 0 changed, 1 destroyed", cmd: apply},
		{op: opForget, body: fmt.Sprintf(triggers, 1), want: "1 destroyed", cmd: destroy},
		{importBlock: true, body: "  delete_on_destroy = true\n", want: "1 imported", cmd: apply},
		{op: opDestroy, body: "  delete_on_destroy = true\n", want: "1 destroyed", cmd: destroy},
	}
	var rows []callRow
	for _, s := range steps {
		if s.before != nil {
			if err := s.before(); err != nil {
				return nil, err
			}
		}
		sim.Advance(time.Minute + time.Second)
		text := terraformBlock(ourSource) + providerBlock("", org, simEndpoint(sim), mode == "OneAPI") +
			"resource \"cloudconnector_api_key\" \"this\" {\n" + s.body + "}\n"
		if s.importBlock {
			text += "import {\n  to = cloudconnector_api_key.this\n  id = \"current\"\n}\n"
		}
		if err := writeConfig(dir, text); err != nil {
			return nil, err
		}
		// the provider's pace history goes with the simulator clock
		tf, err := b.terraform(ctx, dir, b.freshPace())
		if err != nil {
			return nil, err
		}
		var out bytes.Buffer
		tf.SetStdout(&out)
		if s.op != "" {
			// terraform appends to its log: start each measured command afresh
			if err := os.Remove(logPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			if err := errors.Join(tf.SetLogPath(logPath), tf.SetLog("debug")); err != nil {
				return nil, err
			}
			sim.ResetCounts()
		}
		if err := s.cmd(tf); err != nil {
			return nil, err
		}
		if !strings.Contains(out.String(), s.want) {
			return nil, fmt.Errorf("%s: the output lacks %q:\n%s", s.op, s.want, out.String())
		}
		if s.op == "" {
			continue
		}
		c := org.Counts()
		row := callRow{Op: s.op, Mode: mode, Calls: c.Calls, RateLimited: c.RateLimited}
		logged := 0
		if row.Processes, row.Walks, logged, err = walkStarts(logPath, b.bins["ours"]); err != nil {
			return nil, err
		}
		// main.go turns the provider's logs off only when no TF_LOG* is set
		if logged == 0 {
			return nil, fmt.Errorf("%s with TF_LOG=debug: the log holds no line from the provider", s.op)
		}
		rows = append(rows, row)
		b.logf("%-40s %-7s %d processes, calls %v", s.op, mode, row.Processes, c.Calls)
	}
	if _, found := org.Key(); found {
		return nil, fmt.Errorf("organization %s still has a key after destroy with delete_on_destroy", org.Name())
	}
	return rows, nil
}

// walkStarts counts, from a TF_LOG=debug log (which terraform-exec cannot
// read for us), the provider processes that terraform started for bin, by the
// graph walk they were started in ("schema" before the first walk), and the
// lines the provider logged.
func walkStarts(logPath, bin string) (total int, byWalk []string, providerLines int, err error) {
	f, err := os.Open(logPath) //nolint:gosec // terraform's log in the benchmark's own scratch directory
	if err != nil {
		return 0, nil, 0, err
	}
	defer func() { _ = f.Close() }()
	walk, counts, order := "schema", map[string]int{}, []string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch _, w, found := strings.Cut(line, "Starting graph walk: "); {
		case found:
			walk = strings.TrimPrefix(strings.TrimSpace(w), "walk")
		case strings.Contains(line, " provider.terraform-provider-cloudconnector: "):
			providerLines++
		case strings.Contains(line, "starting plugin: path="+bin+" "):
			if counts[walk] == 0 {
				order = append(order, walk)
			}
			counts[walk]++
			total++
		}
	}
	for _, w := range order {
		byWalk = append(byWalk, fmt.Sprintf("%s %d", w, counts[w]))
	}
	return total, byWalk, providerLines, sc.Err()
}
