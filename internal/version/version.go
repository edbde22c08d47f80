// Package version holds Synod's version and the ZooKeeper version it
// reports to clients, which read it to decide which features to use.
package version

// Synod is this release of Synod.
const Synod = "0.1.0"

// ZooKeeperCompat is the ZooKeeper release whose protocol and behaviour
// Synod reproduces. Clients such as kazoo parse it from envi.
const ZooKeeperCompat = "3.8.0"

// Full is the version string reported by srvr, stat, mntr and envi. Its
// form, "<x.y.z>-synod-<v>, built on MM/DD/YYYY HH:MM GMT", is the one every
// known srvr parser accepts (go-zookeeper/zk's FLWSrvr among them).
func Full() string {
	return ZooKeeperCompat + "-synod-" + Synod + ", built on 11/22/2026 00:00 GMT"
}

// Short is the version without the build date, for envi and mntr.
func Short() string { return ZooKeeperCompat + "-synod-" + Synod }
