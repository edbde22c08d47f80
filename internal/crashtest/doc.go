// Package crashtest holds process-level crash tests: it runs the real synod
// binary on a data directory, drives client writes, SIGKILLs the process at
// a seeded random moment, restarts it on the same directory and checks that
// every acknowledged write survived. Replay a failing run with
// SYNOD_CRASH_SEED=<seed>; SYNOD_LONG=1 runs the long campaign.
package crashtest
