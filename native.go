//go:build !js

package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	ui "livechat/app"
	"livechat/server"
)

// version names this build; make sets it with -ldflags.
var version = "dev"

// runNative runs the server until SIGINT or SIGTERM and exits.
func runNative() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := server.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, version, ui.Handler(version))
	stop()
	os.Exit(code)
}
