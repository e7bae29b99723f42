//go:build !js

package account

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"livechat/server/kv"
	"livechat/shared"
)

// Passkeys are WebAuthn credentials (github.com/go-webauthn/webauthn):
// a person adds one while signed in, and any device holding it (the same
// browser after its storage was cleared, or another one the passkey is
// synced to) signs in with it, without a nickname or password.
//
// A ceremony is bound to the origin of the page (the connection's Origin,
// which the server already checked against its allow-list): the relying
// party id is that origin's host, so a passkey made on
// https://chat.example.com works on every port of chat.example.com.

// MaxPasskeys is how many passkeys an account keeps.
const MaxPasskeys = 20

// ceremonyTTL is how long a ceremony's challenge may be answered.
const ceremonyTTL = 5 * time.Minute

// Passkey is a WebAuthn credential that signs its account in.
type Passkey struct {
	// Name describes the passkey to its owner, e.g. "Chromium on Linux".
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
	// Credential is what go-webauthn needs to check a sign-in: the
	// public key, its algorithm and the signature counter.
	Credential webauthn.Credential `json:"credential"`
}

// ID returns the passkey's credential id, base64url-encoded.
func (p Passkey) ID() string { return base64.RawURLEncoding.EncodeToString(p.Credential.ID) }

// Ceremony is a WebAuthn ceremony in progress: the challenge that the
// browser's authenticator signs, on the page's origin. It is answered
// once: a second answer, or one after five minutes, is refused. It is not
// safe for concurrent use; a connection keeps at most one.
type Ceremony struct {
	wa      *webauthn.WebAuthn
	session webauthn.SessionData
	account string // whose passkey is being added; "" for a sign-in
	used    bool
}

// relyingParty returns the WebAuthn configuration for pages of origin.
func relyingParty(origin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(origin)
	if origin == "" || err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, shared.Errorf(shared.CodeInvalidRequest, "passkeys work only in a browser, on the page of the server")
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "livechat",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
		},
	})
	if err != nil {
		return nil, shared.Errorf(shared.CodeInvalidRequest, "passkeys do not work on %s: %v", origin, err)
	}
	return wa, nil
}

// user is an account as go-webauthn sees it. The user handle stored in a
// passkey is the account id, which never changes.
type user struct{ acct *Account }

func (u user) WebAuthnID() []byte          { return []byte(u.acct.ID) }
func (u user) WebAuthnName() string        { return u.acct.Nickname }
func (u user) WebAuthnDisplayName() string { return u.acct.Nickname }
func (u user) WebAuthnCredentials() []webauthn.Credential {
	creds := make([]webauthn.Credential, len(u.acct.Passkeys))
	for i, p := range u.acct.Passkeys {
		creds[i] = p.Credential
	}
	return creds
}

// BeginAddPasskey starts adding a passkey to the account id, on a page of
// origin. It returns the ceremony to pass to AddPasskey and the options
// for the browser: the JSON form of PublicKeyCredentialCreationOptions,
// as PublicKeyCredential.parseCreationOptionsFromJSON takes it.
func (a *Accounts) BeginAddPasskey(ctx context.Context, id, origin string) (*Ceremony, json.RawMessage, error) {
	wa, err := relyingParty(origin)
	if err != nil {
		return nil, nil, err
	}
	acct, err := a.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if len(acct.Passkeys) >= MaxPasskeys {
		return nil, nil, shared.Errorf(shared.CodeInvalidRequest, "an account has at most %d passkeys: remove one first", MaxPasskeys)
	}
	exclude := make([]protocol.CredentialDescriptor, len(acct.Passkeys))
	for i, p := range acct.Passkeys {
		exclude[i] = p.Credential.Descriptor()
	}
	creation, session, err := wa.BeginRegistration(user{&acct},
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(exclude),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey for %s: %w", id, err)
	}
	options, err := json.Marshal(creation.Response)
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey for %s: %w", id, err)
	}
	return &Ceremony{wa: wa, session: *session, account: id}, options, nil
}

// AddPasskey finishes the ceremony of BeginAddPasskey with the browser's
// answer (the JSON of PublicKeyCredential.toJSON()) and keeps the passkey
// under name. An answer that does not check out gets invalid_request.
func (a *Accounts) AddPasskey(ctx context.Context, c *Ceremony, response []byte, name string) (Account, error) {
	if c == nil || c.account == "" || c.used {
		return Account{}, shared.Errorf(shared.CodeInvalidRequest, "no passkey is being added: start again")
	}
	c.used = true
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return Account{}, shared.Errorf(shared.CodeInvalidRequest, "this passkey answer cannot be read: %s", describe(err))
	}
	var cred *webauthn.Credential
	acct, err := a.update(ctx, c.account, func(acct *Account) error {
		if cred == nil {
			created, err := c.wa.CreateCredential(user{acct}, c.session, parsed)
			if err != nil {
				return shared.Errorf(shared.CodeInvalidRequest, "this passkey was not accepted: %s", describe(err))
			}
			cred = created
		}
		for _, p := range acct.Passkeys {
			if bytes.Equal(p.Credential.ID, cred.ID) {
				return shared.Errorf(shared.CodeInvalidRequest, "this passkey is already added")
			}
		}
		if len(acct.Passkeys) >= MaxPasskeys {
			return shared.Errorf(shared.CodeInvalidRequest, "an account has at most %d passkeys: remove one first", MaxPasskeys)
		}
		acct.Passkeys = append(acct.Passkeys, Passkey{Name: deviceName(name), Created: a.now(), Credential: *cred})
		return nil
	})
	return acct, err
}

// BeginPasskeySignIn starts signing in with a passkey on a page of origin,
// not knowing yet as whom. It returns the ceremony to pass to
// PasskeySignIn and the options for the browser: the JSON form of
// PublicKeyCredentialRequestOptions, as
// PublicKeyCredential.parseRequestOptionsFromJSON takes it.
func (a *Accounts) BeginPasskeySignIn(origin string) (*Ceremony, json.RawMessage, error) {
	wa, err := relyingParty(origin)
	if err != nil {
		return nil, nil, err
	}
	assertion, session, err := wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	options, err := json.Marshal(assertion.Response)
	if err != nil {
		return nil, nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	return &Ceremony{wa: wa, session: *session}, options, nil
}

// PasskeySignIn finishes the ceremony of BeginPasskeySignIn with the
// browser's answer (the JSON of PublicKeyCredential.toJSON()) and returns
// the account the passkey belongs to, with the credential of a new device
// called deviceName. Any answer that does not sign someone in, for
// whatever reason, gets ErrUnauthorized.
func (a *Accounts) PasskeySignIn(ctx context.Context, c *Ceremony, response []byte, deviceName string) (Account, string, error) {
	if c == nil || c.account != "" || c.used {
		return Account{}, "", shared.Errorf(shared.CodeUnauthorized, "no passkey sign-in was started on this connection: start again")
	}
	c.used = true
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return Account{}, "", shared.Errorf(shared.CodeUnauthorized, "this passkey answer cannot be read: %s", describe(err))
	}
	var found Account
	var storeErr error
	lookup := func(rawID, userHandle []byte) (webauthn.User, error) {
		acct, _, err := a.get(ctx, string(userHandle))
		if err != nil {
			storeErr = err
			return nil, err
		}
		found = acct
		return user{&found}, nil
	}
	cred, err := c.wa.ValidateDiscoverableLogin(lookup, c.session, parsed)
	if storeErr != nil && !errors.Is(storeErr, kv.ErrNotFound) {
		return Account{}, "", fmt.Errorf("passkey sign-in: %w", storeErr)
	}
	if err != nil {
		return Account{}, "", ErrUnauthorized
	}
	if cred.Authenticator.CloneWarning {
		return Account{}, "", shared.Errorf(shared.CodeUnauthorized, "this passkey's counter went back, as if it was copied: sign in another way and remove it")
	}
	var credential string
	acct, err := a.update(ctx, found.ID, func(acct *Account) error {
		for i, p := range acct.Passkeys {
			if bytes.Equal(p.Credential.ID, cred.ID) {
				acct.Passkeys[i].Credential.Authenticator = cred.Authenticator
				acct.Passkeys[i].Credential.Flags = cred.Flags
				acct.Passkeys[i].LastUsed = a.now()
				credential = a.addDevice(acct, deviceName)
				return nil
			}
		}
		return ErrUnauthorized // removed meanwhile
	})
	if err != nil {
		return Account{}, "", err
	}
	return acct, credential, nil
}

// RemovePasskey forgets a passkey of the account id: it signs nobody in
// any more. Devices it signed in stay signed in.
func (a *Accounts) RemovePasskey(ctx context.Context, id, passkey string) (Account, error) {
	return a.update(ctx, id, func(acct *Account) error {
		for i, p := range acct.Passkeys {
			if p.ID() == passkey {
				acct.Passkeys = append(acct.Passkeys[:i], acct.Passkeys[i+1:]...)
				return nil
			}
		}
		return shared.Errorf(shared.CodeNotFound, "no such passkey")
	})
}

// describe returns the reason go-webauthn gives for refusing, which is
// meant for the person's developer tools rather than the person.
func describe(err error) string {
	var perr *protocol.Error
	if errors.As(err, &perr) && perr.Details != "" {
		return perr.Details
	}
	return err.Error()
}

// deviceName returns name made fit for a list of devices or passkeys.
func deviceName(name string) string {
	if name = strings.TrimSpace(name); name == "" {
		name = "a browser"
	}
	if n := 64; utf8.RuneCountInString(name) > n {
		name = string([]rune(name)[:n])
	}
	return name
}
