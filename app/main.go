// Command app synthesizes the two-account PrivateLink app into cdk.out (or $CDK_OUTDIR when the
// CDK CLI runs it). Configuration: cdk.json context, overridable with -c key=value.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/app/privatelinkapp"
	"github.com/privatelink-go/privatelink/internal/synth/gobuild"
	"github.com/privatelink-go/privatelink/internal/synth/shutdown"
)

func main() {
	// On a panic (a bug: bad input is an error below), jsii still stops.
	defer jsii.Close()
	outdir := os.Getenv("CDK_OUTDIR")
	if outdir == "" {
		outdir = "cdk.out"
	}
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(outdir),
		// Construct stack traces from Go point into the jsii kernel (program.js), never at the
		// caller's code; the CLI printed that useless location above every warning.
		StackTraces: jsii.Bool(false),
	})
	if _, err := privatelinkapp.Build(app); err != nil {
		fmt.Fprintln(os.Stderr, err)
		shutdown.Exit(1, gobuild.Cleanup)
	}
	app.Synth(nil)
	// The assembly holds copies of the Lambda binaries; their build directories can go.
	shutdown.Exit(0, gobuild.Cleanup)
}
