package app

import "math"

// The colours of web/app.css's avatar classes, computed: the tests check
// that the stylesheet has them (the app only names the classes).

// avatarColour returns the background of avatars of class avatar-i, as
// "#rrggbb": its hue, at the lightest shade on which white text keeps a
// contrast of 4.5:1, so that the initials read in the light and the dark
// scheme alike.
func avatarColour(i int) string {
	hue := float64(i) * 360 / avatarHues
	for l := 0.45; ; l -= 0.01 {
		r, g, b := hsl(hue, 0.6, l)
		if contrastWithWhite(r, g, b) >= 4.6 || l <= 0 {
			return "#" + hex2(r) + hex2(g) + hex2(b)
		}
	}
}

func hex2(v uint8) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>4], digits[v&15]})
}

// hsl converts a colour from hue (degrees), saturation and lightness (0
// to 1) to 8-bit RGB.
func hsl(h, s, l float64) (r, g, b uint8) {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r1, g1, b1 float64
	switch {
	case h < 60:
		r1, g1 = c, x
	case h < 120:
		r1, g1 = x, c
	case h < 180:
		g1, b1 = c, x
	case h < 240:
		g1, b1 = x, c
	case h < 300:
		r1, b1 = x, c
	default:
		r1, b1 = c, x
	}
	to8 := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return to8(r1), to8(g1), to8(b1)
}

// contrastWithWhite returns the WCAG contrast ratio of white text on the
// colour r, g, b.
func contrastWithWhite(r, g, b uint8) float64 {
	lin := func(v uint8) float64 {
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	lum := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	return 1.05 / (lum + 0.05)
}
