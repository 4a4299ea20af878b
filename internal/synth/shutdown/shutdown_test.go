package shutdown

import (
	"fmt"
	"io"
	"os"
	"testing"
)

// What jsii-runtime-go's losing wait prints is dropped, glued to the next line as it is; any
// other output passes, in order.
func TestTheFalseAlarmIsDroppedAndEverythingElsePasses(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	real := os.Stderr
	os.Stderr = w
	withoutFalseAlarms(func() {
		fmt.Fprint(os.Stderr, "node says goodbye\n")
		fmt.Fprint(os.Stderr, "Runtime process exited abnormally: waitid: no child processes")
		fmt.Fprint(os.Stderr, "warning: could not clean up /tmp/jsii-runtime.123\n")
	})
	os.Stderr = real
	w.Close()
	got, _ := io.ReadAll(r)
	if want := "node says goodbye\nwarning: could not clean up /tmp/jsii-runtime.123\n"; string(got) != want {
		t.Errorf("stderr was %q, want %q", got, want)
	}
}
