// Drives a ZooKeeper-protocol server with Apache Curator 5 (Debian's
// libcurator-recipes-java), as a Java application would.
//
// Usage: java -cp JARS CuratorRoundTrip.java HOST:PORT ROOT
// Prints "OK" and exits 0 when every step behaved as ZooKeeper specifies;
// otherwise throws, which exits non-zero with a stack trace.

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

public class CuratorRoundTrip {
    static void check(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static CuratorFramework client(String hosts) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.newClient(hosts, 15000, 15000, new ExponentialBackoffRetry(100, 5));
        c.start();
        check(c.blockUntilConnected(30, TimeUnit.SECONDS), "no connection to " + hosts);
        return c;
    }

    public static void main(String[] args) throws Exception {
        String hosts = args[0];
        String root = args[1];
        CuratorFramework c = client(hosts);
        CuratorFramework c2 = client(hosts);
        try {
            // Round trip with parents created on the way.
            String p = c.create().creatingParentsIfNeeded().forPath(root + "/a/b", b("hello"));
            check(p.equals(root + "/a/b"), "create returned " + p);
            Stat st = new Stat();
            byte[] d = c.getData().storingStatIn(st).forPath(p);
            check(new String(d, StandardCharsets.UTF_8).equals("hello") && st.getVersion() == 0, "getData");
            c.setData().withVersion(0).forPath(p, b("world"));
            try {
                c.setData().withVersion(0).forPath(p, b("stale"));
                check(false, "stale version accepted");
            } catch (KeeperException.BadVersionException expected) {
            }
            check(c.checkExists().forPath(root + "/nope") == null, "exists of a missing node");
            check(c.getChildren().forPath(root + "/a").equals(List.of("b")), "children");

            // Protected ephemeral-sequential create, as Curator's locks do.
            String q = c.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(root + "/a/seq-", b(""));
            check(q.contains("_c_") && q.matches(".*\\d{10}$"), "protected sequential name " + q);
            check(c.checkExists().forPath(q).getEphemeralOwner() == c.getZookeeperClient().getZooKeeper().getSessionId(), "ephemeral owner");

            // A transaction (multi) and its results.
            CuratorOp op1 = c.transactionOp().create().forPath(root + "/t1", b("1"));
            CuratorOp op2 = c.transactionOp().setData().forPath(p, b("tx"));
            List<CuratorTransactionResult> res = c.transaction().forOperations(op1, op2);
            check(res.size() == 2 && res.get(0).getForPath().equals(root + "/t1"), "transaction results");
            CuratorOp bad1 = c.transactionOp().create().forPath(root + "/t2");
            CuratorOp bad2 = c.transactionOp().check().withVersion(99).forPath(p);
            try {
                c.transaction().forOperations(bad1, bad2);
                check(false, "failed transaction applied");
            } catch (KeeperException.BadVersionException expected) {
            }
            check(c.checkExists().forPath(root + "/t2") == null, "transaction not atomic");

            // A cache over the subtree (persistent recursive watch in Curator 5).
            CountDownLatch seen = new CountDownLatch(1);
            CuratorCache cache = CuratorCache.build(c2, root);
            cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(n -> { if (n.getPath().equals(root + "/watched")) seen.countDown(); })
                .build());
            cache.start();
            Thread.sleep(300);
            c.create().forPath(root + "/watched", b("w"));
            check(seen.await(20, TimeUnit.SECONDS), "cache did not see the create");
            cache.close();

            // Mutual exclusion with InterProcessMutex over two sessions.
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger total = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            List<Throwable> errs = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 4; i++) {
                CuratorFramework cf = (i % 2 == 0) ? c : c2;
                Thread t = new Thread(() -> {
                    try {
                        InterProcessMutex m = new InterProcessMutex(cf, root + "/lock");
                        for (int k = 0; k < 5; k++) {
                            check(m.acquire(30, TimeUnit.SECONDS), "lock not acquired");
                            try {
                                check(holders.incrementAndGet() == 1, "two lock holders");
                                Thread.sleep(2);
                                total.incrementAndGet();
                                holders.decrementAndGet();
                            } finally {
                                m.release();
                            }
                        }
                    } catch (Throwable e) {
                        errs.add(e);
                    }
                });
                ts.add(t);
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            check(errs.isEmpty(), "lock errors: " + errs);
            check(total.get() == 20, "lock rounds " + total.get());

            // Leader election: exactly one of two latches leads; the other
            // takes over when it closes.
            LeaderLatch l1 = new LeaderLatch(c, root + "/leader", "one");
            LeaderLatch l2 = new LeaderLatch(c2, root + "/leader", "two");
            l1.start();
            l2.start();
            check(l1.await(20, TimeUnit.SECONDS) || l2.await(20, TimeUnit.SECONDS), "no leader");
            check(l1.hasLeadership() != l2.hasLeadership(), "leadership not exclusive");
            LeaderLatch leader = l1.hasLeadership() ? l1 : l2;
            LeaderLatch other = leader == l1 ? l2 : l1;
            leader.close();
            check(other.await(20, TimeUnit.SECONDS), "leadership not handed over");
            other.close();

            // A counter by compare-and-set.
            DistributedAtomicLong n = new DistributedAtomicLong(c, root + "/counter", new RetryNTimes(20, 10));
            for (int i = 0; i < 10; i++) {
                AtomicValue<Long> v = n.increment();
                check(v.succeeded(), "increment failed");
            }
            check(n.get().postValue() == 10L, "counter " + n.get().postValue());

            c.delete().deletingChildrenIfNeeded().forPath(root);
            check(c.checkExists().forPath(root) == null, "root still there");
        } finally {
            c2.close();
            c.close();
        }
        System.out.println("OK");
    }
}
