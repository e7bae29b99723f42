//go:build !js

package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"livechat/server/account/passkeytest"
	"livechat/shared"
)

// TestAccountDevicesPasswordRename: a person sets a password, signs in
// with it on a second device, sees both devices, signs the first one out
// (its connection closes with 4003 and its credential no longer works),
// and renames themselves: history shows the new name, others see the old
// name go and the new one come, and look-alikes of taken names are
// refused.
func TestAccountDevicesPasswordRename(t *testing.T) {
	srv := startServer(t, testConfig())
	bob := join(t, srv.URL, "bob")
	phone := dial(t, srv.URL)
	w := phone.hello("alice")
	phone.send(shared.TypeJoin, "", shared.Join{})
	phone.joined()
	bob.presenceUntilOnline(2)
	phone.say("p1", "from my phone")
	phone.nextMessage()

	if _, e := phone.request(shared.TypePassword, shared.Password{Password: "short"}, shared.TypeAccountInfo); e == nil || e.Code != shared.CodeInvalidRequest {
		t.Fatalf("a short password: %+v", e)
	}
	acct := ask[shared.Account](phone, shared.TypePassword, shared.Password{Password: "correct horse battery"}, shared.TypeAccountInfo)
	if !acct.Password || len(acct.Devices) != 1 || !acct.Devices[0].Current {
		t.Fatalf("account %+v", acct)
	}

	laptop := dial(t, srv.URL)
	laptop.send(shared.TypeHello, "h1", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "ALICE", Password: "wrong password!"})
	laptop.expectError(shared.CodeUnauthorized)
	laptop.send(shared.TypeHello, "h2", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "ALICE", Password: "correct horse battery", Device: "Laptop"})
	lw := expect[shared.Welcome](laptop, shared.TypeWelcome)
	if lw.You != w.You || lw.Credential == "" || lw.Credential == w.Credential {
		t.Fatalf("password sign-in: %+v", lw)
	}
	acct = ask[shared.Account](laptop, shared.TypeAccount, nil, shared.TypeAccountInfo)
	var phoneID string
	for _, d := range acct.Devices {
		if !d.Current {
			phoneID = d.ID
		}
	}
	if len(acct.Devices) != 2 || phoneID == "" {
		t.Fatalf("devices %+v", acct.Devices)
	}

	// Signing the phone out from the laptop.
	acct = ask[shared.Account](laptop, shared.TypeRevoke, shared.Revoke{Device: phoneID}, shared.TypeAccountInfo)
	if len(acct.Devices) != 1 {
		t.Fatalf("after revoking: %+v", acct.Devices)
	}
	phone.expectClose(shared.StatusSignedOut)
	again := dial(t, srv.URL)
	again.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Credential: w.Credential})
	again.expectError(shared.CodeUnauthorized)

	// Renaming.
	laptop.send(shared.TypeJoin, "", shared.Join{})
	laptop.joined()
	if _, e := laptop.request(shared.TypeRename, shared.Rename{Nickname: "bоb"}, shared.TypeAccountInfo); e == nil || e.Code != shared.CodeNicknameTaken {
		t.Fatalf("renaming to a look-alike of bob: %+v", e)
	}
	acct = ask[shared.Account](laptop, shared.TypeRename, shared.Rename{Nickname: "Alice Liddell"}, shared.TypeAccountInfo)
	if acct.You.Nickname != "Alice Liddell" || acct.You.ID != w.You.ID {
		t.Fatalf("renamed: %+v", acct.You)
	}
	for {
		env := bob.next()
		var u shared.PresenceUpdate
		if env.Type != shared.TypePresenceUpdate || env.DecodePayload(&u) != nil {
			continue // alice's earlier message
		}
		if slices.Contains(u.Joined, "Alice Liddell") {
			if !slices.Contains(u.Left, "alice") || u.Online != 2 {
				t.Fatalf("rename seen as %+v", u)
			}
			break
		}
	}
	laptop.say("l1", "new name")
	if m := bob.nextMessage(); m.From != "Alice Liddell" || m.Author != w.You.ID {
		t.Fatalf("message after the rename: %+v", m)
	}
	late := join(t, srv.URL, "carol")
	late.send(shared.TypeHistory, "h", shared.HistoryRequest{Before: 100})
	hist := expect[shared.History](late, shared.TypeHistory)
	for _, m := range hist.Messages {
		if m.Author == w.You.ID && m.From != "Alice Liddell" {
			t.Errorf("history shows %q for alice's message %q", m.From, m.Text)
		}
	}
	// The old name is hers alone for a while.
	other := dial(t, srv.URL)
	other.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "alice"})
	other.expectError(shared.CodeNicknameTaken)
}

// TestInviteOnlyServer: the admin (the first account) makes the server
// invite-only; then only a hello with a signup invite creates an account,
// and nobody else may change that.
func TestInviteOnlyServer(t *testing.T) {
	srv := startServer(t, testConfig())
	admin := dial(t, srv.URL)
	if w := admin.hello("admin"); !w.Admin {
		t.Fatalf("the first account is not the admin: %+v", w)
	}
	bob := dial(t, srv.URL)
	if w := bob.hello("bob"); w.Admin {
		t.Fatal("the second account is an admin")
	}
	if _, e := bob.request(shared.TypeSettings, shared.SettingsRequest{InviteOnly: new(true)}, shared.TypeSettingsInfo); e == nil || e.Code != shared.CodeForbidden {
		t.Fatalf("bob changing the settings: %+v", e)
	}
	if s := ask[shared.Settings](admin, shared.TypeSettings, shared.SettingsRequest{InviteOnly: new(true)}, shared.TypeSettingsInfo); !s.InviteOnly {
		t.Fatalf("settings %+v", s)
	}
	if _, e := bob.request(shared.TypeInvite, shared.InviteRequest{}, shared.TypeInviteCode); e == nil || e.Code != shared.CodeForbidden {
		t.Fatalf("bob making a signup invite: %+v", e)
	}
	carol := dial(t, srv.URL)
	carol.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "carol"})
	carol.expectError(shared.CodeForbidden)
	inv := ask[shared.Invite](admin, shared.TypeInvite, shared.InviteRequest{MaxUses: 1}, shared.TypeInviteCode)
	if inv.Room != "" || inv.MaxUses != 1 {
		t.Fatalf("signup invite %+v", inv)
	}
	carol.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "carol", Invite: inv.Code})
	expect[shared.Welcome](carol, shared.TypeWelcome)
	dave := dial(t, srv.URL)
	dave.send(shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "dave", Invite: inv.Code})
	dave.expectError(shared.CodeForbidden)
	// People with accounts still sign in.
	join(t, srv.URL, "bob")
}

// dialFrom connects a client as a page of origin would.
func dialFrom(t *testing.T, url, origin string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
	if err != nil {
		t.Fatalf("dial from %s: %v", origin, err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &client{t: t, conn: shared.NewConn(ws, shared.MaxServerFrameBytes), url: url, name: origin}
}

// TestPasskeys: alice adds a passkey on her phone and signs in with it on
// a laptop that knows nothing else; ceremonies are bound to their
// connection, and whatever does not check out gets an error and changes
// nothing.
func TestPasskeys(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedOrigins = []string{"localhost:*"}
	srv := startServer(t, cfg)
	page := "http://localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	auth := &passkeytest.Authenticator{Origin: page}

	phone := dialFrom(t, srv.URL, page)
	w := phone.hello("alice")
	if _, e := phone.request(shared.TypeAddPasskey, shared.AddPasskey{Credential: json.RawMessage(`{}`)}, shared.TypeAccountInfo); e == nil || e.Code != shared.CodeInvalidRequest {
		t.Fatalf("add_passkey without a ceremony: %+v", e)
	}
	opts := ask[shared.PasskeyOptions](phone, shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeyAdd}, shared.TypePasskeyOptions)
	answer, err := auth.Create(opts.Options)
	if err != nil {
		t.Fatal(err)
	}
	acct := ask[shared.Account](phone, shared.TypeAddPasskey, shared.AddPasskey{Credential: answer, Name: "Phone"}, shared.TypeAccountInfo)
	if len(acct.Passkeys) != 1 || acct.Passkeys[0].Name != "Phone" {
		t.Fatalf("passkeys %+v", acct.Passkeys)
	}
	if _, e := phone.request(shared.TypeAddPasskey, shared.AddPasskey{Credential: answer}, shared.TypeAccountInfo); e == nil || e.Code != shared.CodeInvalidRequest {
		t.Fatalf("the same answer again: %+v", e)
	}
	if _, e := phone.request(shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeySignIn}, shared.TypePasskeyOptions); e == nil || e.Code != shared.CodeInvalidRequest {
		t.Fatalf("a sign-in ceremony while signed in: %+v", e)
	}

	laptop := dialFrom(t, srv.URL, page)
	if _, e := laptop.request(shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeyAdd}, shared.TypePasskeyOptions); e == nil || e.Code != shared.CodeUnauthorized {
		t.Fatalf("adding a passkey before hello: %+v", e)
	}
	// An answer to another connection's challenge does not sign in.
	other := dialFrom(t, srv.URL, page)
	otherOpts := ask[shared.PasskeyOptions](other, shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeySignIn}, shared.TypePasskeyOptions)
	stolen, _ := auth.Get(otherOpts.Options)
	ask[shared.PasskeyOptions](laptop, shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeySignIn}, shared.TypePasskeyOptions)
	if _, e := laptop.request(shared.TypeHello, shared.Hello{Protocol: shared.ProtocolVersion, Passkey: stolen}, shared.TypeWelcome); e == nil || e.Code != shared.CodeUnauthorized {
		t.Fatalf("hello with another connection's answer: %+v", e)
	}
	opts = ask[shared.PasskeyOptions](laptop, shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeySignIn}, shared.TypePasskeyOptions)
	answer, err = auth.Get(opts.Options)
	if err != nil {
		t.Fatal(err)
	}
	lw := ask[shared.Welcome](laptop, shared.TypeHello, shared.Hello{Protocol: shared.ProtocolVersion, Passkey: answer, Device: "Laptop"}, shared.TypeWelcome)
	if lw.You != w.You || lw.Credential == "" {
		t.Fatalf("passkey sign-in: %+v", lw)
	}
	acct = ask[shared.Account](laptop, shared.TypeAccount, nil, shared.TypeAccountInfo)
	if len(acct.Devices) != 2 || acct.Passkeys[0].LastUsed.IsZero() {
		t.Fatalf("after the passkey sign-in: %+v", acct)
	}
	again := dialFrom(t, srv.URL, page)
	if aw := ask[shared.Welcome](again, shared.TypeHello, shared.Hello{Protocol: shared.ProtocolVersion, Credential: lw.Credential}, shared.TypeWelcome); aw.You != w.You {
		t.Fatalf("the credential of the passkey sign-in signs in %+v", aw.You)
	}

	// A program without a page cannot start a ceremony.
	bot := dial(t, srv.URL)
	if _, e := bot.request(shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeySignIn}, shared.TypePasskeyOptions); e == nil || e.Code != shared.CodeInvalidRequest {
		t.Fatalf("a passkey ceremony without an Origin: %+v", e)
	}

	// Removed, the passkey signs nobody in.
	acct = ask[shared.Account](phone, shared.TypeRevoke, shared.Revoke{Passkey: acct.Passkeys[0].ID}, shared.TypeAccountInfo)
	if len(acct.Passkeys) != 0 {
		t.Fatalf("passkeys after removing: %+v", acct.Passkeys)
	}
	tablet := dialFrom(t, srv.URL, page)
	opts = ask[shared.PasskeyOptions](tablet, shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeySignIn}, shared.TypePasskeyOptions)
	answer, _ = auth.Get(opts.Options)
	if _, e := tablet.request(shared.TypeHello, shared.Hello{Protocol: shared.ProtocolVersion, Passkey: answer}, shared.TypeWelcome); e == nil || e.Code != shared.CodeUnauthorized {
		t.Fatalf("a removed passkey: %+v", e)
	}
}
