//go:build !js

package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"

	"livechat/shared"
)

// encodings are the precompressed variants a static file may have, in the
// order they are preferred: file.br, then file.gz.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// staticFiles serves the files of the web app (a directory, or the copy
// embedded in a release build) under /web/. A request whose
// v query parameter equals version names an immutable file and may be
// cached for a year; any other must be revalidated. A file with an
// up-to-date precompressed variant (see Precompress) is sent in the best
// encoding the client accepts, with its uncompressed size in
// shared.HeaderUncompressedLength.
type staticFiles struct {
	files   fs.FS
	version string
}

func newStaticFiles(files fs.FS, version string) *staticFiles {
	return &staticFiles{files: files, version: version}
}

// WebDir returns the files of the web app in dir, which they cannot leave
// (os.Root).
func WebDir(dir string) (fs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open web directory: %w", err)
	}
	return root.FS(), nil
}

func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/web/")
	if name == "" || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	f, err := s.files.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		http.NotFound(w, r)
		return
	}
	body, ok := f.(io.ReadSeeker) // files of a directory and embedded ones are
	if !ok {
		http.Error(w, "this file cannot be served", http.StatusInternalServerError)
		return
	}

	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".wasm" {
		ctype = "application/wasm"
	}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	versioned := s.version != "" && r.URL.Query().Get("v") == s.version
	if versioned {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}

	content := body
	encoding := s.variant(name, info, r.Header.Get("Accept-Encoding"))
	if encoding != nil {
		h.Add("Vary", "Accept-Encoding")
		v, err := s.files.Open(name + encoding.ext)
		var vi fs.FileInfo
		if err == nil {
			vi, err = v.Stat()
			defer v.Close()
		}
		vs, seekable := v.(io.ReadSeeker)
		if err == nil && seekable {
			// Ranges of an encoded body mean little; send it whole, with
			// its length (ServeContent leaves it out when encoded).
			r.Header.Del("Range")
			h.Set("Content-Encoding", encoding.name)
			h.Set("Content-Length", strconv.FormatInt(vi.Size(), 10))
			h.Set(shared.HeaderUncompressedLength, strconv.FormatInt(info.Size(), 10))
			content = vs
		} else {
			encoding = nil
		}
	}
	if versioned {
		tag := s.version
		if encoding != nil {
			tag += "-" + encoding.name
		}
		h.Set("ETag", strconv.Quote(tag))
	}
	http.ServeContent(w, r, name, info.ModTime(), content)
}

// variant returns the preferred up-to-date compressed variant of name that
// accept allows, or nil.
func (s *staticFiles) variant(name string, info fs.FileInfo, accept string) *struct{ name, ext string } {
	for i, e := range encodings {
		if !acceptsEncoding(accept, e.name) {
			continue
		}
		// Embedded files have no times: their variants are as new.
		if vi, err := fs.Stat(s.files, name+e.ext); err == nil && !vi.ModTime().Before(info.ModTime()) {
			return &encodings[i]
		}
	}
	return nil
}

// acceptsEncoding reports whether an Accept-Encoding header allows coding.
func acceptsEncoding(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(token), coding) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// WebVersion returns the version of the web app in files: a hash of its
// app.wasm, so that it changes exactly when the app does.
func WebVersion(files fs.FS) (string, error) {
	f, err := files.Open("app.wasm")
	if err != nil {
		return "", fmt.Errorf("web app: %w (run make build)", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash web app: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Precompress writes file.br and file.gz next to file, at the best
// compression levels, unless they are already newer than file. Each is
// written to a temporary file and renamed into place.
func Precompress(file string) error {
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	var data []byte
	for _, e := range encodings {
		out := file + e.ext
		if vi, err := os.Stat(out); err == nil && !vi.ModTime().Before(info.ModTime()) {
			continue
		}
		if data == nil {
			if data, err = os.ReadFile(file); err != nil {
				return err
			}
		}
		var buf bytes.Buffer
		var w io.WriteCloser
		if e.name == "br" {
			w = brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
		} else {
			w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
		}
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("compress %s: %w", file, err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("compress %s: %w", file, err)
		}
		if err := writeFileAtomic(out, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func writeFileAtomic(name string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
