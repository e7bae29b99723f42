//go:build !js

package server

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := parsePrefixes([]string{"127.0.0.1", "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, remote string
		forwarded    []string
		want         string
	}{
		{"direct", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"behind a proxy", "127.0.0.1:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a client's own header is skipped", "127.0.0.1:5000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "127.0.0.1:5000", []string{"198.51.100.1", "10.1.2.3"}, "198.51.100.1"},
		{"garbage from a proxy", "127.0.0.1:5000", []string{"1.2.3.4, nonsense"}, "127.0.0.1"},
		{"only proxies", "127.0.0.1:5000", []string{"10.0.0.9"}, "10.0.0.9"},
		{"mapped IPv4", "[::ffff:203.0.113.7]:5000", nil, "203.0.113.7"},
		{"IPv6", "[2001:db8::1]:5000", nil, "2001:db8::1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tt.remote, Header: http.Header{"X-Forwarded-For": tt.forwarded}}
			if got := clientAddr(r, trusted); got != netip.MustParseAddr(tt.want) {
				t.Errorf("clientAddr = %v, want %s", got, tt.want)
			}
		})
	}
	if _, err := parsePrefixes([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad prefix was accepted")
	}
}
