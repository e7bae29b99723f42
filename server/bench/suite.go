//go:build !js

package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"text/tabwriter"
	"time"
)

// scenario is one standard load.
type scenario struct {
	name string
	cfg  Config
}

// standard are the scenarios of `livechat bench -suite`.
var standard = []scenario{
	{"a: 1,000 clients, 100 msg/s", Config{Clients: 1000, Rooms: 1, Senders: 100, Rate: 100, Duration: 20 * time.Second, Size: 100, Ramp: 1000}},
	{"b: 5,000 clients, 20 msg/s", Config{Clients: 5000, Rooms: 1, Senders: 100, Rate: 20, Duration: 20 * time.Second, Size: 100, Ramp: 1000}},
	{"c: 10,000 idle clients", Config{Clients: 10000, Rooms: 100}},
}

// sweepRates are the rates scenario d tries, in order, with 1,000 clients.
var sweepRates = []float64{1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 8000}

// RunSuite runs the standard scenarios, each against a fresh livechat
// server started from program (empty: this executable) with the web app
// in ./web, and prints one table to w.
func RunSuite(ctx context.Context, program string, w io.Writer, progress io.Writer) error {
	type row struct {
		name string
		cfg  Config
		res  Result
	}
	var rows []row
	for _, s := range standard {
		fmt.Fprintf(progress, "== %s\n", s.name)
		res, err := runFresh(ctx, program, s.cfg, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		rows = append(rows, row{s.name, s.cfg, res})
	}
	// d: raise the rate until a loss, a kicked client or p99 above 1s.
	var best *row
	for _, rate := range sweepRates {
		cfg := Config{Clients: 1000, Rooms: 1, Senders: 100, Rate: rate, Duration: 10 * time.Second, Size: 100, Ramp: 1000}
		name := fmt.Sprintf("d: 1,000 clients, %.0f msg/s", rate)
		fmt.Fprintf(progress, "== %s\n", name)
		res, err := runFresh(ctx, program, cfg, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		clean := res.Lost == 0 && res.Kicked == 0 && res.Duplicated == 0 && res.P99ms <= 1000
		rows = append(rows, row{name, cfg, res})
		if !clean {
			break
		}
		best = &rows[len(rows)-1]
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconnected\tkicked\tconnect s\tsent\tdelivered\tlost\tdup\tp50 ms\tp99 ms\tmax ms\tdeliveries/s\tper CPU-s\tRSS MB\tbytes/conn\t")
	for _, r := range rows {
		x := r.res
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.1f\t%.0f\t%.0f\t%.1f\t%.0f\t\n",
			r.name, x.Connected, x.Kicked, x.ConnectSeconds, x.Sent, x.Delivered, x.Lost, x.Duplicated,
			x.P50ms, x.P99ms, x.MaxMs, x.DeliveriesPerSecond, x.DeliveriesPerCPUSecond, x.ServerRSSEndMB, x.BytesPerConnection)
	}
	tw.Flush()
	if best != nil {
		fmt.Fprintf(w, "d: highest clean rate to 1,000 clients: %.0f msg/s\n", best.cfg.Rate)
	} else {
		fmt.Fprintf(w, "d: no rate was clean\n")
	}
	return nil
}

// runFresh starts a livechat server from program (empty: this
// executable), runs cfg against it and stops it.
func runFresh(ctx context.Context, program string, cfg Config, progress io.Writer) (Result, error) {
	exe := program
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return Result{}, err
		}
	}
	data, err := os.MkdirTemp("", "livechat-bench-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(data)
	cmd := exec.CommandContext(ctx, exe, "-addr", "127.0.0.1:0", "-data", data, "-log-level", "warn")
	cmd.Stderr = progress
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return Result{}, fmt.Errorf("livechat did not start (is web/app.wasm built? run make build): %w", err)
	}
	go io.Copy(io.Discard, stdout)
	cfg.URL = regexp.MustCompile(`http://\S+/`).FindString(line)
	cfg.PID = cmd.Process.Pid
	cfg.Progress = progress
	return Run(ctx, cfg)
}
