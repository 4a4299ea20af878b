package app

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
)

// BenchmarkSynthApp times one synthesis of the two-account app on its defaults (warm Lambda
// build cache). Run: make bench.
func BenchmarkSynthApp(b *testing.B) {
	for range b.N {
		dir, _ := os.MkdirTemp("", "bench-")
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
		app.Node().SetContext(jsii.String("outputsFile"), "testdata/no-such-outputs.json")
		if _, err := privatelinkapp.Build(app); err != nil {
			b.Fatal(err)
		}
		app.Synth(nil)
		os.RemoveAll(dir)
	}
}
