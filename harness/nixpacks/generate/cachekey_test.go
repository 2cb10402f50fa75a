package generate

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
)

// The hashes are what rustc 1.95's std::collections::hash_map::DefaultHasher
// gives for each path as a String (printed by a three-line Rust program);
// they cover an empty path, a path under one SipHash block and paths of
// several blocks with a tail.
func TestDefaultCacheKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path string
		hash uint64
	}{
		{"/app", 0x48ed5b18b4299d44},
		{"/home/user/projects/my-backend", 0xf4767e10c61341fa},
		{"/work/some/very/long/path/that/exceeds/eight/bytes/x", 0x62992c7b20c0d7f3},
		{"", 0x30406ea523c53def},
	} {
		if got := sipHash13(append([]byte(tt.path), 0xff)); got != tt.hash {
			t.Errorf("%q: hash %016x, want Rust's %016x", tt.path, got, tt.hash)
		}
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], tt.hash)
		want := strings.NewReplacer("+", "", "/", "", "=", "").Replace(base64.StdEncoding.EncodeToString(b[:]))
		if got := DefaultCacheKey(tt.path); got != want {
			t.Errorf("%q: key %q, want %q", tt.path, got, want)
		}
	}
}
