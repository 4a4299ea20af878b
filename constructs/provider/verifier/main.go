// Command verifier is the provider's custom-resource Lambda that starts private DNS name
// verification of an endpoint service and waits, within a bounded time, until it is verified.
package main

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/privatelink-go/privatelink/constructs/internal/cfnresponse"
)

func main() {
	cfnresponse.Main(func(cfg aws.Config, log *slog.Logger) cfnresponse.Func {
		c := ec2.NewFromConfig(cfg)
		return Verifier{Describe: c, Start: c, Log: log}.Handle
	})
}
