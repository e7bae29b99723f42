package app

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// TestEmojiPicker: the picker offers every emoji of the groups, named by
// shortcode; the search narrows them; the arrow keys move the focus;
// Enter in the search and a click pick; Escape closes.
func TestEmojiPicker(t *testing.T) {
	var picked []string
	closed := 0
	p := &emojiPicker{
		OnPick:  func(_ app.Context, emoji string) { picked = append(picked, emoji) },
		OnClose: func(app.Context) { closed++ },
	}
	root, d := mount(t, p)
	total := 0
	for _, g := range shared.EmojiGroups() {
		total += len(g.Shortcodes)
	}
	buttons := root.Call("querySelectorAll", "button.emoji")
	if buttons.Length() != total {
		t.Fatalf("%d buttons, want %d", buttons.Length(), total)
	}
	if got := buttons.Index(0).Call("getAttribute", "aria-label").String(); got != "smile" {
		t.Errorf("the first button is named %q", got)
	}
	if n := root.Call("querySelectorAll", `button.emoji[tabindex="0"]`).Length(); n != 1 {
		t.Errorf("%d buttons in the tab order, want 1", n)
	}
	if n := root.Call("querySelectorAll", `[role="group"][aria-labelledby]`).Length(); n != len(shared.EmojiGroups()) {
		t.Errorf("%d named groups", n)
	}

	key := func(el app.Value, k string) {
		el.Call("dispatchEvent", app.Window().Get("KeyboardEvent").New("keydown", map[string]any{"key": k, "bubbles": true, "cancelable": true}))
		d.Consume()
	}
	active := func() string {
		return app.Window().Get("document").Get("activeElement").Call("getAttribute", "aria-label").String()
	}
	search := root.Call("querySelector", "#emoji-search")
	key(search, "ArrowDown")
	if got := active(); got != "smile" {
		t.Fatalf("Down from the search focuses %q", got)
	}
	first := app.Window().Get("document").Get("activeElement")
	key(first, "ArrowRight")
	if got := active(); got != "joy" {
		t.Errorf("Right goes to %q", got)
	}
	key(app.Window().Get("document").Get("activeElement"), "ArrowDown")
	if got := active(); got != shared.EmojiGroups()[0].Shortcodes[emojiColumns+1] {
		t.Errorf("Down goes to %q", got)
	}
	key(app.Window().Get("document").Get("activeElement"), "Home")
	if got := active(); got != "smile" {
		t.Errorf("Home goes to %q", got)
	}

	search.Set("value", " HEART")
	search.Call("dispatchEvent", app.Window().Get("Event").New("input", map[string]any{"bubbles": true}))
	d.Consume()
	names := texts(root, "button.emoji")
	labels := root.Call("querySelectorAll", "button.emoji")
	for i := 0; i < labels.Length(); i++ {
		if l := labels.Index(i).Call("getAttribute", "aria-label").String(); !strings.Contains(l, "heart") {
			t.Errorf("the search for heart shows %q", l)
		}
	}
	if len(names) < 5 {
		t.Errorf("the search for heart shows %d emoji", len(names))
	}
	key(search, "Enter")
	if len(picked) != 1 || picked[0] != names[0] {
		t.Errorf("Enter in the search picked %q, want %q", picked, names[0])
	}
	labels.Index(1).Call("click")
	d.Consume()
	if len(picked) != 2 || picked[1] != names[1] {
		t.Errorf("a click picked %q", picked)
	}
	key(search, "Escape")
	if closed != 1 {
		t.Errorf("Escape closed %d times", closed)
	}

	search.Set("value", "zzzzzz")
	search.Call("dispatchEvent", app.Window().Get("Event").New("input", map[string]any{"bubbles": true}))
	d.Consume()
	if got := texts(root, `[role="status"]`); len(got) != 1 {
		t.Errorf("no emoji and no word of it: %q", got)
	}
}

// TestMoveInGrid checks the moves across groups and short rows.
func TestMoveInGrid(t *testing.T) {
	groups := []shared.EmojiGroup{
		{Shortcodes: make([]string, 10)}, // rows of 8 and 2
		{Shortcodes: make([]string, 3)},
	}
	for _, tt := range []struct {
		from int
		key  string
		want int
	}{
		{0, "ArrowLeft", 0}, {0, "ArrowRight", 1}, {12, "ArrowRight", 12},
		{1, "ArrowDown", 9}, {5, "ArrowDown", 9}, {9, "ArrowDown", 11}, {8, "ArrowDown", 10},
		{12, "ArrowDown", 12}, {11, "ArrowUp", 9}, {10, "ArrowUp", 8}, {9, "ArrowUp", 1},
		{1, "ArrowUp", 1}, {7, "End", 12}, {7, "Home", 0},
	} {
		if got, ok := moveInGrid(groups, tt.from, tt.key); !ok || got != tt.want {
			t.Errorf("%s from %d: %d, want %d", tt.key, tt.from, got, tt.want)
		}
	}
	if _, ok := moveInGrid(groups, 0, "a"); ok {
		t.Error("a letter moves")
	}
}
