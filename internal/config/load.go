package config

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Load reads the zoo.cfg at path and returns a validated Config. Keys the
// file leaves out keep Synod's defaults, except where ZooKeeper's meaning
// of a missing key differs: dataDir is required, and without
// clientPortAddress the server listens on every interface.
//
// When the file has server.N lines, myid is read from dataDir/myid, and if
// the file has no clientPort the client port comes from this server's line
// (";[addr:]port"), as in ZooKeeper.
//
// Documented keys Synod does not act on are logged at info, unknown keys
// at warn (naming key and line). Every invalid value is reported, joined,
// each as an *Error ("zoo.cfg:12: clientPort: ..."). A nil log means
// slog.Default().
func Load(path string, log *slog.Logger) (*Config, error) {
	if log == nil {
		log = slog.Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read zoo.cfg: %w", err)
	}
	c := Default()
	c.Path = path
	c.DataDir = ""
	c.ClientPortAddress = ""
	c.Admin = defaultAdmin(defaultAdminAddress)
	c.lines = map[string]int{}
	st := &loadState{minSession: -1, maxSession: -1}
	log = log.With("config", path)

	var errs []error
	bad := func(p property, key string, err error) {
		errs = append(errs, &Error{Path: path, Line: p.Line, Key: key, Msg: err.Error()})
	}
	servers := map[int]ServerSpec{}
	for _, p := range parseProperties(string(data)) {
		if prev, dup := c.lines[p.Key]; dup {
			log.Warn("zoo.cfg key repeated; the last value wins", "key", p.Key, "line", p.Line, "previous_line", prev)
		}
		c.Raw[p.Key] = p.Value
		c.lines[p.Key] = p.Line
		class, key := classify(p.Key)
		switch class {
		case classActedOn:
			if key != p.Key {
				c.lines[key] = p.Line
				log.Warn("zoo.cfg key read without its zookeeper. prefix; ZooKeeper itself would ignore this spelling",
					"key", p.Key, "line", p.Line, "as", key)
			}
			if err := actedOn[key].set(c, st, p.Value); err != nil {
				bad(p, p.Key, err)
			}
			if key == "autopurge.snapRetainCount" {
				if n, err := strconv.Atoi(p.Value); err == nil && n < minSnapRetainCount {
					log.Warn("autopurge.snapRetainCount below the minimum; using 3", "line", p.Line, "value", n)
				}
			}
		case classDocumented:
			if check := documentedChecks[key]; check != nil {
				if err := check(p.Value); err != nil {
					bad(p, p.Key, err)
					continue
				}
			}
			log.Info("zoo.cfg key accepted, not acted on", "key", p.Key, "line", p.Line)
		case classServer:
			spec, err := parseServerLine(p.Key, p.Value)
			if err != nil {
				bad(p, p.Key, err)
				continue
			}
			if _, dup := servers[spec.ID]; dup {
				bad(p, p.Key, fmt.Errorf("server id %d appears twice", spec.ID))
				continue
			}
			servers[spec.ID] = spec
			c.lines["server."+strconv.Itoa(spec.ID)] = p.Line
		default:
			log.Warn("unknown zoo.cfg key ignored", "key", p.Key, "line", p.Line)
		}
	}
	if st.dynamicFile != "" {
		if len(servers) > 0 {
			errs = append(errs, c.errorf("dynamicConfigFile",
				"server.N lines must be in the dynamic config file %s, not in zoo.cfg", st.dynamicFile))
		}
		dyn, err := loadDynamic(st.dynamicFile, log)
		if err != nil {
			errs = append(errs, err)
		}
		servers = dyn
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	c.MinSessionTimeout = sessionTimeout(st.minSession, 2*c.TickTime)
	c.MaxSessionTimeout = sessionTimeout(st.maxSession, 20*c.TickTime)
	for _, s := range servers {
		c.Servers = append(c.Servers, s)
	}
	slices.SortFunc(c.Servers, func(a, b ServerSpec) int { return a.ID - b.ID })
	if err := c.resolveSelf(st); err != nil {
		return nil, err
	}
	if !st.clientPortSet && !st.clientPortFromServer {
		log.Info("clientPort not set; using the default", "port", c.ClientPort)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// sessionTimeout turns a zoo.cfg value in ms (-1 = unset) into a duration.
func sessionTimeout(ms int, def time.Duration) time.Duration {
	if ms == -1 {
		return def
	}
	return time.Duration(ms) * time.Millisecond
}

// resolveSelf reads dataDir/myid when there are server lines, and takes
// the client address from this server's line.
func (c *Config) resolveSelf(st *loadState) error {
	if len(c.Servers) == 0 || c.DataDir == "" {
		return nil
	}
	myidPath := filepath.Join(c.DataDir, "myid")
	f, err := os.Open(myidPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil // standalone needs no myid; Validate checks ensembles
	}
	if err != nil {
		return fmt.Errorf("config: read myid: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	text := strings.TrimSpace(sc.Text())
	id, err := strconv.Atoi(text)
	if err != nil || id < 1 {
		return &Error{Path: myidPath, Line: 1, Msg: fmt.Sprintf("server id %q is not a positive number", text)}
	}
	c.MyID = id
	self, ok := c.Self()
	if !ok || self.ClientPort == 0 {
		return nil
	}
	key := "server." + strconv.Itoa(id)
	if st.clientPortSet && c.ClientPort != self.ClientPort {
		return c.errorf(key, "client port %d differs from clientPort %d", self.ClientPort, c.ClientPort)
	}
	if st.clientPortAddressSet && self.ClientAddr != "" && c.ClientPortAddress != self.ClientAddr &&
		c.ClientPortAddress != "0.0.0.0" && c.ClientPortAddress != "" {
		return c.errorf(key, "client address %s differs from clientPortAddress %s", self.ClientAddr, c.ClientPortAddress)
	}
	c.ClientPort = self.ClientPort
	st.clientPortFromServer = true
	if self.ClientAddr != "" || !st.clientPortAddressSet {
		c.ClientPortAddress = self.ClientAddr
	}
	return nil
}

// loadDynamic reads a dynamic configuration file (dynamicConfigFile, as
// ZooKeeper's reconfig writes it: server.N, group.N, weight.N and version
// lines only) and returns its servers.
func loadDynamic(path string, log *slog.Logger) (map[int]ServerSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read dynamic config: %w", err)
	}
	var errs []error
	servers := map[int]ServerSpec{}
	for _, p := range parseProperties(string(data)) {
		bad := func(msg string) {
			errs = append(errs, &Error{Path: path, Line: p.Line, Key: p.Key, Msg: msg})
		}
		switch {
		case strings.HasPrefix(p.Key, "server."):
			spec, err := parseServerLine(p.Key, p.Value)
			if err != nil {
				bad(err.Error())
				continue
			}
			if _, dup := servers[spec.ID]; dup {
				bad(fmt.Sprintf("server id %d appears twice", spec.ID))
				continue
			}
			servers[spec.ID] = spec
		case p.Key == "version", strings.HasPrefix(p.Key, "group"), strings.HasPrefix(p.Key, "weight"):
			log.Info("dynamic config key accepted, not acted on", "key", p.Key, "line", p.Line, "file", path)
		default:
			// ZooKeeper: "Unrecognised parameter".
			bad("not allowed in a dynamic config file (only server.N, group.N, weight.N, version)")
		}
	}
	return servers, errors.Join(errs...)
}
