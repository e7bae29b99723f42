package shared

// HeaderUncompressedLength is the HTTP response header in which the server
// gives the size of a file it sends compressed, so that the web app's
// loader can show true download progress.
const HeaderUncompressedLength = "X-Uncompressed-Length"
