package recipes

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-zookeeper/zk"
)

// DoubleBarrier lets n participants start together and finish together
// (the double barrier of the ZooKeeper recipes): Enter returns once n
// participants have entered, and Leave returns once every participant
// that entered has left. One DoubleBarrier value is one participant.
//
// Participants are ephemeral nodes under dir; the n-th to arrive creates
// dir/ready, which releases everyone waiting in Enter. In Leave, the
// lowest-named participant waits for the highest, the others delete their
// node and wait for the lowest, so each departure wakes one participant.
// The last participant to leave deletes ready, so dir can be used again.
//
// Failure behaviour: a connection drop changes nothing. If a
// participant's session expires, its node is deleted: before ready exists
// that participant no longer counts (Enter re-creates its node in the new
// session if it is still waiting); after ready, the others treat it as
// having left. Enter and Leave give up when ctx ends (Enter then deletes
// the node).
type DoubleBarrier struct {
	s    *Session
	dir  string
	n    int
	name string
	path string
}

const readyNode = "ready"

// NewDoubleBarrier returns a participant in the double barrier of n
// participants under dir.
func NewDoubleBarrier(s *Session, dir string, n int) *DoubleBarrier {
	name := "p-" + newGUID()
	return &DoubleBarrier{s: s, dir: dir, n: n, name: name, path: join(dir, name)}
}

// participants lists dir's children other than ready, sorted.
func (d *DoubleBarrier) participants(ctx context.Context) ([]string, error) {
	var children []string
	err := d.s.retry(ctx, func() error {
		var err error
		children, _, err = d.s.conn.Children(d.dir)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := children[:0]
	for _, c := range children {
		if strings.HasPrefix(c, "p-") {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out, nil
}

// create makes this participant's ephemeral node, recovering a lost reply.
func (d *DoubleBarrier) create(ctx context.Context) (*epoch, error) {
	if err := d.s.ensurePath(ctx, d.dir); err != nil {
		return nil, err
	}
	for {
		e, err := d.s.current(ctx)
		if err != nil {
			return nil, err
		}
		_, err = d.s.conn.Create(d.path, nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
		if err == nil || errors.Is(err, zk.ErrNodeExists) {
			e.track(d.path) // names are unique, so an existing node is ours
			return e, nil
		}
		if !retryableOrExpired(err) {
			return nil, err
		}
		if err := d.s.pause(ctx); err != nil {
			return nil, err
		}
	}
}

// Enter joins the barrier and blocks until n participants have joined.
func (d *DoubleBarrier) Enter(ctx context.Context) error {
	e, err := d.create(ctx)
	if err != nil {
		return fmt.Errorf("recipes: enter %s: %w", d.dir, err)
	}
	ready := join(d.dir, readyNode)
	for {
		select {
		case <-e.done:
			if e, err = d.create(ctx); err != nil {
				return fmt.Errorf("recipes: enter %s: %w", d.dir, err)
			}
		default:
		}
		var ok bool
		var ch <-chan zk.Event
		err := d.s.retry(ctx, func() error {
			var err error
			ok, _, ch, err = d.s.conn.ExistsW(ready)
			return err
		})
		if err != nil {
			return d.abandon(fmt.Errorf("recipes: enter %s: %w", d.dir, err))
		}
		if ok {
			return nil
		}
		ps, err := d.participants(ctx)
		if err != nil {
			return d.abandon(fmt.Errorf("recipes: enter %s: %w", d.dir, err))
		}
		if len(ps) >= d.n {
			err := d.s.retry(ctx, func() error {
				_, err := d.s.conn.Create(ready, nil, 0, zk.WorldACL(zk.PermAll))
				if errors.Is(err, zk.ErrNodeExists) {
					return nil
				}
				return err
			})
			if err != nil {
				return d.abandon(fmt.Errorf("recipes: enter %s: %w", d.dir, err))
			}
			return nil
		}
		select {
		case ev := <-ch:
			if ev.Type == zk.EventNodeCreated {
				return nil
			}
		case <-e.done:
		case <-d.s.closed:
			return ErrClosed
		case <-ctx.Done():
			return d.abandon(fmt.Errorf("recipes: enter %s: %w", d.dir, ctx.Err()))
		}
	}
}

func (d *DoubleBarrier) abandon(err error) error {
	dctx, cancel := context.WithTimeout(context.Background(), d.s.timeout)
	defer cancel()
	_ = d.s.deleteNode(dctx, d.path)
	return err
}

// Leave leaves the barrier and blocks until every participant has left.
func (d *DoubleBarrier) Leave(ctx context.Context) error {
	for {
		ps, err := d.participants(ctx)
		if err != nil {
			return fmt.Errorf("recipes: leave %s: %w", d.dir, err)
		}
		if len(ps) == 0 {
			break
		}
		mine := sort.SearchStrings(ps, d.name)
		present := mine < len(ps) && ps[mine] == d.name
		if present && len(ps) == 1 {
			if err := d.s.deleteNode(ctx, d.path); err != nil {
				return fmt.Errorf("recipes: leave %s: %w", d.dir, err)
			}
			break
		}
		var watch string
		if present && mine == 0 {
			watch = ps[len(ps)-1] // the lowest leaves last
		} else {
			if present {
				if err := d.s.deleteNode(ctx, d.path); err != nil {
					return fmt.Errorf("recipes: leave %s: %w", d.dir, err)
				}
			}
			watch = ps[0]
		}
		var ok bool
		var ch <-chan zk.Event
		err = d.s.retry(ctx, func() error {
			var err error
			ok, _, ch, err = d.s.conn.ExistsW(join(d.dir, watch))
			return err
		})
		if err != nil {
			return fmt.Errorf("recipes: leave %s: %w", d.dir, err)
		}
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-d.s.closed:
			return ErrClosed
		case <-ctx.Done():
			return fmt.Errorf("recipes: leave %s: %w", d.dir, ctx.Err())
		}
	}
	// Everyone has left: take ready down so the barrier can be reused.
	if err := d.s.deleteNode(ctx, join(d.dir, readyNode)); err != nil {
		return fmt.Errorf("recipes: leave %s: %w", d.dir, err)
	}
	return nil
}
