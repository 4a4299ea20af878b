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

// WantValidation fails t unless err is what a validation table case wants: no error when want is
// "", else an error containing each of prefix and want.
func WantValidation(t *testing.T, err error, want string, prefix ...string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	MustContain(t, ErrString(err), append(prefix, want)...)
}
