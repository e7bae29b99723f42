package shared

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Moderation: the requests with which a room's moderators (its owner, and
// the server's admins) keep it civil, reports anyone may make, and the
// audit log that records every such action.
//
// A room's moderators are the admins of the server and, in a public or
// private room, its owner (RoomInfo.Owner). A direct conversation has no
// owner: only the admins moderate it.

// Moderation requests, sent by clients. Each is answered by a moderated
// event holding the audit entry that records it, or by an error.
const (
	// TypeDelete deletes a message (payload: Delete): the author may
	// delete their own, a moderator any.
	TypeDelete Type = "delete"
	// TypeMute keeps someone from writing in a room for a while, or lets
	// them again (payload: Mute).
	TypeMute Type = "mute"
	// TypeKick takes someone out of a room now (payload: Kick).
	TypeKick Type = "kick"
	// TypeBan bans someone from a room, or, from an admin without a room,
	// from the server; or lifts the ban (payload: Ban).
	TypeBan Type = "ban"
	// TypeBanAddress keeps an address from signing up, or lets it again
	// (payload: BanAddress); admins only.
	TypeBanAddress Type = "ban_address"
	// TypeLock locks or unlocks a room (payload: Lock).
	TypeLock Type = "lock"
	// TypeSlowMode sets how often each person may write in a room
	// (payload: SlowMode).
	TypeSlowMode Type = "slow_mode"
	// TypeReport reports a message to the admins (payload: Report);
	// anyone who can read it may.
	TypeReport Type = "report"
	// TypeReports asks for the open reports (no payload; admins only),
	// answered by a reports event.
	TypeReports Type = "reports"
	// TypeResolveReport closes a report (payload: ResolveReport; admins
	// only).
	TypeResolveReport Type = "resolve_report"
	// TypeAudit asks for the audit log (payload: AuditRequest), answered
	// by an audit event: all of it for admins, a room's part for its
	// owner.
	TypeAudit Type = "audit"
)

// Moderation events, sent by the server.
const (
	// TypeModerated answers a moderation request: its payload is the
	// AuditEntry that records what was done.
	TypeModerated Type = "moderated"
	// TypeReportsList answers a reports request; payload: Reports. (Its
	// type is "reports", like the request.)
	TypeReportsList Type = "reports"
	// TypeAuditLog answers an audit request; payload: Audit. (Its type is
	// "audit", like the request.)
	TypeAuditLog Type = "audit"
)

// StatusBanned is the close status of a connection whose person was
// banned from the server: the client should not reconnect until the ban
// ends (a hello is refused meanwhile, with forbidden).
const StatusBanned websocket.StatusCode = 4004

// Message kinds (Message.Kind). A message said has none; the others are
// events about an earlier message of the room, named by Message.Of, which
// clients fold onto it. They come in the room's order like any message:
// live, in history and on resume.
const (
	// MessageDelete removes the message Of: clients drop it or show it as
	// deleted. It has no text; its author is who deleted it. The message
	// it removes is erased from the server, so history lacks it. It is
	// never shown as a message of its own, counted as unread or notified.
	MessageDelete = "delete"
)

// Limits of moderation.
const (
	// MaxReasonChars is the longest reason of a report or an action.
	MaxReasonChars = 500
	// MaxSanctionSeconds is the longest mute or ban: ten years, which
	// clients offer as "permanently".
	MaxSanctionSeconds = 10 * 365 * 24 * 60 * 60
	// MaxSlowModeSeconds is the longest wait slow mode imposes: 6 hours.
	MaxSlowModeSeconds = 6 * 60 * 60
	// MaxAuditPage is the most entries an audit event holds;
	// DefaultAuditPage, how many it holds when the request does not say.
	MaxAuditPage     = 200
	DefaultAuditPage = 50
)

// The actions of audit entries.
const (
	ActionDelete        = "delete"         // a message was deleted
	ActionMute          = "mute"           // Target may not write in Room for Seconds
	ActionUnmute        = "unmute"         // Target may write in Room again
	ActionKick          = "kick"           // Target was taken out of Room
	ActionBan           = "ban"            // Target is banned from Room (or, without Room, the server) for Seconds
	ActionUnban         = "unban"          // the ban of Target from Room (or the server) was lifted
	ActionBanAddress    = "ban_address"    // Address may not sign up for Seconds
	ActionUnbanAddress  = "unban_address"  // Address may sign up again
	ActionLock          = "lock"           // only Room's moderators may write in it
	ActionUnlock        = "unlock"         // everyone may write in Room again
	ActionSlowMode      = "slow_mode"      // one message per Seconds per person in Room (0: off)
	ActionReport        = "report"         // Actor reported Message of Target in Room
	ActionDismissReport = "dismiss_report" // the report by Target of Message in Room was dismissed
)

// Report actions (ResolveReport.Action).
const (
	ResolveDismiss = "dismiss" // the report is closed; the message stays
	ResolveDelete  = "delete"  // the message is deleted, closing its reports
)

// Delete deletes the message ID of Room.
type Delete struct {
	Room string `json:"room"`
	ID   uint64 `json:"id"`
	// Reason is kept in the audit log (optional; see CheckReason).
	Reason string `json:"reason,omitempty"`
}

// Mute keeps a person, named by Account (their id) or Nickname, from
// writing in Room for Seconds; 0 lets them write again.
type Mute struct {
	Room     string `json:"room"`
	Account  string `json:"account,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Seconds  int    `json:"seconds"`
	Reason   string `json:"reason,omitempty"`
}

// Kick takes a person, named by Account or Nickname, out of Room: they
// are no longer a member and their connections get left. They may come
// back to a public room; to a private one only if invited or added.
type Kick struct {
	Room     string `json:"room"`
	Account  string `json:"account,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Ban bans a person, named by Account or Nickname, for Seconds (0 lifts
// the ban): from Room, which kicks them and keeps them from joining or
// being added again; or, without Room and from an admin, from the server,
// which closes their connections (StatusBanned) and refuses their sign-in.
type Ban struct {
	Room     string `json:"room,omitempty"`
	Account  string `json:"account,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Seconds  int    `json:"seconds"`
	Reason   string `json:"reason,omitempty"`
}

// BanAddress refuses new accounts from Address (an IPv4 address, or any
// address of an IPv6 /64, which is one network) for Seconds; 0 lifts it.
// Accounts that exist still sign in from it.
type BanAddress struct {
	Address string `json:"address"`
	Seconds int    `json:"seconds"`
	Reason  string `json:"reason,omitempty"`
}

// Lock locks Room (only its moderators may write in it) or unlocks it.
type Lock struct {
	Room   string `json:"room"`
	Locked bool   `json:"locked"`
}

// SlowMode lets each person write in Room once per Seconds (0: off);
// moderators are exempt.
type SlowMode struct {
	Room    string `json:"room"`
	Seconds int    `json:"seconds"`
}

// Report reports the message ID of Room to the admins, with a Reason.
type Report struct {
	Room   string `json:"room"`
	ID     uint64 `json:"id"`
	Reason string `json:"reason"`
}

// Reports lists the open reports, newest first.
type Reports struct {
	Reports []ReportInfo `json:"reports"`
}

// ReportInfo is an open report.
type ReportInfo struct {
	// ID names the report in a resolve_report request.
	ID   string `json:"id"`
	Room string `json:"room"`
	// Message is the message reported, as it is now.
	Message Message `json:"message"`
	// Gone reports that the message is no longer kept (removed by the
	// room's retention): Message has its id only.
	Gone     bool      `json:"gone,omitempty"`
	Reporter Person    `json:"reporter"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// ResolveReport closes the report ID: Action is ResolveDismiss or
// ResolveDelete.
type ResolveReport struct {
	ID     string `json:"id"`
	Action string `json:"action"`
}

// AuditRequest asks for audit entries, newest first: those before the
// entry id Before (0: the newest), at most Limit (omitted: DefaultAuditPage;
// 1 to MaxAuditPage). Room, if set, keeps those about that room: its
// owner may ask for them; everything else is for admins.
type AuditRequest struct {
	Room   string `json:"room,omitempty"`
	Before uint64 `json:"before,omitempty"`
	Limit  *int   `json:"limit,omitempty"`
}

// Audit is a page of the audit log, newest first.
type Audit struct {
	// Room repeats the request's.
	Room    string       `json:"room,omitempty"`
	Entries []AuditEntry `json:"entries"`
	// More reports that older entries exist: ask with Before set to the
	// id of the last one here.
	More bool `json:"more,omitempty"`
}

// AuditEntry records one moderation action.
type AuditEntry struct {
	// ID increases with every entry.
	ID uint64    `json:"id"`
	At time.Time `json:"at"`
	// Actor is who did it.
	Actor  Person `json:"actor"`
	Action string `json:"action"`
	Room   string `json:"room,omitempty"`
	// Target is the person acted on (for a message, its author).
	Target *Person `json:"target,omitempty"`
	// Message is the id of the message acted on, in Room.
	Message uint64 `json:"message,omitempty"`
	// Address is the network an address ban is about.
	Address string `json:"address,omitempty"`
	// Seconds is how long a mute or ban lasts, or the slow mode's wait.
	Seconds int    `json:"seconds,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// CheckReason validates the reason of a report (required) or of a
// moderation action (optional): at most MaxReasonChars characters of
// UTF-8 without control characters other than tab and newline, and, if
// required, not blank. The returned error is a *Error with
// CodeInvalidRequest.
func CheckReason(s string, required bool) error {
	if !utf8.ValidString(s) {
		return Errorf(CodeInvalidRequest, "the reason is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxReasonChars {
		return Errorf(CodeInvalidRequest, "a reason has at most %d characters, this one has %d", MaxReasonChars, n)
	}
	blank := true
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case unicode.IsControl(r):
			return Errorf(CodeInvalidRequest, "a reason cannot contain control characters (%U)", r)
		case !unicode.IsSpace(r) && !invisible(r):
			blank = false
		}
	}
	if required && blank {
		return Errorf(CodeInvalidRequest, "say why you report this message (1 to %d characters)", MaxReasonChars)
	}
	return nil
}

// FormatUntil says when a mute or ban ends, for people.
func FormatUntil(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// CheckSeconds validates how long a mute or ban lasts: 0 (lift it) to
// MaxSanctionSeconds. The returned error is a *Error with
// CodeInvalidRequest.
func CheckSeconds(seconds int) error {
	if seconds < 0 || seconds > MaxSanctionSeconds {
		return Errorf(CodeInvalidRequest, "seconds must be 0 (to lift it) to %d (ten years), not %d", MaxSanctionSeconds, seconds)
	}
	return nil
}

// AuditLimit returns how many entries an audit request asks for:
// DefaultAuditPage when n is nil, else *n, which must be 1 to
// MaxAuditPage. The returned error is a *Error with CodeInvalidRequest.
func AuditLimit(n *int) (int, error) {
	switch {
	case n == nil:
		return DefaultAuditPage, nil
	case *n < 1 || *n > MaxAuditPage:
		return 0, Errorf(CodeInvalidRequest, "limit must be 1 to %d entries, not %d", MaxAuditPage, *n)
	}
	return *n, nil
}
