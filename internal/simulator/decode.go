package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// Decoding errors name fields, never values: a body can carry a password or a key.
var errNotObject = errors.New("the request body is not a valid JSON object")

// decodeJSONObject parses body as exactly one JSON object (no trailing data).
func decodeJSONObject(body []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil { // null leaves m nil
		return nil, errNotObject
	}
	return m, nil
}

// stringField reads field name of m, which must be present and a JSON string.
func stringField(m map[string]json.RawMessage, name string) (string, error) {
	raw, ok := m[name]
	if !ok {
		return "", fmt.Errorf("the field %q is missing", name)
	}
	var v *string
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return "", fmt.Errorf("the field %q must be a JSON string", name)
	}
	return *v, nil
}

type loginRequest struct {
	APIKey, Username, Password, Timestamp string
}

// decodeLoginBody reads a legacy login body: apiKey, username, password and
// timestamp, all JSON strings. Other fields are ignored.
func decodeLoginBody(body []byte) (loginRequest, error) {
	m, err := decodeJSONObject(body)
	if err != nil {
		return loginRequest{}, err
	}
	var req loginRequest
	for _, f := range []struct {
		name string
		dst  *string
	}{{"apiKey", &req.APIKey}, {"username", &req.Username}, {"password", &req.Password}, {"timestamp", &req.Timestamp}} {
		if *f.dst, err = stringField(m, f.name); err != nil {
			return loginRequest{}, err
		}
	}
	return req, nil
}

// decodeEditBody reads the keyValue of an edit body. Other fields (a client may send
// the whole key object) are ignored; the value is validated by the caller.
func decodeEditBody(body []byte) (string, error) {
	m, err := decodeJSONObject(body)
	if err != nil {
		return "", err
	}
	return stringField(m, "keyValue")
}

// peekLoginUsername finds the username of a login body, to match faults by
// organization before the body is checked for real; "" when there is none.
func peekLoginUsername(body []byte) string {
	m, _ := decodeJSONObject(body)
	u, _ := stringField(m, "username")
	return u
}

// peekClientID finds the client_id of a token request; "" when there is none.
func peekClientID(body []byte) string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("client_id")
}
