package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// kvInput is one client operation on the register of Key.
type kvInput struct {
	Put bool
	Key string
	Val string
}

// command is what a client proposes: its identity and sequence number make
// duplicates (a forwarded command delivered twice by the network) harmless,
// as ZooKeeper's session and xid do.
type command struct {
	Client int
	Seq    int
	In     kvInput
}

func (c command) encode() []byte {
	op := "get"
	if c.In.Put {
		op = "put"
	}
	return []byte(fmt.Sprintf("%d:%d:%s:%s:%s", c.Client, c.Seq, op, c.In.Key, c.In.Val))
}

func decodeCommand(b []byte) (command, error) {
	f := strings.SplitN(string(b), ":", 5)
	if len(f) != 5 {
		return command{}, fmt.Errorf("sim: decode command %q: want 5 fields", b)
	}
	cl, err1 := strconv.Atoi(f[0])
	seq, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return command{}, fmt.Errorf("sim: decode command %q: bad client or seq", b)
	}
	return command{Client: cl, Seq: seq, In: kvInput{Put: f[2] == "put", Key: f[3], Val: f[4]}}, nil
}

// kvState is a replica's state machine: the registers plus, per client, the
// last sequence number applied.
type kvState struct {
	Vals map[string]string
	Last map[int]int
}

func newKV() *kvState { return &kvState{Vals: map[string]string{}, Last: map[int]int{}} }

// apply runs c and returns the get's result; dup is set when c was already
// applied (it then changes nothing).
func (s *kvState) apply(c command) (out string, dup bool) {
	if c.Seq <= s.Last[c.Client] {
		return "", true
	}
	s.Last[c.Client] = c.Seq
	if c.In.Put {
		s.Vals[c.In.Key] = c.In.Val
		return "", false
	}
	return s.Vals[c.In.Key], false
}

func (s *kvState) encode() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // maps of strings and ints always marshal
	}
	return b
}

func decodeKV(b []byte) (*kvState, error) {
	s := newKV()
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("sim: decode snapshot: %w", err)
	}
	if s.Vals == nil {
		s.Vals = map[string]string{}
	}
	if s.Last == nil {
		s.Last = map[int]int{}
	}
	return s, nil
}

// kvModel is the sequential specification: one register per key.
var kvModel = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range h {
			k := op.Input.(kvInput).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		var out [][]porcupine.Operation
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(kvInput)
		if in.Put {
			return true, in.Val
		}
		return output.(string) == state.(string), state
	},
	DescribeOperation: func(input, output any) string {
		in := input.(kvInput)
		if in.Put {
			return fmt.Sprintf("put(%s, %s)", in.Key, in.Val)
		}
		return fmt.Sprintf("get(%s) -> %s", in.Key, output)
	},
}
