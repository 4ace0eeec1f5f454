package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// OrganizationKey returns the organization's own key; found is false when it has none.
func (c *Client) OrganizationKey(ctx context.Context) (key APIKey, found bool, err error) {
	return c.orgKey(ctx, c.cfg.MaxRetries)
}

// orgKey lists the keys (without partner keys, one page: an organization has
// one key) and returns the organization's.
func (c *Client) orgKey(ctx context.Context, maxRetries int) (APIKey, bool, error) {
	cl := &call{op: OpList, method: http.MethodGet, path: "/apiKeys", query: "page=1&pageSize=1000", maxRetries: maxRetries}
	res, err := c.exec(ctx, cl)
	if err != nil {
		return APIKey{}, false, err
	}
	body, err := successBody(res.resp)
	var keys []APIKey
	if err == nil {
		keys, err = decodeAPIKeys(body)
	}
	if err != nil {
		return APIKey{}, false, fmt.Errorf("list (GET /apiKeys): %w", err)
	}
	if len(keys) == 0 {
		return APIKey{}, false, nil
	}
	c.remember(keys[0])
	return keys[0], true, nil
}

// RegenerateAPIKey gives key id a new random value and returns the key.
func (c *Client) RegenerateAPIKey(ctx context.Context, id int64) (APIKey, error) {
	if err := checkID(OpRegenerate, id); err != nil {
		return APIKey{}, err
	}
	// taken now: a concurrent list may record the new value before the check runs
	c.mu.Lock()
	before, known := c.seen[id]
	c.mu.Unlock()
	cl := &call{
		op: OpRegenerate, method: http.MethodPost, path: fmt.Sprintf("/apiKeys/%d/regenerate", id),
		body: []byte("{}"), write: true, maxRetries: c.cfg.MaxRetries,
	}
	cl.verify = func(ctx context.Context, budget int) (APIKey, bool, error) {
		if !known {
			return APIKey{}, false, errors.New("the client has not seen the key's earlier value, so a list cannot tell whether it changed")
		}
		k, found, err := c.orgKey(ctx, budget)
		// another ID or none: the key is gone, and a repeat will say 404
		return k, err == nil && found && k.ID == id && k.Value != before, err
	}
	return c.writeKey(ctx, cl)
}

// AddAPIKey adds an organization key. The API refuses it while one exists.
func (c *Client) AddAPIKey(ctx context.Context) (APIKey, error) {
	cl := &call{
		op: OpAdd, method: http.MethodPost, path: "/apiKeys",
		body: []byte("{}"), write: true, maxRetries: c.cfg.MaxRetries,
	}
	cl.verify = func(ctx context.Context, budget int) (APIKey, bool, error) {
		return c.orgKey(ctx, budget)
	}
	return c.writeKey(ctx, cl)
}

// EditAPIKey sets key id's string to value (12 ASCII letters or digits).
func (c *Client) EditAPIKey(ctx context.Context, id int64, value string) (APIKey, error) {
	if err := checkID(OpEdit, id); err != nil {
		return APIKey{}, err
	}
	if !ValidKeyValue(value) {
		return APIKey{}, &validationError{msg: "edit: the key string must be exactly 12 ASCII letters or digits"}
	}
	body, err := json.Marshal(map[string]string{"keyValue": value})
	if err != nil {
		return APIKey{}, fmt.Errorf("edit: encoding the request: %w", err)
	}
	cl := &call{
		op: OpEdit, method: http.MethodPut, path: fmt.Sprintf("/apiKeys/%d", id),
		body: body, write: true, secrets: []string{value}, maxRetries: c.cfg.MaxRetries,
	}
	cl.verify = func(ctx context.Context, budget int) (APIKey, bool, error) {
		k, found, err := c.orgKey(ctx, budget)
		return k, err == nil && found && k.ID == id && k.Value == value, err
	}
	return c.writeKey(ctx, cl)
}

// DeleteAPIKey deletes key id. A key that is already gone is not an error.
func (c *Client) DeleteAPIKey(ctx context.Context, id int64) error {
	if err := checkID(OpDelete, id); err != nil {
		return err
	}
	// repeating a delete is safe: IDs are never reused, and 404 means done
	cl := &call{
		op: OpDelete, method: http.MethodDelete, path: fmt.Sprintf("/apiKeys/%d", id),
		write: true, maxRetries: c.cfg.MaxRetries,
	}
	_, err := c.exec(ctx, cl)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	c.mu.Lock()
	delete(c.seen, id)
	c.mu.Unlock()
	return nil
}

// writeKey runs a write that answers a key object. An answer that cannot be
// read is treated like a lost one: a list tells what the write did.
func (c *Client) writeKey(ctx context.Context, cl *call) (APIKey, error) {
	res, err := c.exec(ctx, cl)
	if err != nil {
		return APIKey{}, err
	}
	var key APIKey
	if res.verified != nil {
		key = *res.verified
	} else {
		body, derr := successBody(res.resp)
		if derr == nil {
			key, derr = decodeAPIKey(body)
		}
		if derr != nil {
			derr = fmt.Errorf("%s (%s %s): HTTP %d, but %w", cl.op, cl.method, cl.path, res.resp.status, derr)
			k, done, verr := cl.verify(ctx, cl.maxRetries)
			if verr != nil || !done {
				return APIKey{}, newOutcomeError(cl.op, derr, verr)
			}
			key = k
		}
	}
	c.remember(key)
	if c.mode == AuthLegacy { // legacy login takes the organization key: its new string is the login key
		c.mu.Lock()
		c.loginKey = key.Value
		c.mu.Unlock()
	}
	return key, nil
}

// remember records key values, only to tell later whether a regenerate happened.
func (c *Client) remember(k APIKey) {
	c.mu.Lock()
	c.seen[k.ID] = k.Value
	c.mu.Unlock()
}

func checkID(op string, id int64) error {
	if id <= 0 {
		return &validationError{msg: fmt.Sprintf("%s: the key ID must be a positive number", op)}
	}
	return nil
}
