//go:build !js

package chat

import (
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"livechat/shared"
)

// BenchmarkFanOut measures delivering one stored message to a room of
// 1,000 members: encoding it once and queueing it for each. The members
// are in memory; their writers drain the queue without a socket.
func BenchmarkFanOut(b *testing.B) {
	for _, members := range []int{1000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			h := &Hub{cfg: Config{SendQueueBytes: 1 << 30, TotalQueueBytes: 1 << 40}, log: slog.New(slog.DiscardHandler)}
			h.cfg.setDefaults()
			h.budget = &budget{limit: h.cfg.TotalQueueBytes, floor: budgetFloor}
			r := &room{name: "general", conns: make(map[*membership]struct{}), people: make(map[string]*present), ready: true}
			var wg sync.WaitGroup
			for i := range members {
				s := &session{hub: h, log: h.log}
				s.out = newOutbox(h.cfg.SendQueueBytes, h.budget, &wg, func() {
					defer wg.Done()
					var frames *[][]byte
					for {
						if frames, _ = s.out.take(frames); frames == nil {
							return
						}
						s.out.sent(size(*frames))
					}
				})
				r.conns[&membership{s: s, r: r}] = struct{}{}
				r.people[fmt.Sprint(i)] = &present{nickname: fmt.Sprint(i), conns: 1}
			}
			m := shared.Message{Room: "general", From: "alice", Text: "a message of an ordinary length, some sixty bytes", At: time.Now()}
			b.ReportAllocs()
			for b.Loop() {
				m.ID++
				r.mu.Lock()
				h.deliverLocked(r, []shared.Message{m})
				r.mu.Unlock()
			}
			b.StopTimer()
			wg.Wait()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*members), "ns/delivery")
		})
	}
}
