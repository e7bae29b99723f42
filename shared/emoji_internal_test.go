package shared

import "testing"

// TestShortcodeNames checks what the parser assumes of every name in the
// shortcode table.
func TestShortcodeNames(t *testing.T) {
	for name, emoji := range emojiByName {
		if name == "" || len(name) > maxShortcodeBytes || emoji == "" {
			t.Errorf("shortcode %q (%q)", name, emoji)
		}
		for i := 0; i < len(name); i++ {
			if !isShortcodeByte(name[i]) {
				t.Errorf("shortcode %q has %q", name, name[i])
			}
		}
	}
}
