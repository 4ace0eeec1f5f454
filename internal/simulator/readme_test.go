package simulator

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeControl is one control as README.md documents it: its heading and, when the
// section shows one, the example body.
type readmeControl struct {
	method, path, body string
}

var (
	controlHeading = regexp.MustCompile("(?m)^### `([A-Z]+) (/_simulator/[^`]*)`$")
	controlMention = regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) (/_simulator/[^`]*)`")
	exampleBody    = regexp.MustCompile("(?s)Body:\n\n```json\n(.*?)\n```")
)

// readmeControls reads the control sections of README.md, in their order.
func readmeControls(t *testing.T) (out []readmeControl, text string) {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text = string(b)
	heads := controlHeading.FindAllStringSubmatchIndex(text, -1)
	for i, h := range heads {
		end := len(text)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		c := readmeControl{method: text[h[2]:h[3]], path: text[h[4]:h[5]]}
		if m := exampleBody.FindStringSubmatch(text[h[1]:end]); m != nil {
			c.body = m[1]
		}
		out = append(out, c)
	}
	return out, text
}

// TestReadmeListsEveryControl keeps README.md's controls and the served ones the same.
func TestReadmeListsEveryControl(t *testing.T) {
	documented, text := readmeControls(t)
	served := map[string]bool{}
	for _, c := range controls {
		served[c.method+" "+c.path] = true
	}
	headings := map[string]int{}
	for _, c := range documented {
		headings[c.method+" "+c.path]++
	}
	for route := range served {
		if headings[route] != 1 {
			t.Errorf("README.md has %d sections for %s, which the simulator serves; want 1", headings[route], route)
		}
	}
	for _, m := range controlMention.FindAllStringSubmatch(text, -1) {
		if route := m[1] + " " + m[2]; !served[route] {
			t.Errorf("README.md names %s, which the simulator does not serve", route)
		}
	}
}

// TestReadmeControlExamplesWork sends every control README.md documents, in its order
// and with its example body, and wants each answered 2xx.
func TestReadmeControlExamplesWork(t *testing.T) {
	h := newHarness(t, Options{})
	h.login(h.sim.DefaultOrganization())
	h.token(h.sim.DefaultOrganization())
	documented, _ := readmeControls(t)
	if len(documented) == 0 {
		t.Fatal("README.md documents no control")
	}
	for _, c := range documented {
		path := strings.ReplaceAll(c.path, "{name}", "default")
		resp := h.do(req{method: c.method, path: path, body: c.body, headers: []string{"Content-Type", "application/json"}})
		if resp.status < 200 || resp.status > 299 {
			t.Errorf("%s %s with the README's example: %v", c.method, path, resp)
		}
	}
}
