// Package app is livechat's user interface: go-app components compiled to
// WebAssembly and run in the browser. It speaks to the server only through
// the shared protocol package and never imports server code.
package app
