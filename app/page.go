package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// identityKey is where the browser remembers who the user is, so a reload
// or a reopened app joins again by itself; outboxKey, the messages not yet
// stored by the server; historyKey, the newest messages of the room.
// accountKey, the account this browser signed in to, which stays when the
// user leaves the chat.
const (
	identityKey = "livechat.identity"
	outboxKey   = "livechat.outbox"
	historyKey  = "livechat.history"
	accountKey  = "livechat.account"
)

// identity is what is remembered between visits while the user is in the
// chat: who they are and the room they are in. (Identities saved before
// accounts have no account: they claim their nickname when they come
// back.)
type identity struct {
	Nickname string `json:"nickname"`
	Room     string `json:"room"`
}

// savedAccount is the account this browser holds a credential of. Keep
// the credential secret: it signs the person in.
type savedAccount struct {
	Nickname   string `json:"nickname"`
	Credential string `json:"credential"`
}

// cacheDelay is how long after a change the history cache is saved (and
// at the latest when the page is hidden).
const cacheDelay = time.Second

// Page is livechat's only page: the join form, then the chat.
type Page struct {
	app.Compo

	// Chatting.
	joined    bool
	joining   bool
	joinError string
	nickname  string
	me        string // account id
	rooms     *rooms // the reader's rooms; rooms.Current is shown
	state     State
	sayError  string
	// mode is what the composer does besides writing a new message
	// (conversationpage.go).
	mode composeMode
	// jumpTo is the message of the room shown that older pages are loaded
	// for, to show it (0: none), and jumpPages how many were.
	jumpTo    uint64
	jumpPages int
	// edits are the texts of edits sent and not acknowledged, by client
	// id: an edit refused for good gives its text back.
	edits     map[string]string
	showUsers bool
	showRooms bool // the sidebar, on narrow screens
	// marked: the room shown at the start was marked where its unread
	// messages begin (see conversation.markUnread).
	marked     bool
	leaveAsked bool // the leave dialog is open
	leaving    bool // leave once the outbox is empty
	// form is the form open over the chat: "room" (new room), "dm" (new
	// message) or "" (none); formError what the server said of it;
	// formRequest, the id of its request, whose answer opens the room.
	form        string
	formError   string
	formRequest string
	// inviteURL is the invite link to the current room, once asked for.
	inviteURL string
	// account is the reader's account, shown in the account panel while
	// showAccount; accountError, what the server said of a change.
	account      *shared.Account
	showAccount  bool
	accountError string
	// For the admin: the server's settings, and a sign-up link made.
	settings  *shared.Settings
	signupURL string
	// signup is the code of a sign-up invite link the page was opened
	// with, for an invite-only server.
	signup string
	// invite is the code of an invite link the page was opened with,
	// joined once signed in by the request inviteRequest.
	invite        string
	inviteRequest string
	readTimer     *time.Timer
	// mod is what the page shows of moderation (moderationpage.go).
	mod modState

	// The browser.
	hidden      bool
	permission  app.NotificationPermission
	installable bool
	updateReady bool

	// ctx is the page's own context. Callbacks from child components get
	// the child's context, whose Dispatch would re-render only the child:
	// they go through this one.
	ctx        app.Context
	client     *Client
	outbox     *Outbox
	stop       context.CancelFunc
	listeners  []func()
	cacheTimer *time.Timer
}

// OnMount joins again as the remembered user, if any, and follows the
// browser's network, visibility and page lifecycle.
func (p *Page) OnMount(ctx app.Context) {
	p.ctx = ctx
	if p.rooms == nil {
		p.rooms = newRooms(shared.DefaultRoom)
	}
	p.invite = app.Window().URL().Query().Get("invite")
	p.signup = app.Window().URL().Query().Get("signup")
	// Marks the moment the app is interactive, for load measurements, and
	// tells boot.js that the app now handles the join form.
	mark("livechat:interactive")
	app.Window().Set("livechatLive", true)
	p.permission = ctx.Notifications().Permission()
	p.installable = ctx.IsAppInstallable()
	p.updateReady = ctx.AppUpdateAvailable()
	p.hidden = documentHidden()

	p.listeners = append(p.listeners,
		app.Window().AddEventListener("online", func(ctx app.Context, e app.Event) { p.wake() }),
		app.Window().AddEventListener("offline", func(ctx app.Context, e app.Event) {
			if p.client != nil {
				p.client.Drop()
			}
		}),
		app.Window().AddEventListener("visibilitychange", p.visibilityChanged),
		// A page being hidden may be kept in the back/forward cache with
		// its connection open, which would keep the person in the room:
		// close it now (these handlers run before the browser goes on),
		// and resume if the page comes back.
		app.Window().AddEventListener("pagehide", p.suspend),
		app.Window().AddEventListener("freeze", p.suspend),
		app.Window().AddEventListener("pageshow", func(ctx app.Context, e app.Event) {
			if e.Get("persisted").Bool() {
				mark("livechat:restored")
				p.resume(ctx, e)
			}
		}),
		app.Window().AddEventListener("resume", p.resume),
	)

	var id identity
	ctx.LocalStorage().Get(identityKey, &id)
	if id.Nickname != "" {
		// A returning user sees the chat at once, with the messages kept
		// from the last visit, even offline.
		p.nickname, p.joined = id.Nickname, true
		p.start(ctx, id, "")
		return
	}
	// The nickname of the account this browser holds, to sign in again.
	var acct savedAccount
	ctx.LocalStorage().Get(accountKey, &acct)
	p.nickname = acct.Nickname
	// What was typed or submitted before the app was live (boot.js).
	early := app.Window().Get("livechatEarly")
	if !early.Truthy() {
		return
	}
	if nick := early.Get("nickname").String(); early.Get("submitted").Bool() {
		p.join(ctx, nick, "")
	} else if nick != "" {
		p.nickname = nick
		ctx.Defer(func(app.Context) {
			if input := app.Window().GetElementByID("nickname"); input.Truthy() {
				input.Set("value", nick) // as typed: attributes are trimmed
			}
			focus("nickname")
		})
	}
}

// OnDismount disconnects.
func (p *Page) OnDismount() {
	p.saveCache()
	if p.cacheTimer != nil {
		p.cacheTimer.Stop()
		p.cacheTimer = nil
	}
	p.disconnect()
	for _, remove := range p.listeners {
		remove()
	}
	p.listeners = nil
}

// OnAppUpdate shows the "new version" banner.
func (p *Page) OnAppUpdate(ctx app.Context) { p.updateReady = ctx.AppUpdateAvailable() }

// OnAppInstallChange shows or hides the Install button.
func (p *Page) OnAppInstallChange(ctx app.Context) { p.installable = ctx.IsAppInstallable() }

func (p *Page) Render() app.UI {
	if p.rooms == nil {
		p.rooms = newRooms(shared.DefaultRoom) // before OnMount
	}
	return app.Div().Class("app").Body(
		app.If(p.updateReady, app.Div().Class("banner update").Role("alert").Body(
			app.Text("A new version of livechat is available. "),
			app.Button().Text("Reload").OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
		)),
		app.If(!p.joined, &joinForm{
			Nickname: p.nickname,
			Error:    p.joinError,
			Busy:     p.joining,
			OnJoin: func(_ app.Context, nickname, password string) {
				p.ctx.Dispatch(func(ctx app.Context) { p.join(ctx, nickname, password) })
			},
			OnPasskey: func(app.Context) { p.ctx.Dispatch(p.passkeySignIn) },
			Status:    app.If(p.joining, &statusBar{State: p.state, OnRetry: func(app.Context) { p.wake() }}),
		}).Else(p.renderChat()),
	)
}

func (p *Page) renderChat() app.UI {
	cur := p.rooms.current()
	me := p.reader()
	people := onlineLabel("People", cur.UsersIn, cur.Counted, cur.Online, cur.Users)
	moderator := p.moderator()
	replying, editing := p.modeEntries()
	seenAt, seen := cur.seenBy(me)
	return app.Div().Class("chat").Body(
		app.Header().Class("topbar").Body(
			app.Button().Class("rooms-toggle").Aria("controls", "sidebar").Aria("expanded", p.showRooms).Text("Rooms").
				OnClick(func(ctx app.Context, e app.Event) { p.showRooms = !p.showRooms }).
				OnKeyDown(func(ctx app.Context, e app.Event) {
					if p.showRooms {
						escapeCloses(ctx, e, func(ctx app.Context) { p.closePanel(ctx, false) })
					}
				}),
			app.H1().Body(app.Img().Src(asset("icon.svg")).Alt("").Width(28).Height(28), app.Text("livechat")),
			app.Span().ID("room-title").Class("room").Text(cur.title(me)),
			roomBadges(cur.Info),
			&statusBar{State: p.state, OnRetry: func(app.Context) { p.wake() }},
			app.Nav().Class("actions").Aria("label", "Chat").Body(
				app.If(cur.Info.Kind == shared.KindPrivate, app.Button().ID("invite").Text("Invite link").OnClick(p.askInvite)),
				app.If(moderator, app.Button().ID("room-settings").Aria("haspopup", "dialog").Text("Moderate").OnClick(func(ctx app.Context, e app.Event) {
					p.mod.dialog, p.mod.status, p.mod.err = dialogRoom, "", ""
				})),
				app.Button().
					Class("users-toggle").
					Aria("controls", "users").
					Aria("expanded", p.showUsers).
					Text(people).
					OnClick(func(ctx app.Context, e app.Event) { p.showUsers = !p.showUsers }).
					OnKeyDown(func(ctx app.Context, e app.Event) {
						if p.showUsers {
							escapeCloses(ctx, e, func(ctx app.Context) { p.closePanel(ctx, true) })
						}
					}),
				app.If(p.permission == app.NotificationDefault,
					app.Button().ID("notifications").Text("Enable notifications").OnClick(p.askNotifications)),
				app.If(p.installable, app.Button().Text("Install").OnClick(func(ctx app.Context, e app.Event) { ctx.ShowAppInstallPrompt() })),
				app.Button().ID("account").Aria("haspopup", "dialog").Text(p.nickname).OnClick(p.openAccount),
				app.Button().ID("leave").Text("Leave").OnClick(p.leave),
			),
		),
		app.If(p.inviteURL != "", app.Div().Class("banner invite").Role("status").Body(
			app.Label().For("invite-url").Text("Invite link (one person, 7 days): "),
			app.Input().ID("invite-url").ReadOnly(true).Value(p.inviteURL),
			app.Button().ID("invite-copy").Text("Copy").OnClick(p.copyInvite),
			app.Button().Text("Close").OnClick(func(ctx app.Context, e app.Event) { p.inviteURL = "" }),
		)),
		p.moderationUI(),
		app.Div().Class("body").Body(
			&sidebar{
				Items:     p.sidebarItems(),
				Directory: p.directoryItems(),
				Listed:    p.rooms.Listed,
				Open:      p.showRooms,
				OnClose:   func(app.Context) { p.ctx.Dispatch(func(ctx app.Context) { p.closePanel(ctx, false) }) },
				OnOpen:    func(_ app.Context, id string) { p.ctx.Dispatch(func(ctx app.Context) { p.open(ctx, id) }) },
				OnForm: func(_ app.Context, form string) {
					p.ctx.Dispatch(func(ctx app.Context) { p.form, p.formError = form, "" })
				},
			},
			app.Main().ID("main").Class("conversation").Body(
				&messageList{
					Room:      cur.Info.ID,
					UnreadAt:  cur.firstUnread(),
					UnreadKey: unreadKey(cur),
					Entries:   cur.Entries,
					Pending:   cur.Pending,
					More:      cur.More,
					Loading:   cur.Loading,
					Ready:     cur.HistoryIn,
					OnTop:     func(app.Context) { p.ctx.Dispatch(func(ctx app.Context) { p.loadOlder(ctx) }) },
					Moderator: moderator,
					Self:      p.me,
					OnDelete: func(_ app.Context, id uint64) {
						p.ctx.Dispatch(func(ctx app.Context) { p.deleteMessage(ctx, id) })
					},
					OnReport: func(_ app.Context, id uint64) {
						p.ctx.Dispatch(func(ctx app.Context) { p.reportMessage(ctx, id) })
					},
					OnReply: func(_ app.Context, id uint64) {
						p.ctx.Dispatch(func(ctx app.Context) { p.startReply(ctx, id) })
					},
					OnEdit: func(_ app.Context, id uint64) {
						p.ctx.Dispatch(func(ctx app.Context) { p.startEdit(ctx, id) })
					},
					OnReact: func(_ app.Context, id uint64, emoji string) {
						p.ctx.Dispatch(func(ctx app.Context) { p.toggleReaction(ctx, id, emoji) })
					},
					SeenAt: seenAt,
					Seen:   seen,
					OnJump: func(_ app.Context, id uint64) {
						p.ctx.Dispatch(func(ctx app.Context) { p.jump(ctx, id) })
					},
				},
				// Under the list: who is typing, told politely to
				// screen readers (the line keeps its place when nobody
				// is).
				app.P().ID("typing").Class("typing").Aria("live", "polite").Text(cur.typingText(time.Now())),
				&composer{
					Disabled: cur.Info.Locked && !moderator,
					Why:      "This room is locked: only its moderators write in it now.",
					Status:   p.state.Status,
					Error:    p.sayError,
					OnSend:   func(_ app.Context, text string) error { return p.say(text) },
					Names:    p.mentionable(cur),
					Replying: replying,
					Editing:  editing,
					OnCancel: func(app.Context) { p.ctx.Dispatch(p.cancelMode) },
					OnEditLast: func(ctx app.Context) bool {
						e := p.rooms.current().ownLast()
						if e == nil {
							return false
						}
						id := e.ID
						p.ctx.Dispatch(func(ctx app.Context) { p.startEdit(ctx, id) })
						return true
					},
					OnTyping: func(app.Context) { p.ctx.Dispatch(p.typing) },
				},
			),
			&memberList{
				Users: cur.Users, Known: cur.UsersIn, Self: p.nickname, Open: p.showUsers, Counted: cur.Counted, Online: cur.Online,
				OnClose: func(app.Context) { p.ctx.Dispatch(func(ctx app.Context) { p.closePanel(ctx, true) }) },
				Members: cur.Members, MembersIn: cur.MembersIn, More: cur.MembersMore,
				OnMore:    func(app.Context) { p.ctx.Dispatch(p.moreMembers) },
				Moderator: moderator,
				OnModerate: func(_ app.Context, name string) {
					p.ctx.Dispatch(func(ctx app.Context) { p.moderatePerson(ctx, name) })
				},
			},
		),
		app.If(p.form != "", &roomForm{
			Form:   p.form,
			Error:  p.formError,
			People: p.pickable(),
			OnSubmit: func(_ app.Context, name string, private bool) {
				p.ctx.Dispatch(func(ctx app.Context) { p.submitForm(ctx, name, private) })
			},
			OnCancel: func(app.Context) { p.ctx.Dispatch(func(ctx app.Context) { p.form = "" }) },
		}),
		app.If(p.showAccount, &accountPanel{
			Account:   p.account,
			Error:     p.accountError,
			Settings:  p.settings,
			SignupURL: p.signupURL,
			OnRequest: func(_ app.Context, typ shared.Type, payload any) {
				p.ctx.Dispatch(func(ctx app.Context) { p.accountRequest(ctx, typ, payload) })
			},
			OnAdmin: func(_ app.Context, view string) {
				p.ctx.Dispatch(func(ctx app.Context) { p.openAdmin(ctx, view, "") })
			},
			OnClose: func(app.Context) {
				p.ctx.Dispatch(func(ctx app.Context) {
					p.showAccount = false
					ctx.Defer(func(app.Context) { focus("account") })
				})
			},
		}),
		app.If(p.leaveAsked, &leaveDialog{
			Unsent:  p.unsent(),
			Leaving: p.leaving,
			Online:  p.state.Status == StatusOnline,
			OnSend:  func(app.Context) { p.ctx.Dispatch(p.leaveWhenSent) },
			OnDrop:  func(app.Context) { p.ctx.Dispatch(p.forget) },
			OnStay:  func(app.Context) { p.ctx.Dispatch(p.stay) },
		}),
	)
}

// mentionable returns the nicknames the composer completes after an @:
// the people in the room shown, those of a direct conversation.
func (p *Page) mentionable(c *conversation) []string {
	var names []string
	for _, n := range c.Users {
		if n != p.nickname {
			names = append(names, n)
		}
	}
	for _, person := range c.Info.People {
		if person.ID != p.me && !slices.Contains(names, person.Nickname) {
			names = append(names, person.Nickname)
		}
	}
	return names
}

// unsent returns how many messages wait in the outbox.
func (p *Page) unsent() int {
	if p.outbox == nil {
		return 0
	}
	return len(p.outbox.Items())
}

// reader returns who uses the app.
func (p *Page) reader() reader { return reader{ID: p.me, Nickname: p.nickname} }

// sidebarItems lists the reader's rooms for the sidebar.
func (p *Page) sidebarItems() []sidebarItem {
	me := p.reader()
	ids := p.rooms.Mine
	if !p.rooms.mine(p.rooms.Current) {
		ids = append([]string{p.rooms.Current}, ids...) // shown before the list comes
	}
	items := make([]sidebarItem, 0, len(ids))
	for _, id := range ids {
		c := p.rooms.get(id)
		items = append(items, sidebarItem{ID: id, Title: c.title(me), Kind: c.Info.Kind, Unread: c.Unread, Mentions: c.Mentions, Current: id == p.rooms.Current, Here: c.othersOnline(me), HereKnown: c.UsersIn})
	}
	return items
}

// directoryItems lists the public rooms the reader is not in.
func (p *Page) directoryItems() []sidebarItem {
	var items []sidebarItem
	for _, info := range p.rooms.Directory {
		if !p.rooms.mine(info.ID) && info.ID != p.rooms.Current {
			items = append(items, sidebarItem{ID: info.ID, Title: "#" + info.ID, Kind: info.Kind})
		}
	}
	return items
}

// join is the join form's submit: a nickname, and a password to sign in
// with if it was given.
func (p *Page) join(ctx app.Context, nickname, password string) {
	nick, err := shared.CheckNickname(nickname)
	if err != nil {
		p.joinError = err.(*shared.Error).Message
		return
	}
	p.start(ctx, identity{Nickname: nick, Room: shared.DefaultRoom}, password)
}

// start runs a client for id until it ends, showing the history kept from
// the last visit, if any, and resuming after it; it signs in with the
// credential this browser keeps, or password, if set. ctx must be the
// page's.
func (p *Page) start(ctx app.Context, id identity, password string) {
	p.disconnect()
	if id.Room == "" {
		id.Room = shared.DefaultRoom
	}
	p.joining, p.joinError = !p.joined, ""
	p.rooms = newRooms(id.Room)
	p.state = State{Status: StatusConnecting}
	p.outbox = LoadOutbox(ctx.LocalStorage(), outboxKey)
	for _, m := range p.outbox.Items() {
		if !m.Said() {
			continue // an edit or a reaction: shown once stored
		}
		c := p.rooms.get(m.In())
		c.Pending = append(c.Pending, Entry{Kind: EntryMessage, ClientID: m.ClientID, From: id.Nickname, Text: m.Text, At: m.At, Own: true, Pending: true})
	}
	resume := make(map[string]uint64)
	if cache, ok := loadHistoryCache(ctx.LocalStorage(), historyKey, id.Room); ok {
		c := p.rooms.current()
		me := reader{Nickname: id.Nickname}
		for _, m := range cache.Messages {
			c.Entries = append(c.Entries, messageEntry(m, me))
		}
		c.FirstID, c.More, c.HistoryIn = cache.Messages[0].ID, cache.More, true
		c.LastID, _ = cache.last()
		resume[id.Room] = c.LastID
	}
	// Sign in to the account this browser holds if it is the one of this
	// nickname; otherwise claim the nickname.
	hello := shared.Hello{Nickname: id.Nickname, Device: deviceName(), Invite: p.signup}
	var acct savedAccount
	ctx.LocalStorage().Get(accountKey, &acct)
	switch {
	case password != "":
		hello.Password = password
	case acct.Credential != "" && shared.NicknameKey(acct.Nickname) == shared.NicknameKey(id.Nickname):
		hello.Credential = acct.Credential
	}
	var c *Client
	c = NewClient(ClientConfig{
		URL:    socketURL(),
		Hello:  hello,
		Rooms:  []string{id.Room},
		Resume: resume,
		Online: browserOnline,
		Outbox: p.outbox,
		OnState: func(s State) {
			ctx.Dispatch(func(ctx app.Context) {
				if p.client == c {
					p.state = s
				}
			})
		},
		OnEvent: func(ev Event) {
			ctx.Dispatch(func(ctx app.Context) {
				if p.client == c {
					p.apply(ctx, ev)
				}
			})
		},
	})
	cctx, stop := context.WithCancel(ctx)
	p.client, p.stop = c, stop
	// Not ctx.Async: the client lives as long as the page.
	go func() {
		err := c.Run(cctx)
		ctx.Dispatch(func(ctx app.Context) {
			if p.client == c {
				p.ended(ctx, err)
			}
		})
	}()
}

// disconnect stops the running client, if any.
func (p *Page) disconnect() {
	if p.stop != nil {
		p.stop()
	}
	p.client, p.stop = nil, nil
}

// apply updates the page with one server event.
func (p *Page) apply(ctx app.Context, ev Event) {
	if p.applyModeration(ctx, ev) {
		return
	}
	switch ev.Type {
	case shared.TypeWelcome:
		w := ev.Welcome
		fresh := p.joining
		p.joined, p.joining = true, false
		p.nickname, p.me, p.mod.admin = w.You.Nickname, w.You.ID, w.Admin
		if p.signup != "" {
			p.signup = "" // used
			clearQuery()
		}
		p.remember(ctx)
		saveAccount(ctx, w.You.Nickname, w.Credential)
		mark("livechat:welcome")
		// The rooms, again after every reconnection: some may have
		// changed meanwhile.
		p.client.Send(ctx, shared.TypeRooms, "", nil)
		if p.invite != "" {
			p.inviteRequest = NewMessageID()
			p.client.JoinInvite(ctx, p.inviteRequest, p.invite)
		}
		if fresh {
			// Whoever just joined wants to write.
			ctx.Defer(func(app.Context) { focus("composer-text") })
		}
	case shared.TypeRoomsList:
		p.rooms.Apply(ev, p.reader(), !p.hidden)
		if !p.marked {
			p.marked = true
			p.rooms.current().markUnread()
		}
		for _, id := range p.rooms.Mine {
			p.client.Join(ctx, id) // all of one's rooms, for their unread counts
		}
		p.readSoon()
	case shared.TypeRoom:
		p.rooms.Apply(ev, p.reader(), !p.hidden)
		if ev.Room.ID == p.rooms.Current {
			p.rooms.current().MembersIn = false // someone may have been added
			p.askMembers(ctx)
		}
		if ev.Room.Member {
			p.client.Join(ctx, ev.Room.ID) // made, added to, or opened with us
		}
		if ev.ID != "" && ev.ID == p.formRequest {
			p.form, p.formRequest = "", ""
			p.open(ctx, ev.Room.ID)
		}
	case shared.TypeJoined:
		p.rooms.Apply(ev, p.reader(), !p.hidden)
		if ev.Joined.Room == p.rooms.Current {
			p.askMembers(ctx)
		}
		if id := ev.Joined.Room; ev.ID != "" && ev.ID == p.inviteRequest {
			// Joined by the invite the page was opened with.
			p.invite, p.inviteRequest = "", ""
			clearQuery()
			p.client.Send(ctx, shared.TypeRooms, "", nil)
			p.open(ctx, id)
		}
	case shared.TypeAccountInfo:
		p.account, p.accountError = ev.Account, ""
		if name := ev.Account.You.Nickname; name != p.nickname {
			p.nickname = name // renamed
			p.remember(ctx)
			saveAccount(ctx, name, "")
		}
	case shared.TypeInviteCode:
		u := *app.Window().URL()
		u.Path, u.Fragment = "/", ""
		if ev.Invite.Room == "" {
			u.RawQuery = "signup=" + ev.Invite.Code
			p.signupURL = u.String()
			break
		}
		u.RawQuery = "invite=" + ev.Invite.Code
		p.inviteURL = u.String()
	case shared.TypeSettingsInfo:
		p.settings = ev.Settings
	case shared.TypePasskeyOptions:
		p.addPasskey(ctx, ev.Passkey.Options)
	case shared.TypeMessage:
		if m := p.rooms.Apply(ev, p.reader(), !p.hidden); m != nil && p.hidden {
			p.notify(ctx, *m)
		}
		if ev.Message.Room == p.rooms.Current {
			p.cacheSoon()
			if ev.Message.Author == p.me {
				p.sayError = ""
			}
		}
		p.readSoon()
		setTitle(p.rooms.unread())
	case shared.TypeHistory:
		p.rooms.Apply(ev, p.reader(), !p.hidden)
		if ev.History.Room == p.rooms.Current {
			p.cacheSoon()
			if p.jumpTo != 0 && ev.History.Before != 0 {
				p.jump(ctx, p.jumpTo) // a page nearer the message looked for
			}
		}
		p.readSoon()
		setTitle(p.rooms.unread())
	case shared.TypeError:
		e := ev.Error
		switch {
		case e.Request == shared.TypeRename || e.Request == shared.TypePassword || e.Request == shared.TypeRevoke || e.Request == shared.TypeSettings,
			e.Request == shared.TypePasskey || e.Request == shared.TypeAddPasskey:
			p.accountError = e.Message
		case e.Request == shared.TypeMembers:
			// The list stays as it was; it may be asked for again.
			for _, c := range p.rooms.ByID {
				c.MembersAsked = false
			}
		case e.Ref != "" && e.Ref == p.formRequest:
			p.formError, p.formRequest = e.Message, ""
		case e.Ref != "" && e.Ref == p.inviteRequest:
			p.invite, p.inviteRequest = "", ""
			p.sayError = e.Message
		case e.Request == shared.TypeSay && e.Code == shared.CodeRateLimited:
			// Too fast for the limits, or for the room's slow mode: the
			// message waits in the outbox.
			p.sayError = fmt.Sprintf("Slow down: your message will be sent in %s.", time.Duration(e.RetryAfter*float64(time.Second)).Round(100*time.Millisecond))
		default:
			p.sayError = e.Message
		}
		if text, ok := p.edits[e.Ref]; ok && e.Request == shared.TypeEdit && !e.Temporary() {
			delete(p.edits, e.Ref)
			giveBack(text) // not lost: to send again, as a message or once allowed
		}
		if e.Request == shared.TypeSay && !e.Temporary() {
			if c := p.rooms.ByID[p.rooms.Current]; c != nil {
				if text := c.pendingText(e.Ref); text != "" {
					giveBack(text) // not lost: to edit, or to send once allowed
				}
			}
			for _, c := range p.rooms.ByID {
				c.dropPending(e.Ref) // refused for good: the client dropped it too
			}
		}
		if e.Request == shared.TypeHistory {
			p.rooms.current().Loading = false
			p.jumpTo, p.jumpPages = 0, 0 // the message looked for is not coming
		}
	default:
		p.rooms.Apply(ev, p.reader(), !p.hidden)
		switch ev.Type {
		case shared.TypeLeft:
			if ev.Left.Room == p.rooms.Current {
				p.sayError = "You are no longer in " + p.rooms.current().title(p.reader()) + "."
			}
		case shared.TypeReadPosition:
			setTitle(p.rooms.unread())
		case shared.TypeTyping:
			p.typingChanged(ctx, ev.Typing.Room)
		case shared.TypeAck:
			delete(p.edits, ev.Ack.ClientID) // stored
		case shared.TypePresence, shared.TypePresenceUpdate:
			p.askMembers(ctx) // someone new may be here
		}
	}
	if p.leaving && len(p.outbox.Items()) == 0 {
		p.forget(ctx) // everything was sent: leave as asked
	}
}

// saveAccount keeps the account this browser is signed in to: its
// nickname, and its credential unless credential is "" (the one kept
// stays).
func saveAccount(ctx app.Context, nickname, credential string) {
	var acct savedAccount
	ctx.LocalStorage().Get(accountKey, &acct)
	acct.Nickname = nickname
	if credential != "" {
		acct.Credential = credential
	}
	ctx.LocalStorage().Set(accountKey, acct)
}

// clearQuery drops the query (an invite or sign-up code, used) from the
// address, without a navigation.
func clearQuery() { app.Window().Get("history").Call("replaceState", nil, "", "/") }

// remember saves who the user is and the room shown, for the next visit.
func (p *Page) remember(ctx app.Context) {
	ctx.LocalStorage().Set(identityKey, identity{Nickname: p.nickname, Room: p.rooms.Current})
}

// open shows the room id, joining it if needed.
func (p *Page) open(ctx app.Context, id string) {
	if id == p.rooms.Current {
		p.showRooms = false
		return
	}
	p.saveCache()
	ctx.LocalStorage().Del(historyKey) // the cache is of the room shown
	p.sendRead(ctx)                    // what was shown of the room left was read
	p.rooms.Current = id
	p.cancelMode(ctx)
	p.jumpTo, p.jumpPages = 0, 0
	p.rooms.current().markUnread()
	p.inviteURL, p.sayError, p.showRooms = "", "", false
	if p.mod.dialog != dialogAdmin {
		p.mod.dialog = "" // the others are about the room left
	}
	if p.client != nil {
		p.client.Join(ctx, id)
	}
	p.askMembers(ctx)
	p.remember(ctx)
	p.readSoon()
	setTitle(p.rooms.unread())
	ctx.Defer(func(app.Context) { focus("composer-text") })
}

// pickable returns the people the open form offers to pick: only "New
// message" does, and app.If builds its arguments whatever the condition,
// so the others must not pay for knownPeople on every render.
func (p *Page) pickable() []knownPerson {
	if p.form != "dm" {
		return nil
	}
	return p.knownPeople()
}

// knownPeople returns the people the reader shares a room with, as far as
// the app knows: those in rooms now, members listed, and the people of
// direct conversations.
func (p *Page) knownPeople() []knownPerson {
	online := make(map[string]bool)
	for _, c := range p.rooms.ByID {
		for _, name := range c.Users {
			online[name] = true
		}
	}
	seen := map[string]bool{p.nickname: true}
	var people []knownPerson
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			people = append(people, knownPerson{Name: name, Online: online[name]})
		}
	}
	for _, c := range p.rooms.ByID {
		for _, name := range c.Users {
			add(name)
		}
		for _, m := range c.Members {
			add(m.Nickname)
		}
		for _, person := range c.Info.People {
			add(person.Nickname)
		}
	}
	return people
}

// unreadKey names where the unread messages of c began when the reader
// opened it ("" if there were none).
func unreadKey(c *conversation) string {
	if !c.UnreadMark {
		return ""
	}
	return fmt.Sprintf("%s@%d", c.Info.ID, c.UnreadAfter)
}

// askMembers asks for the member list of the room shown when it is
// missing someone.
func (p *Page) askMembers(ctx app.Context) {
	c := p.rooms.current()
	if p.client == nil || !c.needsMembers() {
		return
	}
	if p.client.Send(ctx, shared.TypeMembers, "members-"+c.Info.ID, shared.MembersRequest{Room: c.Info.ID}) == nil {
		c.MembersAsked = true
	}
}

// moreMembers asks for the next page of the member list of the room
// shown.
func (p *Page) moreMembers(ctx app.Context) {
	c := p.rooms.current()
	if p.client == nil || c.MembersAsked || len(c.Members) == 0 {
		return
	}
	after := c.Members[len(c.Members)-1].ID
	if p.client.Send(ctx, shared.TypeMembers, morePrefix+c.Info.ID, shared.MembersRequest{Room: c.Info.ID, After: after}) == nil {
		c.MembersAsked = true
	}
}

// submitForm sends what the new room or new message form asks for.
func (p *Page) submitForm(ctx app.Context, text string, private bool) {
	if p.client == nil {
		return
	}
	p.formRequest, p.formError = NewMessageID(), ""
	var err error
	switch p.form {
	case "room":
		kind := shared.KindPublic
		if private {
			kind = shared.KindPrivate
		}
		err = p.client.Send(ctx, shared.TypeCreateRoom, p.formRequest, shared.CreateRoom{Name: strings.TrimSpace(text), Kind: kind})
	case "dm":
		var people []string
		for name := range strings.SplitSeq(text, ",") {
			if name = strings.TrimSpace(name); name != "" {
				people = append(people, name)
			}
		}
		err = p.client.Send(ctx, shared.TypeOpenDM, p.formRequest, shared.OpenDM{People: people})
	}
	if err != nil {
		p.formError, p.formRequest = "Not connected: try again once online.", ""
	}
}

// passkeySignIn signs in with a passkey: the browser asks which one,
// and the page starts as the person it belongs to.
func (p *Page) passkeySignIn(ctx app.Context) {
	if p.joining {
		return
	}
	p.disconnect()
	p.joining, p.joinError = true, ""
	// Not ctx.Async: the browser may wait for the person for minutes.
	go func() {
		w, err := PasskeySignIn(ctx, socketURL(), deviceName(), browserPasskey)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.joining = false
				p.joinError = "Signing in with a passkey failed: " + describe(err)
				return
			}
			saveAccount(ctx, w.You.Nickname, w.Credential)
			p.start(ctx, identity{Nickname: w.You.Nickname, Room: shared.DefaultRoom}, "")
		})
	}()
}

// addPasskey answers the server's challenge to add a passkey: the browser
// makes one, and the server keeps it.
func (p *Page) addPasskey(ctx app.Context, options json.RawMessage) {
	go func() {
		answer, err := browserPasskey(ctx, shared.PasskeyAdd, options)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.accountError = "No passkey was added: " + describe(err)
				return
			}
			p.accountRequest(ctx, shared.TypeAddPasskey, shared.AddPasskey{Credential: answer, Name: deviceName()})
		})
	}()
}

// openAccount shows the account panel, asking the server for the
// account's devices.
func (p *Page) openAccount(ctx app.Context, e app.Event) {
	p.showAccount, p.accountError, p.signupURL = true, "", ""
	p.accountRequest(ctx, shared.TypeAccount, nil)
	p.accountRequest(ctx, shared.TypeSettings, shared.SettingsRequest{})
}

// accountRequest sends a request of the account panel.
func (p *Page) accountRequest(ctx app.Context, typ shared.Type, payload any) {
	if p.client == nil || p.client.Send(ctx, typ, "", payload) != nil {
		p.accountError = "Not connected: try again once online."
	}
}

// askInvite asks for an invite link to the current room.
func (p *Page) askInvite(ctx app.Context, e app.Event) {
	if p.client == nil || p.client.Send(ctx, shared.TypeInvite, "", shared.InviteRequest{Room: p.rooms.Current}) != nil {
		p.sayError = "Not connected: try again once online."
	}
}

// copyInvite copies the invite link.
func (p *Page) copyInvite(ctx app.Context, e app.Event) {
	if clip := app.Window().Get("navigator").Get("clipboard"); clip.Truthy() {
		clip.Call("writeText", p.inviteURL)
	}
	if el := app.Window().GetElementByID("invite-url"); el.Truthy() {
		el.Call("select")
	}
}

// readDelay gathers read positions: a busy room sends one a second.
const readDelay = time.Second

// readSoon tells the server, a moment from now, how far the reader has
// read the room shown, if the tab is visible.
func (p *Page) readSoon() {
	if p.readTimer != nil || p.hidden {
		return
	}
	p.readTimer = time.AfterFunc(readDelay, func() {
		p.ctx.Dispatch(func(ctx app.Context) {
			p.readTimer = nil
			p.sendRead(ctx)
		})
	})
}

// sendRead marks the room shown read, on the server too, if the reader
// sees it.
func (p *Page) sendRead(ctx app.Context) {
	if p.hidden {
		return
	}
	if id := p.rooms.markRead(); id != 0 && p.client != nil {
		p.client.Send(ctx, shared.TypeRead, "", shared.Read{Room: p.rooms.Current, ID: id})
	}
	setTitle(p.rooms.unread())
}

// firstMessageID returns the id of the oldest message in entries.
func firstMessageID(entries []Entry) uint64 {
	for _, e := range entries {
		if e.Kind == EntryMessage {
			return e.ID
		}
	}
	return 0
}

// loadOlder asks for the messages before the oldest one shown.
func (p *Page) loadOlder(ctx app.Context) bool {
	c := p.rooms.current()
	before := c.FirstID
	if before == 0 {
		// No message yet (the recent ids were all events): before the
		// newest id known.
		before = max(c.LastID, c.joinedLast) + 1
	}
	if p.client == nil || !c.More || c.Loading || before == 1 {
		return false
	}
	if err := p.client.History(ctx, p.rooms.Current, before); err != nil {
		return false
	}
	c.Loading = true
	return true
}

// cacheSoon saves the history cache after cacheDelay, once for all the
// changes until then.
func (p *Page) cacheSoon() {
	if p.cacheTimer != nil {
		return
	}
	p.cacheTimer = time.AfterFunc(cacheDelay, func() {
		p.ctx.Dispatch(func(ctx app.Context) {
			p.cacheTimer = nil
			p.saveCache()
			ctx.PreventUpdate()
		})
	})
}

// saveCache keeps the newest messages of the room shown, for the next
// visit.
func (p *Page) saveCache() {
	if !p.joined || p.ctx == nil || p.rooms == nil || !p.rooms.current().HistoryIn {
		return
	}
	c := p.rooms.current()
	var msgs []shared.Message
	for _, e := range c.Entries {
		if e.Kind == EntryMessage && !e.Deleted {
			// With its state (edits, reactions, replies): the resume
			// from the cache brings only events newer than it has.
			m := e.message()
			m.Room = p.rooms.Current
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return
	}
	p.ctx.LocalStorage().Set(historyKey, newHistoryCache(p.rooms.Current, msgs, c.More))
}

// ended handles the end of a client's run.
func (p *Page) ended(ctx app.Context, err error) {
	var refused *shared.Error
	switch {
	case errors.Is(err, context.Canceled):
	case errors.Is(err, ErrSignedOut):
		p.forget(ctx)
		ctx.LocalStorage().Del(accountKey)
		p.nickname, p.joinError = "", "You are signed out."
	case errors.As(err, &refused) && p.joined && refused.Code == shared.CodeForbidden:
		// Banned from the server: the sign-in stays for when it ends.
		p.forget(ctx)
		p.joinError = refused.Message
	case errors.As(err, &refused) && p.joined:
		// The sign-in is no longer valid (the device was signed out, or
		// the server forgot it), or, for an identity kept from before
		// accounts, the nickname went to someone else meanwhile.
		p.forget(ctx)
		if refused.Code == shared.CodeUnauthorized {
			ctx.LocalStorage().Del(accountKey)
		}
		p.joinError = fmt.Sprintf("While you were away: %s.", refused.Message)
	case errors.As(err, &refused):
		p.joining = false
		p.joinError = refused.Message
		ctx.LocalStorage().Del(identityKey)
	}
}

// say is the composer's send: the message shows at once as pending, and
// goes out now or as soon as the connection is back.
func (p *Page) say(text string) error {
	if p.client == nil {
		return errors.New("this window is not connected: reload it")
	}
	room := p.rooms.Current
	replying, editing := p.modeEntries()
	if editing != nil {
		draft := p.mode.draft
		p.ctx.Dispatch(func(ctx app.Context) {
			p.mode = composeMode{}
			setComposer(ctx, draft) // what was there before the edit
		})
		if text == editing.Text {
			return nil // unchanged
		}
		id, err := p.client.Edit(p.ctx, room, editing.ID, text)
		if err == nil {
			p.ctx.Dispatch(func(app.Context) {
				if p.edits == nil {
					p.edits = make(map[string]string)
				}
				p.edits[id] = text
			})
		}
		return err
	}
	pending := Entry{Kind: EntryMessage, From: p.nickname, Author: p.me, Text: text, At: time.Now(), Own: true, Pending: true}
	var id string
	var err error
	if replying != nil {
		p.ctx.Dispatch(func(app.Context) { p.mode = composeMode{} })
		pending.ReplyTo, pending.Quote = replying.ID, shared.QuoteOf(replying.message())
		id, err = p.client.Reply(p.ctx, room, replying.ID, text)
	} else {
		id, err = p.client.Say(p.ctx, room, text)
	}
	if err != nil {
		return err
	}
	pending.ClientID = id
	p.ctx.Dispatch(func(ctx app.Context) {
		c := p.rooms.get(room)
		c.Pending = append(slices.Clone(c.Pending), pending)
	})
	return nil
}

// leave returns to the join form, forgetting the user; if messages are
// not sent yet, it asks first.
func (p *Page) leave(ctx app.Context, e app.Event) {
	if p.outbox == nil || len(p.outbox.Items()) == 0 {
		p.forget(ctx)
		return
	}
	p.leaveAsked = true
}

// leaveWhenSent leaves once the messages waiting are sent.
func (p *Page) leaveWhenSent(ctx app.Context) {
	p.leaving = true
	if len(p.outbox.Items()) == 0 {
		p.forget(ctx)
	}
}

// stay closes the leave dialog.
func (p *Page) stay(ctx app.Context) {
	p.leaveAsked, p.leaving = false, false
	ctx.Defer(func(app.Context) { focus("leave") })
}

// forget leaves: the user's unsent messages and the kept history are
// forgotten, and the join form shows, with their nickname, whose
// credential the browser keeps.
func (p *Page) forget(ctx app.Context) {
	p.disconnect()
	ctx.LocalStorage().Del(identityKey)
	ctx.LocalStorage().Del(outboxKey)
	ctx.LocalStorage().Del(historyKey)
	if p.cacheTimer != nil {
		p.cacheTimer.Stop()
		p.cacheTimer = nil
	}
	p.joined, p.joining, p.leaveAsked, p.leaving = false, false, false, false
	p.rooms, p.sayError, p.form, p.inviteURL = newRooms(shared.DefaultRoom), "", "", ""
	p.mod = modState{}
	p.mode, p.jumpTo, p.jumpPages, p.edits = composeMode{}, 0, 0, nil
	p.state = State{}
	setTitle(0)
}

func (p *Page) wake() {
	if p.client != nil {
		p.client.Wake()
	}
}

// suspend closes the connection while the page is hidden for good or
// frozen, keeping what is shown.
func (p *Page) suspend(ctx app.Context, e app.Event) {
	p.saveCache()
	if p.client != nil {
		p.client.Suspend()
	}
}

// resume reconnects a page shown again from the back/forward cache, or
// unfrozen.
func (p *Page) resume(ctx app.Context, e app.Event) {
	if p.client != nil {
		p.client.Resume()
	}
}

func (p *Page) visibilityChanged(ctx app.Context, e app.Event) {
	p.hidden = documentHidden()
	if !p.hidden {
		p.readSoon()
		p.wake()
	}
}

// askNotifications asks for permission; browsers allow that only from a
// click, which is where this runs.
func (p *Page) askNotifications(ctx app.Context, e app.Event) {
	// RequestPermission waits for a promise: not on the UI goroutine.
	go func() {
		perm := ctx.Notifications().RequestPermission()
		ctx.Dispatch(func(ctx app.Context) { p.permission = perm })
	}()
}

// notify shows a system notification for m, if the user allowed it.
func (p *Page) notify(ctx app.Context, m shared.Message) {
	if p.permission != app.NotificationGranted {
		return
	}
	body := m.Text
	if len(body) > 200 {
		body = strings.ToValidUTF8(body[:200], "") + "…"
	}
	where := p.rooms.get(m.Room).title(p.reader())
	title := m.From + " in " + where
	switch {
	case p.rooms.get(m.Room).Info.Kind == shared.KindDirect:
		title = m.From
	case shared.Mentions(m.Text, p.nickname):
		title = m.From + " mentioned you in " + where
	}
	ctx.Notifications().New(app.Notification{
		Title: title,
		Body:  body,
		Icon:  asset("icon-192.png"),
		Path:  "/",
	})
}

// addUser adds name to a list of users, kept in alphabetical order, if it
// is missing.
func addUser(users []string, name string) []string {
	if slices.Contains(users, name) {
		return users
	}
	users = append(slices.Clone(users), name)
	slices.SortStableFunc(users, compareNames)
	return users
}

// deviceName describes this browser for its owner's list of devices, such
// as "Chrome on Linux", from what the browser says of itself.
func deviceName() string {
	nav := app.Window().Get("navigator")
	ua := nav.Get("userAgent").String()
	browser := "A browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"Chromium/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, os := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, os.token) {
			return browser + " on " + os.name
		}
	}
	return browser
}

// socketURL is the WebSocket URL of the server that served the page.
func socketURL() string {
	u := *app.Window().URL()
	u.Scheme = map[string]string{"https": "wss"}[u.Scheme]
	if u.Scheme == "" {
		u.Scheme = "ws"
	}
	u.Path, u.RawQuery, u.Fragment = "/ws", "", ""
	return u.String()
}

func browserOnline() bool {
	return app.Window().Get("navigator").Get("onLine").Bool()
}

func documentHidden() bool {
	return app.Window().Get("document").Get("hidden").Bool()
}

// mark records a moment in the browser's performance timeline, where
// measurements and tests find it.
func mark(name string) {
	app.Window().Get("performance").Call("mark", name)
}

// focus moves the keyboard focus to the element with id, if it exists.
func focus(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("focus")
	}
}

// setTitle shows the unread count in the tab's title.
func setTitle(unread int) {
	title := "livechat"
	if unread > 0 {
		title = fmt.Sprintf("(%d) livechat", unread)
	}
	app.Window().Get("document").Set("title", title)
}

// giveBack puts the text of a message the server refused for good back
// in the composer, if nothing is being written there, so that nothing
// typed is lost.
func giveBack(text string) {
	el := app.Window().GetElementByID("composer-text")
	if !el.Truthy() || el.Get("value").String() != "" {
		return
	}
	el.Set("value", text)
	// As if typed: the composer counts the bytes left.
	el.Call("dispatchEvent", app.Window().Get("Event").New("input", map[string]any{"bubbles": true}))
}
