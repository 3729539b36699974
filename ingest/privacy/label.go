package privacy

import (
	"crypto/sha256"
	"encoding/hex"
)

// KeyLabel is how an API key logged as one (X-Api-Key, AWS API Gateway's
// identity.apiKey...) shows in every output unless --keep-secrets: "key-"
// and the first 12 hex digits of its SHA-256, the same on every run, so a
// client keyed by its credential is still one client, and the key itself
// is in no report. printf %s "$KEY" | sha256sum gives a key's label.
func KeyLabel(key []byte) string { return string(AppendKeyLabel(nil, key)) }

// AppendKeyLabel appends the label of key (KeyLabel) to dst.
func AppendKeyLabel(dst, key []byte) []byte {
	sum := sha256.Sum256(key)
	dst = append(dst, "key-"...)
	return hex.AppendEncode(dst, sum[:6])
}
