package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// memberList shows the people of the room: who is online now (from
// presence), then the members who are not (from the members list, a page
// of 500 at a time).
type memberList struct {
	app.Compo

	// Users are the people online in the room.
	Users []string
	// Known reports that Users came from the server: until then the list
	// says it is connecting, never that nobody is online.
	Known bool
	// Self is the reader's nickname.
	Self string
	// Counted is set for a room too big to name everyone: Online says how
	// many are here.
	Counted bool
	Online  int
	// Members are the room's members the server listed (MembersIn);
	// More reports that more can be listed, which OnMore asks for.
	Members   []shared.Member
	MembersIn bool
	More      bool
	OnMore    func(ctx app.Context)
	// Open shows the list on narrow screens; OnClose, Escape in it,
	// closes it.
	Open    bool
	OnClose func(ctx app.Context)
	// Moderator reports that the reader moderates the room: each
	// person's name is a button, OnModerate, that opens what may be done
	// to them (mute, remove, ban).
	Moderator  bool
	OnModerate func(ctx app.Context, nickname string)
}

// name shows a person of the list: for a moderator, a button that opens
// what may be done to them (its text is the name alone, as the lists'
// text is the names).
func (u *memberList) name(nickname string) app.UI {
	if !u.Moderator {
		return app.Text(nickname)
	}
	return app.Button().Class("person").Type("button").DataSet("name", nickname).
		Aria("label", "Moderate "+nickname).Aria("haspopup", "dialog").Title("Mute, remove or ban " + nickname).Text(nickname).
		OnClick(func(ctx app.Context, e app.Event) { call2(u.OnModerate, ctx, dataOf(ctx, "name")) })
}

// offline returns the members not online, by name.
func (u *memberList) offline() []string {
	here := make(map[string]bool, len(u.Users))
	for _, name := range u.Users {
		here[name] = true
	}
	seen := make(map[string]bool)
	var names []string
	for _, m := range u.Members {
		online := m.Online
		if !u.Counted && u.Known {
			online = here[m.Nickname]
		}
		if !online && !seen[m.Nickname] {
			seen[m.Nickname] = true
			names = append(names, m.Nickname)
		}
	}
	slices.SortFunc(names, compareNames)
	return names
}

func (u *memberList) Render() app.UI {
	class := "users"
	if u.Open {
		class += " open"
	}
	heading := onlineLabel("Online", u.Known, u.Counted, u.Online, u.Users)
	offline := u.offline()
	offlineHeading := fmt.Sprintf("Offline (%d)", len(offline))
	if u.More {
		offlineHeading = fmt.Sprintf("Offline (%d+)", len(offline))
	}
	return app.Aside().ID("users").Class(class).Aria("label", "People in the room").OnKeyDown(func(ctx app.Context, e app.Event) {
		if u.Open {
			escapeCloses(ctx, e, u.OnClose)
		}
	}).Body(
		app.H2().ID("online-heading").Text(heading),
		app.If(!u.Known, app.P().Class("muted").Text("Connecting…")),
		app.If(u.Known && u.Counted, app.P().Class("muted").Text(fmt.Sprintf("%d people are here: too many to list.", u.Online))),
		app.Ul().ID("online-users").Aria("labelledby", "online-heading").Body(
			app.Range(u.Users).Slice(func(i int) app.UI {
				name := u.Users[i]
				li := app.Li().Class("online")
				if name == u.Self {
					return li.Class("self").Body(app.Text(name), app.Span().Class("you").Text(" (you)"))
				}
				return li.Body(u.name(name))
			}),
		),
		app.If(len(offline) > 0,
			app.H2().ID("offline-heading").Text(offlineHeading),
			app.Ul().ID("offline-users").Aria("labelledby", "offline-heading").Body(
				app.Range(offline).Slice(func(i int) app.UI {
					if offline[i] == u.Self {
						return app.Li().Class("offline").Text(offline[i])
					}
					return app.Li().Class("offline").Body(u.name(offline[i]))
				}),
			),
		),
		app.If(u.More, app.Button().ID("more-members").Class("link").Type("button").Text("Show more members").OnClick(func(ctx app.Context, e app.Event) {
			call(u.OnMore, ctx)
		})),
	)
}

// onlineLabel says how many are online: "Online (3)", or unknown, if
// they are not known yet.
func onlineLabel(unknown string, known, counted bool, online int, users []string) string {
	switch {
	case known && counted:
		return fmt.Sprintf("Online (%d)", online)
	case known:
		return fmt.Sprintf("Online (%d)", len(users))
	}
	return unknown
}

// compareNames orders nicknames alphabetically, ignoring case.
func compareNames(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
