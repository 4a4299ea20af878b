package enabler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/privatelink-go/privatelink/internal/spec/acceptance"
)

// denyKind finds the policy type in IAM's explicit-deny message.
var denyKind = regexp.MustCompile(`explicit deny in an? ([a-zA-Z -]+?) policy`)

// explicitDeny is an authorization error that waiting does not cure (no Unwrap: RetryAuth must
// not see the API error inside).
type explicitDeny struct{ msg string }

func (e explicitDeny) Error() string { return e.msg }

// InvokeAPI is the Lambda call that sends an acceptance request.
type InvokeAPI interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// notReady are the errors of an Invoke of a function that is not ready yet: one in a VPC that
// went Inactive after idling ("When you try to invoke a function that is inactive, the
// invocation fails and Lambda sets the function to pending state until the function resources
// are recreated", Lambda Developer Guide, "Lambda function states"; the Lambda API model's
// ResourceNotReadyException: "The function is inactive and its VPC connection is no longer
// available. Wait for the VPC connection to reestablish and try again"), or being (re)created
// (ENINotReadyException; CodeArtifactUserPendingException, "Lambda is initializing your
// function", aws-cdk#20123). A provider under Control Tower strict runs its acceptor in a VPC;
// its daily keep-active invocation (handler.KeepActive) should keep it Active, and this covers
// the rest: that rule disabled by hand, a request racing the function's creation.
var notReady = []string{"ResourceNotReadyException", "ENINotReadyException", "CodeArtifactUserPendingException"}

// invokeWhenReady invokes in, retrying every 10 s while the function is not ready (notReady), up
// to NotReadyWait and never past 30 s before ctx's deadline: Lambda creates a VPC function's
// network interfaces again within minutes.
func (e Enabler) invokeWhenReady(ctx context.Context, region string, in *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
	budget := e.NotReadyWait
	if budget == 0 {
		budget = 4 * time.Minute
	}
	deadline := time.Now().Add(budget)
	if d, ok := ctx.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second)
	}
	delay := min(10*time.Second, budget/10)
	for {
		out, err := e.Lambda(region).Invoke(ctx, in)
		var apiErr smithy.APIError
		if err == nil || !errors.As(err, &apiErr) || !slices.Contains(notReady, apiErr.ErrorCode()) || time.Now().Add(delay).After(deadline) {
			return out, err
		}
		e.Log.Warn("the acceptor is not ready (a function in a VPC idle for long is re-creating its network interfaces); retrying", "code", apiErr.ErrorCode())
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(delay):
		}
	}
}

// requestAcceptance asks the provider's acceptor, through its alias for this account
// (AcceptorArn, arn:…:function:<name>:consumer-<account>), to accept the endpoint, and waits for
// the answer: a synchronous invocation, bounded by the acceptor's own timeout. The same call
// serves a consumer in the provider's Region and one in another (the client goes to the ARN's
// Region), where a custom resource's ServiceToken could not name the acceptor.
func (e Enabler) requestAcceptance(ctx context.Context, rp map[string]any) (string, map[string]any, error) {
	arn, endpointID := str(rp, "AcceptorArn"), str(rp, "VpcEndpointId")
	parts := strings.Split(arn, ":")
	if len(parts) != 8 || parts[2] != "lambda" || acceptance.AccountOf(arn) == "" {
		return endpointID, nil, fmt.Errorf("AcceptorArn %q is not the ARN of an acceptor's alias for a consumer account (arn:<partition>:lambda:<region>:<account>:function:<name>:%s<account>)", arn, acceptance.AliasPrefix)
	}
	region, account := parts[3], parts[4]
	where := fmt.Sprintf("the provider's acceptor %s (account %s, Region %s)", strings.Join(parts[:7], ":"), account, region)
	payload, _ := json.Marshal(map[string]any{acceptance.RequestKey: acceptance.Request{VpcEndpointId: endpointID}})
	var out *lambda.InvokeOutput
	// The grant to invoke was attached to this function's role just before: IAM may lag. An
	// explicit deny (a service control policy, say) does not pass by waiting.
	err := e.retryAuth(ctx, e.Log, func() (err error) {
		out, err = e.invokeWhenReady(ctx, region, &lambda.InvokeInput{FunctionName: aws.String(arn), Payload: payload})
		// IAM's message names the policy type: "… with an explicit deny in a service control
		// policy" (IAM User Guide, "Troubleshoot access denied error messages").
		var ae smithy.APIError
		if errors.As(err, &ae) && strings.EqualFold(ae.ErrorCode(), "AccessDeniedException") && strings.Contains(strings.ToLower(ae.ErrorMessage()), "explicit deny") {
			return explicitDeny{err.Error()}
		}
		return err
	})
	var apiErr smithy.APIError
	var deny explicitDeny
	switch {
	case errors.As(err, &deny):
		kind := "a policy"
		if m := denyKind.FindStringSubmatch(deny.msg); m != nil {
			kind = "a " + m[1] + " policy"
		}
		return endpointID, nil, fmt.Errorf("%s of this account explicitly denies invoking %s (a cross-region consumer calls Lambda in %s: a Region deny denies that): allow lambda:InvokeFunction on %s there, or leave AcceptorArn empty to be accepted on the provider's Connect notification: %s", kind, where, region, arn, deny.msg)
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ResourceNotFoundException":
		return endpointID, nil, fmt.Errorf("%s has no alias %s: deploy the provider stack first, with this account (%s) among its allowed principals: %w", where, parts[7], acceptance.AccountOf(arn), err)
	case errors.As(err, &apiErr) && strings.HasPrefix(apiErr.ErrorCode(), "AccessDenied"):
		return endpointID, nil, fmt.Errorf("this account may not invoke %s: is it (%s) among the provider's allowed principals, with the provider stack deployed since? %w", where, acceptance.AccountOf(arn), err)
	case err != nil:
		return endpointID, nil, fmt.Errorf("ask %s to accept %s: %w", where, endpointID, err)
	case out.FunctionError != nil:
		// Lambda's error payload: {"errorMessage": …, "errorType": …} (Lambda Developer Guide,
		// "AWS Lambda function errors in Go").
		var fe struct{ ErrorMessage string }
		_ = json.Unmarshal(out.Payload, &fe)
		return endpointID, nil, fmt.Errorf("%s did not accept %s: %s", where, endpointID, fe.ErrorMessage)
	}
	var answer acceptance.Answer
	serviceName := str(rp, "ServiceName")
	switch err := json.Unmarshal(out.Payload, &answer); {
	case err != nil || answer.ServiceId == "":
		return endpointID, nil, fmt.Errorf("%s answered %s for %s, which is no acceptance answer", where, out.Payload, endpointID)
	case serviceName != "" && !strings.HasSuffix(serviceName, "."+answer.ServiceId):
		return endpointID, nil, fmt.Errorf("%s decides for service %s, but this endpoint's service is %s: AcceptorArn names another provider's acceptor; give the acceptor of the stack that owns %s", where, answer.ServiceId, serviceName, serviceName)
	case answer.Refused != "":
		return endpointID, nil, fmt.Errorf("%s did not accept %s: %s", where, endpointID, answer.Refused)
	case answer.NotVisible:
		// The acceptor's Connect notification decides once EC2 lists the connection; the
		// private DNS step waits for that acceptance, and says so if it never comes.
		e.Log.Warn("the provider does not see the connection yet; its notification will accept it", "vpcEndpointId", endpointID, "acceptor", arn)
		return endpointID, map[string]any{"State": "not visible to the provider yet", "ServiceId": answer.ServiceId}, nil
	}
	e.Log.Info("accepted by the provider", "vpcEndpointId", endpointID, "state", answer.State, "serviceId", answer.ServiceId, "acceptor", arn)
	return endpointID, map[string]any{"State": answer.State, "ServiceId": answer.ServiceId}, nil
}
