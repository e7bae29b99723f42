package app

import (
	"slices"
	"sort"
	"strings"
	"time"

	"livechat/shared"
)

// The view state of the chat, and how protocol events change it. Nothing
// here touches the DOM or the network: the page renders this state and
// native tests drive it with events.

// reader is the person using the app, for telling their own messages and
// mentions of them.
type reader struct {
	ID       string
	Nickname string
}

// own reports whether m was said by the reader. Messages from before
// accounts have no author: their nickname decides.
func (r reader) own(m shared.Message) bool {
	if m.Author != "" {
		return m.Author == r.ID
	}
	return m.From == r.Nickname
}

// conversation is what the app shows of one room: its messages and
// notices, the reader's messages not yet stored, who is there, and how
// far the reader has read.
type conversation struct {
	Info shared.RoomInfo

	Entries []Entry // messages and notices, oldest first
	Pending []Entry // the reader's messages not yet delivered back
	FirstID uint64  // of the oldest message in Entries
	LastID  uint64  // of the newest
	More    bool    // older messages can be loaded
	Loading bool    // they are on their way
	// HistoryIn reports that Entries hold the room's recent history
	// (kept from a visit or received).
	HistoryIn bool

	Users   []string
	UsersIn bool // Users came from the server
	Counted bool // the room is too big to list: Online is the count
	Online  int

	// Members are the room's members listed so far (MembersIn), in pages
	// of the server's order; MembersMore, that more follow. MembersAsked
	// reports a members request under way.
	Members      []shared.Member
	MembersIn    bool
	MembersMore  bool
	MembersAsked bool

	// Read is the reader's read position; Unread and Mentions count what
	// came after it, up to the message Counted (the server counted up to
	// its Last; the app counts what arrives after).
	Read      uint64
	Unread    int
	Mentions  int
	countedTo uint64
	// UnreadMark is set when the reader opened the room with unread
	// messages, after the read position UnreadAfter: the list marks
	// where they begin and opens there, until another room is opened.
	UnreadMark  bool
	UnreadAfter uint64

	// orphans are events about messages older than those loaded (see
	// foldEvent); typing, who is typing; readers, everyone's read
	// positions (see annotations.go).
	orphans map[uint64]shared.Message
	// joinedLast is the room's newest id when it was last joined.
	joinedLast uint64
	typing     map[string]typist
	readers    map[string]shared.Reader
}

// markUnread remembers where the unread messages of c begin, as the
// reader opens it. (A newcomer to a room has none: the server counts
// what came before they joined as read.)
func (c *conversation) markUnread() { c.UnreadMark, c.UnreadAfter = c.Unread > 0, c.Read }

// firstUnread returns the index in Entries of the first message from
// someone else after UnreadAfter, if the room was opened with unread
// messages, or -1.
func (c *conversation) firstUnread() int {
	if !c.UnreadMark {
		return -1
	}
	for i, e := range c.Entries {
		if e.Kind == EntryMessage && !e.Own && e.ID > c.UnreadAfter {
			return i
		}
	}
	return -1
}

// applyPresence applies a presence update to the list of users, with a
// notice for each real change: an update may repeat what the list has,
// and before the snapshot (Presence) the list is not known, so that no
// change can be told from it. Someone who left and is back before anything
// else was said (a reload, a dropped connection) takes back their "left"
// notice rather than adding a "joined" one.
func (c *conversation) applyPresence(u shared.PresenceUpdate, me reader) {
	known := c.UsersIn && !c.Counted
	if c.Counted, c.Online = u.Counted, u.Online; u.Counted {
		c.Users = nil // no longer complete
		return
	}
	for _, name := range u.Joined {
		if !slices.Contains(c.Users, name) {
			c.Users = addUser(c.Users, name)
			if known && name != me.Nickname && !c.takeBackLeft(name, u.At) {
				c.Entries = appendEntry(c.Entries, Entry{Kind: EntryNotice, From: name, Joined: true, Text: name + " joined", At: u.At})
			}
		}
	}
	for _, name := range u.Left {
		if slices.Contains(c.Users, name) {
			c.Users = slices.DeleteFunc(slices.Clone(c.Users), func(u string) bool { return u == name })
			if known {
				c.Entries = appendEntry(c.Entries, Entry{Kind: EntryNotice, From: name, Left: true, Text: name + " left", At: u.At})
			}
		}
	}
}

// backWithin is how soon someone who left may come back with no notice
// at all: a reload, or a connection lost and found again.
const backWithin = time.Minute

// takeBackLeft removes the notice that name left, if it is among the
// notices that end the list and less than backWithin before at, and
// reports whether it did.
func (c *conversation) takeBackLeft(name string, at time.Time) bool {
	for i := len(c.Entries) - 1; i >= 0 && c.Entries[i].presence(); i-- {
		if e := c.Entries[i]; e.Left && e.From == name {
			if at.Sub(e.At) >= backWithin {
				return false
			}
			c.Entries = slices.Delete(slices.Clone(c.Entries), i, i+1)
			return true
		}
	}
	return false
}

// applyHistory adds a history event: the catch-up of a join, or an older
// page.
func (c *conversation) applyHistory(h shared.History, me reader) {
	if h.Reset {
		c.Entries, c.FirstID, c.LastID = nil, 0, 0
	}
	if h.Before != 0 {
		var older []Entry
		first, last := c.FirstID, c.LastID
		for _, m := range h.Messages {
			if c.FirstID != 0 && m.ID >= c.FirstID {
				continue
			}
			if first == 0 || m.ID < first {
				first = m.ID // a deletion counts: the next page is before it
			}
			last = max(last, m.ID)
			if m.Kind != "" {
				// The server folds these onto the page's messages; one
				// about a message of the page is applied all the same.
				for i := range older {
					if older[i].Kind == EntryMessage && older[i].ID == m.Of {
						older[i].fold(m, me)
					}
				}
				continue
			}
			older = append(older, messageEntry(m, me))
			c.dropPending(m.ClientID)
		}
		c.adopt(older, me)
		c.Entries = append(older, c.Entries...)
		c.FirstID, c.LastID = first, last
		c.More, c.Loading = h.More, false
		return
	}
	if c.FirstID == 0 {
		c.More = h.More
	}
	if h.Truncated {
		c.Entries = appendEntry(c.Entries, Entry{Kind: EntryNotice, Text: "Some messages from while you were away are no longer available.", At: time.Now()})
	}
	for _, m := range h.Messages {
		c.appendMessage(m, me)
	}
	if h.Live {
		c.HistoryIn = true
	}
}

// appendMessage adds a message after the newest one, and reports whether
// it was new.
// A message of a kind (a deletion) changes the message it is about and
// is not new in that sense: it is never shown, counted or notified.
func (c *conversation) appendMessage(m shared.Message, me reader) bool {
	c.dropPending(m.ClientID)
	if m.ID <= c.LastID {
		return false
	}
	c.LastID = m.ID
	if m.Kind != "" {
		c.fold(m, me)
		return false
	}
	c.stopTyping(m.Author)
	n := len(c.Entries)
	c.Entries = appendEntry(c.Entries, messageEntry(m, me))
	if len(c.Entries) <= n {
		c.More = true // the oldest lines were dropped: they can be loaded again
		c.FirstID = firstMessageID(c.Entries)
	}
	if c.FirstID == 0 {
		c.FirstID = m.ID
	}
	return true
}

// dropPending removes the pending message with clientID, now delivered.
func (c *conversation) dropPending(clientID string) {
	if clientID == "" {
		return
	}
	c.Pending = slices.DeleteFunc(slices.Clone(c.Pending), func(e Entry) bool { return e.ClientID == clientID })
}

// pendingText returns the text of the pending message with clientID, or
// "".
func (c *conversation) pendingText(clientID string) string {
	if clientID == "" {
		return ""
	}
	for _, e := range c.Pending {
		if e.ClientID == clientID {
			return e.Text
		}
	}
	return ""
}

// acked marks the pending message with clientID as stored.
func (c *conversation) acked(clientID string) {
	c.Pending = slices.Clone(c.Pending)
	for i := range c.Pending {
		if c.Pending[i].ClientID == clientID {
			c.Pending[i].Sent = true
		}
	}
}

// title names the room for the reader: #name, or the people of a direct
// conversation but the reader.
func (c *conversation) title(me reader) string {
	info := c.Info
	if info.Kind == shared.KindDirect {
		var names []string
		for _, p := range info.People {
			if p.ID != me.ID {
				names = append(names, p.Nickname)
			}
		}
		if len(names) > 0 {
			return strings.Join(names, ", ")
		}
	}
	if info.Name != "" && info.Kind == shared.KindPrivate {
		return info.Name
	}
	return "#" + info.ID
}

// othersOnline returns how many people besides the reader are in the
// room now.
func (c *conversation) othersOnline(me reader) int {
	if c.Counted {
		return max(c.Online-1, 0)
	}
	n := 0
	for _, name := range c.Users {
		if name != me.Nickname {
			n++
		}
	}
	return n
}

// morePrefix starts the id of a members request for the page after those
// listed: its answer adds to the list rather than replacing it.
const morePrefix = "more-"

// needsMembers reports whether the member list of c is missing someone
// presence says is in the room.
func (c *conversation) needsMembers() bool {
	switch {
	case c.MembersAsked:
		return false
	case !c.MembersIn:
		return true
	case c.Counted || !c.UsersIn || c.MembersMore:
		return false // (not all listed: someone unlisted may be on a later page)
	}
	listed := make(map[string]bool, len(c.Members))
	for _, m := range c.Members {
		listed[m.Nickname] = true
	}
	for _, name := range c.Users {
		if !listed[name] {
			return true
		}
	}
	return false
}

// rooms is the reader's rooms as the app shows them: the reducer of the
// protocol's room events into view state.
type rooms struct {
	// ByID holds every room the app knows of, the reader's and those
	// it only shows (the directory).
	ByID map[string]*conversation
	// Mine are the reader's rooms, in the order the sidebar lists them.
	Mine []string
	// Directory are the public rooms.
	Directory []shared.RoomInfo
	// Listed reports that Mine and Directory came from the server.
	Listed bool
	// Current is the room shown.
	Current string
}

func newRooms(current string) *rooms {
	return &rooms{ByID: make(map[string]*conversation), Current: current}
}

// get returns the conversation of room id, making an empty one first.
func (r *rooms) get(id string) *conversation {
	c := r.ByID[id]
	if c == nil {
		c = &conversation{Info: shared.RoomInfo{ID: id, Name: id, Kind: shared.KindPublic}}
		r.ByID[id] = c
	}
	return c
}

// current returns the conversation shown.
func (r *rooms) current() *conversation { return r.get(r.Current) }

// mine reports whether the reader is a member of room id.
func (r *rooms) mine(id string) bool { return slices.Contains(r.Mine, id) }

// setInfo records what the server says of a room the reader is in.
func (r *rooms) setInfo(info shared.RoomInfo) {
	c := r.get(info.ID)
	c.Info = info
	c.Read = max(c.Read, info.Read)
	if info.Member && !r.mine(info.ID) {
		r.Mine = append(r.Mine, info.ID)
		r.sort()
	}
}

// sort orders Mine: rooms first, by name, then direct conversations.
func (r *rooms) sort() {
	sort.SliceStable(r.Mine, func(i, j int) bool {
		a, b := r.get(r.Mine[i]).Info, r.get(r.Mine[j]).Info
		if (a.Kind == shared.KindDirect) != (b.Kind == shared.KindDirect) {
			return b.Kind == shared.KindDirect
		}
		return strings.ToLower(a.Name+a.ID) < strings.ToLower(b.Name+b.ID)
	})
}

// Apply changes the state by one event. visible reports that the reader
// sees the current room now (the tab is shown): its messages are read as
// they come. It returns a message worth notifying the reader of, if any.
func (r *rooms) Apply(ev Event, me reader, visible bool) *shared.Message {
	switch ev.Type {
	case shared.TypeRoomsList:
		r.Listed = true
		r.Directory = ev.Rooms.Directory
		r.Mine = r.Mine[:0]
		for _, info := range ev.Rooms.Mine {
			c := r.get(info.ID)
			c.Info = info
			c.Read, c.Unread, c.Mentions = info.Read, info.Unread, info.Mentions
			c.countedTo = max(c.countedTo, info.Last)
			r.Mine = append(r.Mine, info.ID)
		}
		r.sort()
	case shared.TypeRoom:
		info := *ev.Room
		if !info.Member {
			// A public room to join, new or changed.
			i := slices.IndexFunc(r.Directory, func(d shared.RoomInfo) bool { return d.ID == info.ID })
			if i < 0 {
				r.Directory = append(slices.Clone(r.Directory), info)
			} else {
				r.Directory = slices.Clone(r.Directory)
				r.Directory[i] = info
			}
			break
		}
		r.setInfo(info)
	case shared.TypeJoined:
		r.get(ev.Joined.Room).joinedLast = ev.Joined.Last
		// Joining a public room makes one a member: it joins the list.
		if id := ev.Joined.Room; !r.mine(id) {
			info := r.get(id).Info
			if i := slices.IndexFunc(r.Directory, func(d shared.RoomInfo) bool { return d.ID == id }); i >= 0 {
				info = r.Directory[i]
			}
			info.Member = true
			r.setInfo(info)
		}
	case shared.TypeLeft:
		r.Mine = slices.DeleteFunc(r.Mine, func(id string) bool { return id == ev.Left.Room })
	case shared.TypeReadPosition:
		c := r.get(ev.Read.Room)
		if ev.Read.ID > c.Read {
			c.Read = ev.Read.ID
			if c.LastID <= c.Read {
				c.Unread, c.Mentions = 0, 0
			}
		}
	case shared.TypeMembersList:
		m := ev.Members
		c := r.get(m.Room)
		if !strings.HasPrefix(ev.ID, morePrefix) {
			c.Members = nil
		}
		c.Members = append(slices.Clone(c.Members), m.People...)
		c.MembersIn, c.MembersMore, c.MembersAsked = true, m.More, false
	case shared.TypePresence:
		p := ev.Presence
		c := r.get(p.Room)
		c.Users, c.UsersIn, c.Counted, c.Online = p.Users, true, p.Counted, p.Online
	case shared.TypePresenceUpdate:
		r.get(ev.Update.Room).applyPresence(*ev.Update, me)
	case shared.TypeHistory:
		h := ev.History
		c := r.get(h.Room)
		before := c.LastID
		c.applyHistory(*h, me)
		if h.Before == 0 {
			r.count(c, h.Messages, before, me, visible && h.Room == r.Current)
		}
	case shared.TypeMessage:
		m := *ev.Message
		c := r.get(m.Room)
		before := c.LastID
		if !c.appendMessage(m, me) {
			r.count(c, []shared.Message{m}, before, me, true) // a deletion: read, as it were
			return nil
		}
		r.count(c, []shared.Message{m}, before, me, visible && m.Room == r.Current)
		if !me.own(m) && (!visible || m.Room != r.Current) {
			return &m
		}
	case shared.TypeAck:
		for _, c := range r.ByID {
			c.acked(ev.Ack.ClientID)
		}
	case shared.TypeTyping:
		c, now := r.get(ev.Typing.Room), time.Now()
		for _, who := range ev.Typing.People {
			if who.ID != me.ID {
				c.typingNow(who, now)
			}
		}
	case shared.TypeSeen:
		r.get(ev.Seen.Room).applySeen(*ev.Seen)
	}
	return nil
}

// count adds to the unread counts of c the messages after before that
// the reader has not read: neither their own, nor seen as they came.
func (r *rooms) count(c *conversation, msgs []shared.Message, before uint64, me reader, seen bool) {
	for _, m := range msgs {
		if m.ID <= before || m.ID <= c.Read || m.ID <= c.countedTo {
			continue
		}
		c.countedTo = m.ID
		if me.own(m) || seen || m.Kind != "" {
			continue
		}
		c.Unread++
		if shared.Mentions(m.Text, me.Nickname) {
			c.Mentions++
		}
	}
}

// markRead marks the current room read up to its newest message and
// returns that id, or 0 if nothing changed.
func (r *rooms) markRead() uint64 {
	c := r.current()
	c.Unread, c.Mentions = 0, 0
	if c.LastID <= c.Read {
		return 0
	}
	c.Read = c.LastID
	return c.Read
}

// unread returns the unread messages in all the reader's rooms.
func (r *rooms) unread() int {
	n := 0
	for _, id := range r.Mine {
		n += r.get(id).Unread
	}
	return n
}
