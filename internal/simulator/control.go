package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// control is one endpoint under /_simulator/. In its path, {name} is an organization,
// which serve then gets; README.md documents every one (a test checks that).
type control struct {
	method, path string
	serve        func(s *Simulator, o *Organization, body []byte) *reply
}

var controls = []control{
	{http.MethodGet, "/_simulator/counts", func(s *Simulator, _ *Organization, _ []byte) *reply { return jsonReply(http.StatusOK, s.allCounts()) }},
	{http.MethodPost, "/_simulator/counts/reset", func(s *Simulator, _ *Organization, _ []byte) *reply {
		s.ResetCounts()
		return jsonReply(http.StatusOK, s.allCounts())
	}},
	{http.MethodGet, "/_simulator/faults", func(s *Simulator, _ *Organization, _ []byte) *reply { return s.faultsReply() }},
	{http.MethodPost, "/_simulator/faults", func(s *Simulator, _ *Organization, body []byte) *reply {
		var f Fault
		if err := decodeControl(body, &f); err != nil {
			return invalidInput(err.Error())
		}
		s.InjectFault(f)
		return s.faultsReply()
	}},
	{http.MethodDelete, "/_simulator/faults", func(s *Simulator, _ *Organization, _ []byte) *reply {
		s.ClearFaults()
		return s.faultsReply()
	}},
	{http.MethodGet, "/_simulator/latency", func(s *Simulator, _ *Organization, _ []byte) *reply { return s.latencyReply() }},
	{http.MethodPost, "/_simulator/latency", func(s *Simulator, _ *Organization, body []byte) *reply {
		d, _, err := durationField(body, "latency")
		if err != nil {
			return invalidInput(err.Error())
		}
		s.SetLatency(d)
		return s.latencyReply()
	}},
	{http.MethodPost, "/_simulator/sessions/expire", func(s *Simulator, _ *Organization, _ []byte) *reply { return expiredReply(s.ExpireSessions()) }},
	{http.MethodPost, "/_simulator/tokens/expire", func(s *Simulator, _ *Organization, _ []byte) *reply { return expiredReply(s.ExpireTokens()) }},
	{http.MethodGet, "/_simulator/clock", func(s *Simulator, _ *Organization, _ []byte) *reply { return s.clockReply() }},
	{http.MethodPost, "/_simulator/clock/advance", func(s *Simulator, _ *Organization, body []byte) *reply {
		d, given, err := durationField(body, "by")
		if err != nil || !given {
			return invalidInput("by must be a non-negative Go duration such as 31m")
		}
		s.Advance(d)
		return s.clockReply()
	}},
	{http.MethodGet, "/_simulator/organizations", func(s *Simulator, _ *Organization, _ []byte) *reply {
		out := []OrganizationInfo{}
		for _, o := range s.Organizations() {
			out = append(out, s.orgInfo(o))
		}
		return jsonReply(http.StatusOK, out)
	}},
	{http.MethodPost, "/_simulator/organizations", func(s *Simulator, _ *Organization, body []byte) *reply {
		var cfg OrgConfig
		if err := decodeControl(body, &cfg); err != nil {
			return invalidInput(err.Error())
		}
		o, err := s.AddOrganization(cfg)
		if err != nil {
			return invalidInput(err.Error())
		}
		return jsonReply(http.StatusCreated, s.orgInfo(o))
	}},
	{http.MethodGet, "/_simulator/organizations/{name}", func(s *Simulator, o *Organization, _ []byte) *reply { return jsonReply(http.StatusOK, s.orgInfo(o)) }},
	{http.MethodPost, "/_simulator/organizations/{name}/key/edit", func(_ *Simulator, o *Organization, body []byte) *reply {
		var j struct {
			KeyValue string `json:"keyValue"`
		}
		if err := decodeControl(body, &j); err != nil {
			return invalidInput(err.Error())
		}
		return keyReply(o.EditKey(j.KeyValue))
	}},
	{http.MethodPost, "/_simulator/organizations/{name}/key/regenerate", func(_ *Simulator, o *Organization, _ []byte) *reply { return keyReply(o.RegenerateKey()) }},
	{http.MethodPost, "/_simulator/organizations/{name}/key/add", func(_ *Simulator, o *Organization, _ []byte) *reply { return keyReply(o.AddKey()) }},
	{http.MethodPost, "/_simulator/organizations/{name}/key/delete", func(s *Simulator, o *Organization, _ []byte) *reply {
		if err := o.DeleteKey(); err != nil {
			return changeError(err)
		}
		return jsonReply(http.StatusOK, s.orgInfo(o))
	}},
	{http.MethodPost, "/_simulator/organizations/{name}/settings", func(s *Simulator, o *Organization, body []byte) *reply {
		var j struct {
			InferredCalls, OneAPIOnly, KeyManagement, KeyEnabled *bool
		}
		if err := decodeControl(body, &j); err != nil {
			return invalidInput(err.Error())
		}
		if j.KeyEnabled != nil {
			if err := o.SetKeyEnabled(*j.KeyEnabled); err != nil {
				return changeError(err)
			}
		}
		for _, set := range []struct {
			to *bool
			fn func(bool)
		}{{j.InferredCalls, o.SetInferredCalls}, {j.OneAPIOnly, o.SetOneAPIOnly}, {j.KeyManagement, o.SetKeyManagement}} {
			if set.to != nil {
				set.fn(*set.to)
			}
		}
		return jsonReply(http.StatusOK, s.orgInfo(o))
	}},
}

// control serves /_simulator/: not counted, never rate limited, no latency.
func (s *Simulator) control(r *http.Request) *reply {
	c, args, rep := lookup(controls, func(c control) (string, string) { return c.method, c.path }, r)
	if rep != nil {
		return rep
	}
	body, tooLarge, err := readBody(r)
	if err != nil || tooLarge {
		return invalidInput("The request body could not be read or is too large")
	}
	var o *Organization
	if len(args) > 0 {
		if o = s.Organization(args[0]); o == nil {
			return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", fmt.Sprintf("No organization named %q", args[0]))
		}
	}
	return c.serve(s, o, body)
}

// OrganizationInfo is what the controls tell about a tenant: credentials and current
// keys included, since they are all fake.
type OrganizationInfo struct {
	Name            string    `json:"name"`
	Username        string    `json:"username"`
	Password        string    `json:"password"`
	APIKey          string    `json:"apiKey"` // current organization key string; "" when none
	Key             *keyJSON  `json:"key"`    // null when none
	PartnerKeys     []keyJSON `json:"partnerKeys"`
	ClientID        string    `json:"clientId"`
	ClientSecret    string    `json:"clientSecret"`
	ClientPublicKey bool      `json:"clientPublicKey"` // whether JWT assertions are accepted
	OneAPIOnly      bool      `json:"oneApiOnly"`
	InferredCalls   bool      `json:"inferredCalls"`
	KeyManagement   bool      `json:"keyManagement"`
	LegacyBaseURL   string    `json:"legacyBaseUrl"`
	OneAPIBaseURL   string    `json:"oneApiBaseUrl"`
	TokenURL        string    `json:"tokenUrl"`
}

func (s *Simulator) orgInfo(o *Organization) OrganizationInfo {
	info := OrganizationInfo{PartnerKeys: []keyJSON{}, LegacyBaseURL: s.LegacyBaseURL(), OneAPIBaseURL: s.OneAPIBaseURL(), TokenURL: s.TokenURL()}
	o.locked(func() {
		c := o.cfg
		info.Name, info.Username, info.Password, info.ClientID, info.ClientSecret = c.Name, c.Username, c.Password, c.ClientID, c.ClientSecret
		info.ClientPublicKey, info.OneAPIOnly = c.ClientPublicKey != nil, c.OneAPIOnly
		info.InferredCalls, info.KeyManagement = !c.WithoutInferredCalls, !c.WithoutKeyManagement
		if o.key != nil {
			k := keyObject(o.key)
			info.Key, info.APIKey = &k, o.key.Value
		}
		for _, p := range o.partners {
			info.PartnerKeys = append(info.PartnerKeys, keyObject(p))
		}
	})
	return info
}

// changeError answers a refused key change.
func changeError(err error) *reply {
	switch {
	case errors.Is(err, ErrNoKey):
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", err.Error())
	case errors.Is(err, ErrKeyExists):
		return apiError(http.StatusBadRequest, "DUPLICATE_ITEM", err.Error())
	}
	return invalidInput(err.Error())
}

func keyReply(k APIKey, err error) *reply {
	if err != nil {
		return changeError(err)
	}
	return jsonReply(http.StatusOK, keyObject(&k))
}

func (s *Simulator) allCounts() any {
	orgs := map[string]Counts{}
	for _, o := range s.Organizations() {
		orgs[o.Name()] = o.Counts()
	}
	return struct {
		Counts
		Organizations map[string]Counts `json:"organizations"`
	}{s.Counts(), orgs}
}

func (s *Simulator) faultsReply() *reply {
	return jsonReply(http.StatusOK, map[string][]Fault{"faults": s.PendingFaults()})
}

func (s *Simulator) latencyReply() *reply {
	return jsonReply(http.StatusOK, map[string]string{"latency": s.Latency().String()})
}

func expiredReply(n int) *reply { return jsonReply(http.StatusOK, map[string]int{"expired": n}) }

func (s *Simulator) clockReply() *reply {
	return jsonReply(http.StatusOK, map[string]string{"now": s.Now().UTC().Format(time.RFC3339Nano)})
}

// durationField reads a control body {"<name>":"<duration>"}; given is false when
// the duration is missing or empty.
func durationField(body []byte, name string) (d time.Duration, given bool, err error) {
	var m map[string]string
	if err := decodeControl(body, &m); err != nil {
		return 0, false, err
	}
	for k := range m {
		if k != name {
			return 0, false, fmt.Errorf("the control body takes only %q", name)
		}
	}
	d, err = parseDuration(name, m[name])
	return d, m[name] != "", err
}

// decodeControl reads a control body strictly: one JSON object, known fields only.
// An empty body is an empty object.
func decodeControl(body []byte, v any) error {
	if len(bytes.Trim(body, " \t\r\n")) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the control body is not valid: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("the control body has data after its JSON object")
	}
	return nil
}
