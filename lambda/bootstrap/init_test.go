package main

import (
	"flag"
	"testing"

	"github.com/privatelink-go/privatelink/internal/fakes/runtimeapi"
	"github.com/privatelink-go/privatelink/internal/spec/handler"
)

var initBinary = flag.String("init-binary", "", "time this bootstrap instead of the one built from the checkout (an older build, to compare)")

// BenchmarkInit times each handler's init through the local Runtime API: from starting the
// process to its first request for an invocation (docs/performance.md:
// go test ./lambda/bootstrap -run '^$' -bench Init -count 5).
func BenchmarkInit(b *testing.B) {
	bin := *initBinary
	if bin == "" {
		bin = runtimeapi.Binary(b)
	}
	for _, h := range handler.All {
		b.Run(h, func(b *testing.B) {
			var total float64
			for range b.N {
				total += float64(runtimeapi.InitDuration(b, bin, h).Microseconds()) / 1000
			}
			b.ReportMetric(total/float64(b.N), "init-ms")
			b.ReportMetric(0, "ns/op") // the loop also starts servers and kills processes
		})
	}
}
