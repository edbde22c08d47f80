package crashtest

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/synod-dev/synod/internal/zkenv"
)

// ack records the last acknowledged value and the highest attempted value
// of one key written by one worker.
type ack struct {
	acked   int // last acknowledged version value, -1 if none
	tried   int // highest value attempted
	created bool
}

func seedFromEnv(t *testing.T) int64 {
	if s := os.Getenv("SYNOD_CRASH_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SYNOD_CRASH_SEED: %v", err)
		}
		return v
	}
	return time.Now().UnixNano()
}

func connect(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	c, _, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatalf("connect %s: %v", addr, err)
	}
	return c
}

// TestCrashRecovery SIGKILLs synod during a write load and checks after each
// restart that acknowledged creates and sets survived and that sequential
// suffixes never go backwards.
func TestCrashRecovery(t *testing.T) {
	seed := seedFromEnv(t)
	t.Logf("seed %d (replay with SYNOD_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	cycles := 5
	if os.Getenv("SYNOD_LONG") == "1" {
		cycles = 100
	}
	dir := t.TempDir()
	// A small snapCount makes background snapshots run all the time, so
	// kills land while one is being written, and restarts load them.
	opts := zkenv.Options{DataDir: dir, Extra: map[string]string{"forceSync": "yes", "snapCount": "100"}}
	const workers = 4
	state := make([]map[string]*ack, workers)
	for i := range state {
		state[i] = map[string]*ack{}
	}
	maxSeq := int64(-1)
	var mu sync.Mutex
	multis := make([][]string, workers)          // per worker: multi prefixes attempted
	multiAck := make([]map[string]bool, workers) // per worker: multis acknowledged
	for i := range multiAck {
		multiAck[i] = map[string]bool{}
	}
	for cycle := 0; cycle < cycles; cycle++ {
		srv, err := zkenv.Start(context.Background(), zkenv.Synod, opts)
		if err != nil {
			t.Fatalf("seed %d cycle %d: start: %v", seed, cycle, err)
		}
		c := connect(t, srv.Addr)
		verify(t, seed, cycle, c, state, maxSeq)
		c.Close()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				cl := connect(t, srv.Addr)
				defer cl.Close()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					key := fmt.Sprintf("/k-%d-%d", w, n%8)
					mu.Lock()
					a := state[w][key]
					if a == nil {
						a = &ack{acked: -1, tried: -1}
						state[w][key] = a
					}
					mu.Unlock()
					if !a.created {
						a.tried = 0
						_, err := cl.Create(key, []byte("0"), 0, zk.WorldACL(zk.PermAll))
						if err == nil || err == zk.ErrNodeExists {
							a.created, a.acked = true, 0
						} else {
							return
						}
						continue
					}
					v := a.tried + 1
					a.tried = v
					if _, err := cl.Set(key, []byte(strconv.Itoa(v)), -1); err != nil {
						return
					}
					a.acked = v
					mp := fmt.Sprintf("/m-%d-%d-%d", w, cycle, n)
					multis[w] = append(multis[w], mp)
					if _, err := cl.Multi(
						&zk.CreateRequest{Path: mp + "a", Data: []byte("x"), Acl: zk.WorldACL(zk.PermAll)},
						&zk.CreateRequest{Path: mp + "b", Data: []byte("y"), Acl: zk.WorldACL(zk.PermAll)},
					); err != nil {
						return
					}
					multiAck[w][mp] = true
					p, err := cl.Create("/seq-", nil, zk.FlagSequence, zk.WorldACL(zk.PermAll))
					if err != nil {
						return
					}
					s, _ := strconv.ParseInt(p[len("/seq-"):], 10, 64)
					mu.Lock()
					if s > maxSeq {
						maxSeq = s
					}
					mu.Unlock()
				}
			}(w)
		}
		time.Sleep(time.Duration(50+rng.Intn(400)) * time.Millisecond)
		srv.Kill()
		close(stop)
		wg.Wait()
		<-srv.Done()
	}
	srv, err := zkenv.Start(context.Background(), zkenv.Synod, opts)
	if err != nil {
		t.Fatalf("seed %d final start: %v", seed, err)
	}
	defer srv.Kill()
	c := connect(t, srv.Addr)
	defer c.Close()
	verify(t, seed, cycles, c, state, maxSeq)
	total := 0
	for w := range multis {
		for i, mp := range multis[w] {
			okA, _, errA := c.Exists(mp + "a")
			okB, _, errB := c.Exists(mp + "b")
			if errA != nil || errB != nil {
				t.Fatalf("seed %d: exists %s: %v %v", seed, mp, errA, errB)
			}
			if okA != okB {
				t.Fatalf("seed %d: multi %s half applied (a=%v b=%v)", seed, mp, okA, okB)
			}
			if multiAck[w][mp] && !okA {
				t.Fatalf("seed %d: acknowledged multi %s lost (attempt %d of worker %d)", seed, mp, i, w)
			}
			if multiAck[w][mp] {
				total++
			}
		}
	}
	sets := 0
	for _, m := range state {
		for _, a := range m {
			sets += a.acked
		}
	}
	t.Logf("seed %d: %d cycles, %d acknowledged multis and %d acknowledged sets verified, last sequential %d", seed, cycles, total, sets, maxSeq)
}

func verify(t *testing.T, seed int64, cycle int, c *zk.Conn, state []map[string]*ack, maxSeq int64) {
	t.Helper()
	for _, m := range state {
		for key, a := range m {
			if !a.created {
				continue
			}
			data, _, err := c.Get(key)
			if err != nil {
				t.Fatalf("seed %d cycle %d: acknowledged %s: %v", seed, cycle, key, err)
			}
			v, err := strconv.Atoi(string(data))
			if err != nil || v < a.acked || v > a.tried {
				t.Fatalf("seed %d cycle %d: %s = %q, acknowledged %d, tried %d", seed, cycle, key, data, a.acked, a.tried)
			}
			a.acked, a.tried = v, v
		}
	}
	p, err := c.Create("/seq-", nil, zk.FlagSequence, zk.WorldACL(zk.PermAll))
	if err != nil {
		t.Fatalf("seed %d cycle %d: sequential create: %v", seed, cycle, err)
	}
	s, _ := strconv.ParseInt(p[len("/seq-"):], 10, 64)
	if s <= maxSeq {
		t.Fatalf("seed %d cycle %d: sequential suffix %d after restart, acknowledged %d before", seed, cycle, s, maxSeq)
	}
}
