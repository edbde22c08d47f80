"""Drives a ZooKeeper-protocol server with kazoo (Debian's python3-kazoo).

Usage: kazoo_roundtrip.py HOST:PORT ROOT
Exits 0 and prints "OK" when every step behaved as ZooKeeper specifies;
otherwise raises, which exits non-zero with a traceback.
"""
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, LockTimeout, NoNodeError, NodeExistsError

hosts, root = sys.argv[1], sys.argv[2]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


zk = KazooClient(hosts=hosts, timeout=15)
zk.start(timeout=15)
try:
    # Round trip: create, get, set, ls, delete.
    zk.create(root, b"")
    path = zk.create(root + "/node", b"hello")
    check(path == root + "/node", "create returned %r" % path)
    data, stat = zk.get(path)
    check(data == b"hello", "get returned %r" % data)
    check(stat.version == 0, "fresh version %d" % stat.version)
    stat = zk.set(path, b"world")
    check(stat.version == 1, "version after set %d" % stat.version)
    try:
        zk.set(path, b"x", version=0)
        raise AssertionError("stale version accepted")
    except BadVersionError:
        pass
    try:
        zk.create(path, b"dup")
        raise AssertionError("duplicate create accepted")
    except NodeExistsError:
        pass
    seq = zk.create(root + "/seq-", b"", sequence=True)
    check(seq == root + "/seq-0000000001", "sequential name %r" % seq)
    children = sorted(zk.get_children(root))
    check(children == ["node", "seq-0000000001"], "children %r" % (children,))

    # A data watch fires once on set.
    fired = threading.Event()
    events = []

    def watcher(event):
        events.append(event)
        fired.set()

    zk.get(path, watch=watcher)
    zk.set(path, b"again")
    check(fired.wait(10), "data watch did not fire")
    check(events[0].type == "CHANGED" and events[0].path == path, "event %r" % (events[0],))

    # A child watch fires on create.
    child_fired = threading.Event()
    zk.get_children(root, watch=lambda e: child_fired.set())
    zk.create(root + "/new", b"")
    check(child_fired.wait(10), "child watch did not fire")

    # kazoo's Lock recipe: take it, a second contender times out, release.
    lock = zk.Lock(root + "/lock", "first")
    check(lock.acquire(timeout=10), "lock not acquired")
    other = KazooClient(hosts=hosts, timeout=15)
    other.start(timeout=15)
    try:
        contender = other.Lock(root + "/lock", "second")
        try:
            got = contender.acquire(timeout=1)
        except LockTimeout:
            got = False
        check(not got, "second holder got the lock")
        check(sorted(contender.contenders()) == ["first"], "contenders %r" % (contender.contenders(),))
        lock.release()
        check(contender.acquire(timeout=10), "lock not handed over after release")
        contender.release()
    finally:
        other.stop()
        other.close()

    zk.delete(path)
    try:
        zk.get(path)
        raise AssertionError("deleted node still readable")
    except NoNodeError:
        pass
    zk.delete(root, recursive=True)
    check(zk.exists(root) is None, "root still exists after recursive delete")
    print("OK")
finally:
    zk.stop()
    zk.close()
