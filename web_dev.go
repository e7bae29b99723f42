//go:build !release && !js

package main

import "io/fs"

// embeddedWeb is nil outside a release build: the server serves the
// directory -web (default web).
var embeddedWeb fs.FS
