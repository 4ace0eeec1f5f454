package simulator

import (
	"cmp"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// OrgConfig describes one organization (tenant) of the simulator. The JSON names are
// those of POST /_simulator/organizations.
type OrgConfig struct {
	Name                 string         `json:"name,omitempty"`                 // unique; "" = "default"
	Username             string         `json:"username,omitempty"`             // legacy admin; "" = admin@<name>.example
	Password             string         `json:"password,omitempty"`             // "" = generated
	APIKey               string         `json:"apiKey,omitempty"`               // initial organization key (12 letters/digits); "" = random
	NoKey                bool           `json:"noKey,omitempty"`                // start without an organization key
	ClientID             string         `json:"clientId,omitempty"`             // OneAPI client; "" = generated
	ClientSecret         string         `json:"clientSecret,omitempty"`         // OneAPI client secret; "" = generated
	ClientPublicKey      *rsa.PublicKey `json:"-"`                              // set: private-key JWT assertions of this client are accepted
	OneAPIOnly           bool           `json:"oneApiOnly,omitempty"`           // legacy login answers 403 ONLY_ONEAPI_SUPPORTED
	WithoutInferredCalls bool           `json:"withoutInferredCalls,omitempty"` // add, edit and delete are not offered (405)
	WithoutKeyManagement bool           `json:"withoutKeyManagement,omitempty"` // the role lacks API Key Management: every /apiKeys call is 403
	PartnerKeys          []string       `json:"partnerKeys,omitempty"`          // names of partner keys to create, each with an ID and a random value
}

// String leaves the secrets out, so that a config can be logged.
func (c OrgConfig) String() string {
	return fmt.Sprintf("OrgConfig{Name:%q Username:%q ClientID:%q OneAPIOnly:%t WithoutInferredCalls:%t WithoutKeyManagement:%t PartnerKeys:%d}",
		c.Name, c.Username, c.ClientID, c.OneAPIOnly, c.WithoutInferredCalls, c.WithoutKeyManagement, len(c.PartnerKeys))
}

// GoString is String, so that %#v does not print secrets either.
func (c OrgConfig) GoString() string { return c.String() }

// APIKey is a snapshot of one key as the API reports it.
type APIKey struct {
	ID               int64
	Value            string
	Enabled          bool
	Permissions      []string
	LastModifiedTime time.Time
	LastModifiedByID int64
	LastModifiedBy   string
	PartnerID        int64  // zero for the organization key
	PartnerName      string // empty for the organization key
}

// String leaves the key value out.
func (k APIKey) String() string {
	return fmt.Sprintf("APIKey{ID:%d Enabled:%t PartnerID:%d LastModifiedBy:%q}", k.ID, k.Enabled, k.PartnerID, k.LastModifiedBy)
}

// GoString is String, so that %#v does not print the key value either.
func (k APIKey) GoString() string { return k.String() }

func (k *APIKey) snapshot() APIKey {
	out := *k
	out.Permissions = slices.Clone(k.Permissions)
	return out
}

// Permissions the simulator gives its keys. The public reference shows the field but
// not its values, so these names are the simulator's own.
var (
	orgKeyPermissions     = []string{"API_ACCESS"}
	partnerKeyPermissions = []string{"PARTNER_API_ACCESS"}
)

// Errors of key changes. Their messages never carry a key value.
var (
	ErrNoKey           = errors.New("the organization has no API key")
	ErrKeyExists       = errors.New("the organization already has an API key")
	ErrInvalidKeyValue = errors.New("a key string is exactly 12 ASCII letters or digits")
	ErrSameKeyValue    = errors.New("the new key string must differ from the current one")
)

// Organization is one tenant. Its methods read snapshots and make the changes an
// administrator would make in the portal; they are safe for concurrent use.
type Organization struct {
	sim *Simulator

	// All below is guarded by sim.mu.
	cfg            OrgConfig // credentials as configured or generated; APIKey is cleared
	adminID        int64
	clientID       int64 // the OneAPI client as a principal (lastModifiedBy)
	key            *APIKey
	partners       []*APIKey
	editLocked     bool
	accepted       map[Op][]time.Time // rate limiter: requests accepted, simulator clock
	limiterAnswers int                // 429s from the rate limiter, for the every-second header
	counts         Counts
}

// AddOrganization adds a tenant. Names, usernames (case-insensitively) and client IDs
// are unique across the simulator.
func (s *Simulator) AddOrganization(cfg OrgConfig) (*Organization, error) {
	cfg.Name = cmp.Or(cfg.Name, "default")
	if !validOrgName(cfg.Name) {
		return nil, fmt.Errorf("simulator: organization name %q: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", cfg.Name)
	}
	switch {
	case cfg.APIKey != "" && !ValidKeyValue(cfg.APIKey):
		return nil, fmt.Errorf("simulator: organization %q: %w", cfg.Name, ErrInvalidKeyValue)
	case cfg.NoKey && cfg.APIKey != "":
		return nil, fmt.Errorf("simulator: organization %q: NoKey conflicts with APIKey", cfg.Name)
	case slices.ContainsFunc(cfg.PartnerKeys, func(n string) bool { return strings.TrimSpace(n) == "" }):
		return nil, fmt.Errorf("simulator: organization %q: a partner key needs a name", cfg.Name)
	}
	cfg.Username = cmp.Or(cfg.Username, "admin@"+strings.ToLower(cfg.Name)+".example")
	cfg.Password = cmp.Or(cfg.Password, randomString(alphanumerics, 20))
	cfg.ClientID = cmp.Or(cfg.ClientID, "sim"+randomString(alphanumerics[26:], 20))
	cfg.ClientSecret = cmp.Or(cfg.ClientSecret, randomString(alphanumerics, 40))
	cfg.PartnerKeys = slices.Clone(cfg.PartnerKeys)

	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.byName[cfg.Name] != nil:
		return nil, fmt.Errorf("simulator: organization %q exists already", cfg.Name)
	case s.byUser[strings.ToLower(cfg.Username)] != nil:
		return nil, fmt.Errorf("simulator: organization %q: username %q belongs to another organization", cfg.Name, cfg.Username)
	case s.byClient[cfg.ClientID] != nil:
		return nil, fmt.Errorf("simulator: organization %q: client ID %q belongs to another organization", cfg.Name, cfg.ClientID)
	}
	o := &Organization{sim: s, adminID: s.newID(), clientID: s.newID(), accepted: map[Op][]time.Time{}, counts: newCounts()}
	if !cfg.NoKey {
		o.key = o.newKey(orgKeyPermissions, o.adminID, cfg.Username)
		o.key.Value = cmp.Or(cfg.APIKey, o.key.Value)
	}
	for _, name := range cfg.PartnerKeys {
		p := o.newKey(partnerKeyPermissions, o.adminID, cfg.Username)
		p.PartnerID, p.PartnerName = s.newID(), name
		o.partners = append(o.partners, p)
	}
	cfg.APIKey = ""
	o.cfg = cfg
	s.orgs = append(s.orgs, o)
	s.byName[cfg.Name] = o
	s.byUser[strings.ToLower(cfg.Username)] = o
	s.byClient[cfg.ClientID] = o
	return o, nil
}

func validOrgName(name string) bool {
	if len(name) == 0 || len(name) > 64 || strings.IndexByte(alphanumerics, name[0]) < 0 {
		return false
	}
	return strings.Trim(name, alphanumerics+"._-") == ""
}

// Organization finds a tenant by name; nil if unknown.
func (s *Simulator) Organization(name string) *Organization { return s.orgBy(s.byName, name) }

// DefaultOrganization is the first organization.
func (s *Simulator) DefaultOrganization() *Organization { return s.Organizations()[0] }

// Organizations lists every tenant, in the order they were added.
func (s *Simulator) Organizations() []*Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.orgs)
}

// locked runs fn holding the simulator's lock, which guards every organization.
func (o *Organization) locked(fn func()) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	fn()
}

// Name is the organization's unique name.
func (o *Organization) Name() string { return o.cfg.Name } // never changes

// Config gives the credentials as configured or generated, and the switches as they
// are now. APIKey is always empty: the current key is Key().
func (o *Organization) Config() (c OrgConfig) {
	o.locked(func() { c = o.cfg })
	c.PartnerKeys = slices.Clone(c.PartnerKeys)
	return c
}

// Key is the current organization key; false when the organization has none.
func (o *Organization) Key() (k APIKey, ok bool) {
	o.locked(func() {
		if ok = o.key != nil; ok {
			k = o.key.snapshot()
		}
	})
	return k, ok
}

// PartnerKeys are the partner keys, in ID order.
func (o *Organization) PartnerKeys() (keys []APIKey) {
	o.locked(func() {
		for _, k := range o.partners {
			keys = append(keys, k.snapshot())
		}
	})
	return keys
}

// Counts are the calls served for this organization.
func (o *Organization) Counts() (c Counts) {
	o.locked(func() { c = o.counts.clone() })
	return c
}

// SetInferredCalls switches the inferred calls (add, edit, delete) on or off.
func (o *Organization) SetInferredCalls(offered bool) {
	o.locked(func() { o.cfg.WithoutInferredCalls = !offered })
}

// SetOneAPIOnly makes legacy login answer 403 ONLY_ONEAPI_SUPPORTED (or stop doing so).
func (o *Organization) SetOneAPIOnly(only bool) { o.locked(func() { o.cfg.OneAPIOnly = only }) }

// SetKeyManagement grants or withdraws the API Key Management permission.
func (o *Organization) SetKeyManagement(allowed bool) {
	o.locked(func() { o.cfg.WithoutKeyManagement = !allowed })
}

// asAdmin makes a change as the organization's administrator would in the portal,
// and returns the organization key after it.
func (o *Organization) asAdmin(change func(byID int64, byName string) error) (k APIKey, err error) {
	o.locked(func() {
		if err = change(o.adminID, o.cfg.Username); err == nil && o.key != nil {
			k = o.key.snapshot()
		}
	})
	return k, err
}

// EditKey sets the organization key's string, with the API's validation.
func (o *Organization) EditKey(value string) (APIKey, error) {
	return o.asAdmin(func(byID int64, byName string) error { return o.setKeyValue(value, byID, byName) })
}

// RegenerateKey gives the organization key a new random string.
func (o *Organization) RegenerateKey() (APIKey, error) {
	return o.asAdmin(func(byID int64, byName string) error {
		if o.key == nil {
			return ErrNoKey
		}
		o.rekey(o.key, byID, byName)
		return nil
	})
}

// AddKey creates an organization key with a new ID and a random string.
func (o *Organization) AddKey() (APIKey, error) { return o.asAdmin(o.addKey) }

// DeleteKey removes the organization key; legacy login fails until one is added.
func (o *Organization) DeleteKey() error {
	_, err := o.asAdmin(func(int64, string) error {
		if o.key == nil {
			return ErrNoKey
		}
		o.key = nil
		return nil
	})
	return err
}

// SetKeyEnabled enables or disables the organization key (a disabled key cannot log in).
func (o *Organization) SetKeyEnabled(enabled bool) error {
	_, err := o.asAdmin(func(byID int64, byName string) error {
		if o.key == nil {
			return ErrNoKey
		}
		if o.key.Enabled != enabled {
			o.key.Enabled = enabled
			o.touch(o.key, byID, byName)
		}
		return nil
	})
	return err
}

// The changes below are shared by the API and the methods above; callers hold sim.mu.

// touch records a change of k by a principal.
func (o *Organization) touch(k *APIKey, byID int64, byName string) {
	k.LastModifiedTime = o.sim.Now().Truncate(time.Second)
	k.LastModifiedByID, k.LastModifiedBy = byID, byName
}

// newKey is an enabled key with a new ID and a random string.
func (o *Organization) newKey(perms []string, byID int64, byName string) *APIKey {
	k := &APIKey{ID: o.sim.newID(), Value: randomKeyValue(""), Enabled: true, Permissions: slices.Clone(perms)}
	o.touch(k, byID, byName)
	return k
}

func (o *Organization) addKey(byID int64, byName string) error {
	if o.key != nil {
		return ErrKeyExists
	}
	o.key = o.newKey(orgKeyPermissions, byID, byName)
	return nil
}

func (o *Organization) rekey(k *APIKey, byID int64, byName string) {
	k.Value = randomKeyValue(k.Value)
	o.touch(k, byID, byName)
}

func (o *Organization) setKeyValue(value string, byID int64, byName string) error {
	switch {
	case o.key == nil:
		return ErrNoKey
	case !ValidKeyValue(value):
		return ErrInvalidKeyValue
	case value == o.key.Value:
		return ErrSameKeyValue
	}
	o.key.Value = value
	o.touch(o.key, byID, byName)
	return nil
}

// findKey finds the organization key or a partner key by ID.
func (o *Organization) findKey(id int64) *APIKey {
	if o.key != nil && o.key.ID == id {
		return o.key
	}
	for _, k := range o.partners {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// ValidKeyValue reports whether v is a well-formed key string: exactly 12 ASCII letters or digits.
func ValidKeyValue(v string) bool {
	return len(v) == 12 && strings.Trim(v, alphanumerics) == ""
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString draws n characters uniformly from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet) // reject bytes above the last full cycle, so no character is favoured
	out := make([]byte, 0, n)
	for len(out) < n {
		for _, b := range randomBytes(n) {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// randomKeyValue is a new 12-character key string different from old.
func randomKeyValue(old string) string {
	for {
		if v := randomString(alphanumerics, 12); v != old {
			return v
		}
	}
}
