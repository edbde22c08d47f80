package wire

// Id is an authentication identity: a scheme and an id within it.
type Id struct {
	Scheme string
	ID     string
}

// Encode implements Record.
func (r *Id) Encode(e *Encoder) { e.String(r.Scheme); e.String(r.ID) }

// Decode implements Record.
func (r *Id) Decode(d *Decoder) { r.Scheme = d.String(); r.ID = d.String() }

// ACL grants Perms to the identities matching ID.
type ACL struct {
	Perms int32
	ID    Id
}

// Encode implements Record.
func (r *ACL) Encode(e *Encoder) { e.Int(r.Perms); r.ID.Encode(e) }

// Decode implements Record.
func (r *ACL) Decode(d *Decoder) { r.Perms = d.Int(); r.ID.Decode(d) }

// EncodeACLs appends a vector of ACLs; nil is encoded as -1.
func EncodeACLs(e *Encoder, acls []ACL) {
	if acls == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(acls)))
	for i := range acls {
		acls[i].Encode(e)
	}
}

// DecodeACLs reads a vector of ACLs; -1 yields nil.
func DecodeACLs(d *Decoder) []ACL {
	n := d.Count(12)
	if n < 0 || d.Err() != nil {
		return nil
	}
	out := make([]ACL, n)
	for i := 0; i < n && d.Err() == nil; i++ {
		out[i].Decode(d)
	}
	return out
}

// Stat is a znode's metadata as sent to clients (68 bytes on the wire).
type Stat struct {
	Czxid          int64 // zxid of the create
	Mzxid          int64 // zxid of the last data write
	Ctime          int64 // create time, ms since epoch
	Mtime          int64 // last data write time, ms since epoch
	Version        int32 // data version
	Cversion       int32 // child version
	Aversion       int32 // ACL version
	EphemeralOwner int64 // owning session, ContainerOwner, a TTL marker, or 0
	DataLength     int32
	NumChildren    int32
	Pzxid          int64 // zxid of the last child create or delete
}

// StatSize is the encoded size of a Stat.
const StatSize = 68

// Encode implements Record.
func (s *Stat) Encode(e *Encoder) {
	e.Long(s.Czxid)
	e.Long(s.Mzxid)
	e.Long(s.Ctime)
	e.Long(s.Mtime)
	e.Int(s.Version)
	e.Int(s.Cversion)
	e.Int(s.Aversion)
	e.Long(s.EphemeralOwner)
	e.Int(s.DataLength)
	e.Int(s.NumChildren)
	e.Long(s.Pzxid)
}

// Decode implements Record.
func (s *Stat) Decode(d *Decoder) {
	s.Czxid = d.Long()
	s.Mzxid = d.Long()
	s.Ctime = d.Long()
	s.Mtime = d.Long()
	s.Version = d.Int()
	s.Cversion = d.Int()
	s.Aversion = d.Int()
	s.EphemeralOwner = d.Long()
	s.DataLength = d.Int()
	s.NumChildren = d.Int()
	s.Pzxid = d.Long()
}

// Well-known ACL lists (ZooDefs.Ids).
var (
	// AnyoneID matches every connection.
	AnyoneID = Id{Scheme: "world", ID: "anyone"}
	// AuthIDs stands for the caller's own authenticated identities.
	AuthIDs = Id{Scheme: "auth", ID: ""}
)

// OpenACL returns ALL for world:anyone (OPEN_ACL_UNSAFE).
func OpenACL() []ACL { return []ACL{{Perms: PermAll, ID: AnyoneID}} }

// ReadACL returns READ for world:anyone (READ_ACL_UNSAFE).
func ReadACL() []ACL { return []ACL{{Perms: PermRead, ID: AnyoneID}} }
