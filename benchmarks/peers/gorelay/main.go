/*
 * Copyright 2026 The splice-relay developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
 * the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
 * an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
 * specific language governing permissions and limitations under the License.
 */

// Command gorelay is the minimal Go TCP relay that peers.sh compares splice-relay with: one goroutine per direction,
// each an io.Copy followed by CloseWrite, so a FIN is passed on after the last byte. Between two *net.TCPConn,
// io.Copy goes through TCPConn.ReadFrom, which on Linux moves the bytes with splice(2) through a pipe.
//
//	gorelay -listen 127.0.0.1:20005 -target 127.0.0.1:21005
package main

import (
	"flag"
	"io"
	"log"
	"net"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	target := flag.String("target", "", "address to relay every connection to")
	flag.Parse()
	if *target == "" {
		log.Fatal("-target is required")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("gorelay listening on %s, target %s", ln.Addr(), *target)
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go relay(conn.(*net.TCPConn), *target)
	}
}

func relay(client *net.TCPConn, target string) {
	defer client.Close()
	conn, err := net.Dial("tcp", target)
	if err != nil {
		log.Printf("dial %s: %v", target, err)
		return
	}
	server := conn.(*net.TCPConn)
	defer server.Close()
	done := make(chan struct{}, 2)
	go pipe(server, client, done)
	go pipe(client, server, done)
	<-done
	<-done
}

// pipe copies src to dst until src's end of stream, then passes the FIN on; on an error it closes both sides.
func pipe(dst, src *net.TCPConn, done chan<- struct{}) {
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		src.Close()
	} else {
		dst.CloseWrite()
	}
	done <- struct{}{}
}
