//go:build !js

package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"

	"livechat/server"
	"livechat/server/store"
	"livechat/shared"
)

// certificate makes a self-signed certificate for localhost and
// 127.0.0.1, writes it and its key as PEM files in dir, and returns their
// paths and a pool that trusts it.
func certificate(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "livechat test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS: with -tls-cert and -tls-key, the server speaks HTTPS and WSS,
// with HSTS, and nothing in plain HTTP.
func TestTLS(t *testing.T) {
	certFile, keyFile, pool := certificate(t, t.TempDir())
	cfg := testConfig()
	cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(cfg, "test", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("web app")) }),
		dataFor(t, openStore(t, store.Config{})), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("GET over TLS: %s, TLS %v, HSTS %q", resp.Status, resp.TLS != nil, resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP gets the TLS server's own 400, never the page.
	plain := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if r, err := plain.Get("http://" + ln.Addr().String() + "/"); err == nil {
		r.Body.Close()
		if r.StatusCode == http.StatusOK {
			t.Error("the page is served over plain HTTP too")
		}
	}

	dctx, dcancel := context.WithTimeout(context.Background(), timeout)
	defer dcancel()
	ws, _, err := websocket.Dial(dctx, "wss://"+ln.Addr().String()+"/ws", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	conn := shared.NewConn(ws, shared.MaxServerFrameBytes)
	defer ws.CloseNow()
	if err := conn.Write(dctx, shared.TypeHello, "", shared.Hello{Protocol: shared.ProtocolVersion, Nickname: "alice"}); err != nil {
		t.Fatal(err)
	}
	if env, err := conn.Read(dctx); err != nil || env.Type != shared.TypeWelcome {
		t.Fatalf("hello over wss: %v %v", env.Type, err)
	}
	ws.Close(websocket.StatusNormalClosure, "")
}

// TestTLSConfig: a certificate without its key, or both ways at once, is
// a clear error at start.
func TestTLSConfig(t *testing.T) {
	for _, args := range [][]string{
		{"-tls-cert", "c.pem"},
		{"-tls-key", "k.pem"},
		{"-tls-cert", "c.pem", "-tls-key", "k.pem", "-acme-domains", "chat.example.com"},
	} {
		if _, err := server.ParseConfig(args, func(string) string { return "" }, nil); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	cfg, err := server.ParseConfig([]string{"-acme-domains", "chat.example.com, www.chat.example.com"}, func(string) string { return "" }, nil)
	if err != nil || len(cfg.ACMEDomains) != 2 {
		t.Errorf("-acme-domains: %v, %q", err, cfg.ACMEDomains)
	}
}
