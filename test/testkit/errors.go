package testkit

import (
	"strings"
	"testing"
)

// Refusal asserts that Validate and the constructor refuse the same props with the same
// message (or both accept them), and returns that message: Validate() is the constructor's
// acceptance, not an approximation of it.
func Refusal(t *testing.T, validate func() error, construct func()) string {
	t.Helper()
	v := ErrString(validate())
	c := PanicMessage(construct)
	if v != c {
		t.Fatalf("Validate and the constructor disagree:\nValidate:    %q\nconstructor: %q", v, c)
	}
	return v
}

func ErrString(err error) string {
	if err == nil {
		return ""
	}
	return strings.TrimSpace(err.Error())
}
