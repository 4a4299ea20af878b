//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package gobuild

// lock does nothing where flock(2) is missing: processes missing the cache at once each build,
// and the first to store its entry wins (fromCache), as without a lock.
func lock(string) (func(), error) { return func() {}, nil }
