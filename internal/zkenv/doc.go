// Package zkenv starts real coordination servers for tests and benchmarks:
// Apache ZooKeeper from Debian's zookeeper package, and Synod from this
// repository's cmd/synod. Both run as child processes listening on
// 127.0.0.1 on free ports, with their data in a temporary folder, and are
// killed when the test ends.
//
// Differential tests, recipe tests and the benchmark harness share it so
// that "the same thing against both servers" is one loop over Kinds.
package zkenv
