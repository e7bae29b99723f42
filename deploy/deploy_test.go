//go:build !js

// Package deploy_test checks the deployment files (the Dockerfile at the
// root, the systemd unit here) against the code they deploy: the Go
// version of go.mod, the Makefile's release build, and the server's flags.
package deploy_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"livechat/server"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// instruction is one Dockerfile instruction.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// parseDockerfile returns the instructions of a Dockerfile by stage,
// with continued lines joined and comments dropped.
func parseDockerfile(text string) [][]instruction {
	var stages [][]instruction
	var line string
	for raw := range strings.SplitSeq(text, "\n") {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "#") || trimmed == "" && line == "" {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			line += cont + " "
			continue
		}
		line += trimmed
		cmd, args, _ := strings.Cut(line, " ")
		line = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	return stages
}

// find returns the arguments of the instructions cmd of a stage.
func find(stage []instruction, cmd string) []string {
	var out []string
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// envOf returns the variables ENV instructions of a stage set (key=value
// form).
func envOf(t *testing.T, stage []instruction) map[string]string {
	t.Helper()
	env := make(map[string]string)
	for _, args := range find(stage, "ENV") {
		for _, kv := range strings.Fields(args) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("ENV %s: use the key=value form", args)
			}
			env[k] = strings.Trim(v, `"`)
		}
	}
	return env
}

// goVersion returns the major.minor of go.mod's go directive.
func goVersion(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?\s*$`).FindStringSubmatch(read(t, "../go.mod"))
	if m == nil {
		t.Fatal("no go directive in go.mod")
	}
	return m[1]
}

// TestDockerfile checks the Dockerfile against the code it builds: the
// builder's Go is go.mod's, it runs the Makefile's release build and
// copies what that makes, statically linked, into a final image that runs
// as a non-root user with the server's own flags (through their
// environment variables) on the port it exposes and the volume it
// declares.
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(read(t, "../Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a builder and a final image", len(stages))
	}
	build, final := stages[0], stages[1]

	from := strings.Fields(build[0].args)
	if len(from) != 3 || !strings.EqualFold(from[1], "AS") {
		t.Fatalf("FROM %s: want FROM golang:<version> AS <name>", build[0].args)
	}
	image, stage := from[0], from[2]
	if want := goVersion(t); !regexp.MustCompile(`^golang:` + regexp.QuoteMeta(want) + `(-[a-z0-9]+)?$`).MatchString(image) {
		t.Errorf("the builder is %s; go.mod asks for Go %s: FROM golang:%s-bookworm", image, want, want)
	}
	if env := envOf(t, build); env["CGO_ENABLED"] != "0" {
		t.Errorf("the builder does not set CGO_ENABLED=0: the program would need a C library the final image lacks")
	}

	// The build is the Makefile's release target, whose program is
	// $(BIN)/livechat, BIN being the bin directory of the checkout.
	makefile := read(t, "../Makefile")
	recipe := regexp.MustCompile(`(?m)^release:.*\n((?:\t.*\n)+)`).FindStringSubmatch(makefile)
	if recipe == nil || !strings.Contains(recipe[1], "-tags release") || !strings.Contains(recipe[1], "-o $(BIN)/livechat") {
		t.Fatalf("the Makefile's release target is not the release build of $(BIN)/livechat:\n%v", recipe)
	}
	if !regexp.MustCompile(`(?m)^BIN\s*:=\s*\$\(CURDIR\)/bin$`).MatchString(makefile) {
		t.Fatal("the Makefile's BIN is not $(CURDIR)/bin")
	}
	if !slices.ContainsFunc(find(build, "RUN"), func(run string) bool { return strings.HasPrefix(run, "make release") }) {
		t.Errorf("the builder does not run make release: %q", find(build, "RUN"))
	}
	workdir := find(build, "WORKDIR")
	if len(workdir) != 1 {
		t.Fatalf("the builder has WORKDIR %q, want one", workdir)
	}
	binary := workdir[0] + "/bin/livechat"

	if !strings.HasPrefix(final[0].args, "gcr.io/distroless/static") {
		t.Errorf("the final image is %s, not a distroless static one", final[0].args)
	}
	var entry string
	for _, copy := range find(final, "COPY") {
		f := strings.Fields(copy)
		if slices.Contains(f, "--from="+stage) && f[len(f)-2] == binary {
			entry = f[len(f)-1]
		}
	}
	if entry == "" {
		t.Fatalf("the final image does not copy %s from the builder: COPY %q", binary, find(final, "COPY"))
	}
	if got := find(final, "ENTRYPOINT"); len(got) != 1 || got[0] != `["`+entry+`"]` {
		t.Errorf("ENTRYPOINT %q, want [%q]", got, entry)
	}
	if user := find(final, "USER"); len(user) != 1 || user[0] == "root" || strings.HasPrefix(user[0], "0") {
		t.Errorf("USER %q: the image must run as a non-root user", user)
	}

	// The environment configures the server as intended.
	env := envOf(t, final)
	cfg, err := server.ParseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("the server refuses the image's environment %v: %v", env, err)
	}
	_, port, _ := strings.Cut(cfg.Addr, ":")
	if !strings.HasPrefix(cfg.Addr, "0.0.0.0:") || len(cfg.AllowedHosts) != 0 {
		t.Errorf("the server listens on %s allowing hosts %v; want all interfaces, any host unless set", cfg.Addr, cfg.AllowedHosts)
	}
	if expose := find(final, "EXPOSE"); len(expose) != 1 || expose[0] != port {
		t.Errorf("EXPOSE %q, but the server listens on port %s", expose, port)
	}
	if volume := find(final, "VOLUME"); len(volume) != 1 || volume[0] != `["`+cfg.Store.Dir+`"]` {
		t.Errorf("VOLUME %q, but the data directory is %s", volume, cfg.Store.Dir)
	}
	if owned := slices.ContainsFunc(find(final, "COPY"), func(c string) bool {
		return strings.Contains(c, "--chown=65532:65532") && strings.HasSuffix(c, " "+cfg.Store.Dir)
	}); !owned {
		t.Errorf("the data directory %s is not made for the non-root user 65532", cfg.Store.Dir)
	}

	// The build context leaves out what the build makes itself.
	ignore := strings.Fields(read(t, "../.dockerignore"))
	for _, want := range []string{".git", "bin", "data", "web/app.wasm"} {
		if !slices.Contains(ignore, want) {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
}

// unit is a systemd unit file: its keys' values by section and key (a
// key may repeat).
type unit map[string]map[string][]string

func parseUnit(text string) unit {
	u := make(unit)
	section := ""
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			u[section] = make(map[string][]string)
		default:
			k, v, _ := strings.Cut(line, "=")
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

// TestSystemdUnit checks deploy/livechat.service: the server accepts its
// command line, keeps its data in the unit's state directory, restarts
// on failure, has the file descriptors a crowd needs and the hardening
// intended; and systemd-analyze, where installed, finds nothing wrong.
func TestSystemdUnit(t *testing.T) {
	u := parseUnit(read(t, "livechat.service"))
	svc := u["Service"]
	cmdline := strings.Fields(strings.Join(svc["ExecStart"], ""))
	if len(cmdline) < 2 || !filepath.IsAbs(cmdline[0]) || filepath.Base(cmdline[0]) != "livechat" {
		t.Fatalf("ExecStart=%v", svc["ExecStart"])
	}
	cfg, err := server.ParseConfig(cmdline[1:], func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("the server refuses ExecStart's flags: %v", err)
	}
	if state := svc["StateDirectory"]; len(state) != 1 || cfg.Store.Dir != "/var/lib/"+state[0] {
		t.Errorf("-data %s is not the StateDirectory %v", cfg.Store.Dir, state)
	}
	for key, want := range map[string]string{
		"Restart": "on-failure", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"CapabilityBoundingSet": "", "User": "livechat", "StateDirectoryMode": "0700",
	} {
		if got := svc[key]; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%q, want %q", key, got, want)
		}
	}
	if n, err := strconv.Atoi(strings.Join(svc["LimitNOFILE"], "")); err != nil || n < 65536 {
		t.Errorf("LimitNOFILE=%v: want at least 65536 (one per connection)", svc["LimitNOFILE"])
	}
	if stop, err := strconv.Atoi(strings.Join(svc["TimeoutStopSec"], "")); err != nil || float64(stop) <= cfg.ShutdownTimeout.Seconds() {
		t.Errorf("TimeoutStopSec=%v: want more than the server's shutdown timeout %v", svc["TimeoutStopSec"], cfg.ShutdownTimeout)
	}
	if u["Install"]["WantedBy"] == nil {
		t.Error("no [Install] WantedBy: systemctl enable would do nothing")
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skipf("systemd-analyze is not installed (%v): the unit is checked by the rules above only", err)
	}
	// verify wants the program to exist: this test's own stands in.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	text := strings.Replace(read(t, "livechat.service"), "ExecStart="+cmdline[0], "ExecStart="+self, 1)
	name := filepath.Join(dir, "livechat.service")
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", name).CombinedOutput()
	if err != nil || strings.Contains(string(out), "livechat.service") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
