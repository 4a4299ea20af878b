// Package acceptor is the acceptor Lambda's handler: it accepts pending connections to one
// endpoint service from allow-listed accounts, on a CloudFormation sweep, on a connection
// notification, and on a consumer stack's cross-account request. It runs in the library's one
// Lambda binary (lambda/bootstrap) as the handler named acceptor.
package acceptor

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

// Main serves the acceptor's invocations until the process ends, configured by the function's
// environment (SERVICE_ID, CROSS_REGION, ALLOWED_ACCOUNTS, NOT_ALLOWED).
func Main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	// Throttling and 5xx are retried with jittered backoff; the invocation's deadline bounds it all.
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 6
			o.MaxBackoff = 5 * time.Second
		})
	}))
	if err != nil {
		log.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	client := ec2.NewFromConfig(cfg)
	a := Acceptor{
		ServiceID:   os.Getenv("SERVICE_ID"),
		CrossRegion: os.Getenv("CROSS_REGION") == "true",
		Allowed:     list(os.Getenv("ALLOWED_ACCOUNTS")),
		NotAllowed:  Policy(os.Getenv("NOT_ALLOWED")),
		Describe:    client, Accept: client, Reject: client, Log: log,
	}
	h := Handler{Acceptor: a, Responder: cfnresponse.Responder{Logger: log}, Log: log}
	lambda.Start(h.Invoke)
}

func list(s string) []string { return strings.FieldsFunc(s, func(r rune) bool { return r == ',' }) }
