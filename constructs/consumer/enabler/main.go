// Command enabler is the consumer's custom-resource Lambda: a preflight that checks the service
// before the endpoint is created, and the step that waits for acceptance and turns on private DNS.
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
	c := ec2.NewFromConfig(cfg)
	e := Enabler{Endpoints: c, Modify: c, Services: c, Subnets: c, Log: log}
	r := cfnresponse.Responder{Logger: log}
	lambda.Start(func(ctx context.Context, ev cfn.Event) error { return r.Handle(ctx, ev, e.Handle) })
}
