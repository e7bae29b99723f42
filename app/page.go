package app

import (
	"context"
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
	joined     bool
	joining    bool
	joinError  string
	nickname   string
	me         string // account id
	room       string
	state      State
	entries    []Entry // messages and notices, oldest first
	pending    []Entry // the reader's messages not yet delivered back
	firstID    uint64  // of the oldest message in entries
	lastID     uint64  // of the newest
	more       bool    // older messages can be loaded
	loading    bool    // they are on their way
	historyIn  bool    // entries hold the room's recent history (cached or received)
	users      []string
	usersIn    bool // users came from the server
	counted    bool // the room is too big to list: online is the count
	online     int
	sayError   string
	showUsers  bool
	leaveAsked bool // the leave dialog is open
	leaving    bool // leave once the outbox is empty

	// The browser.
	hidden      bool
	unread      int
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
		p.start(ctx, id)
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
		p.join(ctx, nick)
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
	return app.Div().Class("app").Body(
		app.If(p.updateReady, app.Div().Class("banner update").Role("alert").Body(
			app.Text("A new version of livechat is available. "),
			app.Button().Text("Reload").OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
		)),
		app.If(!p.joined, &joinForm{
			Nickname: p.nickname,
			Error:    p.joinError,
			Busy:     p.joining,
			OnJoin:   func(_ app.Context, nickname string) { p.ctx.Dispatch(func(ctx app.Context) { p.join(ctx, nickname) }) },
			Status:   app.If(p.joining, &statusBar{State: p.state, OnRetry: func(app.Context) { p.wake() }}),
		}).Else(p.renderChat()),
	)
}

func (p *Page) renderChat() app.UI {
	people := "People"
	switch {
	case p.usersIn && p.counted:
		people = fmt.Sprintf("Online (%d)", p.online)
	case p.usersIn:
		people = fmt.Sprintf("Online (%d)", len(p.users))
	}
	return app.Div().Class("chat").Body(
		app.Header().Class("topbar").Body(
			app.H1().Body(app.Img().Src(asset("icon.svg")).Alt("").Width(28).Height(28), app.Text("livechat")),
			app.Span().Class("room").Text("#"+p.room),
			&statusBar{State: p.state, OnRetry: func(app.Context) { p.wake() }},
			app.Nav().Class("actions").Aria("label", "Chat").Body(
				app.Button().
					Class("users-toggle").
					Aria("controls", "users").
					Aria("expanded", p.showUsers).
					Text(people).
					OnClick(func(ctx app.Context, e app.Event) { p.showUsers = !p.showUsers }),
				app.If(p.permission == app.NotificationDefault,
					app.Button().Text("Enable notifications").OnClick(p.askNotifications)),
				app.If(p.installable, app.Button().Text("Install").OnClick(func(ctx app.Context, e app.Event) { ctx.ShowAppInstallPrompt() })),
				app.Button().ID("leave").Text("Leave").OnClick(p.leave),
			),
		),
		app.Div().Class("body").Body(
			app.Main().ID("main").Class("conversation").Body(
				&messageList{
					Entries: p.entries,
					Pending: p.pending,
					More:    p.more,
					Loading: p.loading,
					Ready:   p.historyIn,
					OnTop:   func(app.Context) { p.ctx.Dispatch(p.loadOlder) },
				},
				&composer{
					Status: p.state.Status,
					Error:  p.sayError,
					OnSend: func(_ app.Context, text string) error { return p.say(text) },
				},
			),
			&userList{Users: p.users, Known: p.usersIn, Self: p.nickname, Open: p.showUsers, Counted: p.counted, Online: p.online},
		),
		app.If(p.leaveAsked, &leaveDialog{
			Unsent:  len(p.pending),
			Leaving: p.leaving,
			Online:  p.state.Status == StatusOnline,
			OnSend:  func(app.Context) { p.ctx.Dispatch(p.leaveWhenSent) },
			OnDrop:  func(app.Context) { p.ctx.Dispatch(p.forget) },
			OnStay:  func(app.Context) { p.ctx.Dispatch(p.stay) },
		}),
	)
}

// join is the join form's submit.
func (p *Page) join(ctx app.Context, nickname string) {
	nick, err := shared.CheckNickname(nickname)
	if err != nil {
		p.joinError = err.(*shared.Error).Message
		return
	}
	p.start(ctx, identity{Nickname: nick, Room: shared.DefaultRoom})
}

// start runs a client for id until it ends, showing the history kept from
// the last visit, if any, and resuming after it. ctx must be the page's.
func (p *Page) start(ctx app.Context, id identity) {
	p.disconnect()
	if id.Room == "" {
		id.Room = shared.DefaultRoom
	}
	p.joining, p.joinError = !p.joined, ""
	p.room = id.Room
	p.state = State{Status: StatusConnecting}
	p.outbox = LoadOutbox(ctx.LocalStorage(), outboxKey)
	p.pending = nil
	for _, m := range p.outbox.Items() {
		if m.In() == id.Room {
			p.pending = append(p.pending, Entry{Kind: EntryMessage, ClientID: m.ClientID, From: id.Nickname, Text: m.Text, At: m.At, Own: true, Pending: true})
		}
	}
	resume := make(map[string]uint64)
	if p.lastID != 0 {
		resume[id.Room] = p.lastID // the messages shown
	} else if cache, ok := loadHistoryCache(ctx.LocalStorage(), historyKey, id.Room); ok {
		for _, m := range cache.Messages {
			p.entries = append(p.entries, messageEntry(m, id.Nickname))
		}
		p.firstID, p.more, p.historyIn = cache.Messages[0].ID, cache.More, true
		p.lastID, _ = cache.last()
		resume[id.Room] = p.lastID
	}
	// Sign in to the account this browser holds if it is the one of this
	// nickname; otherwise claim the nickname.
	hello := shared.Hello{Nickname: id.Nickname, Device: deviceName()}
	var acct savedAccount
	ctx.LocalStorage().Get(accountKey, &acct)
	if acct.Credential != "" && shared.NicknameKey(acct.Nickname) == shared.NicknameKey(id.Nickname) {
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
	switch ev.Type {
	case shared.TypeWelcome:
		w := ev.Welcome
		fresh := p.joining
		p.joined, p.joining = true, false
		p.nickname, p.me = w.You.Nickname, w.You.ID
		ctx.LocalStorage().Set(identityKey, identity{Nickname: w.You.Nickname, Room: p.room})
		var acct savedAccount
		ctx.LocalStorage().Get(accountKey, &acct)
		if w.Credential != "" {
			acct.Credential = w.Credential
		}
		acct.Nickname = w.You.Nickname
		ctx.LocalStorage().Set(accountKey, acct)
		mark("livechat:welcome")
		if fresh {
			// Whoever just joined wants to write.
			ctx.Defer(func(app.Context) { focus("composer-text") })
		}
	case shared.TypePresence:
		if pr := ev.Presence; pr.Room == p.room {
			p.users, p.usersIn, p.counted, p.online = pr.Users, true, pr.Counted, pr.Online
		}
	case shared.TypePresenceUpdate:
		if u := ev.Update; u.Room == p.room {
			if p.counted, p.online = u.Counted, u.Online; u.Counted {
				p.users = nil // no longer complete
			} else {
				p.applyPresence(*u)
			}
		}
	case shared.TypeHistory:
		if ev.History.Room == p.room {
			p.applyHistory(*ev.History)
			p.cacheSoon()
		}
	case shared.TypeMessage:
		m := *ev.Message
		if m.Room != p.room || !p.appendMessage(m) {
			return
		}
		p.cacheSoon()
		if m.Author != p.me && p.hidden {
			p.unread++
			setTitle(p.unread)
			p.notify(ctx, m)
		}
	case shared.TypeAck:
		p.pending = slices.Clone(p.pending)
		for i := range p.pending {
			if p.pending[i].ClientID == ev.Ack.ClientID {
				p.pending[i].Sent = true
			}
		}
	case shared.TypeError:
		e := ev.Error
		p.sayError = e.Message
		if e.Request == shared.TypeSay && e.Code != shared.CodeInternal {
			p.dropPending(e.Ref) // refused for good: the client dropped it too
		}
		if e.Request == shared.TypeHistory {
			p.loading = false
		}
	}
	if p.leaving && len(p.outbox.Items()) == 0 {
		p.forget(ctx) // everything was sent: leave as asked
	}
}

// applyPresence applies a presence update to the list of users, with a
// notice for each real change: an update may repeat what the list has.
func (p *Page) applyPresence(u shared.PresenceUpdate) {
	for _, name := range u.Joined {
		if !slices.Contains(p.users, name) {
			p.users = addUser(p.users, name)
			if name != p.nickname {
				p.entries = appendEntry(p.entries, Entry{Kind: EntryNotice, Text: name + " joined", At: u.At})
			}
		}
	}
	for _, name := range u.Left {
		if slices.Contains(p.users, name) {
			p.users = slices.DeleteFunc(slices.Clone(p.users), func(u string) bool { return u == name })
			p.entries = appendEntry(p.entries, Entry{Kind: EntryNotice, Text: name + " left", At: u.At})
		}
	}
}

// applyHistory adds a history event: the catch-up of a join, or an older
// page.
func (p *Page) applyHistory(h shared.History) {
	if h.Reset {
		p.entries, p.firstID, p.lastID = nil, 0, 0
	}
	if h.Before != 0 {
		var older []Entry
		for _, m := range h.Messages {
			if p.firstID == 0 || m.ID < p.firstID {
				older = append(older, messageEntry(m, p.nickname))
				p.dropPending(m.ClientID)
			}
		}
		if len(older) > 0 {
			p.entries = append(older, p.entries...)
			p.firstID = older[0].ID
			if p.lastID == 0 {
				p.lastID = older[len(older)-1].ID
			}
		}
		p.more, p.loading = h.More, false
		return
	}
	if p.firstID == 0 {
		p.more = h.More
	}
	if h.Truncated {
		p.entries = appendEntry(p.entries, Entry{Kind: EntryNotice, Text: "Some messages from while you were away are no longer available.", At: time.Now()})
	}
	for _, m := range h.Messages {
		p.appendMessage(m)
	}
	if h.Live {
		p.historyIn = true
	}
}

// appendMessage adds a message after the newest one, and reports whether
// it was new.
func (p *Page) appendMessage(m shared.Message) bool {
	p.dropPending(m.ClientID)
	if m.ID <= p.lastID {
		return false
	}
	n := len(p.entries)
	p.entries = appendEntry(p.entries, messageEntry(m, p.nickname))
	if len(p.entries) <= n {
		p.more = true // the oldest lines were dropped: they can be loaded again
	}
	p.lastID = m.ID
	p.firstID = firstMessageID(p.entries)
	if m.From == p.nickname {
		p.sayError = ""
	}
	return true
}

// dropPending removes the pending message with clientID, now delivered.
func (p *Page) dropPending(clientID string) {
	if clientID == "" {
		return
	}
	p.pending = slices.DeleteFunc(slices.Clone(p.pending), func(e Entry) bool { return e.ClientID == clientID })
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
func (p *Page) loadOlder(ctx app.Context) {
	if p.client == nil || !p.more || p.loading || p.firstID == 0 {
		return
	}
	if err := p.client.History(ctx, p.room, p.firstID); err == nil {
		p.loading = true
	}
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

// saveCache keeps the newest messages shown, for the next visit.
func (p *Page) saveCache() {
	if !p.joined || p.ctx == nil || !p.historyIn {
		return
	}
	var msgs []shared.Message
	for _, e := range p.entries {
		if e.Kind == EntryMessage {
			msgs = append(msgs, shared.Message{ID: e.ID, Room: p.room, From: e.From, Text: e.Text, At: e.At, ClientID: e.ClientID})
		}
	}
	if len(msgs) == 0 {
		return
	}
	p.ctx.LocalStorage().Set(historyKey, newHistoryCache(p.room, msgs, p.more))
}

// ended handles the end of a client's run.
func (p *Page) ended(ctx app.Context, err error) {
	var refused *shared.Error
	switch {
	case errors.Is(err, context.Canceled):
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
	id, err := p.client.Say(p.ctx, p.room, text)
	if err != nil {
		return err
	}
	p.ctx.Dispatch(func(ctx app.Context) {
		p.pending = append(slices.Clone(p.pending), Entry{Kind: EntryMessage, ClientID: id, From: p.nickname, Text: text, At: time.Now(), Own: true, Pending: true})
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
	p.entries, p.pending, p.users, p.usersIn, p.sayError = nil, nil, nil, false, ""
	p.firstID, p.lastID, p.more, p.loading, p.historyIn = 0, 0, false, false, false
	p.state = State{}
	p.unread = 0
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
		p.unread = 0
		setTitle(0)
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
	ctx.Notifications().New(app.Notification{
		Title: m.From + " in #" + m.Room,
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
	slices.SortStableFunc(users, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
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
