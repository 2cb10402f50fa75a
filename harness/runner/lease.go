package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A run holds a lease while it lives: a file named for its run id, holding its PID,
// host and engine, on which the process keeps an exclusive flock. The kernel drops
// the lock when the process ends, however it ends (SIGKILL included), so gc tells a
// live run from a dead one by trying the lock, without trusting a PID that may have
// been reused. A run without a lease file (one on another host, or of an older
// bootmatrix) counts as dead, as every run did before.

// Lease is what a run's lease file says about it.
type Lease struct {
	Run     string    `json:"run"`
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Engine  string    `json:"engine"`
	Started time.Time `json:"started"`
}

func (l Lease) String() string {
	return fmt.Sprintf("run %s (pid %d on %s, engine %s, started %s)", l.Run, l.PID, l.Host, l.Engine, l.Started.Format(time.RFC3339))
}

// DefaultStateDir is where runs keep what they share on this host (their leases
// under runs/, the build locks under build-locks/, the cache's record of last use)
// unless BOOTMATRIX_STATE_DIR says otherwise: the user's cache directory, which a
// run and a later gc of the same user share.
func DefaultStateDir() string {
	if d := os.Getenv("BOOTMATRIX_STATE_DIR"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "bootmatrix")
	}
	return filepath.Join(os.TempDir(), "bootmatrix-state")
}

func leaseDir(state string) string { return filepath.Join(state, "runs") }

// heldLease is a lease this process holds.
type heldLease struct {
	f    *os.File
	path string
}

func leasePath(state, run string) string {
	// Run ids are generated (NewRunID) or given by tests; keep them to one name.
	return filepath.Join(leaseDir(state), strings.NewReplacer("/", "_", "\\", "_").Replace(run)+".lease")
}

// takeLease writes and locks the run's lease file.
func takeLease(state string, l Lease) (*heldLease, error) {
	if err := os.MkdirAll(leaseDir(state), 0o700); err != nil {
		return nil, fmt.Errorf("run lease: %w", err)
	}
	p := leasePath(state, l.Run)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("run lease: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("run lease %s: another process holds it: %w", p, err)
	}
	b, _ := json.Marshal(l)
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt(append(b, '\n'), 0)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("run lease %s: %w", p, err)
	}
	return &heldLease{f: f, path: p}, nil
}

// release removes the lease file, then drops the lock.
func (h *heldLease) release() error {
	if h == nil {
		return nil
	}
	err := os.Remove(h.path)
	if cerr := h.f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return err
}

// liveLease reports whether run's lease is held by a live process, and what it says.
// A lease file whose lock can be taken belongs to a dead run and is removed.
func liveLease(state, run string) (Lease, bool) {
	p := leasePath(state, run)
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return Lease{}, false
	}
	defer func() { _ = f.Close() }()
	var l Lease
	b, _ := os.ReadFile(p)
	_ = json.Unmarshal(b, &l)
	if l.Run == "" {
		l.Run = run
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return l, true
	}
	_ = os.Remove(p)
	return l, false
}
