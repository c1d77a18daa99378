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
