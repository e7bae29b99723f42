//go:build !js

package server

import (
	"net"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// HTTP hardening: the headers every response carries, and the check of
// the Host a request names.

// contentSecurityPolicy is what the page may load and do: its own
// scripts, styles, images, manifest and worker; WebAssembly compiled by
// go-app ('wasm-unsafe-eval'), and nothing inline; no framing by other
// pages. The WebSocket of the page's own host is added per request.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// permissionsPolicy turns off the powerful features livechat never uses.
// Passkeys (publickey-credentials-*) and notifications stay with the page.
const permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), midi=()"

// validHost matches a Host header worth repeating in a header: a name or
// address, and a port.
var validHost = regexp.MustCompile(`^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(:[0-9]{1,5})?$`)

// secure wraps h: requests for a host that is not allowed get 421, and
// every response carries the security headers.
func (s *Server) secure(h http.Handler) http.Handler {
	hosts := make([]string, len(s.cfg.AllowedHosts))
	for i, p := range s.cfg.AllowedHosts {
		hosts[i] = strings.ToLower(p) // once, not per request
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostAllowed(hosts, r.Host) {
			// A page of another name that resolves here (DNS rebinding)
			// must not reach a server meant for this machine only.
			http.Error(w, "this server does not serve the host "+r.Host+" (see -allowed-hosts)", http.StatusMisdirectedRequest)
			return
		}
		hd := w.Header()
		csp := contentSecurityPolicy
		if validHost.MatchString(r.Host) {
			csp += "; connect-src 'self' ws://" + r.Host + " wss://" + r.Host
		}
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Permissions-Policy", permissionsPolicy)
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a request for host (from its Host header,
// with or without a port) may be served: any, if patterns is empty; else
// one whose name matches a pattern (path.Match syntax in lower case, "*"
// for any).
func hostAllowed(patterns []string, host string) bool {
	if len(patterns) == 0 {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// loopbackHosts are the names a server listening on this machine only is
// reached by; the allowed hosts by default for such a listener.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// isLoopback reports whether a listen address is reachable from this
// machine only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
