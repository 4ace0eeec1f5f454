package simulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

type refJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// keyJSON is the API's key object.
type keyJSON struct {
	ID               int64    `json:"id"`
	KeyValue         string   `json:"keyValue"`
	Permissions      []string `json:"permissions"`
	Enabled          bool     `json:"enabled"`
	LastModifiedTime int64    `json:"lastModifiedTime"`
	LastModifiedBy   *refJSON `json:"lastModifiedBy,omitempty"`
	Partner          *refJSON `json:"partner,omitempty"`
}

func keyObject(k *APIKey) keyJSON {
	out := keyJSON{
		ID: k.ID, KeyValue: k.Value, Enabled: k.Enabled,
		Permissions:      slices.Clone(k.Permissions),
		LastModifiedTime: k.LastModifiedTime.Unix(),
	}
	if out.Permissions == nil {
		out.Permissions = []string{}
	}
	if k.LastModifiedBy != "" || k.LastModifiedByID != 0 {
		out.LastModifiedBy = &refJSON{ID: k.LastModifiedByID, Name: k.LastModifiedBy}
	}
	if k.PartnerID != 0 {
		out.Partner = &refJSON{ID: k.PartnerID, Name: k.PartnerName}
	}
	return out
}

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// listKeys is GET /apiKeys: the organization key first, then (when asked) partner
// keys, paginated. A pageSize above the maximum is served as the maximum, so a client
// that takes "a full page" to mean "ask again" must compare with what it got.
func (s *Simulator) listKeys(org *Organization, r *http.Request) *reply {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return invalidInput("The query string is malformed")
	}
	includePartners := false
	if v, ok := q["includePartnerKey"]; ok {
		switch strings.ToLower(v[0]) {
		case "true":
			includePartners = true
		case "false":
		default:
			return invalidInput("includePartnerKey must be true or false")
		}
	}
	page, err := positiveParam(q, "page", 1)
	if err != nil {
		return invalidInput("page must be a whole number of at least 1")
	}
	pageSize, err := positiveParam(q, "pageSize", defaultPageSize)
	if err != nil {
		return invalidInput("pageSize must be a whole number of at least 1")
	}
	pageSize = min(pageSize, maxPageSize)

	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]keyJSON, 0, 1+len(org.partners))
	if org.key != nil {
		all = append(all, keyObject(org.key))
	}
	if includePartners {
		for _, k := range org.partners {
			all = append(all, keyObject(k))
		}
	}
	out := []keyJSON{}
	if page-1 < len(all) { // guards the product below against overflow as well
		start := (page - 1) * pageSize
		if start < len(all) {
			out = all[start:min(start+pageSize, len(all))]
		}
	}
	return jsonReply(http.StatusOK, out)
}

func positiveParam(q url.Values, name string, def int) (int, error) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}

// optionalObjectBody accepts an empty body, or a JSON object sent as application/json.
func optionalObjectBody(r *http.Request, body []byte) *reply {
	if len(body) == 0 {
		return nil
	}
	if !isJSONRequest(r) {
		return unsupportedMediaType()
	}
	if _, err := decodeJSONObject(body); err != nil {
		return invalidInput(err.Error())
	}
	return nil
}

func keyNotFound() *reply {
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No API key with this ID")
}

// regenerateKey is POST /apiKeys/{id}/regenerate, for the organization key and partner keys.
func (s *Simulator) regenerateKey(who *caller, r *http.Request, body []byte, idText string) *reply {
	if rep := optionalObjectBody(r, body); rep != nil {
		return rep
	}
	id, err := parseKeyID(idText)
	if err != nil {
		return invalidInput("The key ID must be a positive whole number")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := who.org
	k := org.findKey(id)
	if k == nil {
		return keyNotFound()
	}
	k.Value = randomKeyValue(k.Value)
	byID, byName := who.principal()
	org.touch(k, byID, byName)
	return jsonReply(http.StatusOK, keyObject(k))
}

// addKey is POST /apiKeys [inferred]: refused while the organization has a key.
func (s *Simulator) addKey(who *caller, r *http.Request, body []byte) *reply {
	if rep := optionalObjectBody(r, body); rep != nil {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := who.org
	if org.key != nil {
		return apiError(http.StatusBadRequest, "DUPLICATE_ITEM", "The organization already has an API key")
	}
	org.addKeyLocked(who.principal())
	return jsonReply(http.StatusOK, keyObject(org.key))
}

// editKey is PUT /apiKeys/{id} with {"keyValue"} [inferred]; partner keys are not editable.
func (s *Simulator) editKey(who *caller, r *http.Request, body []byte, idText string) *reply {
	if !isJSONRequest(r) {
		return unsupportedMediaType()
	}
	value, err := decodeEditBody(body)
	if err != nil {
		return invalidInput(err.Error())
	}
	id, err := parseKeyID(idText)
	if err != nil {
		return invalidInput("The key ID must be a positive whole number")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := who.org
	if org.key == nil || org.key.ID != id {
		return keyNotFound()
	}
	if !ValidKeyValue(value) {
		return invalidInput("keyValue must be exactly 12 letters or digits")
	}
	if value == org.key.Value {
		return invalidInput("keyValue must differ from the current key")
	}
	org.key.Value = value
	byID, byName := who.principal()
	org.touch(org.key, byID, byName)
	return jsonReply(http.StatusOK, keyObject(org.key))
}

// deleteKey is DELETE /apiKeys/{id} [inferred], for the organization key only.
func (s *Simulator) deleteKey(who *caller, idText string) *reply {
	id, err := parseKeyID(idText)
	if err != nil {
		return invalidInput("The key ID must be a positive whole number")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := who.org
	if org.key == nil || org.key.ID != id {
		return keyNotFound()
	}
	org.key = nil
	return noContent()
}
