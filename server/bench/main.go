//go:build !js

package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"livechat/server/proc"
)

// Main runs `livechat bench` with args (after "bench") and returns the
// exit code. Results go to stdout, progress to stderr.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("livechat bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var asJSON, suite bool
	var cpuProfile, serverBin string
	fs.StringVar(&cfg.URL, "url", "http://localhost:8080", "`URL` of the livechat server")
	fs.IntVar(&cfg.Clients, "clients", 100, "clients to connect")
	fs.IntVar(&cfg.Rooms, "rooms", 1, "rooms the clients are shared out to")
	fs.IntVar(&cfg.Senders, "senders", 10, "clients that also send")
	fs.Float64Var(&cfg.Rate, "rate", 100, "messages per second, all senders together")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to send")
	fs.IntVar(&cfg.Typists, "typists", 0, "clients per room that say they are typing, once every 3 s, while the senders send;\ntheir typing events are counted apart from messages")
	fs.IntVar(&cfg.Size, "size", 100, "bytes of text per message (at least 64)")
	fs.Float64Var(&cfg.Ramp, "ramp", 0, "clients connecting per second (0: as fast as possible)")
	fs.IntVar(&cfg.PID, "pid", 0, "`PID` of the server if it runs here: its memory and CPU time are read from /proc")
	fs.StringVar(&cfg.MetricsURL, "metrics", "", "`URL` of the server's Prometheus metrics (its -metrics-addr, e.g. http://localhost:9090/metrics):\nits memory and CPU time are read there when -pid is not given (neither: not measured)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "bearer `token` for -metrics, for a server's public /metrics (its -metrics-token)")
	fs.DurationVar(&cfg.Drain, "drain", 5*time.Second, "how long to wait for deliveries after the last send")
	fs.BoolVar(&cfg.DMs, "dms", false, "pair the clients into direct conversations (opened first, not timed) instead of sharing them out to -rooms public rooms")
	fs.BoolVar(&cfg.NewAccounts, "new-accounts", false, "clients sign up as they connect (default: their accounts are made first, untimed, and they sign in as returning people)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON line instead of a table")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write the load tool's own CPU profile to `file`")
	fs.BoolVar(&suite, "suite", false, "run the standard scenarios, each against a fresh livechat it starts, and print one table")
	fs.StringVar(&serverBin, "server", "", "with -suite: the livechat `program` to start (default: this one), to compare builds")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: livechat bench [flags]\n\nLoads a livechat server through its WebSocket protocol and reports losses,\nlatency, throughput and the server's memory and CPU.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg.Progress = stderr
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "livechat bench: %v\n", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if limit, err := proc.RaiseOpenFiles(); err == nil {
		fmt.Fprintf(stderr, "open-file limit: %d\n", limit)
	}
	if suite {
		if err := RunSuite(ctx, serverBin, stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "livechat bench: %v\n", err)
			return 1
		}
		return 0
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "livechat bench: %v\n", err)
		return 1
	}
	if asJSON {
		json.NewEncoder(stdout).Encode(res)
		return 0
	}
	printResult(stdout, res)
	return 0
}

func printResult(w io.Writer, r Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "clients\t%d connected, %d failed, %d kicked (connected in %.2fs, %.2f server CPU-seconds)\n", r.Connected, r.Failed, r.Kicked, r.ConnectSeconds, r.ConnectCPUSeconds)
	fmt.Fprintf(tw, "messages\t%d sent, %d acknowledged\n", r.Sent, r.Acknowledged)
	fmt.Fprintf(tw, "deliveries\t%d expected, %d delivered, %d lost, %d duplicated, %d out of order\n", r.Expected, r.Delivered, r.Lost, r.Duplicated, r.OutOfOrder)
	if r.TypingSent > 0 {
		fmt.Fprintf(tw, "typing\t%d sent, %d events received (at most %d)\n", r.TypingSent, r.TypingDelivered, r.TypingExpected)
	}
	fmt.Fprintf(tw, "latency\tp50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	fmt.Fprintf(tw, "throughput\t%.0f deliveries/s, %.0f deliveries per server CPU-second", r.DeliveriesPerSecond, r.DeliveriesPerCPUSecond)
	if r.TypingDelivered > 0 {
		fmt.Fprintf(tw, " (%.0f with typing events)", r.AllDeliveriesPerCPUSecond)
	}
	fmt.Fprintln(tw)
	if r.ServerMeasured {
		fmt.Fprintf(tw, "server\tRSS %.1f MB at start, %.1f MB connected, %.1f MB at end; %.0f bytes per connection; %.2f CPU-seconds sending\n",
			r.ServerRSSStartMB, r.ServerRSSConnectedMB, r.ServerRSSEndMB, r.BytesPerConnection, r.ServerCPUSeconds)
	} else {
		fmt.Fprintf(tw, "server\tmemory and CPU not measured (give -pid or -metrics)\n")
	}
	tw.Flush()
}
