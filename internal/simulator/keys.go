package simulator

import (
	"net/http"
	"net/url"
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
	LastModifiedBy   *refJSON `json:"lastModifiedBy"`
	Partner          *refJSON `json:"partner,omitempty"`
}

func keyObject(k *APIKey) keyJSON {
	out := keyJSON{
		ID: k.ID, KeyValue: k.Value, Enabled: k.Enabled, Permissions: append([]string{}, k.Permissions...),
		LastModifiedTime: k.LastModifiedTime.Unix(), LastModifiedBy: &refJSON{ID: k.LastModifiedByID, Name: k.LastModifiedBy},
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
func (s *Simulator) listKeys(req *request) *reply {
	org := req.who.org
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return invalidInput("The query string is malformed")
	}
	partners := q.Get("includePartnerKey")
	if _, given := q["includePartnerKey"]; given && !strings.EqualFold(partners, "true") && !strings.EqualFold(partners, "false") {
		return invalidInput("includePartnerKey must be true or false")
	}
	page, pageOK := positiveParam(q, "page", 1)
	pageSize, sizeOK := positiveParam(q, "pageSize", defaultPageSize)
	if !pageOK || !sizeOK {
		return invalidInput("page and pageSize must be whole numbers of at least 1")
	}
	pageSize = min(pageSize, maxPageSize)

	s.mu.Lock()
	defer s.mu.Unlock()
	all := []keyJSON{}
	if org.key != nil {
		all = append(all, keyObject(org.key))
	}
	if strings.EqualFold(partners, "true") {
		for _, k := range org.partners {
			all = append(all, keyObject(k))
		}
	}
	if page-1 >= len(all) || (page-1)*pageSize >= len(all) { // the first test guards the product against overflow
		return jsonReply(http.StatusOK, []keyJSON{})
	}
	start := (page - 1) * pageSize
	return jsonReply(http.StatusOK, all[start:min(start+pageSize, len(all))])
}

func positiveParam(q url.Values, name string, def int) (int, bool) {
	if _, given := q[name]; !given {
		return def, true
	}
	n, err := strconv.Atoi(q.Get(name))
	return n, err == nil && n >= 1
}

// optionalObjectBody accepts an empty body, or a JSON object sent as application/json.
func optionalObjectBody(q *request) *reply {
	if len(q.body) == 0 {
		return nil
	}
	if rep := needJSON(q.Request); rep != nil {
		return rep
	}
	if _, err := decodeJSONObject(q.body); err != nil {
		return invalidInput(err.Error())
	}
	return nil
}

func keyNotFound() *reply {
	return apiError(http.StatusNotFound, "RESOURCE_NOT_FOUND", "No API key with this ID")
}

func badKeyID() *reply { return invalidInput("The key ID must be a positive whole number") }

// regenerateKey is POST /apiKeys/{id}/regenerate, for the organization key and partner keys.
func (s *Simulator) regenerateKey(q *request) *reply {
	if rep := optionalObjectBody(q); rep != nil {
		return rep
	}
	id, ok := parseKeyID(q.keyID)
	if !ok {
		return badKeyID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := q.who.org.findKey(id)
	if k == nil {
		return keyNotFound()
	}
	byID, byName := q.who.principal()
	q.who.org.rekey(k, byID, byName)
	return jsonReply(http.StatusOK, keyObject(k))
}

// addKey is POST /apiKeys [inferred]: refused while the organization has a key.
func (s *Simulator) addKey(q *request) *reply {
	if rep := optionalObjectBody(q); rep != nil {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := q.who.org.addKey(q.who.principal()); err != nil {
		return changeError(err)
	}
	return jsonReply(http.StatusOK, keyObject(q.who.org.key))
}

// editKey is PUT /apiKeys/{id} with {"keyValue"} [inferred]; partner keys are not editable.
func (s *Simulator) editKey(q *request) *reply {
	if rep := needJSON(q.Request); rep != nil {
		return rep
	}
	value, err := decodeEditBody(q.body)
	if err != nil {
		return invalidInput(err.Error())
	}
	id, ok := parseKeyID(q.keyID)
	if !ok {
		return badKeyID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := q.who.org
	if org.key == nil || org.key.ID != id {
		return keyNotFound()
	}
	byID, byName := q.who.principal()
	if err := org.setKeyValue(value, byID, byName); err != nil {
		return changeError(err)
	}
	return jsonReply(http.StatusOK, keyObject(org.key))
}

// deleteKey is DELETE /apiKeys/{id} [inferred], for the organization key only.
func (s *Simulator) deleteKey(q *request) *reply {
	id, ok := parseKeyID(q.keyID)
	if !ok {
		return badKeyID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := q.who.org
	if org.key == nil || org.key.ID != id {
		return keyNotFound()
	}
	org.key = nil
	return noContent()
}
