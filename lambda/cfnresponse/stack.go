package cfnresponse

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// StacksAPI is the CloudFormation call that tells a handler what its stack is doing.
type StacksAPI interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// StackStatus is the status of the stack stackID (its ARN, as a custom resource's StackId).
func StackStatus(ctx context.Context, api StacksAPI, stackID string) (cftypes.StackStatus, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stackID)})
	if err != nil {
		return "", fmt.Errorf("describe stack %s: %w", stackID, err)
	}
	if len(out.Stacks) != 1 {
		return "", fmt.Errorf("describe stack %s: expected one stack, got %d", stackID, len(out.Stacks))
	}
	return out.Stacks[0].StackStatus, nil
}
