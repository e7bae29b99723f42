package app

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// accountPanel shows the reader's account: rename, set a password or
// add passkeys (to sign in on another device), and the devices signed
// in, each of which can be signed out, this one too.
type accountPanel struct {
	app.Compo

	// Account is nil until the server answered.
	Account *shared.Account
	Error   string
	// Settings are the server's (nil until known); the admin changes
	// them here, and makes sign-up links (SignupURL, once made).
	Settings  *shared.Settings
	SignupURL string
	// OnRequest sends a rename, password or revoke request.
	OnRequest func(ctx app.Context, typ shared.Type, payload any)
	// OnAdmin opens the admin panel on a view: "reports" or "audit".
	OnAdmin func(ctx app.Context, view string)
	OnClose func(ctx app.Context)
}

func (a *accountPanel) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { focus("account-close") })
}

func (a *accountPanel) Render() app.UI {
	var body app.UI = app.P().Class("muted").Text("Loading…")
	if acct := a.Account; acct != nil {
		passwordHint := "Set a password to sign in on another device or after clearing this browser."
		if acct.Password {
			passwordHint = "A password is set; you can change it."
		}
		// app.If evaluates both branches: build the admin part only for
		// the admin.
		var admin app.UI = app.If(false)
		if acct.Admin && a.Settings != nil {
			admin = a.admin()
		}
		body = app.Div().Body(
			app.P().ID("account-who").Text("Signed in as "+acct.You.Nickname),
			app.Form().ID("rename-form").OnSubmit(a.rename).Body(
				app.Label().For("rename-text").Text("Nickname"),
				app.Div().Class("row").Body(
					app.Input().ID("rename-text").Name("nickname").Type("text").Required(true).Attr("autocomplete", "nickname").Value(acct.You.Nickname),
					app.Button().ID("rename-submit").Type("submit").Text("Rename"),
				),
			),
			app.Form().ID("password-form").OnSubmit(a.password).Body(
				app.Label().For("password-text").Text("Password"),
				app.Div().Class("row").Body(
					app.Input().ID("password-text").Name("password").Type("password").Required(true).Attr("autocomplete", "new-password").Attr("minlength", 10).Aria("describedby", "password-hint"),
					app.Button().ID("password-submit").Type("submit").Text("Save"),
				),
				app.P().ID("password-hint").Class("muted").Text(passwordHint),
			),
			app.H3().Text("Passkeys"),
			app.P().ID("passkeys-hint").Class("muted").Text("A passkey signs you in, here or on another device it is synced to, with your fingerprint, face or screen lock: nothing to remember or type."),
			app.Ul().ID("passkeys").Body(
				app.Range(acct.Passkeys).Slice(func(i int) app.UI {
					pk := acct.Passkeys[i]
					used := "never used"
					if !pk.LastUsed.IsZero() {
						used = "last used " + pk.LastUsed.Local().Format("2 Jan 15:04")
					}
					return app.Li().DataSet("passkey", pk.ID).Body(
						app.Span().Class("name").Text(pk.Name),
						app.Span().Class("muted").Text(" added "+pk.Created.Local().Format("2 Jan 2006")+", "+used+" "),
						app.Button().Class("revoke").DataSet("passkey", pk.ID).Text("Remove").Aria("label", "Remove the passkey "+pk.Name).OnClick(func(ctx app.Context, e app.Event) {
							a.request(ctx, shared.TypeRevoke, shared.Revoke{Passkey: dataOf(ctx, "passkey")})
						}),
					)
				}),
			),
			app.Button().ID("passkey-add").Type("button").Text("Add a passkey").Aria("describedby", "passkeys-hint").OnClick(func(ctx app.Context, e app.Event) {
				a.request(ctx, shared.TypePasskey, shared.PasskeyRequest{Purpose: shared.PasskeyAdd})
			}),
			admin,
			app.H3().Text("Devices"),
			app.Ul().ID("devices").Body(
				app.Range(acct.Devices).Slice(func(i int) app.UI {
					d := acct.Devices[i]
					name := d.Name
					if d.Current {
						name += " (this device)"
					}
					return app.Li().DataSet("device", d.ID).Body(
						app.Span().Class("name").Text(name),
						app.Span().Class("muted").Text(" last seen "+d.LastSeen.Local().Format("2 Jan 15:04")+" "),
						app.Button().Class("revoke").DataSet("device", d.ID).Text("Sign out").Aria("label", "Sign out: "+name).OnClick(func(ctx app.Context, e app.Event) {
							a.request(ctx, shared.TypeRevoke, shared.Revoke{Device: dataOf(ctx, "device")})
						}),
					)
				}),
			),
		)
	}
	return modal("account-panel", "account-title", a.OnClose,
		app.H2().ID("account-title").Text("Your account"),
		body,
		app.If(a.Error != "", app.P().Class("error").Role("alert").Text(a.Error)),
		app.Div().Class("buttons").Body(
			app.Button().ID("account-close").Type("button").Text("Close").OnClick(func(ctx app.Context, e app.Event) { call(a.OnClose, ctx) }),
		),
	)
}

// admin renders the server's settings, for its admin.
func (a *accountPanel) admin() app.UI {
	inviteOnly := app.Input().ID("invite-only").Type("checkbox").OnChange(func(ctx app.Context, e app.Event) {
		on := e.Get("target").Get("checked").Bool()
		a.request(ctx, shared.TypeSettings, shared.SettingsRequest{InviteOnly: &on})
	})
	if a.Settings.InviteOnly {
		inviteOnly = inviteOnly.Checked(true)
	}
	return app.Div().ID("admin").Body(
		app.H3().Text("Server"),
		app.Label().Body(inviteOnly, app.Text(" Invite-only: new people need a sign-up link")),
		app.If(a.Settings.InviteOnly, app.Div().Class("row").Body(
			app.Button().ID("signup-link").Type("button").Text("Make a sign-up link (20 people, 7 days)").OnClick(func(ctx app.Context, e app.Event) {
				a.request(ctx, shared.TypeInvite, shared.InviteRequest{MaxUses: 20})
			}),
		)),
		app.If(a.SignupURL != "", app.Input().ID("signup-url").ReadOnly(true).Aria("label", "Sign-up link").Value(a.SignupURL)),
		app.H3().Text("Moderation"),
		app.Div().Class("row").Body(
			app.Button().ID("admin-reports").Type("button").Aria("haspopup", "dialog").Text("Reports").OnClick(func(ctx app.Context, e app.Event) {
				call2(a.OnAdmin, ctx, "reports")
			}),
			app.Button().ID("admin-audit").Type("button").Aria("haspopup", "dialog").Text("Audit log").OnClick(func(ctx app.Context, e app.Event) {
				call2(a.OnAdmin, ctx, "audit")
			}),
		),
	)
}

// request sends a request of the panel, if it may.
func (a *accountPanel) request(ctx app.Context, typ shared.Type, payload any) {
	if a.OnRequest != nil {
		a.OnRequest(ctx, typ, payload)
	}
}

// rename and password read the forms from the DOM (go-app trims
// attribute values).
func (a *accountPanel) rename(ctx app.Context, e app.Event) {
	e.PreventDefault()
	a.request(ctx, shared.TypeRename, shared.Rename{Nickname: e.Get("target").Get("elements").Get("nickname").Get("value").String()})
}

func (a *accountPanel) password(ctx app.Context, e app.Event) {
	e.PreventDefault()
	field := e.Get("target").Get("elements").Get("password")
	a.request(ctx, shared.TypePassword, shared.Password{Password: field.Get("value").String()})
	field.Set("value", "")
}
