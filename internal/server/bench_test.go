package server

import (
	"bufio"
	"net"
	"sync"
	"testing"

	"github.com/synod-dev/synod/internal/wire"
)

// benchPipelined keeps `window` requests in flight on each of `conns`
// connections until b.N replies have arrived.
func benchPipelined(b *testing.B, write bool) {
	s := startServerB(b)
	const conns, window = 4, 256
	setup := dialRawB(b, s.Addr().String())
	h := wire.RequestHeader{Xid: 1, Type: wire.OpCreate}
	setup.Write(wire.AppendFrame(nil, &h, &wire.CreateRequest{Path: "/bench", Data: make([]byte, 64), ACL: rawOpen}))
	readFrames(b, bufio.NewReader(setup), 1)
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/conns + 1
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc := dialRawB(b, s.Addr().String())
			defer nc.Close()
			br := bufio.NewReaderSize(nc, 1<<16)
			var frame []byte
			if write {
				h := wire.RequestHeader{Xid: 1, Type: wire.OpSetData}
				frame = wire.AppendFrame(nil, &h, &wire.SetDataRequest{Path: "/bench", Data: make([]byte, 64), Version: -1})
			} else {
				h := wire.RequestHeader{Xid: 1, Type: wire.OpGetData}
				frame = wire.AppendFrame(nil, &h, &wire.PathWatchRequest{Path: "/bench"})
			}
			sent, got := 0, 0
			var buf []byte
			for got < per {
				buf = buf[:0]
				for sent < per && sent-got < window {
					buf = append(buf, frame...)
					sent++
				}
				if len(buf) > 0 {
					if _, err := nc.Write(buf); err != nil {
						b.Error(err)
						return
					}
				}
				readFrames(b, br, 1)
				got++
			}
		}()
	}
	wg.Wait()
}

func readFrames(b *testing.B, br *bufio.Reader, n int) {
	fr := wire.NewFrameReader(br, 64<<20)
	for i := 0; i < n; i++ {
		if _, err := fr.ReadFrame(); err != nil {
			b.Fatal(err)
		}
	}
}

func startServerB(b *testing.B) *Server {
	s, err := New(Options{Addr: "127.0.0.1:0", Logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := s.Listen()
	if err != nil {
		b.Fatal(err)
	}
	go s.Serve(ln)
	b.Cleanup(func() { s.Close() })
	return s
}

func dialRawB(b *testing.B, addr string) net.Conn {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	req := wire.ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16)}
	if _, err := nc.Write(wire.AppendFrame(nil, &req)); err != nil {
		b.Fatal(err)
	}
	if _, err := wire.NewFrameReader(nc, 1<<20).ReadFrame(); err != nil {
		b.Fatal(err)
	}
	return nc
}

// BenchmarkPipelinedSetData measures write throughput with 4 connections
// of 256 outstanding requests each.
func BenchmarkPipelinedSetData(b *testing.B) { benchPipelined(b, true) }

// BenchmarkPipelinedGetData measures read throughput the same way.
func BenchmarkPipelinedGetData(b *testing.B) { benchPipelined(b, false) }
