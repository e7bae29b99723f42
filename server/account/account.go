//go:build !js

// Package account keeps the people of a livechat server: who holds which
// nickname, how their devices prove it, and who is the admin.
//
// A person claims a nickname once and keeps it: the first visit creates
// an account and a device credential the browser keeps; a password lets
// them sign in elsewhere. Nicknames are unique across the server by their
// confusable skeleton (see Skeleton), so nobody can pass for someone else
// with a look-alike; a nickname given up by a rename stays reserved for
// its former owner for Config.Hold.
//
// Everything lives in a KV (a JetStream bucket shared by all servers on
// one NATS), written with compare-and-set, so that servers agree without
// talking to each other.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"livechat/server/kv"
	"livechat/shared"
)

// Account is a person known to the server.
type Account struct {
	ID       string    `json:"id"`
	Nickname string    `json:"nickname"`
	Admin    bool      `json:"admin,omitempty"`
	Created  time.Time `json:"created"`
	Devices  []Device  `json:"devices,omitempty"`
	// Password is the argon2id hash of the password, if one was set.
	Password string    `json:"password,omitempty"`
	Passkeys []Passkey `json:"passkeys,omitempty"`
	// Ban, if set, is the account's ban from the server (moderation.go).
	Ban *Ban `json:"ban,omitempty"`
}

// HasPassword reports whether the account can sign in with a password.
func (a Account) HasPassword() bool { return a.Password != "" }

// Device is a browser or program holding a credential of the account.
type Device struct {
	ID string `json:"id"`
	// Name describes the device to its owner, e.g. "Chromium on Linux".
	Name string `json:"name"`
	// Secret is the SHA-256 of the credential's secret part: the
	// credential itself is never stored.
	Secret   []byte    `json:"secret"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Config holds the optional settings of Accounts; the zero value of each
// field selects the default in its comment.
type Config struct {
	// Hold is how long a nickname given up by a rename stays reserved for
	// the account that had it. Default: 30 days.
	Hold time.Duration
	// MaxDevices is how many devices an account keeps; signing in on one
	// more forgets the one unused the longest. Default: 50.
	MaxDevices int
	// SignInCache is how long a credential checked is trusted without
	// reading the account again: a device signed out on another server
	// stops working here after at most this. Default: 30s.
	SignInCache time.Duration
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	if c.SignInCache <= 0 {
		c.SignInCache = 30 * time.Second
	}
	if c.Hold <= 0 {
		c.Hold = 30 * 24 * time.Hour
	}
	if c.MaxDevices <= 0 {
		c.MaxDevices = 50
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Accounts registers and authenticates people. Its methods are safe for
// concurrent use, also by several servers sharing one KV. Errors meant for
// the person are *shared.Error values (nickname_taken, unauthorized, ...);
// others are storage failures.
type Accounts struct {
	kv  kv.KV
	cfg Config

	// signedIn remembers recent Authenticate results, by account id and
	// the SHA-256 of the credential, so that a crowd reconnecting costs
	// no reads. A change to the account drops its entries (Forget).
	mu       sync.Mutex
	signedIn map[string]map[[32]byte]signedIn
}

type signedIn struct {
	acct   Account
	device string
	at     time.Time
}

// New returns the accounts kept in kv.
func New(store kv.KV, cfg Config) *Accounts {
	cfg.setDefaults()
	return &Accounts{kv: store, cfg: cfg}
}

// claim is the value of a nickname's key: which account holds it.
type claim struct {
	Account  string `json:"account"`
	Nickname string `json:"nickname"`
	// Released is when the account gave the nickname up; zero while it
	// uses it.
	Released time.Time `json:"released,omitzero"`
}

const (
	adminKey    = "server.admin"
	settingsKey = "server.settings"
)

// Settings are the server's own settings, which its admin chooses.
type Settings struct {
	// InviteOnly: new people sign up only with an invite from the admin.
	InviteOnly bool `json:"invite_only"`
}

// SignupInvite lets people sign up on an invite-only server.
type SignupInvite struct {
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
	MaxUses int       `json:"max_uses"`
	Uses    int       `json:"uses"`
}

func signupInviteKey(code string) string { return "signup." + code }

// Settings returns the server's settings.
func (a *Accounts) Settings(ctx context.Context) (Settings, error) {
	var s Settings
	value, _, err := a.kv.Get(ctx, settingsKey)
	if errors.Is(err, kv.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	if err := json.Unmarshal(value, &s); err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	return s, nil
}

// SetSettings changes the server's settings on behalf of the account by,
// which must be the admin.
func (a *Accounts) SetSettings(ctx context.Context, by string, s Settings) error {
	if err := a.checkAdmin(ctx, by); err != nil {
		return err
	}
	value, _ := json.Marshal(s)
	if err := kv.Put(ctx, a.kv, settingsKey, value); err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	return nil
}

// checkAdmin returns forbidden unless the account id is the admin.
func (a *Accounts) checkAdmin(ctx context.Context, id string) error {
	acct, _, err := a.get(ctx, id)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if err != nil || !acct.Admin {
		return shared.Errorf(shared.CodeForbidden, "only the admin of the server may do this")
	}
	return nil
}

// NewSignupInvite makes an invite to sign up, on behalf of by, the admin:
// it lets up to maxUses people (at least 1) make an account within ttl.
func (a *Accounts) NewSignupInvite(ctx context.Context, by string, maxUses int, ttl time.Duration) (SignupInvite, error) {
	if err := a.checkAdmin(ctx, by); err != nil {
		return SignupInvite{}, err
	}
	if maxUses < 1 || maxUses > 1000 || ttl < time.Minute || ttl > 30*24*time.Hour {
		return SignupInvite{}, shared.Errorf(shared.CodeInvalidRequest, "an invite is for 1 to 1000 people and lasts a minute to 30 days")
	}
	inv := SignupInvite{Code: strings.ToLower(rand.Text()), Expires: a.now().Add(ttl), MaxUses: maxUses}
	value, _ := json.Marshal(inv)
	if _, err := a.kv.Create(ctx, signupInviteKey(inv.Code), value); err != nil {
		return SignupInvite{}, fmt.Errorf("create invite: %w", err)
	}
	return inv, nil
}

// useSignupInvite takes one use of the invite code (n = 1), or returns
// why not; n = -1 gives one back.
func (a *Accounts) useSignupInvite(ctx context.Context, code string, n int) error {
	bad := shared.Errorf(shared.CodeForbidden, "this server is invite-only: ask its admin for an invite link")
	if !kv.ValidToken(code) || len(code) > 64 {
		return bad
	}
	for {
		value, rev, err := a.kv.Get(ctx, signupInviteKey(code))
		if errors.Is(err, kv.ErrNotFound) {
			return bad
		}
		if err != nil {
			return fmt.Errorf("read invite: %w", err)
		}
		var inv SignupInvite
		if err := json.Unmarshal(value, &inv); err != nil {
			return fmt.Errorf("read invite: %w", err)
		}
		if n > 0 && (!a.now().Before(inv.Expires) || inv.Uses >= inv.MaxUses) {
			return shared.Errorf(shared.CodeForbidden, "this invite is used up or expired: ask for a new one")
		}
		inv.Uses = max(inv.Uses+n, 0)
		value, _ = json.Marshal(inv)
		if _, err := a.kv.Update(ctx, signupInviteKey(code), value, rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return fmt.Errorf("use invite: %w", err)
		}
		return nil
	}
}

// SignUp is Register as a person signing up: on an invite-only server it
// takes one use of the signup invite code (the first account, the admin,
// needs none).
func (a *Accounts) SignUp(ctx context.Context, nickname, device, invite string) (Account, string, error) {
	settings, err := a.Settings(ctx)
	if err != nil {
		return Account{}, "", err
	}
	if settings.InviteOnly {
		if _, err := shared.CheckNickname(nickname); err != nil {
			return Account{}, "", err
		}
		if err := a.useSignupInvite(ctx, invite, 1); err != nil {
			return Account{}, "", err
		}
		acct, cred, err := a.Register(ctx, nickname, device)
		if err != nil {
			a.useSignupInvite(ctx, invite, -1) // the use goes back
		}
		return acct, cred, err
	}
	return a.Register(ctx, nickname, device)
}

func accountKey(id string) string { return "account." + id }

// ErrUnauthorized is the error for a credential or password that does not
// sign anyone in.
var ErrUnauthorized = &shared.Error{Code: shared.CodeUnauthorized, Message: "this sign-in is not valid (any more): choose a nickname or sign in again"}

// Register creates an account holding nickname, with a first device
// called deviceName, and returns it with that device's credential. The
// first account of a server is its admin. A nickname that looks like one
// held by someone else is refused with nickname_taken.
func (a *Accounts) Register(ctx context.Context, nickname, deviceName string) (Account, string, error) {
	nickname, err := shared.CheckNickname(nickname)
	if err != nil {
		return Account{}, "", err
	}
	acct := Account{ID: newID(), Nickname: nickname, Created: a.now()}
	if err := a.claim(ctx, nickname, acct.ID); err != nil {
		return Account{}, "", err
	}
	if _, err := a.kv.Create(ctx, adminKey, []byte(acct.ID)); err == nil {
		acct.Admin = true
	} else if !errors.Is(err, kv.ErrExists) {
		a.unclaim(ctx, nickname)
		return Account{}, "", fmt.Errorf("register %q: %w", nickname, err)
	}
	credential := a.addDevice(&acct, deviceName)
	value, _ := json.Marshal(acct)
	if _, err := a.kv.Create(ctx, accountKey(acct.ID), value); err != nil {
		a.unclaim(ctx, nickname)
		return Account{}, "", fmt.Errorf("register %q: %w", nickname, err)
	}
	return acct, credential, nil
}

// claim takes nickname for the account id: each of its keys (see
// claimKeys) is free, already the account's, or released by another
// account longer than Hold ago. If one is not, the keys it just took are
// given back.
func (a *Accounts) claim(ctx context.Context, nickname, id string) error {
	var taken []string
	for _, key := range claimKeys(nickname) {
		created, err := a.claimKey(ctx, key, nickname, id)
		if err != nil {
			for _, k := range taken {
				a.kv.Delete(ctx, k)
			}
			return err
		}
		if created {
			taken = append(taken, key)
		}
	}
	return nil
}

// claimKey takes one key of nickname for the account id, and reports
// whether it created it.
func (a *Accounts) claimKey(ctx context.Context, key, nickname, id string) (bool, error) {
	value, _ := json.Marshal(claim{Account: id, Nickname: nickname})
	for {
		_, err := a.kv.Create(ctx, key, value)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, kv.ErrExists) {
			return false, fmt.Errorf("claim %q: %w", nickname, err)
		}
		old, rev, err := a.kv.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			continue // given up meanwhile
		}
		if err != nil {
			return false, fmt.Errorf("claim %q: %w", nickname, err)
		}
		var c claim
		if err := json.Unmarshal(old, &c); err != nil {
			return false, fmt.Errorf("claim %q: read %s: %w", nickname, key, err)
		}
		free := c.Account == id || !c.Released.IsZero() && a.now().Sub(c.Released) >= a.cfg.Hold
		if !free {
			if c.Released.IsZero() && c.Nickname != nickname {
				return false, shared.Errorf(shared.CodeNicknameTaken, "%q looks too much like %q, which belongs to someone else", nickname, c.Nickname)
			}
			return false, shared.Errorf(shared.CodeNicknameTaken, "%q belongs to someone else: choose another nickname", nickname)
		}
		if _, err := a.kv.Update(ctx, key, value, rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return false, fmt.Errorf("claim %q: %w", nickname, err)
		}
		return false, nil
	}
}

// Authenticate returns the account and device a credential (from
// Register or SignIn) belongs to, or ErrUnauthorized if it is unknown or
// was revoked.
func (a *Accounts) Authenticate(ctx context.Context, credential string) (Account, string, error) {
	id, device, secret, ok := parseCredential(credential)
	if !ok {
		return Account{}, "", ErrUnauthorized
	}
	key := sha256.Sum256([]byte(credential))
	a.mu.Lock()
	c, cached := a.signedIn[id][key]
	a.mu.Unlock()
	if cached && a.now().Sub(c.at) < a.cfg.SignInCache {
		return c.acct, c.device, nil
	}
	acct, device, err := a.authenticate(ctx, id, device, secret)
	if err == nil {
		a.mu.Lock()
		if a.signedIn == nil || len(a.signedIn) > 100_000 {
			a.signedIn = make(map[string]map[[32]byte]signedIn) // a bound: entries are cheap to read again
		}
		if a.signedIn[id] == nil {
			a.signedIn[id] = make(map[[32]byte]signedIn)
		}
		a.signedIn[id][key] = signedIn{acct, device, a.now()}
		a.mu.Unlock()
	}
	return acct, device, err
}

// Forget drops the cached sign-ins of the account id, which changed
// here or on another server (a device signed out): the next one reads
// the account.
func (a *Accounts) Forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.signedIn, id)
}

func (a *Accounts) authenticate(ctx context.Context, id, device, secret string) (Account, string, error) {
	acct, rev, err := a.get(ctx, id)
	if errors.Is(err, kv.ErrNotFound) {
		return Account{}, "", ErrUnauthorized
	}
	if err != nil {
		return Account{}, "", err
	}
	sum := sha256.Sum256([]byte(secret))
	for i, d := range acct.Devices {
		if d.ID != device {
			continue
		}
		if subtle.ConstantTimeCompare(d.Secret, sum[:]) != 1 {
			break
		}
		if now := a.now(); now.Sub(d.LastSeen) > time.Hour {
			// Best effort: a conflict means another sign-in just
			// updated the account.
			acct.Devices[i].LastSeen = now
			if value, err := json.Marshal(acct); err == nil {
				a.kv.Update(ctx, accountKey(id), value, rev)
			}
		}
		return acct, device, nil
	}
	return Account{}, "", ErrUnauthorized
}

// Get returns the account with id, or a not_found error.
func (a *Accounts) Get(ctx context.Context, id string) (Account, error) {
	acct, _, err := a.get(ctx, id)
	if errors.Is(err, kv.ErrNotFound) {
		return Account{}, shared.Errorf(shared.CodeNotFound, "no such account")
	}
	return acct, err
}

// Lookup returns the account holding nickname (or a look-alike of it),
// or a not_found error.
func (a *Accounts) Lookup(ctx context.Context, nickname string) (Account, error) {
	value, _, err := a.kv.Get(ctx, claimKeys(nickname)[0])
	if errors.Is(err, kv.ErrNotFound) {
		return Account{}, shared.Errorf(shared.CodeNotFound, "nobody is called %q", nickname)
	}
	if err != nil {
		return Account{}, fmt.Errorf("look up %q: %w", nickname, err)
	}
	var c claim
	if err := json.Unmarshal(value, &c); err != nil {
		return Account{}, fmt.Errorf("look up %q: %w", nickname, err)
	}
	if !c.Released.IsZero() {
		return Account{}, shared.Errorf(shared.CodeNotFound, "nobody is called %q", nickname)
	}
	return a.Get(ctx, c.Account)
}

// Rename gives the account id the nickname, which must be free (see
// Register); its old nickname stays reserved for it for Config.Hold.
func (a *Accounts) Rename(ctx context.Context, id, nickname string) (Account, error) {
	nickname, err := shared.CheckNickname(nickname)
	if err != nil {
		return Account{}, err
	}
	acct, _, err := a.get(ctx, id)
	if err != nil {
		return Account{}, fmt.Errorf("rename: %w", err)
	}
	if err := a.claim(ctx, nickname, id); err != nil {
		return Account{}, err
	}
	old := acct.Nickname
	acct, err = a.update(ctx, id, func(acct *Account) error {
		acct.Nickname = nickname
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	kept := make(map[string]bool)
	for _, k := range claimKeys(nickname) {
		kept[k] = true
	}
	for _, k := range claimKeys(old) {
		if !kept[k] {
			if err := a.release(ctx, k, old, id); err != nil {
				return acct, err
			}
		}
	}
	return acct, nil
}

// unclaim gives up the keys of a nickname just claimed by a registration
// that failed.
func (a *Accounts) unclaim(ctx context.Context, nickname string) {
	for _, k := range claimKeys(nickname) {
		a.kv.Delete(ctx, k)
	}
}

// release marks the account's claim key of nickname as given up now.
func (a *Accounts) release(ctx context.Context, key, nickname, id string) error {
	for {
		value, rev, err := a.kv.Get(ctx, key)
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("release %q: %w", nickname, err)
		}
		var c claim
		if err := json.Unmarshal(value, &c); err != nil || c.Account != id {
			return nil // not ours any more
		}
		c.Released = a.now()
		value, _ = json.Marshal(c)
		if _, err := a.kv.Update(ctx, key, value, rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return fmt.Errorf("release %q: %w", nickname, err)
		}
		return nil
	}
}

// SetPassword lets the account sign in with password from now on.
func (a *Accounts) SetPassword(ctx context.Context, id, password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordChars {
		return shared.Errorf(shared.CodeInvalidRequest, "a password has at least %d characters", MinPasswordChars)
	}
	if len(password) > 1024 {
		return shared.Errorf(shared.CodeInvalidRequest, "a password has at most 1024 bytes")
	}
	hash := hashPassword(password)
	_, err := a.update(ctx, id, func(acct *Account) error {
		acct.Password = hash
		return nil
	})
	return err
}

// SignIn checks a nickname and password and returns the account with the
// credential of a new device called deviceName. A wrong nickname or
// password gets the same ErrUnauthorized.
func (a *Accounts) SignIn(ctx context.Context, nickname, password, deviceName string) (Account, string, error) {
	acct, err := a.Lookup(ctx, nickname)
	if err != nil {
		var perr *shared.Error
		if errors.As(err, &perr) {
			hashPassword(password) // take as long as a wrong password
			return Account{}, "", ErrUnauthorized
		}
		return Account{}, "", err
	}
	if !acct.HasPassword() {
		hashPassword(password)
		return Account{}, "", ErrUnauthorized
	}
	ok, err := checkPassword(acct.Password, password)
	if err != nil {
		return Account{}, "", fmt.Errorf("sign in %s: %w", acct.ID, err)
	}
	if !ok {
		return Account{}, "", ErrUnauthorized
	}
	return a.NewDevice(ctx, acct.ID, deviceName)
}

// NewDevice adds a device to the account (after the person proved who
// they are) and returns the account with the device's credential.
func (a *Accounts) NewDevice(ctx context.Context, id, deviceName string) (Account, string, error) {
	var credential string
	acct, err := a.update(ctx, id, func(acct *Account) error {
		credential = a.addDevice(acct, deviceName)
		return nil
	})
	return acct, credential, err
}

// Revoke forgets a device of the account: its credential signs nobody
// in any more. Signing out is revoking one's own device.
func (a *Accounts) Revoke(ctx context.Context, id, device string) (Account, error) {
	return a.update(ctx, id, func(acct *Account) error {
		for i, d := range acct.Devices {
			if d.ID == device {
				acct.Devices = append(acct.Devices[:i], acct.Devices[i+1:]...)
				return nil
			}
		}
		return shared.Errorf(shared.CodeNotFound, "no such device")
	})
}

// addDevice adds a device to acct and returns its credential.
func (a *Accounts) addDevice(acct *Account, name string) string {
	name = deviceName(name)
	secret := rand.Text()
	sum := sha256.Sum256([]byte(secret))
	now := a.now()
	d := Device{ID: newID(), Name: name, Secret: sum[:], Created: now, LastSeen: now}
	for len(acct.Devices) >= a.cfg.MaxDevices {
		oldest := 0
		for i, d := range acct.Devices {
			if d.LastSeen.Before(acct.Devices[oldest].LastSeen) {
				oldest = i
			}
		}
		acct.Devices = append(acct.Devices[:oldest], acct.Devices[oldest+1:]...)
	}
	acct.Devices = append(acct.Devices, d)
	return acct.ID + "." + d.ID + "." + secret
}

// DeviceOf returns the id of the device a credential belongs to, or ""
// if it is not one.
func DeviceOf(credential string) string {
	_, device, _, _ := parseCredential(credential)
	return device
}

func parseCredential(c string) (id, device, secret string, ok bool) {
	id, rest, ok1 := strings.Cut(c, ".")
	device, secret, ok2 := strings.Cut(rest, ".")
	return id, device, secret, ok1 && ok2 && id != "" && device != "" && secret != ""
}

// get reads an account and its revision.
func (a *Accounts) get(ctx context.Context, id string) (Account, uint64, error) {
	if !kv.ValidToken(id) {
		return Account{}, 0, kv.ErrNotFound
	}
	value, rev, err := a.kv.Get(ctx, accountKey(id))
	if err != nil {
		return Account{}, 0, err
	}
	var acct Account
	if err := json.Unmarshal(value, &acct); err != nil {
		return Account{}, 0, fmt.Errorf("read account %s: %w", id, err)
	}
	return acct, rev, nil
}

// update applies change to the account and stores it, again if another
// write came first.
func (a *Accounts) update(ctx context.Context, id string, change func(*Account) error) (Account, error) {
	for {
		acct, rev, err := a.get(ctx, id)
		if errors.Is(err, kv.ErrNotFound) {
			return Account{}, shared.Errorf(shared.CodeNotFound, "no such account")
		}
		if err != nil {
			return Account{}, err
		}
		if err := change(&acct); err != nil {
			return Account{}, err
		}
		value, err := json.Marshal(acct)
		if err != nil {
			return Account{}, fmt.Errorf("write account %s: %w", id, err)
		}
		if _, err := a.kv.Update(ctx, accountKey(id), value, rev); errors.Is(err, kv.ErrConflict) {
			continue
		} else if err != nil {
			return Account{}, fmt.Errorf("write account %s: %w", id, err)
		}
		a.Forget(id)
		return acct, nil
	}
}

func (a *Accounts) now() time.Time { return a.cfg.Now().UTC().Truncate(time.Millisecond) }

// newID returns a random id usable in KV keys.
func newID() string { return strings.ToLower(rand.Text()) }
