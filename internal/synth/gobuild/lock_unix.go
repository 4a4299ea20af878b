//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package gobuild

import (
	"errors"
	"os"
	"syscall"
)

// lock holds an exclusive lock on file until the returned function is called or the process
// ends (flock(2) locks go with the descriptor, so a killed builder never leaves one behind). The
// platforms are those of the go command's own file lock (cmd/go/internal/lockedfile's
// filelock_unix.go); a signal interrupting the wait retries it.
func lock(file string) (func(), error) {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
