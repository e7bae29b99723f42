package app

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"livechat/shared"
)

// emojiColumns is how many emoji a row of the picker holds (web/app.css
// lays the grid out with as many columns).
const emojiColumns = 8

// emojiPicker offers the emoji of shared.EmojiGroups: a search field that
// filters them by shortcode, then a grid of buttons per group, each named
// by its shortcode. The arrow keys move between the buttons (up and down
// by a row, crossing into the next group), Home and End go to the first
// and the last; Enter or a click picks; Escape, anywhere in the picker,
// closes it. Only the current button is in the tab order, so Tab leaves
// the grid. The search field has the focus when the picker opens; Enter
// there picks the first emoji shown.
type emojiPicker struct {
	app.Compo

	// OnPick receives the emoji picked; OnClose, Escape. Either may be
	// nil.
	OnPick  func(ctx app.Context, emoji string)
	OnClose func(ctx app.Context)
	// ID prefixes the ids of the picker's elements ("emoji" if empty), so
	// that two pickers on a page do not share them.
	ID string

	filter string // lower case, trimmed
	active int    // index among the emoji shown of the one in the tab order
}

// id returns the id of the picker's element called name.
func (p *emojiPicker) id(name string) string {
	if p.ID == "" {
		return "emoji-" + name
	}
	return p.ID + "-" + name
}

func (p *emojiPicker) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID(p.id("search")); el.Truthy() {
			el.Call("focus")
		}
	})
}

// shown returns the groups as filtered, without the empty ones.
func (p *emojiPicker) shown() []shared.EmojiGroup {
	groups := shared.EmojiGroups()
	if p.filter == "" {
		return groups
	}
	var out []shared.EmojiGroup
	for _, g := range groups {
		var names []string
		for _, name := range g.Shortcodes {
			if strings.Contains(name, p.filter) || strings.Contains(strings.ReplaceAll(name, "_", " "), p.filter) {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			out = append(out, shared.EmojiGroup{Name: g.Name, Shortcodes: names})
		}
	}
	return out
}

func (p *emojiPicker) Render() app.UI {
	groups := p.shown()
	var body []app.UI
	n := 0 // index of the next button among those shown
	for gi, g := range groups {
		buttons := make([]app.UI, len(g.Shortcodes))
		for i, name := range g.Shortcodes {
			emoji, _ := shared.Emoji(name)
			b := app.Button().Type("button").Class("emoji").ID(p.id(strconv.Itoa(n))).
				Aria("label", strings.ReplaceAll(name, "_", " ")).Title(":"+name+":").
				DataSet("emoji", emoji).DataSet("index", n).TabIndex(-1).Text(emoji).
				OnClick(p.pick)
			if n == p.active {
				b = b.TabIndex(0)
			}
			buttons[i] = b
			n++
		}
		id := p.id("group-" + strconv.Itoa(gi))
		body = append(body,
			app.H3().ID(id).Class("emoji-group").Text(g.Name),
			app.Div().Class("emoji-grid").Role("group").Aria("labelledby", id).Body(buttons...),
		)
	}
	if n == 0 {
		body = append(body, app.P().Class("muted").Role("status").Text("No emoji match"))
	}
	return app.Div().Class("emoji-picker").Role("dialog").Aria("label", "Emoji").OnKeyDown(p.keyDown).Body(
		app.Input().Type("search").ID(p.id("search")).Class("emoji-search").
			Aria("label", "Search emoji by name").Placeholder("Search emoji").
			Attr("autocomplete", "off").OnInput(p.search).OnKeyDown(p.searchKey),
		app.Div().Class("emoji-groups").Body(body...),
	)
}

// search filters the emoji by what the search field holds.
func (p *emojiPicker) search(ctx app.Context, e app.Event) {
	p.filter = strings.ToLower(strings.TrimSpace(ctx.JSSrc().Get("value").String()))
	p.active = 0
}

// searchKey picks the first emoji shown on Enter, and moves into the grid
// on Down.
func (p *emojiPicker) searchKey(ctx app.Context, e app.Event) {
	switch e.Get("key").String() {
	case "Enter":
		e.PreventDefault()
		if groups := p.shown(); len(groups) > 0 {
			emoji, _ := shared.Emoji(groups[0].Shortcodes[0])
			p.choose(ctx, emoji)
		}
	case "ArrowDown":
		e.PreventDefault()
		p.focus(0)
	}
}

// keyDown closes the picker on Escape and moves between its buttons.
func (p *emojiPicker) keyDown(ctx app.Context, e app.Event) {
	key := e.Get("key").String()
	if key == "Escape" {
		e.PreventDefault()
		e.Call("stopPropagation") // a dialog under the picker stays open
		if p.OnClose != nil {
			p.OnClose(ctx)
		}
		return
	}
	target := e.Get("target")
	if !target.Get("classList").Call("contains", "emoji").Bool() {
		return // keys of the search field are its own
	}
	index, err := strconv.Atoi(target.Get("dataset").Get("index").String())
	if err != nil {
		return
	}
	next, ok := moveInGrid(p.shown(), index, key)
	if !ok {
		return
	}
	e.PreventDefault()
	p.focus(next)
}

// focus moves the focus and the tab stop to the index-th emoji shown.
func (p *emojiPicker) focus(index int) {
	p.active = index
	if el := app.Window().GetElementByID(p.id(strconv.Itoa(index))); el.Truthy() {
		el.Call("focus")
	}
}

func (p *emojiPicker) pick(ctx app.Context, e app.Event) {
	// The button's data, not the closure's: go-app keeps the first
	// handler of an element it reuses.
	data := ctx.JSSrc().Get("dataset")
	p.active, _ = strconv.Atoi(data.Get("index").String())
	p.choose(ctx, data.Get("emoji").String())
}

func (p *emojiPicker) choose(ctx app.Context, emoji string) {
	if p.OnPick != nil && emoji != "" {
		p.OnPick(ctx, emoji)
	}
}

// moveInGrid returns where key moves from the index-th emoji of groups,
// each laid out in rows of emojiColumns, and whether key is a move at
// all. Moves stop at the ends; up and down keep the column, or go to the
// last emoji of a shorter row.
func moveInGrid(groups []shared.EmojiGroup, index int, key string) (int, bool) {
	total := 0
	var starts []int // index of each group's first emoji
	for _, g := range groups {
		starts = append(starts, total)
		total += len(g.Shortcodes)
	}
	if index < 0 || index >= total {
		return 0, false
	}
	g := len(starts) - 1
	for starts[g] > index {
		g--
	}
	size := len(groups[g].Shortcodes)
	at := index - starts[g] // in the group
	col := at % emojiColumns
	switch key {
	case "ArrowLeft":
		return max(index-1, 0), true
	case "ArrowRight":
		return min(index+1, total-1), true
	case "Home":
		return 0, true
	case "End":
		return total - 1, true
	case "ArrowDown":
		if at+emojiColumns < size {
			return index + emojiColumns, true
		}
		if (at/emojiColumns+1)*emojiColumns < size { // a shorter last row
			return starts[g] + size - 1, true
		}
		if g+1 < len(groups) {
			return starts[g+1] + min(col, len(groups[g+1].Shortcodes)-1), true
		}
		return index, true
	case "ArrowUp":
		if at >= emojiColumns {
			return index - emojiColumns, true
		}
		if g > 0 {
			prev := len(groups[g-1].Shortcodes)
			lastRow := (prev - 1) / emojiColumns * emojiColumns
			return starts[g-1] + min(lastRow+col, prev-1), true
		}
		return index, true
	}
	return 0, false
}
