package ingest

import (
	"bytes"

	"analyze/ingest/privacy"
)

// What the Scanner does to a record's secrets and identities, with
// package privacy's masks and pseudonyms: query secrets are masked in the
// line before parsing (Scanner.Next), fields named like a secret after it
// (maskSecretFields), an API key shows as its label (labelKey); with
// --anonymize, the anonymizer below gives the record's identities
// pseudonyms, and show's line the same (ShowLine).

// KeyLabel is how an API key logged as one (X-Api-Key, AWS API Gateway's
// identity.apiKey...) shows in every output unless --keep-secrets: see
// privacy.KeyLabel.
func KeyLabel(key []byte) string { return privacy.KeyLabel(key) }

// NewAnonymizeKey returns a random key, for pseudonyms stable within one
// run only.
func NewAnonymizeKey() []byte { return privacy.NewKey() }

// anonymizer gives one Scanner's records pseudonyms for their identities.
type anonymizer struct {
	*privacy.Pseudonyms
	identity map[string]bool // extra field names: whether each names an identity
	buf      []byte          // the current record's pseudonyms
}

func newAnonymizer(key []byte) *anonymizer {
	return &anonymizer{Pseudonyms: privacy.NewPseudonyms(key), identity: map[string]bool{}}
}

// apply replaces the record's identities by their pseudonyms; the new
// values live in the anonymizer's buffer until the next apply. A "-" or
// empty value (not logged) stays.
func (a *anonymizer) apply(r *Record) {
	a.buf = a.buf[:0]
	a.Reset()
	fields := []*[]byte{&r.Client, &r.User, &r.Credential}
	var spans [3][2]int
	for i, f := range fields {
		v := *f
		start := len(a.buf)
		if len(v) == 0 || len(v) == 1 && v[0] == '-' {
			spans[i] = [2]int{-1, -1}
			continue
		}
		a.buf = append(a.buf, a.Of(v)...)
		spans[i] = [2]int{start, len(a.buf)}
	}
	// X-Forwarded-For: each address of the list.
	xffStart := len(a.buf)
	if len(r.ForwardedFor) > 0 && !(len(r.ForwardedFor) == 1 && r.ForwardedFor[0] == '-') {
		a.buf = a.AppendForwarded(a.buf, r.ForwardedFor)
	}
	xffEnd := len(a.buf)
	// Extra fields that name an identity (an API-key header, a consumer,
	// a cookie...): each whole value.
	var extraSpans [][3]int // index, start, end
	for i, f := range r.Extra {
		if len(f.Value) == 0 || len(f.Value) == 1 && f.Value[0] == '-' {
			continue
		}
		isID, ok := a.identity[f.Name]
		if !ok {
			isID = privacy.IdentityName(f.Name)
			a.identity[f.Name] = isID
		}
		if !isID {
			continue
		}
		start := len(a.buf)
		a.buf = append(a.buf, a.Of(f.Value)...)
		extraSpans = append(extraSpans, [3]int{i, start, len(a.buf)})
	}
	// Only now take the slices: appending may have moved the buffer.
	for i, f := range fields {
		if spans[i][0] >= 0 {
			*f = a.buf[spans[i][0]:spans[i][1]:spans[i][1]]
		}
	}
	if xffEnd > xffStart {
		r.ForwardedFor = a.buf[xffStart:xffEnd:xffEnd]
	}
	for _, sp := range extraSpans {
		r.Extra[sp[0]].Value = a.buf[sp[1]:sp[2]:sp[2]]
	}
}

// scrubJSON returns a JSON line as show prints it under --anonymize (see
// privacy.WalkJSON for how it is walked): each value of an identity field by the
// format's mapping (kind: client, user, credential, X-Forwarded-For; an API
// key by its label when labelKeys), and each string or number value of an
// unmapped member whose name reads as an identity (privacy.IdentityName:
// "consumer", "user_id", "x-api-key"...), becomes its pseudonym; in the
// other strings the record's replaced values are replaced too. ok is false
// for a line that is not valid JSON.
func (a *anonymizer) scrubJSON(line []byte, kind func(path []byte) fieldKind, labelKeys bool) (out []byte, ok bool) {
	return privacy.WalkJSON(line, func(path, name, v []byte, str bool) []byte {
		switch k := kind(path); {
		case len(v) == 0 || string(v) == "-":
		case k == kForwardedFor && str:
			return a.AppendForwarded(nil, v)
		case k == kAPIKey && labelKeys:
			return []byte(a.Of(privacy.AppendKeyLabel(nil, v)))
		case (k == kIgnore || k == kExtra) && str && labelKeys && privacy.SecretField(string(name)):
			return privacy.MaskValue(bytes.Clone(v))
		case k == kClient || k == kUser || k == kCredential || k == kAPIKey,
			(k == kIgnore || k == kExtra) && privacy.IdentityName(string(name)):
			return []byte(a.Of(v))
		case str:
			var nv []byte
			for _, pair := range a.Pairs() {
				if len(pair.Value) > 0 && bytes.Contains(v, pair.Value) {
					if nv == nil {
						nv = bytes.Clone(v)
					}
					nv = bytes.ReplaceAll(nv, pair.Value, []byte(pair.Pseudonym))
				}
			}
			return nv
		}
		return nil
	})
}

// maskJSONSecrets returns a JSON line as show prints it by default: the
// string values of members named like a secret (privacy.SecretField:
// "authorization", "password", "x-auth-token"...) masked, an API key shown
// as its label. ok is false for a line that is not valid JSON.
func maskJSONSecrets(line []byte, kind func(path []byte) fieldKind) (out []byte, ok bool) {
	return privacy.WalkJSON(line, func(path, name, v []byte, str bool) []byte {
		switch k := kind(path); {
		case !str || len(v) == 0 || string(v) == "-":
		case k == kAPIKey:
			return privacy.AppendKeyLabel(nil, v)
		case (k == kIgnore || k == kExtra) && privacy.SecretField(string(name)):
			return privacy.MaskValue(bytes.Clone(v))
		}
		return nil
	})
}
