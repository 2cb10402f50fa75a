package generate

import (
	"encoding/base64"
	"encoding/binary"
	"math/bits"
	"strings"
)

// DefaultCacheKey is the cache key `nixpacks build` uses when given neither
// --cache-key nor --no-cache (main.rs get_default_cache_key): Rust's
// DefaultHasher (SipHash-1-3, zero keys) of the canonical source path as a
// str, its big-endian bytes in standard base64, every character that is not
// a letter or digit dropped. absPath must already be canonical (absolute,
// symlinks resolved), as Nixpacks canonicalizes it.
func DefaultCacheKey(absPath string) string {
	// str's Hash writes the bytes, then 0xff to stay prefix-free.
	h := sipHash13(append([]byte(absPath), 0xff))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], h)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, base64.StdEncoding.EncodeToString(b[:]))
}

// sipHash13 is SipHash-1-3 with both keys zero, as std's DefaultHasher::new.
func sipHash13(msg []byte) uint64 {
	v0 := uint64(0x736f6d6570736575)
	v1 := uint64(0x646f72616e646f6d)
	v2 := uint64(0x6c7967656e657261)
	v3 := uint64(0x7465646279746573)
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(msg)
	for len(msg) >= 8 {
		m := binary.LittleEndian.Uint64(msg)
		v3 ^= m
		round()
		v0 ^= m
		msg = msg[8:]
	}
	last := uint64(n) << 56
	for i, c := range msg {
		last |= uint64(c) << (8 * i)
	}
	v3 ^= last
	round()
	v0 ^= last
	v2 ^= 0xff
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
