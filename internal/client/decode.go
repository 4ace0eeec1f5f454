package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what the client reads and repeats from an answer.
const (
	maxSuccessBody = 4 << 20  // a success answer larger than this is refused
	maxErrorBody   = 64 << 10 // an error answer is read up to this much
	maxMessageLen  = 300      // characters kept of a server message
	maxCodeLen     = 80       // characters kept of a server error code
	maxTokenLen    = 16 << 10 // an access token longer than this is refused
)

// wireKey is the API's key object. Pointers tell absent fields from zero ones.
type wireKey struct {
	ID               *int64      `json:"id"`
	KeyValue         *string     `json:"keyValue"`
	Permissions      []string    `json:"permissions"`
	Enabled          *bool       `json:"enabled"`
	LastModifiedTime json.Number `json:"lastModifiedTime"`
	LastModifiedBy   *struct {
		Name string `json:"name"`
	} `json:"lastModifiedBy"`
	Partner *struct{} `json:"partner"` // set on a partner's key
}

// successBody returns a 2xx answer's body, which must be JSON within the cap.
func successBody(r *response) ([]byte, error) {
	if r.truncated {
		return nil, fmt.Errorf("the answer is larger than %d bytes", maxSuccessBody)
	}
	if !isJSONMediaType(r.contentType) {
		mt := mediaType(r.contentType)
		return nil, fmt.Errorf("the answer is %s %s body, not JSON", article(mt), mt)
	}
	return r.body, nil
}

// decodeAPIKeys decodes a list answer, a JSON array of key objects, and
// keeps the organization's own: a key with a partner is a partner's.
func decodeAPIKeys(data []byte) ([]APIKey, error) {
	var raw []json.RawMessage
	if err := unmarshalJSON(data, &raw); err != nil {
		return nil, fmt.Errorf("the key list is not a JSON array of key objects: %w", err)
	}
	if raw == nil {
		return nil, errors.New("the key list is JSON null, not an array")
	}
	keys := make([]APIKey, 0, len(raw))
	for i, item := range raw {
		k, partner, err := decodeKeyObject(item)
		if err != nil {
			return nil, fmt.Errorf("the key list's element %d: %w", i, err)
		}
		if !partner {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// decodeAPIKey decodes the key object that a write answers.
func decodeAPIKey(data []byte) (APIKey, error) {
	k, _, err := decodeKeyObject(data)
	if err != nil {
		return APIKey{}, fmt.Errorf("the key object: %w", err)
	}
	return k, nil
}

// decodeKeyObject decodes one key object, and tells whether it is a partner's.
func decodeKeyObject(data []byte) (k APIKey, partner bool, err error) {
	var w wireKey
	if err := unmarshalJSON(data, &w); err != nil {
		return APIKey{}, false, err
	}
	switch {
	case w.ID == nil:
		return APIKey{}, false, errors.New("field id is missing")
	case *w.ID <= 0:
		return APIKey{}, false, errors.New("field id is not a positive number")
	case w.KeyValue == nil:
		return APIKey{}, false, errors.New("field keyValue is missing")
	}
	k = APIKey{
		ID:          *w.ID,
		Value:       *w.KeyValue,
		Enabled:     w.Enabled != nil && *w.Enabled,
		Permissions: w.Permissions,
		Reported: ReportedFields{
			Enabled:      w.Enabled != nil,
			Permissions:  w.Permissions != nil,
			LastModified: w.LastModifiedTime != "" && w.LastModifiedBy != nil,
		},
	}
	if w.LastModifiedTime != "" {
		if k.LastModifiedTime, err = epochSeconds(w.LastModifiedTime); err != nil {
			return APIKey{}, false, fmt.Errorf("field lastModifiedTime: %w", err)
		}
	}
	if w.LastModifiedBy != nil {
		k.LastModifiedBy = w.LastModifiedBy.Name
	}
	return k, w.Partner != nil, nil
}

// epochSeconds reads the API's lastModifiedTime (epoch seconds). Within the
// range taken, a float64 holds whole seconds exactly.
func epochSeconds(n json.Number) (time.Time, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1<<40 {
		return time.Time{}, errors.New("out of range for epoch seconds")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// errorBody is what an error answer said, reduced to what may be shown.
type errorBody struct {
	Code       string // API code, or the OAuth "error"
	Message    string // API message, or the OAuth "error_description"
	RetryAfter string // the 429 body's "Retry-After" field
	Note       string // a description of a body that is not the API's error shape
}

// decodeErrorBody reads an error answer. It never keeps raw body text:
// only the JSON fields code/message (sanitized, shortened) or a description.
func decodeErrorBody(contentType string, data []byte, truncated bool) errorBody {
	var fields map[string]any
	if len(bytes.TrimSpace(data)) > 0 && !truncated && json.Unmarshal(data, &fields) == nil && fields != nil {
		eb := errorBody{
			Code:    sanitizeText(stringField(fields, "code"), maxCodeLen),
			Message: sanitizeText(stringField(fields, "message"), maxMessageLen),
		}
		if eb.Code == "" {
			eb.Code = sanitizeText(stringField(fields, "error"), maxCodeLen)
		}
		if eb.Message == "" {
			eb.Message = sanitizeText(stringField(fields, "error_description"), maxMessageLen)
		}
		switch v := fields["Retry-After"].(type) {
		case string:
			eb.RetryAfter = sanitizeText(v, 40)
		case float64:
			eb.RetryAfter = strconv.FormatFloat(v, 'f', -1, 64)
		}
		if eb.Code == "" && eb.Message == "" {
			eb.Note = "a JSON body without code or message"
		}
		return eb
	}
	return errorBody{Note: describeBody(contentType, data, truncated)}
}

// describeBody names a body by its media type and size, never its content.
func describeBody(contentType string, data []byte, truncated bool) string {
	if len(data) == 0 {
		return "an empty body"
	}
	mt := mediaType(contentType)
	kind := "a body without a content type"
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		kind = "a malformed " + mt + " body"
	case mt != "":
		kind = article(mt) + " " + mt + " body"
	}
	if truncated {
		kind += " larger than the client reads"
	}
	return kind
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// tokenAnswer is a OneAPI token answer.
type tokenAnswer struct {
	AccessToken string
	ExpiresIn   time.Duration // 0 when the answer did not say
}

// decodeToken decodes a token answer; only an application/json one is read.
func decodeToken(contentType string, data []byte) (tokenAnswer, error) {
	if mt := mediaType(contentType); mt != "application/json" {
		if mt == "" {
			return tokenAnswer{}, errors.New("the token answer has no content type; expected application/json")
		}
		return tokenAnswer{}, fmt.Errorf("the token answer is %s %s body; expected application/json", article(mt), mt)
	}
	var w struct {
		AccessToken *string     `json:"access_token"`
		TokenType   string      `json:"token_type"`
		ExpiresIn   json.Number `json:"expires_in"` // a number or, from some servers, a numeric string
	}
	if err := unmarshalJSON(data, &w); err != nil {
		return tokenAnswer{}, fmt.Errorf("the token answer: %w", err)
	}
	if w.AccessToken == nil || *w.AccessToken == "" {
		return tokenAnswer{}, errors.New("the token answer has no access_token")
	}
	tok := *w.AccessToken
	if len(tok) > maxTokenLen {
		return tokenAnswer{}, errors.New("the token answer's access_token is too long")
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 0x21 || tok[i] > 0x7e {
			return tokenAnswer{}, errors.New("the token answer's access_token has characters that cannot go in a header")
		}
	}
	if w.TokenType != "" && !strings.EqualFold(w.TokenType, "bearer") {
		return tokenAnswer{}, errors.New("the token answer's token_type is not Bearer")
	}
	ans := tokenAnswer{AccessToken: tok}
	if w.ExpiresIn != "" {
		secs, err := w.ExpiresIn.Float64()
		if err != nil || secs < 0 {
			return tokenAnswer{}, errors.New("the token answer's expires_in is not a non-negative number")
		}
		// a year is far beyond any token lifetime; larger values are clamped
		ans.ExpiresIn = time.Duration(min(secs, 365*24*3600)) * time.Second
	}
	return ans, nil
}

// unmarshalJSON decodes data and turns decoding errors into descriptions
// that never quote the input.
func unmarshalJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON (syntax error at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "value"
		} else {
			field = "field " + field
		}
		// typ.Value can hold the number itself, so only its kind is named
		kind, _, _ := strings.Cut(typ.Value, " ")
		return fmt.Errorf("%s is a JSON %s, expected %s", field, kind, jsonKindOf(typ.Type))
	default:
		return errors.New("not valid JSON")
	}
}

// jsonKindOf names the JSON kind that decodes into t.
func jsonKindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	default:
		return "a number"
	}
}

func stringField(m map[string]any, name string) string {
	s, _ := m[name].(string)
	return s
}

// mediaType returns the lower-case media type of a Content-Type header.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "unparsable-content-type"
	}
	return mt
}

// isJSONMediaType accepts application/json, */*+json and an absent type.
func isJSONMediaType(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// sanitizeText keeps server text fit for one line of a diagnostic:
// valid UTF-8, no control or invisible format characters, runs of space
// folded, at most limit characters.
func sanitizeText(s string, limit int) string {
	out := make([]rune, 0, min(len(s), limit+1))
	pendingSpace := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.IsSpace(r):
			pendingSpace = len(out) > 0
			continue
		case unicode.In(r, unicode.Cf):
			continue
		}
		if pendingSpace {
			out = append(out, ' ')
			pendingSpace = false
		}
		out = append(out, r)
		if len(out) > limit {
			return string(out[:limit]) + "…"
		}
	}
	return string(out)
}
