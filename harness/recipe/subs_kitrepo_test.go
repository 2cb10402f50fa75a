package recipe

import "testing"

func TestWithKitRepo(t *testing.T) {
	t.Parallel()
	s := Offline().WithKitRepo("bmtest-kit")
	if got := s.Images["python:3.13-slim"]; got != "bmtest-kit/python:3.13-slim" {
		t.Errorf("python:3.13-slim -> %q", got)
	}
	if s.Wheelhouse != "bmtest-kit/wheelhouse:latest" {
		t.Errorf("wheelhouse %q", s.Wheelhouse)
	}
	if Offline().Images["python:3.13-slim"] != KitRepo+"/python:3.13-slim" {
		t.Error("WithKitRepo changed the table it was called on")
	}
	if on := Online(nil).WithKitRepo("bmtest-kit"); on.Images["python:3.13-slim"] != "python:3.13-slim" {
		t.Errorf("online table rewritten: %v", on.Images)
	}
}
