//go:build unix

package gobuild

import (
	"os"
	"syscall"
)

// lock holds an exclusive lock on file until the returned function is called or the process
// ends (flock(2) locks go with the descriptor, so a killed builder never leaves one behind).
func lock(file string) (func(), error) {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
