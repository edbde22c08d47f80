// Package bench is a pipelined ZooKeeper-protocol load generator: many
// sessions, each with a writer keeping up to Outstanding requests in flight
// and a reader matching replies by xid and recording latency in an HDR
// histogram.
package bench
