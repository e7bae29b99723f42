package app

import (
	"livechat/shared"
)

// The history cache keeps the newest messages of the room in the browser,
// so that a reload, also without a network, shows the conversation at
// once, and the app then asks the server for exactly what it missed
// (ClientConfig.Resume) instead of only the latest page.
const (
	// cacheMessages and cacheBytes bound what is kept.
	cacheMessages = 100
	cacheBytes    = 256 << 10
)

// historyCache is what is kept: the newest messages of one room, oldest
// first, with no gap between them.
type historyCache struct {
	Room     string           `json:"room"`
	Messages []shared.Message `json:"messages"`
	// More reports that the room has older messages than these.
	More bool `json:"more"`
}

// last returns the id of the newest message kept, and whether there is
// one.
func (h historyCache) last() (uint64, bool) {
	if len(h.Messages) == 0 {
		return 0, false
	}
	return h.Messages[len(h.Messages)-1].ID, true
}

// newHistoryCache returns the cache of room holding the newest of msgs
// (oldest first, no gap), within the cache's bounds; more reports that
// the room has messages older than msgs.
func newHistoryCache(room string, msgs []shared.Message, more bool) historyCache {
	start, size := len(msgs), 0
	for start > 0 && len(msgs)-start < cacheMessages {
		size += len(msgs[start-1].Text) + 128
		if size > cacheBytes {
			break
		}
		start--
	}
	return historyCache{Room: room, Messages: msgs[start:], More: more || start > 0}
}

// loadHistoryCache returns the cache kept under key for room, if any.
func loadHistoryCache(storage Storage, key, room string) (historyCache, bool) {
	var h historyCache
	if err := storage.Get(key, &h); err != nil || h.Room != room || len(h.Messages) == 0 {
		return historyCache{}, false
	}
	for i := 1; i < len(h.Messages); i++ {
		if h.Messages[i].ID <= h.Messages[i-1].ID {
			return historyCache{}, false // not what this app writes
		}
	}
	return h, true
}
