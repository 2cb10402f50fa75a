package redact

import "testing"

func TestLooksSecret(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"OPENAI_API_KEY": true, "GITHUB_TOKEN": true, "DJANGO_SECRET": true, "PGPASSWORD": true,
		"DATABASE_URL": true, "db_password": true, "PORT": false, "PATH": false, "API_BASE": false,
	} {
		if got := LooksSecret(name); got != want {
			t.Errorf("LooksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"OPENAI_API_KEY": "sk-abc123def",
		"DATABASE_URL":   "postgres://u:pw123456@db/x",
		"MY_THING":       "hunter22",
		"API_BASE":       "https://api.example",
		"SHORT_TOKEN":    "ab",
		"INNER_TOKEN":    "pw123456",
		"PIP_INDEX_URL":  "https://builder:idx-tok-9876@pypi.internal/simple",
		"REDIS_URL":      "redis://:cache-pass-42@redis:6379/0",
		"HOMEPAGE":       "https://user@example.org/",
	}
	r := New(env, []string{"MY_THING"})
	tests := []struct{ in, want string }{
		{"", ""},
		{"key=sk-abc123def end", "key=[redacted] end"},
		{"connect postgres://u:pw123456@db/x failed", "connect [redacted] failed"},
		{"pw pw123456", "pw [redacted]"},
		{"user hunter22 logged", "user [redacted] logged"},
		{"base https://api.example", "base https://api.example"},
		{"ab stays (too short to mask)", "ab stays (too short to mask)"},
		{"twice sk-abc123def sk-abc123def", "twice [redacted] [redacted]"},
		// A URL's password is masked though the variable's name is not secret-looking.
		{"Looking in indexes: https://builder:idx-tok-9876@pypi.internal/simple", "Looking in indexes: https://builder:[redacted]@pypi.internal/simple"},
		{"auth with cache-pass-42 failed", "auth with [redacted] failed"},
		{"see https://user@example.org/", "see https://user@example.org/"},
	}
	for _, tc := range tests {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	var nilR *Redactor
	if got := nilR.String("sk-abc123def"); got != "sk-abc123def" {
		t.Errorf("nil redactor changed its input: %q", got)
	}
	if got := New(map[string]string{"PATH": "/usr/bin"}, nil).String("/usr/bin"); got != "/usr/bin" {
		t.Errorf("non-secret value masked: %q", got)
	}
	ss := r.Strings([]string{"a sk-abc123def", "b"})
	if ss[0] != "a [redacted]" || ss[1] != "b" {
		t.Errorf("Strings = %q", ss)
	}
}
