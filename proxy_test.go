//go:build !js

package main

import (
	"net"
	"strings"
	"sync"
	"testing"
)

// proxy forwards TCP connections to a livechat server, and can freeze: a
// frozen proxy forwards nothing more in either direction and closes
// nothing, like a network path that died without a word (a Wi-Fi access
// point that went away). Thawed, it forwards again what waited.
type proxy struct {
	t      testing.TB
	ln     net.Listener
	target string

	mu     sync.Mutex
	frozen bool
	// holding holds new WebSocket connections (their upgrade request)
	// until released, like a slow network: the page stays connecting.
	holding bool
	thawed  *sync.Cond
	conns   []net.Conn
}

// startProxy forwards a port of its own to target (host:port) until the
// test ends.
func startProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, target: target}
	p.thawed = sync.NewCond(&p.mu)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		p.thaw()
		p.releaseSockets()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			wg.Go(func() { p.pipe(out, in, true) })
			wg.Go(func() { p.pipe(in, out, false) })
		}
	})
	return p
}

// URL is the address of the proxy, as a URL to open.
func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() + "/" }

// pipe copies from src to dst, holding each read while frozen, and the
// first read of a WebSocket upgrade from the client (fromClient) while
// holding.
func (p *proxy) pipe(dst, src net.Conn, fromClient bool) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for first := fromClient; ; first = false {
		n, err := src.Read(buf)
		upgrade := first && strings.HasPrefix(string(buf[:n]), "GET /ws ")
		p.mu.Lock()
		for p.frozen || upgrade && p.holding {
			p.thawed.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// freeze stops forwarding, on the connections open and those to come.
func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// thaw forwards again.
func (p *proxy) thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = false
	p.thawed.Broadcast()
}

// holdSockets holds the WebSocket connections opened from now on, until
// releaseSockets.
func (p *proxy) holdSockets() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holding = true
}

// releaseSockets lets held WebSocket connections through.
func (p *proxy) releaseSockets() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holding = false
	p.thawed.Broadcast()
}
