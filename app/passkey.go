package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/coder/websocket"
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// Passkeys: signing in with one (PasskeySignIn, before any Client runs)
// and adding one (the account panel, through the running Client). The
// browser part is browserPasskey; the server checks everything.

// Authenticate answers the options of a passkey ceremony with the
// credential, as the JSON of PublicKeyCredential.toJSON(). browserPasskey
// is the one that asks the browser.
type Authenticate func(ctx context.Context, purpose string, options json.RawMessage) (json.RawMessage, error)

// PasskeySignIn signs in with a passkey on a connection of its own: it
// asks the server at url for a challenge, has authenticate answer it, and
// returns the welcome, whose Credential signs this device in from then on
// (a Client's Hello). The connection is closed when it returns.
func PasskeySignIn(ctx context.Context, url, device string, authenticate Authenticate) (shared.Welcome, error) {
	var w shared.Welcome
	conn, err := shared.Dial(ctx, url)
	if err != nil {
		return w, fmt.Errorf("cannot reach the server: %w", err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	if err := conn.Write(ctx, shared.TypePasskey, "passkey", shared.PasskeyRequest{Purpose: shared.PasskeySignIn}); err != nil {
		return w, err
	}
	var opts shared.PasskeyOptions
	if err := awaitAnswer(ctx, conn, "passkey", shared.TypePasskeyOptions, &opts); err != nil {
		return w, err
	}
	answer, err := authenticate(ctx, shared.PasskeySignIn, opts.Options)
	if err != nil {
		return w, err
	}
	hello := shared.Hello{Protocol: shared.ProtocolVersion, Passkey: answer, Device: device}
	if err := conn.Write(ctx, shared.TypeHello, "hello", hello); err != nil {
		return w, err
	}
	err = awaitAnswer(ctx, conn, "hello", shared.TypeWelcome, &w)
	return w, err
}

// awaitAnswer reads conn until the answer to the request id: an event of
// type want, decoded into v, or an error, returned as a *shared.Error.
func awaitAnswer(ctx context.Context, conn *shared.Conn, id string, want shared.Type, v any) error {
	for {
		env, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		envs := []shared.Envelope{env}
		if env.Type == shared.TypeBatch {
			if envs, err = env.Unbatch(); err != nil {
				return err
			}
		}
		for _, env := range envs {
			switch {
			case env.Type == shared.TypeError:
				var e shared.Error
				if err := env.DecodePayload(&e); err != nil {
					return err
				}
				if e.Ref == id {
					return &e
				}
			case env.Type == want && env.ID == id:
				return env.DecodePayload(v)
			}
		}
	}
}

// browserError is what the browser said, for people.
type browserError struct{ msg string }

func (e *browserError) Error() string { return e.msg }

// errNoPasskeys says that the browser cannot use passkeys.
var errNoPasskeys = &browserError{"this browser cannot use passkeys"}

// browserPasskey is the Authenticate of the browser: it passes options to
// navigator.credentials.get (sign_in) or create (add).
func browserPasskey(ctx context.Context, purpose string, options json.RawMessage) (result json.RawMessage, err error) {
	defer func() {
		if r := recover(); r != nil { // a JavaScript exception
			err = &browserError{fmt.Sprintf("the browser refused the passkey options: %v", r)}
		}
	}()
	if !passkeysAvailable() {
		return nil, errNoPasskeys
	}
	win := app.Window()
	pkc := win.Get("PublicKeyCredential")
	parsed := win.Get("JSON").Call("parse", string(options))
	request := win.Get("Object").New()
	var promise app.Value
	if purpose == shared.PasskeyAdd {
		request.Set("publicKey", pkc.Call("parseCreationOptionsFromJSON", parsed))
		promise = win.Get("navigator").Get("credentials").Call("create", request)
	} else {
		request.Set("publicKey", pkc.Call("parseRequestOptionsFromJSON", parsed))
		promise = win.Get("navigator").Get("credentials").Call("get", request)
	}
	cred, err := await(ctx, promise)
	if err != nil {
		return nil, err
	}
	if !cred.Truthy() {
		return nil, &browserError{"no passkey was chosen"}
	}
	return json.RawMessage(win.Get("JSON").Call("stringify", cred.Call("toJSON")).String()), nil
}

// passkeysAvailable reports whether the browser can use passkeys with
// their JSON options (Chromium 129, Firefox 119, Safari 18).
func passkeysAvailable() bool {
	pkc := app.Window().Get("PublicKeyCredential")
	return pkc.Truthy() && pkc.Get("parseRequestOptionsFromJSON").Truthy()
}

// await waits for a JavaScript promise. A rejection is an error saying
// what the person would understand of it.
func await(ctx context.Context, promise app.Value) (app.Value, error) {
	type outcome struct {
		v   app.Value
		err error
	}
	done := make(chan outcome, 1)
	resolve := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- outcome{v: args[0]}
		return nil
	})
	reject := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- outcome{err: passkeyError(args[0].Get("name").String(), args[0].Get("message").String())}
		return nil
	})
	defer resolve.Release()
	defer reject.Release()
	promise.Call("then", resolve, reject)
	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// passkeyError explains a WebAuthn DOMException.
func passkeyError(name, message string) error {
	switch name {
	case "NotAllowedError":
		return &browserError{"no passkey was used (cancelled, or it took too long)"}
	case "InvalidStateError":
		return &browserError{"this device already holds a passkey for you"}
	case "SecurityError":
		return &browserError{"passkeys need a secure page (https or localhost)"}
	}
	return &browserError{"the passkey did not work: " + message}
}
