//go:build !js

package account_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"livechat/server/account"
	"livechat/server/account/passkeytest"
	"livechat/shared"
)

const origin = "http://localhost:8080"

// addPasskey adds a passkey of auth to the account id.
func addPasskey(t *testing.T, a *account.Accounts, auth *passkeytest.Authenticator, id string) account.Account {
	t.Helper()
	ctx := context.Background()
	c, options, err := a.BeginAddPasskey(ctx, id, origin)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := auth.Create(options)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := a.AddPasskey(ctx, c, answer, "Chromium on Linux")
	if err != nil {
		t.Fatalf("AddPasskey: %v", err)
	}
	return acct
}

// signIn signs in with a passkey of auth, answering a new ceremony.
func signIn(a *account.Accounts, auth *passkeytest.Authenticator) (account.Account, string, error) {
	c, options, err := a.BeginPasskeySignIn(origin)
	if err != nil {
		return account.Account{}, "", err
	}
	answer, err := auth.Get(options)
	if err != nil {
		return account.Account{}, "", err
	}
	return a.PasskeySignIn(context.Background(), c, answer, "Firefox on Linux")
}

func TestPasskeySignIn(t *testing.T) {
	ctx := context.Background()
	a, _ := newAccounts(t)
	alice, _, err := a.Register(ctx, "alice", "first")
	if err != nil {
		t.Fatal(err)
	}
	bob, _, _ := a.Register(ctx, "bob", "first")
	auth := &passkeytest.Authenticator{Origin: origin}

	acct := addPasskey(t, a, auth, alice.ID)
	if len(acct.Passkeys) != 1 || acct.Passkeys[0].Name != "Chromium on Linux" {
		t.Fatalf("passkeys after adding one: %+v", acct.Passkeys)
	}

	got, credential, err := signIn(a, auth)
	if err != nil {
		t.Fatalf("passkey sign-in: %v", err)
	}
	if got.ID != alice.ID || len(got.Devices) != 2 || got.Passkeys[0].LastUsed.IsZero() {
		t.Fatalf("signed in as %+v", got)
	}
	if who, _, err := a.Authenticate(ctx, credential); err != nil || who.ID != alice.ID {
		t.Fatalf("the new device's credential signs in %v, %v", who.ID, err)
	}
	if _, _, err := signIn(a, auth); err != nil {
		t.Fatalf("second passkey sign-in: %v", err)
	}

	// An answer counts once, for its own challenge and origin.
	c, options, _ := a.BeginPasskeySignIn(origin)
	answer, _ := auth.Get(options)
	if _, _, err := a.PasskeySignIn(ctx, c, answer, ""); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.PasskeySignIn(ctx, c, answer, "")
	wantCode(t, err, shared.CodeUnauthorized)
	c2, _, _ := a.BeginPasskeySignIn(origin)
	_, _, err = a.PasskeySignIn(ctx, c2, answer, "")
	wantCode(t, err, shared.CodeUnauthorized)

	// Signed for another page, it is refused.
	addPasskey(t, a, &passkeytest.Authenticator{Origin: origin}, bob.ID) // bob has one too
	auth.Origin = "http://evil.example"
	_, _, err = signIn(a, auth)
	wantCode(t, err, shared.CodeUnauthorized)
	auth.Origin = origin

	// alice's passkey cannot sign in as bob: the user handle names the
	// account, and the signature is checked with that account's keys.
	c4, options, _ := a.BeginPasskeySignIn(origin)
	answer, _ = auth.Get(options)
	forged := bytes.Replace(answer, []byte(b64(alice.ID)), []byte(b64(bob.ID)), 1)
	if bytes.Equal(forged, answer) {
		t.Fatal("the answer does not hold alice's user handle")
	}
	_, _, err = a.PasskeySignIn(ctx, c4, forged, "")
	wantCode(t, err, shared.CodeUnauthorized)

	// A signature that does not check out is refused.
	c5, options, _ := a.BeginPasskeySignIn(origin)
	answer, _ = auth.Get(options)
	var msg map[string]any
	json.Unmarshal(answer, &msg)
	resp := msg["response"].(map[string]any)
	sig, _ := base64.RawURLEncoding.DecodeString(resp["signature"].(string))
	sig[len(sig)-1] ^= 1
	resp["signature"] = base64.RawURLEncoding.EncodeToString(sig)
	answer, _ = json.Marshal(msg)
	_, _, err = a.PasskeySignIn(ctx, c5, answer, "")
	wantCode(t, err, shared.CodeUnauthorized)

	// Garbage is an error, not a crash.
	for _, bad := range []string{``, `{}`, `[]`, `{"id":"AQID","rawId":"AQID","type":"public-key","response":{}}`, `"x"`} {
		c, _, _ := a.BeginPasskeySignIn(origin)
		_, _, err = a.PasskeySignIn(ctx, c, []byte(bad), "")
		wantCode(t, err, shared.CodeUnauthorized)
		c, _, _ = a.BeginAddPasskey(ctx, alice.ID, origin)
		_, err = a.AddPasskey(ctx, c, []byte(bad), "")
		wantCode(t, err, shared.CodeInvalidRequest)
	}
	_, _, err = a.PasskeySignIn(ctx, nil, answer, "")
	wantCode(t, err, shared.CodeUnauthorized)
	for _, o := range []string{"", "null", "file:///tmp/x", "ws://"} {
		_, _, err = a.BeginPasskeySignIn(o)
		wantCode(t, err, shared.CodeInvalidRequest)
	}

	// Removed, it signs nobody in; the device it signed in stays.
	acct, err = a.RemovePasskey(ctx, alice.ID, acct.Passkeys[0].ID())
	if err != nil || len(acct.Passkeys) != 0 {
		t.Fatalf("RemovePasskey: %v, %+v", err, acct.Passkeys)
	}
	_, _, err = signIn(a, auth)
	wantCode(t, err, shared.CodeUnauthorized)
	if _, _, err := a.Authenticate(ctx, credential); err != nil {
		t.Fatalf("the device the passkey signed in was signed out: %v", err)
	}
	_, err = a.RemovePasskey(ctx, alice.ID, "nope")
	wantCode(t, err, shared.CodeNotFound)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
