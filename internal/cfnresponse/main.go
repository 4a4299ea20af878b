package cfnresponse

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Main is the whole main function of a Lambda that only serves custom resources: JSON logs on
// stdout, the AWS configuration from the function's environment (SDK standard retries), and
// every request answered through a Responder. handler builds the work from the two.
func Main(handler func(cfg aws.Config, log *slog.Logger) Func) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	fn := handler(cfg, log)
	r := Responder{Logger: log}
	lambda.Start(func(ctx context.Context, ev cfn.Event) error { return r.Handle(ctx, ev, fn) })
}
