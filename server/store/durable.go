//go:build !js

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// JetStream writes a stored message to its file before it acknowledges it,
// but syncs files to disk only every two minutes by default: a power cut
// loses what was acknowledged since. Its sync_interval: always setting
// syncs every message on its own, one after the other, which costs a disk
// flush per message. Instead, for the embedded server, the store syncs a
// room's files itself and holds acknowledgements and live deliveries until
// the sync that covers them is done: one flush then covers every message
// written to the room meanwhile (group commit), whatever the number of
// senders.

// durability tracks, for each room of the embedded server, what is known
// to be on disk, and syncs the room's files when more must be. All methods
// are safe for concurrent use.
//
// A room's stream is never deleted while livechat runs; its message ids
// only grow, which is what the durable watermark relies on.
type durability struct {
	streams string                               // JetStream's stream directories: <data>/jetstream/$G/streams
	fsync   atomic.Pointer[func(*os.File) error] // (*os.File).Sync; tests replace it

	mu    sync.Mutex
	rooms map[string]*roomSync // by stream name

	rounds atomic.Int64 // syncs done
	files  atomic.Int64 // files synced
}

func newDurability(dataDir string) *durability {
	d := &durability{
		streams: filepath.Join(dataDir, "jetstream", "$G", "streams"),
		rooms:   make(map[string]*roomSync),
	}
	d.fsync.Store(new((*os.File).Sync))
	return d
}

// roomSync is the group commit of one room's stream: callers that need
// their writes on disk wait for a sync that starts after them; the first
// to find none running runs it for all.
type roomSync struct {
	d   *durability
	dir string // the stream's directory

	mu       sync.Mutex
	cond     *sync.Cond
	running  bool
	started  uint64 // syncs started
	finished uint64 // syncs finished
	err      error  // of the last finished sync
	durable  uint64 // every message up to this id is on disk
	block    *os.File
	blockN   int  // number of block
	metaDone bool // the stream's directories and metadata are on disk
}

// stream returns the group commit of the stream called name.
func (d *durability) stream(name string) *roomSync {
	d.mu.Lock()
	defer d.mu.Unlock()
	rs := d.rooms[name]
	if rs == nil {
		rs = &roomSync{d: d, dir: filepath.Join(d.streams, name)}
		rs.cond = sync.NewCond(&rs.mu)
		d.rooms[name] = rs
	}
	return rs
}

// ensure returns once the message with sequence seq of the stream called
// name (a room's, or a key-value bucket's), already written by JetStream,
// is on disk.
func (d *durability) ensure(name string, seq uint64) error {
	rs := d.stream(name)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if seq <= rs.durable {
		return nil
	}
	// Any sync that starts from now on covers seq: wait for the first one
	// to finish, running it if none is running.
	target := rs.started + 1
	for rs.finished < target {
		if rs.running {
			rs.cond.Wait()
			continue
		}
		rs.running = true
		rs.started++
		round := rs.started
		rs.mu.Unlock()
		err := rs.sync()
		rs.mu.Lock()
		rs.running, rs.finished, rs.err = false, round, err
		rs.cond.Broadcast()
	}
	if rs.err != nil {
		return rs.err
	}
	rs.durable = max(rs.durable, seq)
	return nil
}

// close releases the open files.
func (d *durability) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, rs := range d.rooms {
		rs.mu.Lock()
		for rs.running {
			rs.cond.Wait()
		}
		if rs.block != nil {
			rs.block.Close()
			rs.block = nil
		}
		rs.mu.Unlock()
	}
}

// sync flushes to disk the room's message blocks written since the last
// sync: the last one synced (it may have grown), and any newer ones, with
// the directory that lists them; the first time, also the stream's
// metadata and the directories above it. Only the goroutine that set
// running calls it.
func (rs *roomSync) sync() error {
	d := rs.d
	msgs := filepath.Join(rs.dir, "msgs")
	blocks, err := rs.blocks(msgs)
	if err != nil {
		return err
	}
	newBlock := blocks[len(blocks)-1] != rs.blockN
	for _, n := range blocks {
		f := rs.block
		if n != rs.blockN || f == nil {
			if f, err = os.Open(filepath.Join(msgs, strconv.Itoa(n)+".blk")); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // removed by retention meanwhile
				}
				return fmt.Errorf("sync stream %s: %w", rs.dir, err)
			}
		}
		if err := (*d.fsync.Load())(f); err != nil {
			if f != rs.block {
				f.Close()
			}
			return fmt.Errorf("sync block %d of %s: %w", n, rs.dir, err)
		}
		d.files.Add(1)
		if f != rs.block {
			if rs.block != nil {
				rs.block.Close()
			}
			rs.block, rs.blockN = f, n
		}
	}
	// A new block exists on disk only once the directory listing it does.
	var dirs []string
	if newBlock {
		dirs = append(dirs, msgs)
	}
	if !rs.metaDone {
		dirs = append(dirs,
			filepath.Join(rs.dir, "meta.inf"), filepath.Join(rs.dir, "meta.sum"),
			rs.dir, d.streams, filepath.Dir(d.streams), filepath.Dir(filepath.Dir(d.streams)))
	}
	for _, name := range dirs {
		if err := d.syncPath(name); err != nil {
			return err
		}
	}
	rs.metaDone = true
	d.rounds.Add(1)
	return nil
}

// blocks returns the numbers of the room's message blocks from the last
// one synced on, in order. Usually the last one synced is still there and
// still the newest (JetStream numbers a new block after the last one): two
// looks save listing the directory at each sync.
func (rs *roomSync) blocks(msgs string) ([]int, error) {
	if rs.block != nil {
		block := func(n int) string { return filepath.Join(msgs, strconv.Itoa(n)+".blk") }
		if _, err := os.Stat(block(rs.blockN)); err == nil {
			if _, err := os.Stat(block(rs.blockN + 1)); errors.Is(err, os.ErrNotExist) {
				return []int{rs.blockN}, nil
			}
		}
	}
	entries, err := os.ReadDir(msgs)
	if err != nil {
		return nil, fmt.Errorf("sync stream %s: %w", rs.dir, err)
	}
	var blocks []int
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".blk"); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= rs.blockN {
				blocks = append(blocks, i)
			}
		}
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("sync stream %s: no message blocks in %s", rs.dir, msgs)
	}
	slices.Sort(blocks)
	return blocks, nil
}

// syncPath flushes a file or directory to disk. Windows cannot sync
// directories; there, directory entries are left to the file system.
func (d *durability) syncPath(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() && runtime.GOOS == "windows" {
		return nil
	}
	if err := (*d.fsync.Load())(f); err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	d.files.Add(1)
	return nil
}

// syncStream flushes to disk every file and directory of the stream
// called name, and the directories above it, as a restore leaves them
// (JetStream writes them without syncing). What was known of the
// stream's files before is forgotten: the restore replaced them.
func (d *durability) syncStream(name string) error {
	d.mu.Lock()
	if rs := d.rooms[name]; rs != nil {
		rs.mu.Lock()
		for rs.running {
			rs.cond.Wait()
		}
		if rs.block != nil {
			rs.block.Close()
		}
		rs.mu.Unlock()
		delete(d.rooms, name)
	}
	d.mu.Unlock()
	dir := filepath.Join(d.streams, name)
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return d.syncPath(path)
	})
	if err != nil {
		return fmt.Errorf("sync restored stream %s: %w", name, err)
	}
	for _, up := range []string{d.streams, filepath.Dir(d.streams), filepath.Dir(filepath.Dir(d.streams))} {
		if err := d.syncPath(up); err != nil {
			return err
		}
	}
	return nil
}
