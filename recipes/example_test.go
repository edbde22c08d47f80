package recipes_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/synod-dev/synod/recipes"
)

// The examples need a server on 127.0.0.1:2181; they are compiled, not run.

func connect() *recipes.Session {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := recipes.Connect(ctx, []string{"127.0.0.1:2181"}, 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func ExampleLock() {
	s := connect()
	defer s.Close()
	ctx := context.Background()

	lease, err := recipes.NewLock(s, "/app/locks/report").Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer lease.Release(ctx)

	// Work while the lock is held; stop if it is lost (session expired).
	select {
	case <-time.After(time.Second):
		fmt.Println("report written")
	case <-lease.Done():
		log.Printf("lost the lock: %v", lease.Err())
	}
}

func ExampleLock_TryAcquire() {
	s := connect()
	defer s.Close()
	ctx := context.Background()

	lease, err := recipes.NewLock(s, "/app/locks/cron").TryAcquire(ctx)
	if err != nil {
		fmt.Println("another instance runs the job:", err)
		return
	}
	defer lease.Release(ctx)
	fmt.Println("running the job")
}

func ExampleRWLock() {
	s := connect()
	defer s.Close()
	ctx := context.Background()
	rw := recipes.NewRWLock(s, "/app/locks/schema")

	read, err := rw.RLock(ctx) // many readers at once
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("reading")
	read.Release(ctx)

	write, err := rw.Lock(ctx) // one writer, no readers
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("migrating")
	write.Release(ctx)
}

func ExampleSemaphore() {
	s := connect()
	defer s.Close()
	ctx := context.Background()

	// At most 3 processes crawl at once, cluster-wide.
	lease, err := recipes.NewSemaphore(s, "/app/crawlers", 3).Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer lease.Release(ctx)
	fmt.Println("crawling")
}

func ExampleElection() {
	s := connect()
	defer s.Close()
	ctx := context.Background()
	e := recipes.NewElection(s, "/app/leader")

	// Followers can watch who leads.
	go func() {
		for v := range e.Observe(ctx) {
			fmt.Printf("leader is now %q\n", v)
		}
	}()

	lead, err := e.Campaign(ctx, []byte("host-a:8080"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("leading")
	<-lead.Done() // lost: session expired or node deleted; or resigned
	fmt.Println("no longer leading:", lead.Err())
}

func ExampleBarrier() {
	s := connect()
	defer s.Close()
	ctx := context.Background()
	b := recipes.NewBarrier(s, "/app/deploy-gate")

	if err := b.Set(ctx); err != nil {
		log.Fatal(err)
	}
	go func() {
		time.Sleep(time.Second)
		b.Remove(ctx) // open the gate
	}()
	if err := b.Wait(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("gate open")
}

func ExampleDoubleBarrier() {
	s := connect()
	defer s.Close()
	ctx := context.Background()

	d := recipes.NewDoubleBarrier(s, "/app/round-7", 4)
	if err := d.Enter(ctx); err != nil { // all 4 workers have arrived
		log.Fatal(err)
	}
	fmt.Println("computing")
	if err := d.Leave(ctx); err != nil { // all 4 have finished
		log.Fatal(err)
	}
}

func ExampleQueue() {
	s := connect()
	defer s.Close()
	ctx := context.Background()
	q := recipes.NewQueue(s, "/app/jobs")

	if err := q.Put(ctx, []byte("resize img-42")); err != nil {
		log.Fatal(err)
	}
	job, err := q.Take(ctx) // blocks while empty; each job goes to one taker
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("got %s\n", job)
}

func ExamplePriorityQueue() {
	s := connect()
	defer s.Close()
	ctx := context.Background()
	q := recipes.NewPriorityQueue(s, "/app/alerts")

	q.Put(ctx, []byte("disk 80%"), 5)
	q.Put(ctx, []byte("disk full"), 0) // lower value first
	first, _ := q.Take(ctx)
	fmt.Printf("%s\n", first) // disk full
}

func ExampleGroup() {
	s := connect()
	defer s.Close()
	ctx := context.Background()
	g := recipes.NewGroup(s, "/app/workers")

	me, err := g.Join(ctx, "worker-1", []byte("10.0.0.5:9000"))
	if err != nil {
		log.Fatal(err)
	}
	defer me.Release(ctx)

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for members := range g.Watch(wctx) {
		fmt.Println(len(members), "workers")
	}
}

func ExampleWatchValue() {
	s := connect()
	defer s.Close()
	ctx := context.Background()

	v, err := recipes.WatchValue(ctx, s, "/app/config/rate-limit")
	if err != nil {
		log.Fatal(err)
	}
	defer v.Stop()
	for {
		changed := v.Changed()
		limit, ok := v.Load()
		fmt.Printf("rate limit %s (set: %v)\n", limit, ok)
		<-changed
	}
}

func ExampleSetValue() {
	s := connect()
	defer s.Close()
	if err := recipes.SetValue(context.Background(), s, "/app/config/rate-limit", []byte("500")); err != nil {
		log.Fatal(err)
	}
}

func ExampleNamer() {
	s := connect()
	defer s.Close()
	id, err := recipes.NewNamer(s, "/app/ids/orders").Next(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("order", id)
}

func ExampleCounter() {
	s := connect()
	defer s.Close()
	n, err := recipes.NewCounter(s, "/app/stats/visits").Add(context.Background(), 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("visit number", n)
}

func ExampleConnect() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := recipes.Connect(ctx, []string{"127.0.0.1:2181"}, 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	// Pause work while disconnected, when being safe matters more than
	// being available.
	select {
	case <-s.Disconnected():
		fmt.Println("connection lost; waiting")
		s.WaitConnected(ctx)
	default:
	}
}
