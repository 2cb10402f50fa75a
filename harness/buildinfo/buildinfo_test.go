package buildinfo

import "testing"

func TestSatisfies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v, req  string
		ok, dev bool
		bad     bool
	}{
		{v: "v0.3.0", req: ">= 0.3", ok: true},
		{v: "v0.3.0", req: ">=0.3.1"},
		{v: "v0.2.9", req: ">= 0.3"},
		{v: "v1.0.0", req: ">= 0.3", ok: true},
		{v: "v0.3.1-0.20261201120000-abcdefabcdef", req: ">= 0.3", ok: true},
		{v: "v0.3.1-0.20261201120000-abcdefabcdef", req: ">= 0.3.1"},
		{v: "v0.4.0+dirty", req: ">= 0.4", ok: true},
		{v: "(devel)", req: ">= 9.9", ok: true, dev: true},
		{v: "v0.0.0-20261201120000-abcdefabcdef", req: ">= 0.1", ok: true, dev: true},
		{v: "v0.3.0", req: "0.3", bad: true},
		{v: "v0.3.0", req: "> 0.3", bad: true},
		{v: "v0.3.0", req: ">= latest", bad: true},
	} {
		ok, dev, err := Satisfies(tc.v, tc.req)
		if tc.bad != (err != nil) || ok != tc.ok || dev != tc.dev {
			t.Errorf("Satisfies(%q, %q) = %v, %v, %v; want ok %v dev %v bad %v", tc.v, tc.req, ok, dev, err, tc.ok, tc.dev, tc.bad)
		}
	}
}
