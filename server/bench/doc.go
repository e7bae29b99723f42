//go:build !js

// Package bench is livechat's load tool, run as `livechat bench`. It
// speaks the real protocol from many WebSocket clients: they join rooms,
// some of them send at a total rate, and every client checks what it
// receives. A sent message carries its sender, a sequence number and the
// time it was sent, so the tool counts lost, duplicated and out-of-order
// deliveries and measures latency end to end. With the server's PID it
// reads the server's memory and CPU time from /proc; otherwise, given the
// URL of the server's Prometheus metrics, from there.
//
// `livechat bench -suite` runs the standard scenarios, each against a
// fresh livechat server it starts, and prints one table.
package bench
