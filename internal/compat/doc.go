// Package compat holds Synod's client-compatibility tests: real clients in
// other languages (zkCli.sh from Debian's zookeeper package, kazoo from
// python3-kazoo) run against Synod and, to prove the test itself right,
// against Apache ZooKeeper 3.8.
package compat
