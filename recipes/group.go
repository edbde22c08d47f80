package recipes

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/go-zookeeper/zk"
)

// ErrNameTaken is returned by Join when another session's member already
// uses the name.
var ErrNameTaken = errors.New("recipes: member name taken")

// Group is a group membership: each member is an ephemeral node dir/name
// holding the member's data, so a member leaves the group when it leaves
// or when its session ends.
//
// Guarantees: member names are unique in the group; Members and Watch
// report what the server holds at a moment (a member whose session has
// just expired may be listed until the server deletes its node).
//
// Failure behaviour: a Join whose reply was lost with the connection is
// recovered (the node's ephemeral owner tells whether it is this
// session's). When the session expires, the membership's Done closes with
// ErrSessionExpired; the caller joins again if it wants to stay a member.
type Group struct {
	s   *Session
	dir string
}

// Member is one member of a group.
type Member struct {
	Name string
	Data []byte
}

// NewGroup returns the group whose members live under dir.
func NewGroup(s *Session, dir string) *Group {
	return &Group{s: s, dir: dir}
}

// Join adds this session to the group as name, with data, until the
// returned Lease is released (leaving the group) or lost.
func (g *Group) Join(ctx context.Context, name string, data []byte) (*Lease, error) {
	path := join(g.dir, name)
	for {
		e, err := g.s.current(ctx)
		if err != nil {
			return nil, fmt.Errorf("recipes: join %s: %w", path, err)
		}
		_, err = g.s.conn.Create(path, data, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
		switch {
		case err == nil:
			e.track(path)
			return newLease(g.s, path, e), nil
		case errors.Is(err, zk.ErrNoNode):
			if err := g.s.ensurePath(ctx, g.dir); err != nil {
				return nil, err
			}
			continue
		case errors.Is(err, zk.ErrNodeExists), retryable(err):
			if retryable(err) {
				if err := g.s.pause(ctx); err != nil {
					return nil, fmt.Errorf("recipes: join %s: %w", path, err)
				}
			}
			var ok bool
			var st *zk.Stat
			if err := g.s.retry(ctx, func() error {
				var err error
				ok, st, err = g.s.conn.Exists(path)
				return err
			}); err != nil {
				return nil, fmt.Errorf("recipes: join %s: %w", path, err)
			}
			e2, err := g.s.current(ctx)
			if err != nil {
				return nil, fmt.Errorf("recipes: join %s: %w", path, err)
			}
			if ok && st.EphemeralOwner == e2.id {
				e2.track(path)
				return newLease(g.s, path, e2), nil
			}
			if ok {
				return nil, fmt.Errorf("recipes: join %s: %w", path, ErrNameTaken)
			}
		case errors.Is(err, zk.ErrSessionExpired):
		default:
			return nil, fmt.Errorf("recipes: join %s: %w", path, err)
		}
	}
}

// Members lists the group's members, sorted by name.
func (g *Group) Members(ctx context.Context) ([]Member, error) {
	m, _, err := g.members(ctx, false)
	return m, err
}

func (g *Group) members(ctx context.Context, watch bool) ([]Member, <-chan zk.Event, error) {
	var names []string
	var ch <-chan zk.Event
	err := g.s.retry(ctx, func() error {
		var err error
		if watch {
			names, _, ch, err = g.s.conn.ChildrenW(g.dir)
		} else {
			names, _, err = g.s.conn.Children(g.dir)
		}
		if errors.Is(err, zk.ErrNoNode) {
			if err := g.s.ensurePath(ctx, g.dir); err != nil {
				return err
			}
			return zk.ErrConnectionClosed // list again
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("recipes: members of %s: %w", g.dir, err)
	}
	sort.Strings(names)
	out := make([]Member, 0, len(names))
	for _, n := range names {
		var data []byte
		err := g.s.retry(ctx, func() error {
			var err error
			data, _, err = g.s.conn.Get(join(g.dir, n))
			return err
		})
		if errors.Is(err, zk.ErrNoNode) {
			continue // left while we listed
		}
		if err != nil {
			return nil, nil, fmt.Errorf("recipes: members of %s: %w", g.dir, err)
		}
		out = append(out, Member{Name: n, Data: data})
	}
	return out, ch, nil
}

// Watch sends the member list now and after every change of membership.
// A slow reader misses intermediate lists but always gets the latest.
// The channel is closed when ctx ends or the Session is closed.
func (g *Group) Watch(ctx context.Context) <-chan []Member {
	out := make(chan []Member)
	go func() {
		defer close(out)
		for {
			m, ch, err := g.members(ctx, true)
			if err != nil {
				return
			}
			select {
			case out <- m:
			case <-ctx.Done():
				return
			case <-g.s.closed:
				return
			}
			select {
			case <-ch:
			case <-ctx.Done():
				return
			case <-g.s.closed:
				return
			}
		}
	}()
	return out
}
