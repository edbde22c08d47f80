// Package config reads ZooKeeper's zoo.cfg into a validated Config.
//
// A zoo.cfg that Apache ZooKeeper 3.8 starts from must start Synod too:
// every key ZooKeeper documents is accepted (those Synod does not act on
// yet are logged at info), a key nobody knows is a warning naming it and
// its line, and a value that cannot be right is an error naming file, line
// and key, like
//
//	zoo.cfg:12: clientPort: "abc" is not a port number
//
// The file format is java.util.Properties (see parseProperties); the
// meaning of each key follows QuorumPeerConfig and the system properties
// ZooKeeper reads (ZK_PROTOCOL.md §3.3 and §6).
package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Config is a server's configuration. Durations are already converted
// from ZooKeeper's units (milliseconds for times, hours for the purge
// interval); sizes are in bytes.
type Config struct {
	// Path is the file the configuration was loaded from; empty for Default.
	Path string

	// DataDir holds snapshots and myid; DataLogDir the write-ahead log
	// (empty means DataDir, as in ZooKeeper).
	DataDir, DataLogDir string
	// ClientPort and ClientPortAddress are where clients connect. An empty
	// ClientPortAddress means every interface, which is what ZooKeeper
	// does when zoo.cfg has no clientPortAddress.
	ClientPort        int
	ClientPortAddress string

	// TickTime is the basic time unit; session timeouts default to 2 and
	// 20 ticks.
	TickTime, MinSessionTimeout, MaxSessionTimeout time.Duration
	// MaxClientCnxns limits connections per client IP; 0 means no limit.
	MaxClientCnxns int
	// FourLetterWhitelist lists the enabled four-letter words, expanded
	// (a "*" in zoo.cfg becomes every word). Load always adds srvr, as
	// ZooKeeper does.
	FourLetterWhitelist []string
	// ExtendedTypesEnabled enables TTL nodes.
	ExtendedTypesEnabled bool
	// ContainerCheckInterval is how often empty containers are looked for.
	ContainerCheckInterval time.Duration
	// SuperDigest is "super:<base64 sha1>" from
	// DigestAuthenticationProvider.superDigest; empty means no super user.
	SuperDigest string
	// SkipACL turns every ACL check off.
	SkipACL bool
	// ForceSync makes log appends fsync before they are acknowledged.
	ForceSync bool
	// SnapCount is the number of transactions between snapshots.
	SnapCount int
	// AutopurgeSnapRetainCount snapshots are kept by the purge task (at
	// least 3); AutopurgePurgeInterval 0 turns the task off.
	AutopurgeSnapRetainCount int
	AutopurgePurgeInterval   time.Duration
	// PreAllocSize is the log preallocation block in bytes (zoo.cfg gives
	// it in KiB).
	PreAllocSize int64
	// GlobalOutstandingLimit bounds queued requests before the server
	// stops reading from clients.
	GlobalOutstandingLimit int

	// MyID is this server's id from dataDir/myid; 0 when standalone.
	MyID int
	// Servers lists the ensemble from server.N lines, sorted by ID.
	Servers []ServerSpec
	// InitLimit and SyncLimit are in ticks.
	InitLimit, SyncLimit int

	// Admin is the AdminServer (admin.*).
	Admin AdminConfig
	// Metrics is the metrics provider (metricsProvider.*).
	Metrics MetricsConfig

	// Raw holds every key of the file with its trimmed value (the last
	// one when a key repeats), including keys Synod does not act on.
	Raw map[string]string

	// lines maps a key to the line it was read from, so Validate can
	// name the line of a bad value.
	lines map[string]int
}

// ServerSpec is one server.N line:
// host:quorumPort:electionPort[:participant|observer][;[clientAddr:]clientPort].
type ServerSpec struct {
	ID           int
	Host         string
	QuorumPort   int
	ElectionPort int
	// Role is "participant" (the default) or "observer".
	Role string
	// ClientAddr and ClientPort come from the part after ';'. ClientPort
	// 0 means the line named none; ClientAddr "" means every interface.
	ClientAddr string
	ClientPort int
}

// Roles of a ServerSpec.
const (
	RoleParticipant = "participant"
	RoleObserver    = "observer"
)

// ErrInvalid is matched (errors.Is) by every configuration error.
var ErrInvalid = errors.New("invalid configuration")

// Error is one invalid value. It prints as "path:line: key: msg", leaving
// out the parts it does not know.
type Error struct {
	Path string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	s := ""
	switch {
	case e.Path != "" && e.Line > 0:
		s = fmt.Sprintf("%s:%d: ", e.Path, e.Line)
	case e.Path != "":
		s = e.Path + ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Msg
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Defaults, with ZooKeeper's values unless a reason is given.
const (
	defaultTickTime = 2 * time.Second
	// Synod listens on loopback unless told otherwise: a development
	// server should not be reachable from the network by accident.
	defaultClientPortAddress = "127.0.0.1"
	defaultClientPort        = 2181
	defaultDataDir           = "./synod-data"
	defaultMaxClientCnxns    = 60
	defaultContainerCheck    = 60 * time.Second
	defaultSnapCount         = 100000
	minSnapRetainCount       = 3
	defaultPreAllocSize      = 64 << 20
	defaultOutstandingLimit  = 1000
	defaultInitLimit         = 10
	defaultSyncLimit         = 5
)

// Default returns Synod's embedded defaults: a standalone server on
// 127.0.0.1:2181 with its data in ./synod-data.
func Default() *Config {
	return &Config{
		DataDir:                  defaultDataDir,
		ClientPort:               defaultClientPort,
		ClientPortAddress:        defaultClientPortAddress,
		TickTime:                 defaultTickTime,
		MinSessionTimeout:        2 * defaultTickTime,
		MaxSessionTimeout:        20 * defaultTickTime,
		MaxClientCnxns:           defaultMaxClientCnxns,
		FourLetterWhitelist:      []string{"srvr"},
		ContainerCheckInterval:   defaultContainerCheck,
		ForceSync:                true,
		SnapCount:                defaultSnapCount,
		AutopurgeSnapRetainCount: minSnapRetainCount,
		PreAllocSize:             defaultPreAllocSize,
		GlobalOutstandingLimit:   defaultOutstandingLimit,
		InitLimit:                defaultInitLimit,
		SyncLimit:                defaultSyncLimit,
		Admin:                    defaultAdmin(defaultClientPortAddress),
		Metrics:                  defaultMetrics(),
		Raw:                      map[string]string{},
	}
}

// ClientAddr is the host:port clients connect to (":port" when every
// interface is meant).
func (c *Config) ClientAddr() string {
	return net.JoinHostPort(c.ClientPortAddress, strconv.Itoa(c.ClientPort))
}

// LogDir is DataLogDir, or DataDir when that is empty.
func (c *Config) LogDir() string {
	if c.DataLogDir != "" {
		return c.DataLogDir
	}
	return c.DataDir
}

// Distributed reports whether the configuration names an ensemble of more
// than one voting server (with a single participant ZooKeeper runs
// standalone, and so does Synod).
func (c *Config) Distributed() bool {
	n := 0
	for _, s := range c.Servers {
		if s.Role != RoleObserver {
			n++
		}
	}
	return n > 1
}

// Self returns this server's entry in Servers.
func (c *Config) Self() (ServerSpec, bool) {
	for _, s := range c.Servers {
		if s.ID == c.MyID {
			return s, true
		}
	}
	return ServerSpec{}, false
}

// errorf builds an Error for key, with the line the key was read from.
func (c *Config) errorf(key, format string, args ...any) error {
	return &Error{Path: c.Path, Line: c.lines[key], Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks values that must hold together. Load calls it; callers
// that build a Config by hand should too. All problems are reported,
// joined.
func (c *Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, c.errorf(key, format, args...))
	}
	if c.DataDir == "" {
		add("dataDir", "is not set")
	}
	if c.ClientPort < 1 || c.ClientPort > 65535 {
		add("clientPort", "%d is not a port number (1-65535)", c.ClientPort)
	}
	if c.TickTime <= 0 {
		add("tickTime", "must be positive, is %v", c.TickTime)
	}
	if c.MinSessionTimeout <= 0 {
		add("minSessionTimeout", "must be positive, is %v", c.MinSessionTimeout)
	}
	if c.MaxSessionTimeout <= 0 {
		add("maxSessionTimeout", "must be positive, is %v", c.MaxSessionTimeout)
	}
	if c.MinSessionTimeout > c.MaxSessionTimeout {
		add("minSessionTimeout", "%v is larger than maxSessionTimeout %v",
			c.MinSessionTimeout, c.MaxSessionTimeout)
	}
	if c.MaxClientCnxns < 0 {
		add("maxClientCnxns", "must not be negative, is %d", c.MaxClientCnxns)
	}
	for _, w := range c.FourLetterWhitelist {
		if !isFourLetterWord(w) {
			add(keyWhitelist, "unknown four-letter word %q", w)
		}
	}
	if c.ContainerCheckInterval <= 0 {
		add(keyContainerCheck, "must be positive, is %v", c.ContainerCheckInterval)
	}
	if c.SuperDigest != "" && !validSuperDigest(c.SuperDigest) {
		add(keySuperDigest, "%q is not user:base64digest", c.SuperDigest)
	}
	if c.SnapCount < 2 {
		add("snapCount", "must be at least 2, is %d", c.SnapCount)
	}
	if c.AutopurgeSnapRetainCount < minSnapRetainCount {
		add("autopurge.snapRetainCount", "must be at least %d, is %d", minSnapRetainCount, c.AutopurgeSnapRetainCount)
	}
	if c.AutopurgePurgeInterval < 0 {
		add("autopurge.purgeInterval", "must not be negative, is %v", c.AutopurgePurgeInterval)
	}
	if c.PreAllocSize <= 0 {
		add("preAllocSize", "must be positive, is %d bytes", c.PreAllocSize)
	}
	if c.GlobalOutstandingLimit <= 0 {
		add("globalOutstandingLimit", "must be positive, is %d", c.GlobalOutstandingLimit)
	}
	errs = append(errs, c.validateAdmin()...)
	errs = append(errs, c.validateEnsemble()...)
	return errors.Join(errs...)
}

// validateEnsemble checks the server.N lines, myid and the limits an
// ensemble needs.
func (c *Config) validateEnsemble() []error {
	var errs []error
	seen := map[int]bool{}
	for _, s := range c.Servers {
		key := "server." + strconv.Itoa(s.ID)
		if seen[s.ID] {
			errs = append(errs, c.errorf(key, "server id %d appears twice", s.ID))
		}
		seen[s.ID] = true
		if err := s.validate(); err != nil {
			errs = append(errs, c.errorf(key, "%v", err))
		}
	}
	if len(c.Servers) == 0 {
		return errs
	}
	participants := 0
	for _, s := range c.Servers {
		if s.Role != RoleObserver {
			participants++
		}
	}
	if participants == 0 {
		errs = append(errs, c.errorf("server."+strconv.Itoa(c.Servers[0].ID), "observers without participants"))
	}
	if !c.Distributed() {
		return errs
	}
	if c.InitLimit <= 0 {
		errs = append(errs, c.errorf("initLimit", "must be positive in an ensemble, is %d", c.InitLimit))
	}
	if c.SyncLimit <= 0 {
		errs = append(errs, c.errorf("syncLimit", "must be positive in an ensemble, is %d", c.SyncLimit))
	}
	if c.MyID == 0 {
		errs = append(errs, &Error{Path: c.Path, Msg: "server.N lines name an ensemble but " +
			"dataDir/myid is missing"})
	} else if _, ok := c.Self(); !ok {
		errs = append(errs, &Error{Path: c.Path, Msg: fmt.Sprintf("myid %d is not among the server.N lines", c.MyID)})
	}
	return errs
}

// validate checks one server line's fields.
func (s ServerSpec) validate() error {
	if s.ID < 1 {
		return fmt.Errorf("server id %d must be positive", s.ID)
	}
	if s.Host == "" {
		return errors.New("no host")
	}
	for _, p := range []struct {
		name string
		port int
	}{{"quorum port", s.QuorumPort}, {"election port", s.ElectionPort}} {
		if p.port < 1 || p.port > 65535 {
			return fmt.Errorf("%s %d is not a port number (1-65535)", p.name, p.port)
		}
	}
	if s.QuorumPort == s.ElectionPort {
		return fmt.Errorf("quorum and election port are both %d", s.QuorumPort)
	}
	if s.Role != RoleParticipant && s.Role != RoleObserver {
		return fmt.Errorf("role %q is neither participant nor observer", s.Role)
	}
	if s.ClientPort < 0 || s.ClientPort > 65535 {
		return fmt.Errorf("client port %d is not a port number (1-65535)", s.ClientPort)
	}
	return nil
}
