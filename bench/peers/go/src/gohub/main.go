// The original Go design of staff-sync, written for the benchmark from its description: the
// gorilla/websocket chat-example shape. One hub goroutine owns the set of clients and takes
// register, unregister and broadcast messages from channels; each client has a read pump that
// hands every message to the hub, and a write pump fed by a 256-message send channel. A client
// whose channel is full when the hub broadcasts is dropped (the slow-consumer rule).
//
// Raw broadcast form: no validation, no store, no sequence numbers; every text message from
// any client is sent to every client, the sender included.
//
// Build (GOPATH mode, Debian packages only):
//   GO111MODULE=off GOPATH=$PWD/bench/peers/go:/usr/share/gocode go build -o gohub gohub
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	flag.Parse()
	hub := newHub()
	go hub.run()
	http.HandleFunc("/staff-sync", func(w http.ResponseWriter, r *http.Request) {
		serveWs(hub, w, r)
	})
	log.Printf("gohub listening on %s", *addr)
	server := &http.Server{Addr: *addr}
	log.Fatal(server.ListenAndServe())
}
