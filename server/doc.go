//go:build !js

// Package server is livechat's native server: it serves the web app, the
// WebSocket endpoint /ws that speaks the shared protocol, /healthz and
// /readyz, and its metrics (package metrics) on a listener of their own.
// Main is the command's entry point; Server can also be mounted in tests.
// Every file is native only (//go:build !js): none of this reaches the
// browser's WebAssembly.
package server
