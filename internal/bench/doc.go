// Package bench is a ZooKeeper-protocol load generator and the side-by-side
// comparison of Synod with Apache ZooKeeper.
//
// Run drives one workload (see Workloads) with many sessions, each keeping
// up to Outstanding requests in flight (pipelined) while a reader matches
// replies by xid and records latency in an HDR histogram. With Rate set the
// load is open loop: every request has an intended send time on a fixed
// schedule and latency counts from that time, so a server that stalls is
// charged for every request it held back (no coordinated omission).
//
// Compare starts each Target in turn (zkenv: Apache ZooKeeper 3.8 and the
// synod binary, both forceSync=yes, data under one folder) for every Case
// of a Plan, fresh per case, and records the server's peak RSS and CPU
// time. WriteReport, PlotThroughput and PlotLatency turn the rows into
// bench/results/<date>.md and its PNGs; Verdicts judges the issue's
// targets. `synod bench` and scripts/bench-compare.sh are the front ends.
package bench
