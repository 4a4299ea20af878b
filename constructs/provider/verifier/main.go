// Command verifier is the provider's custom-resource Lambda that starts private DNS name
// verification of an endpoint service and waits, within a bounded time, until it is verified.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/privatelink-go/privatelink/constructs/internal/cfnresponse"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	client := ec2.NewFromConfig(cfg)
	v := Verifier{Describe: client, Start: client, Log: log}
	r := cfnresponse.Responder{Logger: log}
	lambda.Start(func(ctx context.Context, ev cfn.Event) error {
		return r.Handle(ctx, ev, v.Handle)
	})
}
