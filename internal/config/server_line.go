package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// parseServerLine reads "server.N=value" as ZooKeeper's
// QuorumPeer.QuorumServer does:
// host:quorumPort:electionPort[:participant|observer][;[clientAddr:]clientPort].
// IPv6 hosts are written in brackets. The several-addresses form
// ("a:1:2|b:1:2", multiAddress.enabled) is not supported.
func parseServerLine(key, value string) (ServerSpec, error) {
	idText := strings.TrimPrefix(key, "server.")
	id, err := strconv.Atoi(idText)
	if err != nil {
		return ServerSpec{}, fmt.Errorf("server id %q is not a number", idText)
	}
	spec := ServerSpec{ID: id, Role: RoleParticipant}
	serverPart, clientPart, hasClient := strings.Cut(value, ";")
	if strings.Contains(clientPart, ";") {
		return spec, fmt.Errorf("%q has more than one ';'", value)
	}
	if strings.Contains(serverPart, "|") {
		return spec, errors.New("several addresses per server ('|') are not supported")
	}
	parts, err := splitHostPorts(serverPart)
	if err != nil {
		return spec, err
	}
	if len(parts) < 3 || len(parts) > 4 {
		return spec, fmt.Errorf("%q is not host:quorumPort:electionPort[:participant|observer]", serverPart)
	}
	spec.Host = parts[0]
	if spec.QuorumPort, err = parsePort("quorum port", parts[1]); err != nil {
		return spec, err
	}
	if spec.ElectionPort, err = parsePort("election port", parts[2]); err != nil {
		return spec, err
	}
	if len(parts) == 4 {
		spec.Role = strings.ToLower(strings.TrimSpace(parts[3]))
		if spec.Role != RoleParticipant && spec.Role != RoleObserver {
			return spec, fmt.Errorf("role %q is neither participant nor observer", parts[3])
		}
	}
	if hasClient {
		cparts, err := splitHostPorts(strings.TrimSpace(clientPart))
		if err != nil {
			return spec, err
		}
		switch len(cparts) {
		case 1:
			spec.ClientPort, err = parsePort("client port", cparts[0])
		case 2:
			spec.ClientAddr = cparts[0]
			spec.ClientPort, err = parsePort("client port", cparts[1])
		default:
			err = fmt.Errorf("%q is not [clientAddr:]clientPort", clientPart)
		}
		if err != nil {
			return spec, err
		}
		if spec.ClientAddr == "0.0.0.0" {
			spec.ClientAddr = "" // every interface
		}
	}
	if spec.Host == "" {
		return spec, errors.New("no host")
	}
	return spec, spec.validate()
}

// splitHostPorts splits "host:a:b" or "[v6host]:a:b" on colons, keeping a
// bracketed IPv6 address whole (without its brackets).
func splitHostPorts(s string) ([]string, error) {
	if !strings.HasPrefix(s, "[") {
		return strings.Split(s, ":"), nil
	}
	end := strings.Index(s, "]")
	if end < 0 {
		return nil, fmt.Errorf("%q has '[' without ']'", s)
	}
	host, rest := s[1:end], s[end+1:]
	if rest == "" {
		return []string{host}, nil
	}
	if rest[0] != ':' {
		return nil, fmt.Errorf("%q: expected ':' after ']'", s)
	}
	return append([]string{host}, strings.Split(rest[1:], ":")...), nil
}

func parsePort(what, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%s %q is not a port number", what, v)
	}
	return n, nil
}
