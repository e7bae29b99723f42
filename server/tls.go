//go:build !js

package server

import (
	"crypto/tls"
	"fmt"
	"path/filepath"

	"golang.org/x/crypto/acme/autocert"
)

// TLS: livechat serves HTTPS itself, with a certificate and key from
// files (-tls-cert, -tls-key), or with certificates it gets from Let's
// Encrypt for its domains (-acme-domains, golang.org/x/crypto/acme/autocert,
// answering the TLS-ALPN-01 challenge on its own listener, so that port
// 443 is all it needs). Behind a reverse proxy that terminates TLS, use
// neither.

// tlsConfig returns the TLS configuration cfg asks for, or nil for plain
// HTTP.
func tlsConfig(cfg Config) (*tls.Config, error) {
	switch {
	case cfg.TLSCert != "" || cfg.TLSKey != "":
		if cfg.TLSCert == "" || cfg.TLSKey == "" || len(cfg.ACMEDomains) > 0 {
			return nil, fmt.Errorf("TLS: give both -tls-cert and -tls-key, or -acme-domains alone")
		}
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("TLS: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case len(cfg.ACMEDomains) > 0:
		dir := cfg.ACMECache
		if dir == "" {
			dir = filepath.Join(cfg.Store.Dir, "acme")
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(cfg.ACMEDomains...),
			Cache:      autocert.DirCache(dir),
		}
		c := m.TLSConfig()
		c.MinVersion = tls.VersionTLS12
		return c, nil
	}
	return nil, nil
}
