// Package session is the server's session table: negotiated timeouts,
// touches, and expiry decisions in buckets of one tick, like ZooKeeper's
// ExpiryQueue. It holds no clock: callers pass the current time (ms on any
// monotonic scale) into Touch, Add and Expire, and the server's ticker
// drives Expire. All methods are safe for concurrent use.
package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"sync"
)

// PasswordLen is the length of a session password on the wire.
const PasswordLen = 16

type entry struct {
	id        int64
	timeoutMs int64
	deadline  int64 // bucket this session sits in
	closing   bool
}

// Table tracks live sessions and decides when they expire.
//
// Expiry works as ZooKeeper's ExpiryQueue: a session touched at time t with
// timeout T moves to the bucket roundUpToTick(t+T); Expire(now) returns every
// session in buckets at or before now and marks them closing so they are
// returned once. Removing a session (after its closeSession committed)
// forgets it.
type Table struct {
	mu       sync.Mutex
	tickMs   int64
	key      []byte
	nextID   int64
	sessions map[int64]*entry
	buckets  map[int64]map[int64]struct{}
}

// New returns an empty table. tickMs is the bucket width (tickTime);
// serverID is placed in the top byte of every session id; nowMs seeds the
// id counter as ZooKeeper does; key keys the password MAC.
func New(tickMs int64, serverID int64, nowMs int64, key []byte) *Table {
	if tickMs <= 0 {
		tickMs = 1
	}
	return &Table{
		tickMs:   tickMs,
		key:      append([]byte(nil), key...),
		nextID:   InitialID(serverID, nowMs),
		sessions: make(map[int64]*entry),
		buckets:  make(map[int64]map[int64]struct{}),
	}
}

// InitialID is ZooKeeper's first session id for a server
// (SessionTrackerImpl.initializeNextSessionId): the server id in the top
// byte, then 56 bits taken from the clock, (nowMs << 24) >>> 8.
func InitialID(serverID, nowMs int64) int64 {
	next := int64(uint64(nowMs<<24) >> 8)
	next |= serverID << 56
	if next == math.MinInt64 {
		next++
	}
	return next
}

// NextID hands out a fresh session id. It never returns 0 or
// 0x8000000000000000 (which marks containers).
func (t *Table) NextID() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		id := t.nextID
		t.nextID++
		if id == 0 || id == math.MinInt64 {
			continue
		}
		if _, used := t.sessions[id]; used {
			continue
		}
		return id
	}
}

// Password is the session's password: the first 16 bytes of
// HMAC-SHA256(key, big-endian id). Any server holding the same key can
// recompute it, so it needs no storage; clients treat it as opaque.
func (t *Table) Password(id int64) []byte {
	return Password(t.key, id)
}

// Password computes a session password with the given key (see
// Table.Password).
func Password(key []byte, id int64) []byte {
	m := hmac.New(sha256.New, key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	m.Write(b[:])
	return m.Sum(nil)[:PasswordLen]
}

// CheckPassword reports whether pw is the password of session id.
func (t *Table) CheckPassword(id int64, pw []byte) bool {
	return hmac.Equal(t.Password(id), pw)
}

func (t *Table) roundUp(ms int64) int64 {
	return (ms/t.tickMs + 1) * t.tickMs
}

func (t *Table) place(e *entry, deadline int64) {
	if e.deadline == deadline {
		return
	}
	if b := t.buckets[e.deadline]; b != nil {
		delete(b, e.id)
		if len(b) == 0 {
			delete(t.buckets, e.deadline)
		}
	}
	e.deadline = deadline
	b := t.buckets[deadline]
	if b == nil {
		b = make(map[int64]struct{})
		t.buckets[deadline] = b
	}
	b[e.id] = struct{}{}
}

// Add records a session with its negotiated timeout, touched at nowMs. Adding
// a known session updates its timeout and touches it.
func (t *Table) Add(id int64, timeoutMs int64, nowMs int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.sessions[id]
	if e == nil {
		e = &entry{id: id, deadline: -1}
		t.sessions[id] = e
	}
	e.timeoutMs = timeoutMs
	e.closing = false
	t.place(e, t.roundUp(nowMs+timeoutMs))
}

// Touch extends a session's life. It returns false when the session is
// unknown or already closing (expired).
func (t *Table) Touch(id int64, nowMs int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.sessions[id]
	if e == nil || e.closing {
		return false
	}
	t.place(e, t.roundUp(nowMs+e.timeoutMs))
	return true
}

// Valid reports whether the session is known and not closing.
func (t *Table) Valid(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.sessions[id]
	return e != nil && !e.closing
}

// Timeout returns the session's negotiated timeout in ms, or 0 if unknown.
func (t *Table) Timeout(id int64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.sessions[id]; e != nil {
		return e.timeoutMs
	}
	return 0
}

// SetClosing marks a session as closing (an explicit closeSession is on its
// way); it will not be touched or expired again. It reports whether the
// session was live.
func (t *Table) SetClosing(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.sessions[id]
	if e == nil || e.closing {
		return false
	}
	e.closing = true
	return true
}

// Expire returns, in ascending id order, the sessions whose deadline is at
// or before nowMs, and marks them closing. The caller closes them (a
// closeSession through the log) and then calls Remove.
func (t *Table) Expire(nowMs int64) []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int64
	for dl, b := range t.buckets {
		if dl > nowMs {
			continue
		}
		for id := range b {
			if e := t.sessions[id]; e != nil && !e.closing {
				e.closing = true
				out = append(out, id)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Remove forgets a session.
func (t *Table) Remove(id int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.sessions[id]
	if e == nil {
		return
	}
	if b := t.buckets[e.deadline]; b != nil {
		delete(b, id)
		if len(b) == 0 {
			delete(t.buckets, e.deadline)
		}
	}
	delete(t.sessions, id)
}

// Len is the number of sessions, closing ones included.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sessions)
}

// Bucket is one expiry bucket of a Dump.
type Bucket struct {
	DeadlineMs int64
	Sessions   []int64
}

// Dump lists the expiry buckets in deadline order, for the dump
// four-letter word.
func (t *Table) Dump() []Bucket {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Bucket, 0, len(t.buckets))
	for dl, b := range t.buckets {
		bk := Bucket{DeadlineMs: dl}
		for id := range b {
			bk.Sessions = append(bk.Sessions, id)
		}
		sort.Slice(bk.Sessions, func(i, j int) bool { return bk.Sessions[i] < bk.Sessions[j] })
		out = append(out, bk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DeadlineMs < out[j].DeadlineMs })
	return out
}

// String summarises the table for logs.
func (t *Table) String() string {
	return fmt.Sprintf("session.Table{%d sessions}", t.Len())
}
