package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// FaultJSON is a Fault as the HTTP controls take it: durations as Go duration strings.
type FaultJSON struct {
	Op            Op     `json:"op,omitempty"`
	Org           string `json:"org,omitempty"`
	Skip          int    `json:"skip,omitempty"`
	Times         int    `json:"times,omitempty"`
	Status        int    `json:"status,omitempty"`
	Code          string `json:"code,omitempty"`
	Message       string `json:"message,omitempty"`
	RetryAfter    string `json:"retryAfter,omitempty"`
	Drop          bool   `json:"drop,omitempty"`
	Latency       string `json:"latency,omitempty"`
	AfterApply    bool   `json:"afterApply,omitempty"`
	ExpireSession bool   `json:"expireSession,omitempty"`
	Body          string `json:"body,omitempty"`
	BodyRepeat    int    `json:"bodyRepeat,omitempty"`
	ContentType   string `json:"contentType,omitempty"`
}

// Fault converts and checks the JSON form.
func (j FaultJSON) Fault() (Fault, error) {
	f := Fault{
		Op: j.Op, Org: j.Org, Skip: j.Skip, Times: j.Times, Status: j.Status, Code: j.Code, Message: j.Message,
		Drop: j.Drop, AfterApply: j.AfterApply, ExpireSession: j.ExpireSession,
		Body: j.Body, BodyRepeat: j.BodyRepeat, ContentType: j.ContentType,
	}
	if f.Op != "" && !f.Op.known() {
		return Fault{}, fmt.Errorf("unknown op %q", f.Op)
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return Fault{}, fmt.Errorf("status %d is not an answer status (200-599)", f.Status)
	}
	if f.Skip < 0 || f.Times < -1 || f.BodyRepeat < 0 {
		return Fault{}, errors.New("skip and bodyRepeat must be at least 0, times at least -1")
	}
	var err error
	if f.RetryAfter, err = parseDuration("retryAfter", j.RetryAfter); err != nil {
		return Fault{}, err
	}
	if f.Latency, err = parseDuration("latency", j.Latency); err != nil {
		return Fault{}, err
	}
	return f, nil
}

// FaultToJSON is the inverse of FaultJSON.Fault.
func FaultToJSON(f Fault) FaultJSON {
	j := FaultJSON{
		Op: f.Op, Org: f.Org, Skip: f.Skip, Times: f.Times, Status: f.Status, Code: f.Code, Message: f.Message,
		Drop: f.Drop, AfterApply: f.AfterApply, ExpireSession: f.ExpireSession,
		Body: f.Body, BodyRepeat: f.BodyRepeat, ContentType: f.ContentType,
	}
	if f.RetryAfter != 0 {
		j.RetryAfter = f.RetryAfter.String()
	}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	return j
}

func parseDuration(field, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s must be a non-negative Go duration such as 1500ms", field)
	}
	return d, nil
}

// OrgConfigJSON is an OrgConfig as the HTTP controls take it (no public key).
type OrgConfigJSON struct {
	Name                 string   `json:"name,omitempty"`
	Username             string   `json:"username,omitempty"`
	Password             string   `json:"password,omitempty"`
	APIKey               string   `json:"apiKey,omitempty"`
	NoKey                bool     `json:"noKey,omitempty"`
	ClientID             string   `json:"clientId,omitempty"`
	ClientSecret         string   `json:"clientSecret,omitempty"`
	OneAPIOnly           bool     `json:"oneApiOnly,omitempty"`
	WithoutInferredCalls bool     `json:"withoutInferredCalls,omitempty"`
	WithoutKeyManagement bool     `json:"withoutKeyManagement,omitempty"`
	PartnerKeys          []string `json:"partnerKeys,omitempty"`
}

func (j OrgConfigJSON) config() OrgConfig {
	return OrgConfig{
		Name: j.Name, Username: j.Username, Password: j.Password, APIKey: j.APIKey, NoKey: j.NoKey,
		ClientID: j.ClientID, ClientSecret: j.ClientSecret, OneAPIOnly: j.OneAPIOnly,
		WithoutInferredCalls: j.WithoutInferredCalls, WithoutKeyManagement: j.WithoutKeyManagement,
		PartnerKeys: j.PartnerKeys,
	}
}

// OrganizationInfo is what GET /_simulator/organizations tells about a tenant:
// credentials and current keys included, since they are all fake.
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
	root := s.URL()
	s.mu.Lock()
	defer s.mu.Unlock()
	info := OrganizationInfo{
		Name: o.cfg.Name, Username: o.cfg.Username, Password: o.cfg.Password,
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, ClientPublicKey: o.cfg.ClientPublicKey != nil,
		OneAPIOnly: o.cfg.OneAPIOnly, InferredCalls: !o.cfg.WithoutInferredCalls, KeyManagement: !o.cfg.WithoutKeyManagement,
		PartnerKeys:   []keyJSON{},
		LegacyBaseURL: root + legacyPrefix, OneAPIBaseURL: root + oneAPIPrefix, TokenURL: root + oauthEndpoint,
	}
	if o.key != nil {
		k := keyObject(o.key)
		info.Key, info.APIKey = &k, o.key.Value
	}
	for _, p := range o.partners {
		info.PartnerKeys = append(info.PartnerKeys, keyObject(p))
	}
	return info
}

type settingsJSON struct {
	InferredCalls *bool `json:"inferredCalls"`
	OneAPIOnly    *bool `json:"oneApiOnly"`
	KeyManagement *bool `json:"keyManagement"`
	KeyEnabled    *bool `json:"keyEnabled"`
}

type countsJSON struct {
	Counts
	Organizations map[string]Counts `json:"organizations"`
}

// serveControl serves /_simulator/: not counted, never rate limited, no latency.
func (s *Simulator) serveControl(w http.ResponseWriter, r *http.Request) {
	rep := s.control(r)
	s.send(w, rep)
}

func (s *Simulator) control(r *http.Request) *reply {
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	segs := strings.Split(path, "/")
	m := r.Method
	body, tooLarge, err := readBody(r)
	if err != nil || tooLarge {
		return invalidInput("The request body could not be read or is too large")
	}
	switch {
	case path == "counts":
		if m != http.MethodGet {
			return methodNotAllowed(http.MethodGet)
		}
		return jsonReply(http.StatusOK, s.allCounts())
	case path == "counts/reset":
		if m != http.MethodPost {
			return methodNotAllowed(http.MethodPost)
		}
		s.ResetCounts()
		return jsonReply(http.StatusOK, s.allCounts())
	case path == "faults":
		switch m {
		case http.MethodGet:
			return s.faultsReply()
		case http.MethodPost:
			var j FaultJSON
			if err := decodeControl(body, &j); err != nil {
				return invalidInput(err.Error())
			}
			f, err := j.Fault()
			if err != nil {
				return invalidInput(err.Error())
			}
			s.InjectFault(f)
			return s.faultsReply()
		case http.MethodDelete:
			s.ClearFaults()
			return s.faultsReply()
		}
		return methodNotAllowed(http.MethodGet, http.MethodPost, http.MethodDelete)
	case path == "latency":
		switch m {
		case http.MethodGet:
		case http.MethodPost:
			var j struct {
				Latency string `json:"latency"`
			}
			if err := decodeControl(body, &j); err != nil {
				return invalidInput(err.Error())
			}
			d, err := parseDuration("latency", j.Latency)
			if err != nil {
				return invalidInput(err.Error())
			}
			s.SetLatency(d)
		default:
			return methodNotAllowed(http.MethodGet, http.MethodPost)
		}
		return jsonReply(http.StatusOK, map[string]string{"latency": s.Latency().String()})
	case path == "sessions/expire" || path == "tokens/expire":
		if m != http.MethodPost {
			return methodNotAllowed(http.MethodPost)
		}
		var n int
		if segs[0] == "sessions" {
			n = s.expireSessions()
		} else {
			n = s.expireTokens()
		}
		return jsonReply(http.StatusOK, map[string]int{"expired": n})
	case path == "clock" || path == "clock/advance":
		switch {
		case path == "clock" && m == http.MethodGet:
		case path == "clock/advance" && m == http.MethodPost:
			var j struct {
				By string `json:"by"`
			}
			if err := decodeControl(body, &j); err != nil {
				return invalidInput(err.Error())
			}
			d, err := parseDuration("by", j.By)
			if err != nil || j.By == "" {
				return invalidInput("by must be a non-negative Go duration such as 31m")
			}
			s.Advance(d)
		case path == "clock":
			return methodNotAllowed(http.MethodGet)
		default:
			return methodNotAllowed(http.MethodPost)
		}
		return jsonReply(http.StatusOK, map[string]string{"now": s.Now().UTC().Format(time.RFC3339Nano)})
	case path == "organizations":
		switch m {
		case http.MethodGet:
			out := []OrganizationInfo{}
			for _, o := range s.Organizations() {
				out = append(out, s.orgInfo(o))
			}
			return jsonReply(http.StatusOK, out)
		case http.MethodPost:
			var j OrgConfigJSON
			if err := decodeControl(body, &j); err != nil {
				return invalidInput(err.Error())
			}
			o, err := s.AddOrganization(j.config())
			if err != nil {
				return apiError(http.StatusBadRequest, "INVALID_INPUT_ARGUMENT", err.Error())
			}
			return jsonReply(http.StatusCreated, s.orgInfo(o))
		}
		return methodNotAllowed(http.MethodGet, http.MethodPost)
	case segs[0] == "organizations" && len(segs) >= 2:
		return s.orgControl(r, segs[1], segs[2:], body)
	}
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No such simulator control")
}

// orgControl serves /_simulator/organizations/{name}[/key/{action}|/settings].
func (s *Simulator) orgControl(r *http.Request, name string, rest []string, body []byte) *reply {
	o := s.Organization(name)
	if o == nil {
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No organization named "+fmt.Sprintf("%q", name))
	}
	m := r.Method
	switch {
	case len(rest) == 0:
		if m != http.MethodGet {
			return methodNotAllowed(http.MethodGet)
		}
		return jsonReply(http.StatusOK, s.orgInfo(o))
	case len(rest) == 2 && rest[0] == "key":
		if m != http.MethodPost {
			return methodNotAllowed(http.MethodPost)
		}
		var k APIKey
		var err error
		switch rest[1] {
		case "edit":
			var j struct {
				KeyValue string `json:"keyValue"`
			}
			if err := decodeControl(body, &j); err != nil {
				return invalidInput(err.Error())
			}
			k, err = o.EditKey(j.KeyValue)
		case "regenerate":
			k, err = o.RegenerateKey()
		case "add":
			k, err = o.AddKey()
		case "delete":
			if err := o.DeleteKey(); err != nil {
				return keyChangeError(err)
			}
			return jsonReply(http.StatusOK, s.orgInfo(o))
		default:
			return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "Key actions are edit, regenerate, add and delete")
		}
		if err != nil {
			return keyChangeError(err)
		}
		return jsonReply(http.StatusOK, keyObject(&k))
	case len(rest) == 1 && rest[0] == "settings":
		if m != http.MethodPost {
			return methodNotAllowed(http.MethodPost)
		}
		var j settingsJSON
		if err := decodeControl(body, &j); err != nil {
			return invalidInput(err.Error())
		}
		if j.KeyEnabled != nil {
			if err := o.SetKeyEnabled(*j.KeyEnabled); err != nil {
				return keyChangeError(err)
			}
		}
		if j.InferredCalls != nil {
			o.SetInferredCalls(*j.InferredCalls)
		}
		if j.OneAPIOnly != nil {
			o.SetOneAPIOnly(*j.OneAPIOnly)
		}
		if j.KeyManagement != nil {
			o.SetKeyManagement(*j.KeyManagement)
		}
		return jsonReply(http.StatusOK, s.orgInfo(o))
	}
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No such simulator control")
}

func keyChangeError(err error) *reply {
	switch {
	case errors.Is(err, ErrNoKey):
		return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", err.Error())
	case errors.Is(err, ErrKeyExists):
		return apiError(http.StatusBadRequest, "DUPLICATE_ITEM", err.Error())
	}
	return apiError(http.StatusBadRequest, "INVALID_INPUT_ARGUMENT", err.Error())
}

func (s *Simulator) allCounts() countsJSON {
	out := countsJSON{Counts: s.Counts(), Organizations: map[string]Counts{}}
	for _, o := range s.Organizations() {
		out.Organizations[o.Name()] = o.Counts()
	}
	return out
}

func (s *Simulator) faultsReply() *reply {
	pending := s.PendingFaults()
	out := make([]FaultJSON, 0, len(pending))
	for _, f := range pending {
		out = append(out, FaultToJSON(f))
	}
	return jsonReply(http.StatusOK, map[string]any{"faults": out})
}

// decodeControl reads a control body strictly: one JSON object, known fields only.
// An empty body is an empty object.
func decodeControl(body []byte, v any) error {
	if len(trimJSONSpace(body)) == 0 {
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
