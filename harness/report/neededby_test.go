package report

import "testing"

func TestNeededByNamesFewFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   []string
		want string
	}{
		{[]string{"/a/b/x.so"}, "x.so"},
		{[]string{"/a/x.so", "/b/y.so"}, "x.so, y.so"},
		{[]string{"/a/x.so", "/b/y.so", "/c/z.so", "/d/w.so"}, "x.so, y.so and 2 more"},
	}
	for _, c := range cases {
		if got := neededBy(c.in); got != c.want {
			t.Errorf("neededBy(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
