package diagnose

import (
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

func TestListenerAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l    result.Listener
		want string
	}{
		{result.Listener{Addr: "127.0.0.1:8080", Port: 8080}, "127.0.0.1:8080"},
		{result.Listener{Addr: "127.0.0.1", Port: 8080}, "127.0.0.1:8080"},
		{result.Listener{Addr: "[::1]:8000", Port: 8000}, "[::1]:8000"},
		{result.Listener{Addr: "::1", Port: 8000}, "[::1]:8000"},
		{result.Listener{Addr: "[::]", Port: 80}, "[::]:80"},
		{result.Listener{Addr: "0.0.0.0:8000", Port: 8080}, "0.0.0.0:8000"},
	}
	for _, tc := range tests {
		if got := listenerAddr(tc.l); got != tc.want {
			t.Errorf("listenerAddr(%+v) = %q, want %q", tc.l, got, tc.want)
		}
	}
}
