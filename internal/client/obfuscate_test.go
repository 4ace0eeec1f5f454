package client

import (
	"strings"
	"testing"
)

func TestObfuscateVector(t *testing.T) {
	got, err := Obfuscate("abcdefghijkl", "1389681124480")
	if err != nil {
		t.Fatal(err)
	}
	if got != "bceeiacieegc" {
		t.Fatalf("Obfuscate = %q, want the contract's vector bceeiacieegc", got)
	}
}

func TestObfuscateUsesOnlyTheLastSixDigits(t *testing.T) {
	a, err := Obfuscate("0123456789AB", "999000001")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Obfuscate("0123456789AB", "000001")
	if err != nil {
		t.Fatal(err)
	}
	// high 000001 -> "000001"; low 0 -> "000000" -> key[2] six times
	if a != b || a != "000001222222" {
		t.Fatalf("got %q and %q, want 000001222222 for both", a, b)
	}
}

func TestObfuscateRejectsBadInputWithoutEchoingIt(t *testing.T) {
	const secret = "Secr3tKey!x"
	for _, tc := range []struct{ name, key, ts string }{
		{"short key", secret, "1389681124480"},
		{"key with space", "abcdef ghijkl", "1389681124480"},
		{"non-ASCII key", "abcdéfghijklm", "1389681124480"},
		{"short timestamp", "abcdefghijkl", "12345"},
		{"non-digit timestamp", "abcdefghijkl", "13896811a4480"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Obfuscate(tc.key, tc.ts)
			if err == nil {
				t.Fatalf("Obfuscate accepted it: %q", out)
			}
			if tc.key != "" && strings.Contains(err.Error(), tc.key) {
				t.Fatalf("error repeats the key: %v", err)
			}
		})
	}
}

func FuzzObfuscate(f *testing.F) {
	f.Add("abcdefghijkl", "1389681124480")
	f.Add("AbCd12EfGh34", "000000")
	f.Add("AbCd12EfGh34XYZ", "999999")
	f.Add("short", "1")
	f.Add("abcdefghijkl", "-12345678")
	f.Fuzz(func(t *testing.T, key, ts string) {
		out, err := Obfuscate(key, ts)
		if err != nil {
			if len(key) >= 4 && strings.Contains(err.Error(), key) {
				t.Fatalf("error repeats the key")
			}
			return
		}
		if len(out) != 12 {
			t.Fatalf("len = %d, want 12", len(out))
		}
		// every character comes from the first 12 of the key
		for i := 0; i < len(out); i++ {
			if !strings.Contains(key[:12], out[i:i+1]) {
				t.Fatalf("output byte %d not from the key's first 12 characters", i)
			}
		}
		again, _ := Obfuscate(key, ts)
		if again != out {
			t.Fatal("not deterministic")
		}
	})
}
