package analysis

import (
	"math/bits"
	"math/rand/v2"
)

// hashSeed is mixed into the positions of the open-addressing tables (the
// Tables' indexes, the quota's per-window client counts): a new one each
// run, from the runtime's random source.
var hashSeed = rand.Uint64()

// Home returns the first position of hash h in an open-addressing table of
// size positions, a power of two. The hashes of keys (xxhash) are the same
// in every run and anyone can compute them: taken as they are, a log made
// of keys whose hashes share their low bits (easily searched for) would
// pile them into one run of positions that every look-up walks, quadratic
// work. Mixed with the secret seed, and taken from the product's high
// bits, the positions cannot be aimed at.
func Home(h uint64, size int) int {
	x := h ^ hashSeed
	x ^= x >> 32
	return int(x * 0x9e3779b97f4a7c15 >> (64 - bits.TrailingZeros(uint(size))))
}
