package railpack

import (
	"errors"
	"reflect"
	"testing"
)

func TestAddDeployAptPackages(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantApt        []string
	}{
		{
			name:    "no file",
			in:      "",
			want:    "{\n  \"$schema\": \"https://schema.railpack.com\",\n  \"deploy\": {\n    \"aptPackages\": [\"...\", \"libgomp1\"]\n  }\n}\n",
			wantApt: []string{"...", "libgomp1"},
		},
		{
			name:    "no deploy key, comments kept",
			in:      "{\n  // pinned for the workers\n  \"packages\": {\"python\": \"3.12\"}\n}\n",
			want:    "{\n  \"deploy\": {\n    \"aptPackages\": [\"...\", \"libgomp1\"]\n  },\n  // pinned for the workers\n  \"packages\": {\"python\": \"3.12\"}\n}\n",
			wantApt: []string{"...", "libgomp1"},
		},
		{
			name:    "empty object",
			in:      "{}\n",
			want:    "{\n  \"deploy\": {\n    \"aptPackages\": [\"...\", \"libgomp1\"]\n  }\n}\n",
			wantApt: []string{"...", "libgomp1"},
		},
		{
			name:    "deploy without aptPackages",
			in:      `{"deploy": {"startCommand": "gunicorn app:app"}}`,
			want:    `{"deploy": {"aptPackages": ["...", "libgomp1"], "startCommand": "gunicorn app:app"}}`,
			wantApt: []string{"...", "libgomp1"},
		},
		{
			name:    "a list without ... gets it back (railpack #637)",
			in:      "{\n  \"deploy\": {\n    \"aptPackages\": [\"libxml2\"] // lxml\n  }\n}\n",
			want:    "{\n  \"deploy\": {\n    \"aptPackages\": [\"...\", \"libxml2\", \"libgomp1\"] // lxml\n  }\n}\n",
			wantApt: []string{"...", "libxml2", "libgomp1"},
		},
		{
			name:    "already listed",
			in:      `{"deploy": {"aptPackages": ["libgomp1", "..."]}}`,
			want:    `{"deploy": {"aptPackages": ["libgomp1", "..."]}}`,
			wantApt: []string{"libgomp1", "..."},
		},
		{
			name:    "a string where the list belongs",
			in:      `{"deploy": {"aptPackages": "libxml2 libxslt1.1"}}`,
			want:    `{"deploy": {"aptPackages": ["...", "libxml2", "libxslt1.1", "libgomp1"]}}`,
			wantApt: []string{"...", "libxml2", "libxslt1.1", "libgomp1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AddDeployAptPackages("railpack.json", []byte(tc.in), "libgomp1")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			cfg, problems := ParseConfig("railpack.json", got)
			if len(problems) > 0 {
				t.Fatalf("the edited file does not parse: %v", problems)
			}
			if !reflect.DeepEqual(cfg.Deploy.AptPackages, tc.wantApt) {
				t.Errorf("deploy.aptPackages = %q, want %q", cfg.Deploy.AptPackages, tc.wantApt)
			}
		})
	}
	for _, bad := range []string{`{"deploy": `, `["x"]`, `{"deploy": "libgomp1"}`} {
		var ce *ConfigError
		if _, err := AddDeployAptPackages("railpack.json", []byte(bad), "libgomp1"); !errors.As(err, &ce) {
			t.Errorf("%s: want a *ConfigError, got %v", bad, err)
		}
	}
}
