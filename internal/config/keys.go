package config

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Keys spelled in more than one place.
const (
	keyWhitelist      = "4lw.commands.whitelist"
	keyContainerCheck = "znode.container.checkIntervalMs"
	keySuperDigest    = "DigestAuthenticationProvider.superDigest"
)

// setter stores one zoo.cfg value in c. It returns an error message
// (without key and line, which the caller adds) when the value is bad.
type setter func(c *Config, st *loadState, v string) error

// loadState records what Load needs after every key has been read.
type loadState struct {
	minSession, maxSession int // ms, -1 = not set (ZooKeeper's marker)
	dynamicFile            string
	clientPortSet          bool
	clientPortFromServer   bool // taken from this server's server.N line
	clientPortAddressSet   bool
}

// actedOn are the keys Synod uses. sysprop marks keys ZooKeeper reads as
// the system property "zookeeper.<key>"; only those are also honoured in
// their "zookeeper."-prefixed spelling.
var actedOn = map[string]struct {
	set     setter
	sysprop bool
}{
	"dynamicConfigFile": {set: func(_ *Config, st *loadState, v string) error {
		if v == "" {
			return fmt.Errorf("is empty")
		}
		st.dynamicFile = v
		return nil
	}},
	"dataDir":    {set: func(c *Config, _ *loadState, v string) error { return setPath(&c.DataDir, v) }},
	"dataLogDir": {set: func(c *Config, _ *loadState, v string) error { return setPath(&c.DataLogDir, v) }},
	"clientPort": {set: func(c *Config, st *loadState, v string) error {
		st.clientPortSet = true
		return setPort(&c.ClientPort, v)
	}},
	"clientPortAddress": {set: func(c *Config, st *loadState, v string) error {
		st.clientPortAddressSet = true
		c.ClientPortAddress = v
		return nil
	}},
	"tickTime": {set: func(c *Config, _ *loadState, v string) error {
		ms, err := atoi(v)
		if err != nil {
			return err
		}
		if ms <= 0 {
			return fmt.Errorf("%d is not a positive number of milliseconds", ms)
		}
		c.TickTime = time.Duration(ms) * time.Millisecond
		return nil
	}},
	"minSessionTimeout": {set: func(_ *Config, st *loadState, v string) error {
		return setSessionTimeout(&st.minSession, v)
	}},
	"maxSessionTimeout": {set: func(_ *Config, st *loadState, v string) error {
		return setSessionTimeout(&st.maxSession, v)
	}},
	"maxClientCnxns": {set: func(c *Config, _ *loadState, v string) error {
		return setNonNegative(&c.MaxClientCnxns, v)
	}},
	"initLimit": {set: func(c *Config, _ *loadState, v string) error { return setNonNegative(&c.InitLimit, v) }},
	"syncLimit": {set: func(c *Config, _ *loadState, v string) error { return setNonNegative(&c.SyncLimit, v) }},
	"autopurge.snapRetainCount": {set: func(c *Config, _ *loadState, v string) error {
		n, err := atoi(v)
		if err != nil {
			return err
		}
		// ZooKeeper raises a count below 3 to 3 with a warning
		// (QuorumPeerConfig); Load logs that warning.
		c.AutopurgeSnapRetainCount = max(n, minSnapRetainCount)
		return nil
	}},
	"autopurge.purgeInterval": {set: func(c *Config, _ *loadState, v string) error {
		h, err := atoi(v)
		if err != nil {
			return err
		}
		// ZooKeeper treats 0 and negative as "off".
		c.AutopurgePurgeInterval = time.Duration(max(h, 0)) * time.Hour
		return nil
	}},
	keyWhitelist: {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		words, err := parseWhitelist(v)
		// ZooKeeper always enables srvr, whatever the list says:
		// zkServer.sh status depends on it (FourLetterCommands.isEnabled).
		if err == nil && !slices.Contains(words, "srvr") {
			words = append(words, "srvr")
		}
		c.FourLetterWhitelist = words
		return err
	}},
	"extendedTypesEnabled": {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		return setBool(&c.ExtendedTypesEnabled, v)
	}},
	keyContainerCheck: {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		ms, err := atoi(v)
		if err != nil {
			return err
		}
		if ms <= 0 {
			return fmt.Errorf("%d is not a positive number of milliseconds", ms)
		}
		c.ContainerCheckInterval = time.Duration(ms) * time.Millisecond
		return nil
	}},
	keySuperDigest: {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		if !validSuperDigest(v) {
			return fmt.Errorf("%q is not user:base64digest", v)
		}
		c.SuperDigest = v
		return nil
	}},
	"skipACL":   {sysprop: true, set: func(c *Config, _ *loadState, v string) error { return setBool(&c.SkipACL, v) }},
	"forceSync": {sysprop: true, set: func(c *Config, _ *loadState, v string) error { return setBool(&c.ForceSync, v) }},
	"snapCount": {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		n, err := atoi(v)
		if err != nil {
			return err
		}
		if n < 2 {
			return fmt.Errorf("%d is less than 2", n)
		}
		c.SnapCount = n
		return nil
	}},
	"preAllocSize": {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		kb, err := strconv.ParseInt(v, 10, 64)
		if err != nil || kb <= 0 || kb > 1<<40 {
			return fmt.Errorf("%q is not a positive size in KiB", v)
		}
		c.PreAllocSize = kb << 10
		return nil
	}},
	"globalOutstandingLimit": {sysprop: true, set: func(c *Config, _ *loadState, v string) error {
		n, err := atoi(v)
		if err != nil {
			return err
		}
		if n <= 0 {
			return fmt.Errorf("%d is not positive", n)
		}
		c.GlobalOutstandingLimit = n
		return nil
	}},
}

// documented are keys ZooKeeper 3.8 documents or parses that Synod accepts
// without acting on them yet (QuorumPeerConfig.parseProperties and the
// administrator's guide).
var documented = map[string]bool{}

// documentedPrefixes cover key families (admin.*, ssl.*, authProvider.N …).
var documentedPrefixes = []string{
	"admin.", "metricsProvider.", "ssl.", "authProvider.", "group.", "weight.",
	"quorum.auth.", "multiAddress.", "jvm.pause.", "kerberos.", "audit.",
	"commitProcessor.", "nio.", "netty.", "learner.", "leader.", "observer.",
	"fastleader.", "connection_throttle_", "messageTracker.", "request_throttler.",
	"client.", "enforce.auth.", "snapshot.", "znode.container.", "jute.",
	"X509AuthenticationProvider.", "DigestAuthenticationProvider.",
}

func init() {
	for _, k := range strings.Fields(`
		secureClientPort secureClientPortAddress observerMasterPort clientPortListenBacklog
		connectToLearnerMasterLimit electionAlg quorumListenOnAllIPs peerType syncEnabled
		standaloneEnabled reconfigEnabled sslQuorum portUnification
		sslQuorumReloadCertFiles quorum.cnxn.threads.size oraclePath
		localSessionsEnabled localSessionsUpgradingEnabled
		commitLogCount snapSizeLimitInKb txnLogSizeLimitInKb maxCnxns
		fsync.warningthresholdms maxResponseCacheSize maxGetChildrenResponseCacheSize
		emulate353TTLNodes watchManagerName watcherCleanThreadsNum watcherCleanThreshold
		watcherCleanIntervalInSeconds maxInProcessingDeadWatchers bitHashCacheSize
		connectionMaxTokens connectionTokenFillTime connectionTokenFillCount
		connectionFreezeTime connectionDropIncrease connectionDropDecrease
		connectionDecreaseRatio serverCnxnFactory flushDelay maxWriteQueuePollTime
		maxBatchSize enforceQuota requestThrottleLimit requestThrottleStallTime
		requestThrottleDropStale requestStaleLatencyCheck requestStaleConnectionCheck
		advancedFlowControlEnabled enableEagerACLCheck maxConcurrentSnapSyncs
		maxConcurrentDiffSyncs digest.enabled largeRequestMaxBytes largeRequestThreshold
		outstandingHandshake.limit throttledOpWaitTime
		forward_learner_requests_to_commit_processor_disabled maxTimeToWaitForEpoch
		leaderServes cnxTimeout quorumCnxnTimeoutMs tcpKeepAlive clientTcpKeepAlive
		electionPortBindRetry superUser ensembleAuthName sessionRequireClientSASLAuth
		fips-mode follower.skipLearnerRequestToNextProcessor readonlymode.enabled
		closeSessionTxn.enabled serializeLastProcessedZxid.enabled traceFile
	`) {
		documented[k] = true
	}
}

// documentedChecks validate the values ZooKeeper itself rejects for keys
// Synod does not act on, so a file ZooKeeper refuses is refused here too.
var documentedChecks = map[string]func(v string) error{
	"electionAlg": func(v string) error {
		if v != "3" {
			return fmt.Errorf("%q: only 3 is supported", v)
		}
		return nil
	},
	"peerType": func(v string) error {
		if l := strings.ToLower(v); l != RoleObserver && l != RoleParticipant {
			return fmt.Errorf("%q is neither participant nor observer", v)
		}
		return nil
	},
}

func init() {
	// QuorumPeerConfig.parseBoolean accepts only true/false.
	for _, k := range strings.Fields(`localSessionsEnabled localSessionsUpgradingEnabled
		quorumListenOnAllIPs syncEnabled standaloneEnabled reconfigEnabled sslQuorum
		portUnification sslQuorumReloadCertFiles quorum.auth.enableSasl
		quorum.auth.serverRequireSasl quorum.auth.learnerRequireSasl jvm.pause.monitor
		multiAddress.enabled multiAddress.reachabilityCheckEnabled`) {
		documentedChecks[k] = func(v string) error {
			if l := strings.ToLower(v); l != "true" && l != "false" {
				return fmt.Errorf("%q is not true or false", v)
			}
			return nil
		}
	}
	// Integer.parseInt in QuorumPeerConfig.
	for _, k := range strings.Fields(`secureClientPort observerMasterPort clientPortListenBacklog
		connectToLearnerMasterLimit quorum.cnxn.threads.size multiAddress.reachabilityCheckTimeoutMs`) {
		documentedChecks[k] = func(v string) error {
			_, err := atoi(v)
			return err
		}
	}
}

// keyClass is how Load treats a key.
type keyClass int

const (
	classUnknown    keyClass = iota
	classActedOn             // Synod acts on it
	classDocumented          // ZooKeeper knows it; accepted, not acted on
	classServer              // server.N
)

// classify returns how key is treated and the key to act on (key without
// a "zookeeper." prefix when that prefix was stripped).
func classify(key string) (keyClass, string) {
	if strings.HasPrefix(key, "server.") {
		return classServer, key
	}
	if _, ok := actedOn[key]; ok {
		return classActedOn, key
	}
	if documented[key] || slices.ContainsFunc(documentedPrefixes, func(p string) bool {
		return strings.HasPrefix(key, p)
	}) {
		return classDocumented, key
	}
	if rest, ok := strings.CutPrefix(key, "zookeeper."); ok {
		if a, ok := actedOn[rest]; ok && a.sysprop {
			return classActedOn, rest
		}
		if c, _ := classify(rest); c == classDocumented {
			return classDocumented, key
		}
	}
	return classUnknown, key
}

// fourLetterWords are the words ZooKeeper 3.8 knows
// (FourLetterCommands.cmd2String, less "telnet close").
var fourLetterWords = []string{
	"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
	"mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs",
}

func isFourLetterWord(w string) bool { return slices.Contains(fourLetterWords, w) }

// parseWhitelist reads 4lw.commands.whitelist. ZooKeeper splits on ','
// and trims; we also split on blanks. "*" anywhere enables every word.
func parseWhitelist(v string) ([]string, error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	var words []string
	for _, f := range fields {
		if f == "*" {
			return slices.Clone(fourLetterWords), nil
		}
		if !isFourLetterWord(f) {
			return nil, fmt.Errorf("unknown four-letter word %q (known: %s)", f, strings.Join(fourLetterWords, ","))
		}
		if !slices.Contains(words, f) {
			words = append(words, f)
		}
	}
	return words, nil
}

// validSuperDigest checks the "user:base64(sha1(user:password))" shape.
func validSuperDigest(v string) bool {
	user, digest, ok := strings.Cut(v, ":")
	if !ok || user == "" || digest == "" {
		return false
	}
	_, err := base64.StdEncoding.DecodeString(digest)
	return err == nil
}

func atoi(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", v)
	}
	return n, nil
}

func setPath(dst *string, v string) error {
	if v == "" {
		return fmt.Errorf("is empty")
	}
	*dst = v
	return nil
}

func setPort(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q is not a port number", v)
	}
	*dst = n
	return nil
}

func setNonNegative(dst *int, v string) error {
	n, err := atoi(v)
	if err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("%d is negative", n)
	}
	*dst = n
	return nil
}

// setSessionTimeout reads a timeout in ms; -1 means "the default", as in
// ZooKeeper.
func setSessionTimeout(dst *int, v string) error {
	n, err := atoi(v)
	if err != nil {
		return err
	}
	if n < -1 || n == 0 {
		return fmt.Errorf("%d is not a positive number of milliseconds", n)
	}
	*dst = n
	return nil
}

// setBool accepts ZooKeeper's spellings: true/false and yes/no, in any
// case.
func setBool(dst *bool, v string) error {
	switch strings.ToLower(v) {
	case "true", "yes":
		*dst = true
	case "false", "no":
		*dst = false
	default:
		return fmt.Errorf("%q is not true/false or yes/no", v)
	}
	return nil
}
