//go:build !js

// Package passkeytest is a WebAuthn authenticator in software, for tests
// that sign in with passkeys without a browser: it makes ES256 key pairs,
// answers creation and request options as the browser's
// navigator.credentials.create and get do, and signs with real keys, so
// the server checks real signatures. It keeps its keys in memory.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator holds discoverable credentials (passkeys). Its methods
// are safe for concurrent use.
type Authenticator struct {
	// Origin is the origin of the page it answers for, such as
	// "http://localhost:8080"; it goes into the client data.
	Origin string

	mu    sync.Mutex
	creds []credential
}

type credential struct {
	id    []byte
	key   *ecdsa.PrivateKey
	user  []byte // the user handle
	rpID  string
	count uint32
}

var b64 = base64.RawURLEncoding

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUserPresent  = 0x01
	flagUserVerified = 0x04
	flagAttested     = 0x40
)

// Create answers PublicKeyCredentialCreationOptions in their JSON form
// with the JSON of the new PublicKeyCredential, as toJSON() gives it.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("read creation options: %w", err)
	}
	userID, err := b64.DecodeString(o.User.ID)
	if err != nil || o.Challenge == "" || o.RP.ID == "" {
		return nil, errors.New("creation options without a challenge, rp.id or user.id")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := credential{id: make([]byte, 16), key: key, user: userID, rpID: o.RP.ID}
	rand.Read(c.id)

	pub, err := key.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		return nil, err
	}
	coseKey, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pub[1:33], -3: pub[33:]})
	if err != nil {
		return nil, err
	}
	attested := make([]byte, 0, 18+len(c.id)+len(coseKey))
	attested = append(attested, make([]byte, 16)...) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(c.id)))
	attested = append(attested, c.id...)
	attested = append(attested, coseKey...)
	authData := authenticatorData(c.rpID, flagUserPresent|flagUserVerified|flagAttested, 0, attested)
	attestation, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, err
	}
	clientData := a.clientData("webauthn.create", o.Challenge)

	a.mu.Lock()
	a.creds = append(a.creds, c)
	a.mu.Unlock()
	return credentialJSON(c.id, map[string]any{
		"clientDataJSON":    b64.EncodeToString(clientData),
		"attestationObject": b64.EncodeToString(attestation),
		"transports":        []string{"internal"},
	})
}

// Get answers PublicKeyCredentialRequestOptions in their JSON form with
// the JSON of an assertion by the newest passkey for the options' rpId,
// as toJSON() gives it.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("read request options: %w", err)
	}
	a.mu.Lock()
	var c *credential
	for i := range a.creds {
		if a.creds[i].rpID == o.RPID {
			c = &a.creds[i]
		}
	}
	if c == nil {
		a.mu.Unlock()
		return nil, fmt.Errorf("no passkey for %q", o.RPID)
	}
	c.count++
	cred := *c
	a.mu.Unlock()
	return a.assert(cred, o.Challenge)
}

// assert signs challenge with c.
func (a *Authenticator) assert(c credential, challenge string) ([]byte, error) {
	authData := authenticatorData(c.rpID, flagUserPresent|flagUserVerified, c.count, nil)
	clientData := a.clientData("webauthn.get", challenge)
	hash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(authData, hash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		return nil, err
	}
	return credentialJSON(c.id, map[string]any{
		"clientDataJSON":    b64.EncodeToString(clientData),
		"authenticatorData": b64.EncodeToString(authData),
		"signature":         b64.EncodeToString(sig),
		"userHandle":        b64.EncodeToString(c.user),
	})
}

// credentialJSON is a PublicKeyCredential of a platform authenticator as
// toJSON() gives it, with response.
func credentialJSON(id []byte, response map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(id), "rawId": b64.EncodeToString(id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": response,
	})
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	data, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return data
}

// authenticatorData is rpIdHash || flags || signCount || attested.
func authenticatorData(rpID string, flags byte, count uint32, attested []byte) []byte {
	hash := sha256.Sum256([]byte(rpID))
	data := append(hash[:], flags)
	data = binary.BigEndian.AppendUint32(data, count)
	return append(data, attested...)
}
