package sealed

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The test vectors of RFC 3394, section 4.
func TestKeyWrapRFC3394(t *testing.T) {
	tests := []struct {
		name, kek, data, wrapped string
	}{
		{"4.1 128-bit data, 128-bit KEK",
			"000102030405060708090A0B0C0D0E0F",
			"00112233445566778899AABBCCDDEEFF",
			"1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"},
		{"4.2 128-bit data, 192-bit KEK",
			"000102030405060708090A0B0C0D0E0F1011121314151617",
			"00112233445566778899AABBCCDDEEFF",
			"96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"},
		{"4.3 128-bit data, 256-bit KEK",
			"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
			"00112233445566778899AABBCCDDEEFF",
			"64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"},
		{"4.6 256-bit data, 256-bit KEK",
			"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
			"00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
			"28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block, err := aes.NewCipher(unhex(t, tt.kek))
			if err != nil {
				t.Fatal(err)
			}
			data, want := unhex(t, tt.data), unhex(t, tt.wrapped)
			if got := wrapKey(block, data); !bytes.Equal(got, want) {
				t.Errorf("wrap = %X, want %X", got, want)
			}
			got, err := unwrapKey(block, want)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("unwrap = %X, %v; want %X", got, err, data)
			}
		})
	}
}

func TestKeyUnwrapRejects(t *testing.T) {
	block, _ := aes.NewCipher(make([]byte, 32))
	other, _ := aes.NewCipher(bytes.Repeat([]byte{1}, 32))
	wrapped := wrapKey(block, bytes.Repeat([]byte{7}, 32))
	for bit := 0; bit < 8*len(wrapped); bit++ {
		w := bytes.Clone(wrapped)
		w[bit/8] ^= 1 << (bit % 8)
		if k, err := unwrapKey(block, w); err == nil {
			t.Fatalf("bit %d flipped: unwrap gave %X", bit, k)
		}
	}
	if _, err := unwrapKey(other, wrapped); err == nil {
		t.Error("unwrap under another KEK succeeded")
	}
	for _, n := range []int{0, 8, 16, 39, 41} {
		if _, err := unwrapKey(block, make([]byte, n)); err == nil {
			t.Errorf("unwrap of %d bytes succeeded", n)
		}
	}
}
