package shared_test

import (
	"bytes"
	"embed"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"livechat/shared"
)

var update = flag.Bool("update", false, "rewrite the golden vectors in testdata/ from the values in this file")

// The golden vectors are embedded so that the GOOS=js tests, which run in a
// browser without a file system, check the same bytes.
//
//go:embed testdata/*.json
var testdata embed.FS

// golden lists one vector per message type: the file in testdata/ and the
// envelope it holds.
var golden = []struct {
	file    string
	typ     shared.Type
	id      string
	payload any // a pointer to the payload struct, or nil for none
}{
	{"hello.json", shared.TypeHello, "h-1", &shared.Hello{Protocol: shared.ProtocolVersion, Credential: "acct.dev.s3cr3t", Nickname: "Zoë <script>", Password: "correct horse", Device: "Chromium on Linux", Invite: "x4pq9w2z"}},
	{"join.json", shared.TypeJoin, "j-1", &shared.Join{Room: "general", Invite: "mz4k2ttx", Since: new(uint64(41)), History: new(20)}},
	{"leave.json", shared.TypeLeave, "l-1", &shared.Leave{Room: "general"}},
	{"history_request.json", shared.TypeHistory, "h-2", &shared.HistoryRequest{Room: "general", Before: 42, Limit: new(50)}},
	{"ping.json", shared.TypePing, "p-3", nil},
	{"rooms_request.json", shared.TypeRooms, "r-1", nil},
	{"create_room.json", shared.TypeCreateRoom, "r-2", &shared.CreateRoom{Name: "Book club", Kind: shared.KindPrivate, Topic: "One chapter a week"}},
	{"open_dm.json", shared.TypeOpenDM, "r-3", &shared.OpenDM{People: []string{"bob", "Zoë <script>"}}},
	{"invite_request.json", shared.TypeInvite, "r-4", &shared.InviteRequest{Room: "p-k3j5d0a1", MaxUses: 5, ExpiresIn: 86400}},
	{"add.json", shared.TypeAdd, "r-5", &shared.Add{Room: "p-k3j5d0a1", Nickname: "carol"}},
	{"topic.json", shared.TypeTopic, "r-6", &shared.Topic{Room: "general", Topic: "Be kind"}},
	{"members_request.json", shared.TypeMembers, "r-7", &shared.MembersRequest{Room: "general", After: "b0bb0b"}},
	{"read_request.json", shared.TypeRead, "r-8", &shared.Read{Room: "general", ID: 42}},
	{"account_request.json", shared.TypeAccount, "a-1", nil},
	{"password.json", shared.TypePassword, "a-2", &shared.Password{Password: "correct horse battery"}},
	{"revoke.json", shared.TypeRevoke, "a-3", &shared.Revoke{Device: "d5h3"}},
	{"passkey_request.json", shared.TypePasskey, "k-1", &shared.PasskeyRequest{Purpose: shared.PasskeySignIn}},
	{"passkey.json", shared.TypePasskeyOptions, "k-1", &shared.PasskeyOptions{Purpose: shared.PasskeySignIn,
		Options: json.RawMessage(`{"challenge":"q9Xy2vVb0lq1s5wJ3pQ4bA","timeout":300000,"rpId":"chat.example.com","userVerification":"preferred"}`)}},
	{"add_passkey.json", shared.TypeAddPasskey, "k-2", &shared.AddPasskey{Name: "Chromium on Linux",
		Credential: json.RawMessage(`{"id":"AQID","rawId":"AQID","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"},"clientExtensionResults":{}}`)}},
	{"revoke_passkey.json", shared.TypeRevoke, "a-5", &shared.Revoke{Passkey: "AQID"}},
	{"rename.json", shared.TypeRename, "a-4", &shared.Rename{Nickname: "Zoë L"}},
	{"settings_request.json", shared.TypeSettings, "s-1", &shared.SettingsRequest{InviteOnly: new(true)}},
	{"settings.json", shared.TypeSettingsInfo, "s-1", &shared.Settings{InviteOnly: true}},
	{"signup_invite.json", shared.TypeInviteCode, "s-2", &shared.Invite{Code: "x4pq9w2z", Expires: time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC), MaxUses: 20}},
	{"account.json", shared.TypeAccountInfo, "a-1", &shared.Account{
		You: shared.Person{ID: "q2lmvkx7", Nickname: "Zoë <script>"}, Admin: true, Password: true,
		Devices: []shared.Device{
			{ID: "d5h3", Name: "Chromium on Linux", Created: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), LastSeen: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Current: true},
			{ID: "d7k1", Name: "Safari on iPhone", Created: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), LastSeen: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)},
		},
		Passkeys: []shared.Passkey{{ID: "AQID", Name: "Chromium on Linux", Created: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), LastUsed: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}},
	}},
	{"say.json", shared.TypeSay, "c-7f3a", &shared.Say{Room: "general", Text: "héllo \"world\"\n<b>&amp;</b> \u2603"}},
	{"welcome.json", shared.TypeWelcome, "h-1", &shared.Welcome{
		Server: "livechat 1.0.0", Protocol: shared.ProtocolVersion, Limits: shared.DefaultLimits,
		You: shared.Person{ID: "q2lmvkx7", Nickname: "Zoë <script>"}, Admin: true, Credential: "acct.dev.s3cr3t",
	}},
	{"rooms.json", shared.TypeRoomsList, "r-1", &shared.Rooms{
		Mine: []shared.RoomInfo{
			{ID: "general", Name: "general", Kind: shared.KindPublic, Topic: "Be kind", Member: true, Last: 42, Read: 40, Unread: 2, Mentions: 1},
			{ID: "dm-5a1f", Kind: shared.KindDirect, People: []shared.Person{{ID: "b0bb0b", Nickname: "bob"}, {ID: "q2lmvkx7", Nickname: "Zoë <script>"}}, Member: true},
		},
		Directory: []shared.RoomInfo{{ID: "general", Name: "general", Kind: shared.KindPublic, Topic: "Be kind", Member: true}},
	}},
	{"room.json", shared.TypeRoom, "r-2", &shared.RoomInfo{ID: "p-k3j5d0a1", Name: "Book club", Kind: shared.KindPrivate, Topic: "One chapter a week", Member: true}},
	{"invite.json", shared.TypeInviteCode, "r-4", &shared.Invite{Code: "mz4k2ttx", Room: "p-k3j5d0a1", Expires: time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC), MaxUses: 5}},
	{"members.json", shared.TypeMembersList, "r-7", &shared.Members{Room: "general", People: []shared.Member{{ID: "q2lmvkx7", Nickname: "Zoë <script>", Online: true}}, More: true}},
	{"read.json", shared.TypeReadPosition, "r-8", &shared.Read{Room: "general", ID: 42}},
	{"joined.json", shared.TypeJoined, "j-1", &shared.Joined{Room: "general", Last: 42}},
	{"left.json", shared.TypeLeft, "l-1", &shared.Left{Room: "general"}},
	{"presence.json", shared.TypePresence, "", &shared.Presence{Room: "general", Users: []string{"bob", "Zoë <script>"}, Online: 2}},
	{"presence_counted.json", shared.TypePresence, "", &shared.Presence{Room: "lobby", Online: 10000, Counted: true}},
	{"presence_update.json", shared.TypePresenceUpdate, "", &shared.PresenceUpdate{
		Room: "general", Joined: []string{"bob", "Zoë <script>"}, Left: []string{"carol"}, Online: 2,
		At: time.Date(2026, 11, 26, 7, 0, 0, 123e6, time.UTC),
	}},
	{"presence_update_counted.json", shared.TypePresenceUpdate, "", &shared.PresenceUpdate{
		Room: "lobby", Online: 10001, Counted: true, At: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC),
	}},
	{"pong.json", shared.TypePong, "p-3", nil},
	{"closing.json", shared.TypeClosing, "", &shared.Closing{Status: int(shared.StatusTryAgain), Reason: "some messages could not be read; reconnect to get them"}},
	{"message.json", shared.TypeMessage, "", &shared.Message{
		ID: 42, Room: "general", Author: "q2lmvkx7", From: "Zoë <script>", Text: "héllo \"world\"\n<b>&amp;</b> \u2603",
		At: time.Date(2026, 11, 26, 7, 1, 2, 345e6, time.UTC), ClientID: "c-7f3a",
	}},
	{"ack.json", shared.TypeAck, "", &shared.Ack{ClientID: "c-7f3a", ID: 42, Duplicate: true}},
	{"history.json", shared.TypeHistory, "h-2", &shared.History{
		Room: "general", Before: 43, More: true, Truncated: true, Reset: true, Live: true,
		Messages: []shared.Message{
			{ID: 41, Room: "general", Author: "b0bb0b", From: "bob", Text: "earlier", At: time.Date(2026, 11, 26, 7, 0, 59, 0, time.UTC), ClientID: "c-1"},
			{ID: 42, Room: "general", Author: "q2lmvkx7", From: "Zoë <script>", Text: "héllo", At: time.Date(2026, 11, 26, 7, 1, 2, 345e6, time.UTC), ClientID: "c-7f3a"},
		},
	}},
	{"batch.json", shared.TypeBatch, "", &[]json.RawMessage{
		json.RawMessage(`{"type":"presence_update","payload":{"room":"general","joined":["bob"],"online":2,"at":"2026-11-26T07:00:00.123Z"}}`),
		json.RawMessage(`{"type":"message","payload":{"id":43,"room":"general","from":"bob","text":"hi","at":"2026-11-26T07:00:01Z","client_id":"c-9"}}`),
	}},
	{"delete.json", shared.TypeDelete, "m-1", &shared.Delete{Room: "general", ID: 42, Reason: "spam"}},
	{"mute.json", shared.TypeMute, "m-2", &shared.Mute{Room: "general", Nickname: "Zoë <script>", Seconds: 600, Reason: "calm down"}},
	{"kick.json", shared.TypeKick, "m-3", &shared.Kick{Room: "general", Account: "b0bb0b", Reason: "off topic"}},
	{"ban.json", shared.TypeBan, "m-4", &shared.Ban{Room: "general", Account: "b0bb0b", Seconds: 86400, Reason: "insults"}},
	{"server_ban.json", shared.TypeBan, "m-5", &shared.Ban{Nickname: "bob", Seconds: 0}},
	{"ban_address.json", shared.TypeBanAddress, "m-6", &shared.BanAddress{Address: "2001:db8:1:2::7", Seconds: 604800, Reason: "sign-up spam"}},
	{"lock.json", shared.TypeLock, "m-7", &shared.Lock{Room: "general", Locked: true}},
	{"slow_mode.json", shared.TypeSlowMode, "m-8", &shared.SlowMode{Room: "general", Seconds: 30}},
	{"report.json", shared.TypeReport, "m-9", &shared.Report{Room: "general", ID: 42, Reason: "this is \"spam\" <b>"}},
	{"reports_request.json", shared.TypeReports, "m-10", nil},
	{"resolve_report.json", shared.TypeResolveReport, "m-11", &shared.ResolveReport{ID: "general:42:c4r0l", Action: shared.ResolveDelete}},
	{"audit_request.json", shared.TypeAudit, "m-12", &shared.AuditRequest{Room: "general", Before: 17, Limit: new(20)}},
	{"moderated.json", shared.TypeModerated, "m-2", &shared.AuditEntry{
		ID: 16, At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Actor: shared.Person{ID: "q2lmvkx7", Nickname: "admin"},
		Action: shared.ActionMute, Room: "general", Target: &shared.Person{ID: "b0bb0b", Nickname: "Zoë <script>"}, Seconds: 600, Reason: "calm down",
	}},
	{"reports.json", shared.TypeReportsList, "m-10", &shared.Reports{Reports: []shared.ReportInfo{{
		ID: "general:42:c4r0l", Room: "general",
		Message:  shared.Message{ID: 42, Room: "general", Author: "b0bb0b", From: "bob", Text: "buy cheap pills", At: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), ClientID: "c-1"},
		Reporter: shared.Person{ID: "c4r0l", Nickname: "carol"}, Reason: "spam", At: time.Date(2026, 11, 27, 8, 5, 0, 0, time.UTC),
	}, {
		ID: "general:7:c4r0l", Room: "general", Message: shared.Message{ID: 7, Room: "general", At: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}, Gone: true,
		Reporter: shared.Person{ID: "c4r0l", Nickname: "carol"}, Reason: "rude", At: time.Date(2026, 11, 20, 8, 5, 0, 0, time.UTC),
	}}}},
	{"audit.json", shared.TypeAuditLog, "m-12", &shared.Audit{Room: "general", More: true, Entries: []shared.AuditEntry{
		{ID: 16, At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Actor: shared.Person{ID: "q2lmvkx7", Nickname: "admin"}, Action: shared.ActionDelete, Room: "general", Target: &shared.Person{ID: "b0bb0b", Nickname: "bob"}, Message: 42},
		{ID: 9, At: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Actor: shared.Person{ID: "q2lmvkx7", Nickname: "admin"}, Action: shared.ActionBanAddress, Address: "2001:db8:1:2::/64", Seconds: 604800},
	}}},
	{"message_delete.json", shared.TypeMessage, "", &shared.Message{
		ID: 43, Room: "general", Author: "q2lmvkx7", From: "admin", At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Kind: shared.MessageDelete, Of: 42,
	}},
	{"say_reply.json", shared.TypeSay, "c-7f3b", &shared.Say{Room: "general", Text: "me too", ReplyTo: 42}},
	{"edit.json", shared.TypeEdit, "e-1", &shared.Edit{Room: "general", ID: 42, Text: "héllo \"world\", edited"}},
	{"react.json", shared.TypeReact, "x-1", &shared.React{Room: "general", ID: 42, Emoji: "\U0001F44D\U0001F3FD"}},
	{"react_remove.json", shared.TypeReact, "x-2", &shared.React{Room: "general", ID: 42, Emoji: "\u2764\uFE0F", Remove: true}},
	{"typing_request.json", shared.TypeTyping, "", &shared.Typing{Room: "general"}},
	{"typing.json", shared.TypeTyping, "", &shared.Typing{Room: "general", People: []shared.Person{{ID: "b0bb0b", Nickname: "Zoë <script>"}, {ID: "c4c4c4", Nickname: "carol"}}}},
	{"seen.json", shared.TypeSeen, "", &shared.Seen{Room: "general", Readers: []shared.Reader{
		{Person: shared.Person{ID: "b0bb0b", Nickname: "bob"}, ID: 42}, {Person: shared.Person{ID: "q2lmvkx7", Nickname: "Zoë <script>"}, ID: 40},
	}}},
	{"message_reply.json", shared.TypeMessage, "", &shared.Message{
		ID: 44, Room: "general", Author: "b0bb0b", From: "bob", Text: "me too", At: time.Date(2026, 11, 27, 9, 1, 0, 0, time.UTC), ClientID: "c-7f3b",
		ReplyTo: 42, Quote: &shared.Quote{From: "Zoë <script>", Text: "héllo \"world\"\n<b>&amp;</b> \u2603"},
	}},
	{"message_edit.json", shared.TypeMessage, "", &shared.Message{
		ID: 45, Room: "general", Author: "q2lmvkx7", From: "Zoë <script>", Text: "héllo \"world\", edited", At: time.Date(2026, 11, 27, 9, 2, 0, 0, time.UTC),
		Kind: shared.MessageEdit, Of: 42, Edited: time.Date(2026, 11, 27, 9, 2, 0, 0, time.UTC), Replies: 1,
	}},
	{"message_react.json", shared.TypeMessage, "", &shared.Message{
		ID: 46, Room: "general", Author: "c4r0l", From: "carol", At: time.Date(2026, 11, 27, 9, 3, 0, 0, time.UTC), Kind: shared.MessageReact, Of: 42,
		Text: "héllo \"world\", edited", Edited: time.Date(2026, 11, 27, 9, 2, 0, 0, time.UTC), Replies: 1,
		Reactions: []shared.Reaction{
			{Emoji: "\U0001F44D\U0001F3FD", People: []shared.Person{{ID: "b0bb0b", Nickname: "bob"}, {ID: "c4r0l", Nickname: "carol"}}},
			{Emoji: "\u2764\uFE0F", People: []shared.Person{{ID: "b0bb0b", Nickname: "bob"}}},
		},
	}},
	{"message_reply_count.json", shared.TypeMessage, "", &shared.Message{
		ID: 47, Room: "general", Author: "b0bb0b", From: "bob", At: time.Date(2026, 11, 27, 9, 4, 0, 0, time.UTC), Kind: shared.MessageReply, Of: 42, Replies: 2,
	}},
	{"message_deleted.json", shared.TypeMessage, "", &shared.Message{
		ID: 48, Room: "general", Author: "q2lmvkx7", From: "admin", At: time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC), Kind: shared.MessageDelete, Of: 42,
		Deleted: true, Replies: 2,
	}},
	{"message_folded.json", shared.TypeMessage, "", &shared.Message{
		ID: 42, Room: "general", Author: "q2lmvkx7", From: "Zoë <script>", Text: "héllo \"world\", edited", At: time.Date(2026, 11, 26, 7, 1, 2, 345e6, time.UTC),
		ClientID: "c-7f3a", Edited: time.Date(2026, 11, 27, 9, 2, 0, 0, time.UTC), Replies: 2, Rev: 47,
		Reactions: []shared.Reaction{{Emoji: "\U0001F44D\U0001F3FD", People: []shared.Person{{ID: "b0bb0b", Nickname: "bob"}, {ID: "c4r0l", Nickname: "carol"}}}},
	}},
	{"ack_edit.json", shared.TypeAck, "", &shared.Ack{ClientID: "e-1", ID: 45}},
	{"room_moderated.json", shared.TypeRoom, "m-7", &shared.RoomInfo{ID: "general", Name: "general", Kind: shared.KindPublic, Topic: "Be kind", Member: true, Owner: "q2lmvkx7", Locked: true, SlowMode: 30}},
	{"error.json", shared.TypeError, "", &shared.Error{
		Code: shared.CodeNicknameTaken, Message: `"bоb" looks too much like "bob", which belongs to someone else`, Ref: "h-1", Request: shared.TypeHello,
	}},
	{"error_rate_limited.json", shared.TypeError, "", &shared.Error{
		Code: shared.CodeRateLimited, Message: "you are sending messages too fast: try again in 500ms", Ref: "c-31", Request: shared.TypeSay, RetryAfter: 0.472,
	}},
}

func TestGolden(t *testing.T) {
	for _, g := range golden {
		t.Run(g.file, func(t *testing.T) {
			frame, err := shared.Encode(g.typ, g.id, g.payload)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if runtime.GOOS == "js" {
					t.Fatal("-update works natively only")
				}
				if err := os.WriteFile(filepath.Join("testdata", g.file), append(frame, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := testdata.ReadFile("testdata/" + g.file)
			if err != nil {
				t.Fatal(err)
			}
			want = bytes.TrimSpace(want)
			if !bytes.Equal(frame, want) {
				t.Errorf("Encode =\n%s\nwant\n%s", frame, want)
			}

			env, err := shared.Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if env.Type != g.typ || env.ID != g.id {
				t.Errorf("Decode: type %q id %q, want %q %q", env.Type, env.ID, g.typ, g.id)
			}
			if g.payload == nil {
				if len(env.Payload) != 0 {
					t.Errorf("payload %s, want none", env.Payload)
				}
				return
			}
			got := reflect.New(reflect.TypeOf(g.payload).Elem()).Interface()
			if err := env.DecodePayload(got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, g.payload) {
				t.Errorf("DecodePayload = %+v, want %+v", got, g.payload)
			}
		})
	}
}

// TestGoldenCoversEveryType makes sure a new message type gets a vector.
func TestGoldenCoversEveryType(t *testing.T) {
	have := make(map[shared.Type]bool)
	for _, g := range golden {
		have[g.typ] = true
	}
	for _, typ := range append(slices.Clone(shared.Requests), shared.Events...) {
		if !have[typ] {
			t.Errorf("no golden vector for %s", typ)
		}
	}
}

// TestBatch checks that AppendBatch writes the golden batch frame and that
// Unbatch returns its envelopes in order.
func TestBatch(t *testing.T) {
	want, _ := testdata.ReadFile("testdata/batch.json")
	want = bytes.TrimSpace(want)
	var frames [][]byte
	for _, g := range golden {
		if g.file == "batch.json" {
			for _, r := range *g.payload.(*[]json.RawMessage) {
				frames = append(frames, r)
			}
		}
	}
	if got := shared.AppendBatch(nil, frames); !bytes.Equal(got, want) {
		t.Errorf("AppendBatch =\n%s\nwant\n%s", got, want)
	}
	env, err := shared.Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := env.Unbatch()
	if err != nil || len(envs) != 2 || envs[0].Type != shared.TypePresenceUpdate || envs[1].Type != shared.TypeMessage {
		t.Fatalf("Unbatch = %+v, %v", envs, err)
	}
	for _, bad := range []string{
		`{"type":"batch","payload":{}}`,
		`{"type":"batch","payload":[1]}`,
		`{"type":"batch","payload":[{"type":"batch","payload":[]}]}`,
	} {
		env, _ := shared.Decode([]byte(bad))
		if _, err := env.Unbatch(); err == nil {
			t.Errorf("Unbatch(%s) succeeded", bad)
		}
	}
}
