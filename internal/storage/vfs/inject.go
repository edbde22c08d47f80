package vfs

// Op names a filesystem operation for Inject.
type Op string

// Operations Inject reports to its hook.
const (
	OpCreate   Op = "create"
	OpOpen     Op = "open"
	OpWrite    Op = "write"
	OpSync     Op = "sync"
	OpTruncate Op = "truncate"
	OpPrealloc Op = "fallocate"
	OpRemove   Op = "remove"
	OpRename   Op = "rename"
	OpSyncDir  Op = "syncdir"
	OpList     Op = "list"
)

// Inject wraps fs so that hook is consulted before every operation; when it
// returns an error the operation fails with that error and is not performed.
// Tests use it to simulate a full disk (ENOSPC on OpWrite) or a failed fsync.
func Inject(fs FS, hook func(op Op, name string) error) FS {
	return &injectFS{fs: fs, hook: hook}
}

type injectFS struct {
	fs   FS
	hook func(Op, string) error
}

type injectFile struct {
	File
	name string
	hook func(Op, string) error
}

func (i *injectFS) Create(name string) (File, error) {
	if err := i.hook(OpCreate, name); err != nil {
		return nil, err
	}
	f, err := i.fs.Create(name)
	if err != nil {
		return nil, err
	}
	return &injectFile{File: f, name: name, hook: i.hook}, nil
}

func (i *injectFS) Open(name string) (File, error) {
	if err := i.hook(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := i.fs.Open(name)
	if err != nil {
		return nil, err
	}
	return &injectFile{File: f, name: name, hook: i.hook}, nil
}

func (i *injectFS) OpenReadWrite(name string) (File, error) {
	if err := i.hook(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := i.fs.OpenReadWrite(name)
	if err != nil {
		return nil, err
	}
	return &injectFile{File: f, name: name, hook: i.hook}, nil
}

func (i *injectFS) Remove(name string) error {
	if err := i.hook(OpRemove, name); err != nil {
		return err
	}
	return i.fs.Remove(name)
}

func (i *injectFS) Rename(oldname, newname string) error {
	if err := i.hook(OpRename, oldname); err != nil {
		return err
	}
	return i.fs.Rename(oldname, newname)
}

func (i *injectFS) MkdirAll(dir string) error { return i.fs.MkdirAll(dir) }

func (i *injectFS) List(dir string) ([]string, error) {
	if err := i.hook(OpList, dir); err != nil {
		return nil, err
	}
	return i.fs.List(dir)
}

func (i *injectFS) SyncDir(dir string) error {
	if err := i.hook(OpSyncDir, dir); err != nil {
		return err
	}
	return i.fs.SyncDir(dir)
}

func (f *injectFile) Write(p []byte) (int, error) {
	if err := f.hook(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *injectFile) Sync() error {
	if err := f.hook(OpSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *injectFile) Truncate(size int64) error {
	if err := f.hook(OpTruncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

func (f *injectFile) Preallocate(size int64) error {
	if err := f.hook(OpPrealloc, f.name); err != nil {
		return err
	}
	return f.File.Preallocate(size)
}
