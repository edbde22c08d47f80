// Package recipes provides the coordination recipes that ZooKeeper users
// otherwise write by hand (Apache Curator is the reference in Java), built
// on the ZooKeeper protocol through github.com/go-zookeeper/zk, so they
// work against Synod and against Apache ZooKeeper alike.
//
// Every recipe is built on a Session (Connect), which follows the
// underlying session: connection drops that the session survives are
// ridden out (requests are retried once reconnected; creates and multis
// whose reply was lost are recovered through protected names, markers or
// claims, so nothing is applied twice), and a session expiry, reported by
// the server or presumed after a session timeout without a connection,
// ends everything that was held through it.
//
// What is held through an ephemeral node is a *Lease (Lock, RWLock,
// Semaphore, Election, Group): its Done channel closes, and Err says why,
// when the lease is released or lost (ErrSessionExpired, ErrNodeDeleted,
// ErrClosed). The others (Barrier, DoubleBarrier, Queue, PriorityQueue,
// Value, Namer, Counter) keep their state in persistent nodes and are only
// delayed by connection trouble.
//
// Recipes and their node layout:
//
//	Lock           dir/_c_<guid>-lock-<seq>          ephemeral sequential; waiter watches its predecessor
//	RWLock         dir/_c_<guid>-read-<seq>, -write- reader watches the previous writer, writer its predecessor
//	Semaphore      dir/_c_<guid>-lease-<seq>         first N hold; waiters watch dir's children
//	Election       dir/_c_<guid>-n_<seq>             lowest leads; data is the candidate's value
//	Barrier        path                              exists while raised
//	DoubleBarrier  dir/p-<guid>, dir/ready           n-th arrival creates ready
//	Queue          dir/qn-<prio>-<seq>               persistent sequential; put = multi(create item, create marker),
//	                                                 take = multi(delete item, create claim)
//	Group          dir/<name>                        ephemeral, data is the member's
//	Value          path                              data watched
//	Namer          dir/_c_<guid>-id-<seq>            created and deleted; the sequence number is the ID
//	Counter        path (decimal), path/op-<guid>    multi(set with version, create marker)
//
// The same test suite runs against Apache ZooKeeper 3.8 and Synod
// (go test ./recipes/), each started once by internal/zkenv.
package recipes
