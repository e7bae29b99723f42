//go:build !js

package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"livechat/server/store"
	"livechat/shared"
)

// The commands of this file (livechat backup, restore and export) open
// the store as the server would, from the same -data or -nats flags and
// their environment variables, and return the process exit code: 0 when
// done, 2 for bad usage, 1 for any other failure. Reports go to stdout,
// unless the command writes its data there (-o -): then to stderr, like
// errors.

// storeFlags are the flags that choose the store, as the server's.
type storeFlags struct {
	dir, urls string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "data", "data", "`directory` of the embedded message store (the server's -data)")
	fs.StringVar(&f.urls, "nats", "", "comma-separated `URLs` of the external NATS the servers use (their -nats), instead of -data")
}

// parse parses args into fs, with the store flags' environment variables
// as fallbacks; usage and errors go to output.
func (f *storeFlags) parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	documentEnv(fs, "data", "nats")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return envFallback(fs, getenv, "data", "nats")
}

// open opens the store. existing requires a data directory to hold a
// store already (a backup or export of a directory that has none is a
// mistake, and would make one).
func (f *storeFlags) open(ctx context.Context, existing bool, stderr io.Writer) (*store.Store, error) {
	cfg := store.Config{Dir: f.dir, URLs: splitList(f.urls)}
	if len(cfg.URLs) > 0 {
		cfg.Dir = ""
	} else if existing {
		if _, err := os.Stat(filepath.Join(f.dir, "jetstream")); err != nil {
			return nil, fmt.Errorf("no livechat store in %s (%v): give the -data directory of the server", f.dir, err)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := store.Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// where names the store for people.
func (f *storeFlags) where() string {
	if f.urls != "" {
		return "NATS " + f.urls
	}
	return f.dir
}

// inUseHint explains a data directory a running server holds.
const inUseHint = `livechat keeps its data directory to itself while it runs: stop it first
(e.g. systemctl stop livechat), then run this again, then start it. A backup
can also be taken from the running server, through its private listener
(livechat backup -from http://ITS-METRICS-ADDR). With an external NATS
(-nats), the store can be reached while livechat runs.`

// failed reports err from the command cmd, with what to do about it, and
// returns the exit code.
func failed(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "livechat %s: %v\n", cmd, err)
	switch {
	case errors.Is(err, store.ErrDirInUse):
		fmt.Fprintln(stderr, inUseHint)
	case errors.Is(err, store.ErrNotEmpty):
		fmt.Fprintln(stderr, "Restore into an empty -data directory, or give -force to replace what is there.")
	}
	return 1
}

// usage parses a command's flags and returns the exit code of a parse
// that ends the command (-h: 0, bad usage: 2), or -1 to go on.
func usage(stderr io.Writer, cmd string, err error) int {
	switch {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "livechat %s: %v\n", cmd, err)
	return 2
}

// BackupMain runs `livechat backup`: a backup of the store (see
// store.Store.Backup) into the file -o, written whole under a temporary
// name first, or to stdout with -o -.
func BackupMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var sf storeFlags
	var out, from string
	fs := flag.NewFlagSet("livechat backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	fs.StringVar(&out, "o", "", "`file` to write the backup to (- for stdout); it holds password and credential hashes: keep it private")
	fs.StringVar(&from, "from", "", "`URL` of a running server's private listener (its -metrics-addr, e.g. http://127.0.0.1:9090):\nask it for the backup instead of opening the store")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: livechat backup [-data DIR | -nats URLS | -from URL] -o FILE\n\n"+
			"Writes a backup of everything livechat keeps (accounts, rooms, messages) to\n"+
			"one file, with JetStream snapshots. The embedded store (-data) is backed up\n"+
			"while livechat is stopped, or while it runs through its private listener\n"+
			"(-from); through -nats, while it runs.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	err := sf.parse(fs, args, getenv)
	if err == nil && out == "" {
		err = errors.New("give the file to write the backup to with -o (- for stdout)")
	}
	if code := usage(stderr, "backup", err); code >= 0 {
		return code
	}
	report := stdout
	if out == "-" {
		report = stderr
	}
	start := time.Now()
	backup := func(w io.Writer) (store.Manifest, error) { return fetchBackup(ctx, from, w) }
	where := from
	if from == "" {
		s, err := sf.open(ctx, true, stderr)
		if err != nil {
			return failed(stderr, "backup", err)
		}
		defer s.Close()
		backup = func(w io.Writer) (store.Manifest, error) { return s.Backup(ctx, w) }
		where = sf.where()
	}
	var m store.Manifest
	err = writeOut(out, stdout, func(w io.Writer) error {
		var err error
		m, err = backup(w)
		return err
	})
	if err != nil {
		return failed(stderr, "backup", err)
	}
	var records uint64
	for _, sb := range m.Streams {
		records += sb.Messages
	}
	fmt.Fprintf(report, "backed up %d streams of %s (%d messages and records, %s) to %s in %v:\n",
		len(m.Streams), where, records, mebibytes(m.Size()), out, time.Since(start).Round(time.Millisecond))
	listStreams(report, m)
	return 0
}

// fetchBackup asks the private listener of a running server at base (or
// its /backup URL) for a backup and writes it to w, checking the archive
// whole as it passes: a backup cut short is an error, never a file that
// looks right.
func fetchBackup(ctx context.Context, base string, w io.Writer) (store.Manifest, error) {
	u := strings.TrimSuffix(base, "/")
	if !strings.HasSuffix(u, "/backup") {
		u += "/backup"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return store.Manifest{}, fmt.Errorf("-from %q: %w", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return store.Manifest{}, fmt.Errorf("ask %s for a backup: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return store.Manifest{}, fmt.Errorf("ask %s for a backup: %s: %s (give the server's -metrics-addr)", u, resp.Status, strings.TrimSpace(string(body)))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-tar" {
		return store.Manifest{}, fmt.Errorf("ask %s for a backup: it answered with %q, not a backup (give the server's -metrics-addr, not its public address)", u, ct)
	}
	m, err := store.CheckBackup(io.TeeReader(resp.Body, w))
	if err != nil {
		return m, fmt.Errorf("backup from %s: %w", u, err)
	}
	if _, err := io.Copy(w, resp.Body); err != nil { // the archive's padding
		return m, fmt.Errorf("backup from %s: %w", u, err)
	}
	return m, nil
}

// writeOut writes through write to stdout if out is "-", else to the
// file out (see writeFile).
func writeOut(out string, stdout io.Writer, write func(io.Writer) error) error {
	if out == "-" {
		return write(stdout)
	}
	return writeFile(out, write)
}

// listStreams lists the rooms and buckets of a backup, one a line.
func listStreams(w io.Writer, m store.Manifest) {
	for _, sb := range m.Streams {
		fmt.Fprintf(w, "  %s\n", sb)
	}
}

// writeFile writes name through write: into a new file beside it, synced
// and then renamed over name, so that name is either as before or whole.
func writeFile(name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.partial")
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if dir, err := os.Open(filepath.Dir(name)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

// count says "1 room", "2 rooms".
func count(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func mebibytes(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// RestoreMain runs `livechat restore`: the backup in the file -i (or
// stdin, for -i -) restored onto the store (see store.Store.Restore), or,
// with -check, only checked.
func RestoreMain(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	var sf storeFlags
	var in string
	var force, checkOnly bool
	fs := flag.NewFlagSet("livechat restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	fs.StringVar(&in, "i", "", "backup `file` to restore (made by livechat backup); - for stdin")
	fs.BoolVar(&force, "force", false, "replace the rooms and buckets of the backup that the store already holds\n(by default, a restore refuses to overwrite anything)")
	fs.BoolVar(&checkOnly, "check", false, "only check that the file is a complete, intact backup, and list what it holds")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: livechat restore [-data DIR | -nats URLS] [-force] -i FILE\n"+
			"       livechat restore -check -i FILE\n\n"+
			"Restores a backup made by livechat backup: accounts, rooms and messages,\n"+
			"as they were. Stop livechat before restoring into its -data directory.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	err := sf.parse(fs, args, getenv)
	if err == nil && in == "" {
		err = errors.New("give the backup file to restore with -i")
	}
	if code := usage(stderr, "restore", err); code >= 0 {
		return code
	}
	f, err := openBackup(in, stdin)
	if err != nil {
		return failed(stderr, "restore", err)
	}
	defer f.Close()
	start := time.Now()
	if checkOnly {
		m, err := store.CheckBackup(f)
		if err != nil {
			return failed(stderr, "restore", fmt.Errorf("%s: %w", in, err))
		}
		fmt.Fprintf(stdout, "%s is a complete livechat backup of %s, %d streams (%s):\n", in, m.Created.Format(time.RFC3339), len(m.Streams), mebibytes(m.Size()))
		listStreams(stdout, m)
		return 0
	}
	s, err := sf.open(ctx, false, stderr)
	if err != nil {
		return failed(stderr, "restore", err)
	}
	defer s.Close()
	m, err := s.Restore(ctx, f, force)
	if err != nil {
		return failed(stderr, "restore", fmt.Errorf("%s: %w", in, err))
	}
	fmt.Fprintf(stdout, "restored %d streams from %s (the backup of %s) into %s in %v:\n",
		len(m.Streams), in, m.Created.Format(time.RFC3339), sf.where(), time.Since(start).Round(time.Millisecond))
	listStreams(stdout, m)
	return 0
}

// openBackup opens the backup file name, or stdin for "-": as it is if
// it is a file, else (a pipe) copied into a temporary file, removed on
// Close, since a restore reads the backup twice.
func openBackup(name string, stdin io.Reader) (io.ReadSeekCloser, error) {
	if name != "-" {
		return os.Open(name)
	}
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return f, nil
		}
	}
	tmp, err := os.CreateTemp("", "livechat-restore-*")
	if err != nil {
		return nil, fmt.Errorf("keep the backup from stdin: %w", err)
	}
	f := tempFile{tmp}
	if _, err := io.Copy(tmp, stdin); err != nil {
		f.Close()
		return nil, fmt.Errorf("read the backup from stdin: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("read the backup from stdin: %w", err)
	}
	return f, nil
}

// tempFile is a temporary file, removed when closed.
type tempFile struct{ *os.File }

func (f tempFile) Close() error {
	err := f.File.Close()
	os.Remove(f.Name())
	return err
}

// ExportMain runs `livechat export`: the messages of a room, or of every
// room, as JSON lines (see store.Store.Export) into the file -o or to
// stdout.
func ExportMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var sf storeFlags
	var out, room string
	fs := flag.NewFlagSet("livechat export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	fs.StringVar(&room, "room", "", "`id` of the room to export (the name of a public room; the id of a private\nroom or direct conversation); default: every room")
	fs.StringVar(&out, "o", "-", "`file` to write to (- for stdout)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: livechat export [-data DIR | -nats URLS] [-room ID] [-o FILE]\n\n"+
			"Writes the messages of a room, or of every room (public, private and direct),\n"+
			"as JSON lines, room after room, oldest first: one message per line, with\n"+
			"room, id, author (account id), from (nickname), text and at (RFC 3339).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	err := sf.parse(fs, args, getenv)
	if err == nil && room != "" {
		if _, cerr := shared.CheckRoom(room); cerr != nil {
			err = fmt.Errorf("room %q: %v", room, cerr)
		}
	}
	if code := usage(stderr, "export", err); code >= 0 {
		return code
	}
	report := stdout
	if out == "-" {
		report = stderr
	}
	s, err := sf.open(ctx, true, stderr)
	if err != nil {
		return failed(stderr, "export", err)
	}
	defer s.Close()
	all, err := s.Rooms(ctx)
	if err != nil {
		return failed(stderr, "export", err)
	}
	rooms := all
	if room != "" {
		if !slices.Contains(all, room) {
			return failed(stderr, "export", fmt.Errorf("%s keeps no messages of room %q; rooms with messages: %s", sf.where(), room, strings.Join(all, ", ")))
		}
		rooms = []string{room}
	}
	var n int64
	export := func(w io.Writer) error {
		var err error
		n, err = s.Export(ctx, w, rooms)
		return err
	}
	err = writeOut(out, stdout, export)
	if err != nil {
		return failed(stderr, "export", err)
	}
	fmt.Fprintf(report, "exported %s of %s to %s\n", count(n, "message"), count(int64(len(rooms)), "room"), out)
	return 0
}
