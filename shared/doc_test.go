package shared_test

import (
	_ "embed"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"livechat/shared"
)

var (
	//go:embed PROTOCOL.md
	protocolDoc string
	//go:embed doc.go
	packageDoc string
	//go:embed errors.go
	errorsSource string
)

// payloads maps each type to its payload, per direction; nil for none.
var (
	requestPayloads = map[shared.Type]any{
		shared.TypeHello: shared.Hello{}, shared.TypeJoin: shared.Join{}, shared.TypeLeave: shared.Leave{},
		shared.TypeSay: shared.Say{}, shared.TypeHistory: shared.HistoryRequest{}, shared.TypePing: nil,
		shared.TypeRooms: nil, shared.TypeCreateRoom: shared.CreateRoom{}, shared.TypeOpenDM: shared.OpenDM{},
		shared.TypeInvite: shared.InviteRequest{}, shared.TypeAdd: shared.Add{}, shared.TypeTopic: shared.Topic{},
		shared.TypeMembers: shared.MembersRequest{}, shared.TypeRead: shared.Read{},
		shared.TypeAccount: nil, shared.TypePassword: shared.Password{}, shared.TypeRevoke: shared.Revoke{},
		shared.TypePasskey: shared.PasskeyRequest{}, shared.TypeAddPasskey: shared.AddPasskey{},
		shared.TypeRename: shared.Rename{}, shared.TypeSettings: shared.SettingsRequest{},
		shared.TypeDelete: shared.Delete{}, shared.TypeMute: shared.Mute{}, shared.TypeKick: shared.Kick{},
		shared.TypeBan: shared.Ban{}, shared.TypeBanAddress: shared.BanAddress{}, shared.TypeLock: shared.Lock{},
		shared.TypeSlowMode: shared.SlowMode{}, shared.TypeReport: shared.Report{}, shared.TypeReports: nil,
		shared.TypeResolveReport: shared.ResolveReport{}, shared.TypeAudit: shared.AuditRequest{},
		shared.TypeTyping: shared.Typing{}, shared.TypeEdit: shared.Edit{}, shared.TypeReact: shared.React{},
	}
	eventPayloads = map[shared.Type]any{
		shared.TypeWelcome: shared.Welcome{}, shared.TypeJoined: shared.Joined{}, shared.TypeLeft: shared.Left{},
		shared.TypePresence: shared.Presence{}, shared.TypePresenceUpdate: shared.PresenceUpdate{},
		shared.TypeHistory: shared.History{}, shared.TypeMessage: shared.Message{}, shared.TypeAck: shared.Ack{},
		shared.TypeRoomsList: shared.Rooms{}, shared.TypeRoom: shared.RoomInfo{}, shared.TypeInviteCode: shared.Invite{},
		shared.TypeMembersList: shared.Members{}, shared.TypeReadPosition: shared.Read{},
		shared.TypeAccountInfo: shared.Account{}, shared.TypePasskeyOptions: shared.PasskeyOptions{}, shared.TypeSettingsInfo: shared.Settings{},
		shared.TypeError: shared.Error{}, shared.TypePong: nil, shared.TypeClosing: shared.Closing{}, shared.TypeBatch: nil,
		shared.TypeModerated: shared.AuditEntry{}, shared.TypeReportsList: shared.Reports{}, shared.TypeAuditLog: shared.Audit{},
		shared.TypeTyping: shared.Typing{}, shared.TypeSeen: shared.Seen{},
	}
)

// jsonFields returns the JSON names of t's fields, and those of the
// structs they hold (not those of other payload types, documented on
// their own).
func jsonFields(t reflect.Type) (top, nested []string) {
	payloadTypes := make(map[reflect.Type]bool)
	for _, p := range eventPayloads {
		if p != nil {
			payloadTypes[reflect.TypeOf(p)] = true
		}
	}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		top = append(top, name)
		ft := f.Type
		for ft.Kind() == reflect.Slice || ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() && !payloadTypes[ft] {
			inner, deeper := jsonFields(ft)
			nested = append(nested, append(inner, deeper...)...)
		}
	}
	return top, nested
}

// docRow returns the table row of PROTOCOL.md's section that describes
// typ.
func docRow(t *testing.T, section string, typ shared.Type) string {
	t.Helper()
	_, rest, ok := strings.Cut(protocolDoc, "\n## "+section+"\n")
	if !ok {
		t.Fatalf("PROTOCOL.md has no section %q", section)
	}
	rest, _, _ = strings.Cut(rest, "\n## ")
	for line := range strings.Lines(rest) {
		if strings.HasPrefix(line, "| `"+string(typ)+"`") {
			return line
		}
	}
	t.Errorf("PROTOCOL.md, %s: no row for %s", section, typ)
	return ""
}

// TestDocumentsMatchTypes checks PROTOCOL.md and the package doc against
// the Go types: every type has its row and every field of its payload is
// named there, and the package doc lists exactly the payload's fields.
func TestDocumentsMatchTypes(t *testing.T) {
	docLine := regexp.MustCompile(`(?m)^//\t(\w+)\s+(?:\{([^}]*)\}|\(no payload)`)
	listed := make(map[string][]string) // type -> fields, from doc.go
	for _, m := range docLine.FindAllStringSubmatch(packageDoc, -1) {
		fields := []string{}
		for f := range strings.SplitSeq(m[2], ",") {
			if f = strings.Trim(strings.TrimSpace(f), `"`); f != "" {
				fields = append(fields, f)
			}
		}
		if listed[m[1]] != nil { // the event of a type that is also a request
			m[1] += " event"
		}
		listed[m[1]] = fields
	}
	check := func(section string, typ shared.Type, payload any, docKey string) {
		row := docRow(t, section, typ)
		if payload == nil {
			return
		}
		top, nested := jsonFields(reflect.TypeOf(payload))
		for _, f := range append(top, nested...) {
			if !strings.Contains(row, "`"+f+"`") {
				t.Errorf("PROTOCOL.md, %s, %s: field %q is not described", section, typ, f)
			}
		}
		got := slices.Sorted(slices.Values(listed[docKey]))
		want := slices.Sorted(slices.Values(top))
		if !slices.Equal(got, want) {
			t.Errorf("doc.go lists %s with %q, the type has %q", typ, got, want)
		}
	}
	for _, typ := range shared.Requests {
		p, ok := requestPayloads[typ]
		if !ok {
			t.Errorf("request %s has no payload in this test", typ)
		}
		check("Client to server", typ, p, string(typ))
	}
	for _, typ := range shared.Events {
		p, ok := eventPayloads[typ]
		if !ok {
			t.Errorf("event %s has no payload in this test", typ)
		}
		key := string(typ)
		if _, ok := requestPayloads[typ]; ok {
			key += " event"
		}
		check("Server to client", typ, p, key)
	}

	// Every error code is explained.
	codes := regexp.MustCompile(`Code\w+\s+Code = "(\w+)"`).FindAllStringSubmatch(errorsSource, -1)
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in errors.go", len(codes))
	}
	for _, c := range codes {
		if !strings.Contains(protocolDoc, "| `"+c[1]+"`") {
			t.Errorf("PROTOCOL.md does not explain the error code %s", c[1])
		}
	}
	if !strings.Contains(protocolDoc, "# livechat protocol, version "+strconv.Itoa(shared.ProtocolVersion)) {
		t.Errorf("PROTOCOL.md's title does not name version %d", shared.ProtocolVersion)
	}
}
