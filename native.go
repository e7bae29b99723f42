//go:build !js

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	ui "livechat/app"
	"livechat/server"
	"livechat/server/bench"
)

// version names this build; make sets it with -ldflags.
var version = "dev"

// runNative runs the command named by the arguments and exits: `bench`
// (the load tool), `backup`, `restore` and `export` (of the store),
// `precompress` (a build step), or by default the server, until SIGINT or
// SIGTERM.
func runNative() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if len(os.Args) > 1 {
		var command func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int
		switch os.Args[1] {
		case "precompress":
			os.Exit(precompress(os.Args[2:]))
		case "bench":
			code := bench.Main(ctx, os.Args[2:], os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		case "backup":
			command = server.BackupMain
		case "restore":
			command = func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
				return server.RestoreMain(ctx, args, getenv, os.Stdin, stdout, stderr)
			}
		case "export":
			command = server.ExportMain
		}
		if command != nil {
			code := command(ctx, os.Args[2:], os.Getenv, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		}
	}
	code := server.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, version, embeddedWeb,
		func(webVersion string) http.Handler { return ui.Handler(webVersion) })
	stop()
	os.Exit(code)
}

// precompress writes brotli and gzip copies of files (a build step).
func precompress(files []string) int {
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: livechat precompress FILE...")
		return 2
	}
	for _, f := range files {
		if err := server.Precompress(f); err != nil {
			fmt.Fprintf(os.Stderr, "livechat precompress: %v\n", err)
			return 1
		}
	}
	return 0
}
