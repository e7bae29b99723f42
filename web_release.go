//go:build release && !js

package main

import (
	"embed"
	"io/fs"
)

// A release build (make release) carries the web app: the wasm, its
// compressed copies, styles and icons, so that livechat runs from any
// folder; -web still serves a directory instead.
//
//go:embed web
var webFiles embed.FS

var embeddedWeb = must(fs.Sub(webFiles, "web"))

func must(f fs.FS, err error) fs.FS {
	if err != nil {
		panic(err)
	}
	return f
}
