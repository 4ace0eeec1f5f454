package simulator

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// OrgConfig describes one organization (tenant) of the simulator.
type OrgConfig struct {
	Name                 string         // unique; "" = "default"
	Username, Password   string         // legacy admin; "" = generated (username like admin@<name>.example)
	APIKey               string         // initial organization key value (12 letters/digits); "" = random
	NoKey                bool           // start without an organization key
	ClientID             string         // OneAPI client; "" = generated
	ClientSecret         string         // OneAPI client secret; "" = generated
	ClientPublicKey      *rsa.PublicKey // when set, private-key JWT assertions of this client are accepted
	OneAPIOnly           bool           // legacy login answers 403 ONLY_ONEAPI_SUPPORTED
	WithoutInferredCalls bool           // add, edit and delete are not offered (405)
	WithoutKeyManagement bool           // the admin role / client lacks API Key Management: every /apiKeys call is 403
	PartnerKeys          []string       // names of partner keys to create (each gets an ID and a random value)
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

// Errors of the out-of-band key changes. Their messages never carry a key value.
var (
	ErrNoKey           = errors.New("simulator: the organization has no API key")
	ErrKeyExists       = errors.New("simulator: the organization already has an API key")
	ErrInvalidKeyValue = errors.New("simulator: a key value is exactly 12 ASCII letters or digits")
	ErrSameKeyValue    = errors.New("simulator: the new key value must differ from the current one")
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
	if cfg.Name == "" {
		cfg.Name = "default"
	}
	if !validOrgName(cfg.Name) {
		return nil, fmt.Errorf("simulator: organization name %q: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", cfg.Name)
	}
	if cfg.APIKey != "" && !ValidKeyValue(cfg.APIKey) {
		return nil, fmt.Errorf("simulator: organization %q: %w", cfg.Name, ErrInvalidKeyValue)
	}
	if cfg.NoKey && cfg.APIKey != "" {
		return nil, fmt.Errorf("simulator: organization %q: NoKey conflicts with APIKey", cfg.Name)
	}
	if cfg.Username == "" {
		cfg.Username = "admin@" + strings.ToLower(cfg.Name) + ".example"
	}
	if cfg.Password == "" {
		cfg.Password = randomString(alphanumerics, 20)
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "sim" + randomString(lowerDigits, 20)
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = randomString(alphanumerics, 40)
	}
	for _, pk := range cfg.PartnerKeys {
		if strings.TrimSpace(pk) == "" {
			return nil, fmt.Errorf("simulator: organization %q: a partner key needs a name", cfg.Name)
		}
	}
	cfg.PartnerKeys = slices.Clone(cfg.PartnerKeys)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName[cfg.Name] != nil {
		return nil, fmt.Errorf("simulator: organization %q exists already", cfg.Name)
	}
	if s.byUser[strings.ToLower(cfg.Username)] != nil {
		return nil, fmt.Errorf("simulator: organization %q: username %q belongs to another organization", cfg.Name, cfg.Username)
	}
	if s.byClient[cfg.ClientID] != nil {
		return nil, fmt.Errorf("simulator: organization %q: client ID %q belongs to another organization", cfg.Name, cfg.ClientID)
	}
	now := s.Now().Truncate(time.Second)
	o := &Organization{
		sim:      s,
		adminID:  s.newID(),
		clientID: s.newID(),
		accepted: map[Op][]time.Time{},
		counts:   newCounts(),
	}
	if !cfg.NoKey {
		value := cfg.APIKey
		if value == "" {
			value = randomKeyValue("")
		}
		o.key = &APIKey{
			ID: s.newID(), Value: value, Enabled: true, Permissions: slices.Clone(orgKeyPermissions),
			LastModifiedTime: now, LastModifiedByID: o.adminID, LastModifiedBy: cfg.Username,
		}
	}
	for _, name := range cfg.PartnerKeys {
		o.partners = append(o.partners, &APIKey{
			ID: s.newID(), Value: randomKeyValue(""), Enabled: true, Permissions: slices.Clone(partnerKeyPermissions),
			LastModifiedTime: now, LastModifiedByID: o.adminID, LastModifiedBy: cfg.Username,
			PartnerID: s.newID(), PartnerName: name,
		})
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
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isAlnum(c):
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// Organization finds a tenant by name; nil if unknown.
func (s *Simulator) Organization(name string) *Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byName[name]
}

// DefaultOrganization is the first organization.
func (s *Simulator) DefaultOrganization() *Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.orgs) == 0 {
		return nil
	}
	return s.orgs[0]
}

// Organizations lists every tenant, in the order they were added.
func (s *Simulator) Organizations() []*Organization {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.orgs)
}

// Name is the organization's unique name.
func (o *Organization) Name() string {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	return o.cfg.Name
}

// Config gives the credentials as configured or generated, and the switches as they
// are now. APIKey is always empty: the current key is Key().
func (o *Organization) Config() OrgConfig {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	c := o.cfg
	c.PartnerKeys = slices.Clone(c.PartnerKeys)
	return c
}

// Key is the current organization key; false when the organization has none.
func (o *Organization) Key() (APIKey, bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.key == nil {
		return APIKey{}, false
	}
	return o.key.snapshot(), true
}

// PartnerKeys are the partner keys, in ID order.
func (o *Organization) PartnerKeys() []APIKey {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	out := make([]APIKey, 0, len(o.partners))
	for _, k := range o.partners {
		out = append(out, k.snapshot())
	}
	return out
}

// EditKey sets the organization key's string, with the API's validation.
func (o *Organization) EditKey(value string) (APIKey, error) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.key == nil {
		return APIKey{}, ErrNoKey
	}
	if !ValidKeyValue(value) {
		return APIKey{}, ErrInvalidKeyValue
	}
	if value == o.key.Value {
		return APIKey{}, ErrSameKeyValue
	}
	o.key.Value = value
	o.touch(o.key, o.adminID, o.cfg.Username)
	return o.key.snapshot(), nil
}

// RegenerateKey gives the organization key a new random string.
func (o *Organization) RegenerateKey() (APIKey, error) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.key == nil {
		return APIKey{}, ErrNoKey
	}
	o.key.Value = randomKeyValue(o.key.Value)
	o.touch(o.key, o.adminID, o.cfg.Username)
	return o.key.snapshot(), nil
}

// DeleteKey removes the organization key; legacy login fails until one is added.
func (o *Organization) DeleteKey() error {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.key == nil {
		return ErrNoKey
	}
	o.key = nil
	return nil
}

// AddKey creates an organization key with a new ID and a random string.
func (o *Organization) AddKey() (APIKey, error) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.key != nil {
		return APIKey{}, ErrKeyExists
	}
	o.addKeyLocked(o.adminID, o.cfg.Username)
	return o.key.snapshot(), nil
}

// SetKeyEnabled enables or disables the organization key (a disabled key cannot log in).
func (o *Organization) SetKeyEnabled(enabled bool) error {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	if o.key == nil {
		return ErrNoKey
	}
	if o.key.Enabled != enabled {
		o.key.Enabled = enabled
		o.touch(o.key, o.adminID, o.cfg.Username)
	}
	return nil
}

// SetInferredCalls switches the inferred calls (add, edit, delete) on or off.
func (o *Organization) SetInferredCalls(offered bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	o.cfg.WithoutInferredCalls = !offered
}

// SetOneAPIOnly makes legacy login answer 403 ONLY_ONEAPI_SUPPORTED (or stop doing so).
func (o *Organization) SetOneAPIOnly(only bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	o.cfg.OneAPIOnly = only
}

// SetKeyManagement grants or withdraws the API Key Management permission.
func (o *Organization) SetKeyManagement(allowed bool) {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	o.cfg.WithoutKeyManagement = !allowed
}

// Counts are the calls served for this organization.
func (o *Organization) Counts() Counts {
	o.sim.mu.Lock()
	defer o.sim.mu.Unlock()
	return o.counts.clone()
}

// touch records a change of k by a principal. Callers hold sim.mu.
func (o *Organization) touch(k *APIKey, byID int64, byName string) {
	k.LastModifiedTime = o.sim.Now().Truncate(time.Second)
	k.LastModifiedByID = byID
	k.LastModifiedBy = byName
}

// addKeyLocked creates the organization key. Callers hold sim.mu and checked o.key == nil.
func (o *Organization) addKeyLocked(byID int64, byName string) {
	o.key = &APIKey{
		ID: o.sim.newID(), Value: randomKeyValue(""), Enabled: true,
		Permissions: slices.Clone(orgKeyPermissions),
	}
	o.touch(o.key, byID, byName)
}

// findKey finds the organization key or a partner key by ID. Callers hold sim.mu.
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
	if len(v) != 12 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isAlnum(v[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

const (
	alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerDigits   = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString draws n characters uniformly from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet) // reject bytes above the last full cycle, so no character is favoured
	out := make([]byte, 0, n)
	buf := make([]byte, n+8)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails since Go 1.24
		for _, b := range buf {
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
