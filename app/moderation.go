package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"livechat/shared"
)

// Moderation as the app shows it: deletions folded onto the messages they
// remove, who may moderate a room, and how actions read for people. The
// components that send the requests are in moderate*.go, reportdialog.go,
// roomsettings.go and adminpanel.go.

// fold applies m, an event about an earlier message that arrived after
// the newest one, to c: a deletion of a message counted unread (or as a
// mention) takes it off the counts too.
func (c *conversation) fold(m shared.Message, me reader) {
	if m.Kind == shared.MessageDelete && m.Of > c.Read && m.Of <= c.countedTo {
		for _, e := range c.Entries {
			if e.Kind == EntryMessage && e.ID == m.Of && !e.Deleted && !e.Own {
				c.Unread = max(c.Unread-1, 0)
				if e.Mention {
					c.Mentions = max(c.Mentions-1, 0)
				}
				break
			}
		}
	}
	c.foldEvent(m, me)
}

// moderates reports whether the reader moderates the room described by
// info: an admin moderates every room; the owner, their public or private
// room.
func moderates(info shared.RoomInfo, me reader, admin bool) bool {
	return admin || info.Kind != shared.KindDirect && me.ID != "" && info.Owner == me.ID
}

// choice is one option of a duration menu.
type choice struct {
	Label   string
	Seconds int
}

// sanctionChoices are how long a mute or ban may last in the app.
var sanctionChoices = []choice{
	{"10 minutes", 10 * 60},
	{"1 hour", 60 * 60},
	{"1 day", 24 * 60 * 60},
	{"1 week", 7 * 24 * 60 * 60},
	{"Permanently", shared.MaxSanctionSeconds},
}

// slowModeChoices are the slow modes the app offers.
var slowModeChoices = []choice{
	{"Off", 0},
	{"10 seconds", 10},
	{"30 seconds", 30},
	{"1 minute", 60},
	{"5 minutes", 5 * 60},
	{"15 minutes", 15 * 60},
	{"1 hour", 60 * 60},
	{"6 hours", shared.MaxSlowModeSeconds},
}

// durationText says how long seconds is, as the app's menus do where
// they can.
func durationText(seconds int) string {
	if seconds >= shared.MaxSanctionSeconds {
		return "permanently"
	}
	for _, c := range append(slices.Clone(sanctionChoices), slowModeChoices[1:]...) {
		if c.Seconds == seconds {
			return c.Label
		}
	}
	d := time.Duration(seconds) * time.Second
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return fmt.Sprintf("%d seconds", seconds)
}

// forDuration says how long a sanction lasts: "for 1 hour", or
// "permanently".
func forDuration(seconds int) string {
	if d := durationText(seconds); d != "permanently" {
		return "for " + d
	}
	return "permanently"
}

// slowModeLabel is the badge of a room under slow mode: "Slow mode: 30 s".
func slowModeLabel(seconds int) string {
	d := time.Duration(seconds) * time.Second
	switch {
	case seconds <= 0:
		return ""
	case d%time.Hour == 0:
		return fmt.Sprintf("Slow mode: %d h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("Slow mode: %d min", d/time.Minute)
	}
	return fmt.Sprintf("Slow mode: %d s", seconds)
}

// describeEntry says what an audit entry records, for people: "olive
// muted bob in #club for 1 hour (calm down)".
func describeEntry(e shared.AuditEntry) string {
	target := "someone"
	if e.Target != nil {
		target = e.Target.Nickname
	}
	in := ""
	if e.Room != "" {
		in = " in #" + e.Room
	}
	var what string
	switch e.Action {
	case shared.ActionDelete:
		what = fmt.Sprintf("deleted a message of %s%s", target, in)
	case shared.ActionMute:
		what = fmt.Sprintf("muted %s%s %s", target, in, forDuration(e.Seconds))
	case shared.ActionUnmute:
		what = fmt.Sprintf("unmuted %s%s", target, in)
	case shared.ActionKick:
		what = fmt.Sprintf("removed %s from #%s", target, e.Room)
	case shared.ActionBan:
		where := " from #" + e.Room
		if e.Room == "" {
			where = " from the server"
		}
		what = fmt.Sprintf("banned %s%s %s", target, where, forDuration(e.Seconds))
	case shared.ActionUnban:
		where := " from #" + e.Room
		if e.Room == "" {
			where = " from the server"
		}
		what = fmt.Sprintf("lifted the ban of %s%s", target, where)
	case shared.ActionBanAddress:
		what = fmt.Sprintf("stopped sign-ups from %s %s", e.Address, forDuration(e.Seconds))
	case shared.ActionUnbanAddress:
		what = fmt.Sprintf("allowed sign-ups from %s again", e.Address)
	case shared.ActionLock:
		what = "locked #" + e.Room
	case shared.ActionUnlock:
		what = "unlocked #" + e.Room
	case shared.ActionSlowMode:
		what = fmt.Sprintf("set the slow mode of #%s to %s", e.Room, strings.ToLower(durationText(e.Seconds)))
		if e.Seconds == 0 {
			what = "turned the slow mode of #" + e.Room + " off"
		}
	case shared.ActionReport:
		what = fmt.Sprintf("reported a message of %s%s", target, in)
	case shared.ActionDismissReport:
		what = fmt.Sprintf("dismissed a report by %s%s", target, in)
	default:
		what = e.Action + in
	}
	s := e.Actor.Nickname + " " + what
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}
