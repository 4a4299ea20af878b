package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
	"github.com/privatelink-go/privatelink/lambda/connections"
)

// stackAPI is what the cleaner asks CloudFormation: is the stack, or the service in it, going away?
type stackAPI interface {
	cfnresponse.StacksAPI
	DescribeStackResource(context.Context, *cloudformation.DescribeStackResourceInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourceOutput, error)
	GetTemplate(context.Context, *cloudformation.GetTemplateInput, ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error)
}

// Cleaner answers Custom::EndpointServiceCleanup. When the endpoint service itself goes away —
// the stack is deleted, or the service was replaced (a new ServiceId gives a new physical ID, and
// CloudFormation deletes the old one in the cleanup phase, after the update succeeded) — its
// Delete rejects the connections that would make DeleteVpcEndpointServiceConfigurations fail. A
// Delete of the cleanup resource alone (a rollback of the update that added it, a template that
// drops it) must not cut off consumers of a service that stays, and a rejected connection cannot
// be accepted again: so before rejecting, it asks CloudFormation whether the service is going.
// An update that keeps the service keeps the physical ID, so it never touches a connection.
type Cleaner struct {
	Describe connections.DescribeAPI
	Reject   connections.RejectAPI
	Stacks   stackAPI
	// CrossRegion: the service has SupportedRegions, so connections from other Regions are
	// listed too (vpc-endpoint-region=cross-region).
	CrossRegion bool
	Log         *slog.Logger
}

// blocking are the connection states in which EC2 refuses to delete the service (EC2 API
// reference, DeleteVpcEndpointServiceConfigurations: "you must first reject any
// pendingAcceptance or available connections"); pending is on its way to available.
var blocking = []types.State{types.StatePendingAcceptance, types.StatePending, types.StateAvailable}

func cleanupID(serviceID string) string { return serviceID + "/cleanup" }

// Handle is the custom-resource work function.
func (c Cleaner) Handle(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	if ev.RequestType != cfn.RequestDelete {
		serviceID, _ := ev.ResourceProperties["ServiceId"].(string)
		if !strings.HasPrefix(serviceID, "vpce-svc-") {
			return "", nil, fmt.Errorf("ServiceId %q is not an endpoint service ID (vpce-svc-…)", serviceID)
		}
		return cleanupID(serviceID), nil, nil
	}
	// The service is the one this physical ID was made for, whatever the properties say.
	serviceID, ok := strings.CutSuffix(ev.PhysicalResourceID, "/cleanup")
	log := c.Log.With("serviceId", serviceID, "physicalResourceId", ev.PhysicalResourceID)
	if !ok || !strings.HasPrefix(serviceID, "vpce-svc-") {
		// A create that failed before it named a service: nothing of ours to clean up.
		log.Info("nothing to clean up")
		return ev.PhysicalResourceID, nil, nil
	}
	logicalID, _ := ev.ResourceProperties["ServiceLogicalId"].(string)
	going, why := c.serviceGoing(ctx, ev.StackID, logicalID, serviceID)
	log.Info("is the service going away?", "going", going, "why", why)
	if !going {
		return ev.PhysicalResourceID, nil, nil
	}
	if err := c.rejectBlocking(ctx, serviceID, log); err != nil {
		// Deletes never block the stack: CloudFormation's own deletion of the service then
		// reports what is left, and the log says what we tried.
		log.Warn("could not reject every blocking connection; the service deletion may fail", "error", err.Error())
	}
	return ev.PhysicalResourceID, nil, nil
}

// serviceGoing tells whether CloudFormation is deleting serviceID: the stack is being deleted or
// rolls back its first create (CloudFormation User Guide, stack status codes: ROLLBACK_IN_PROGRESS
// is the "removal of one or more stacks after a failed stack creation"), the stack's current
// template no longer has the service (its construct was removed or renamed, so the update's
// cleanup deletes it), or the stack's resource logicalID is now another service (replaced) or is
// being deleted. When CloudFormation cannot say, the answer is no: a connection left behind only
// makes the service deletion fail with AWS's own message, while a wrongly rejected one cuts a
// consumer off.
func (c Cleaner) serviceGoing(ctx context.Context, stackID, logicalID, serviceID string) (bool, string) {
	status, err := cfnresponse.StackStatus(ctx, c.Stacks, stackID)
	if err != nil {
		return false, err.Error()
	}
	switch status {
	case cftypes.StackStatusDeleteInProgress:
		return true, "the stack is being deleted"
	case cftypes.StackStatusRollbackInProgress:
		return true, "the stack's first create is rolling back, which deletes every resource"
	}
	if logicalID == "" {
		return false, "no ServiceLogicalId property"
	}
	if has, err := c.inTemplate(ctx, stackID, logicalID); err == nil && !has {
		return true, logicalID + " is no longer in the stack's template"
	}
	res, err := c.Stacks.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String(stackID), LogicalResourceId: aws.String(logicalID)})
	if err != nil || res.StackResourceDetail == nil {
		return false, fmt.Sprintf("describe resource %s: %v", logicalID, err)
	}
	d := res.StackResourceDetail
	switch {
	case aws.ToString(d.PhysicalResourceId) != serviceID:
		return true, "the stack's " + logicalID + " is now " + aws.ToString(d.PhysicalResourceId) + ": the service was replaced"
	case strings.HasPrefix(string(d.ResourceStatus), "DELETE_"):
		return true, logicalID + " is " + string(d.ResourceStatus)
	}
	return false, logicalID + " stays (" + string(d.ResourceStatus) + ")"
}

// inTemplate reports whether the stack's current template (GetTemplate, Processed stage: after
// any transform) has a resource logicalID. A template that is not JSON (CDK writes JSON) is an
// error: the caller then decides from the resource's status alone.
func (c Cleaner) inTemplate(ctx context.Context, stackID, logicalID string) (bool, error) {
	out, err := c.Stacks.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(stackID), TemplateStage: cftypes.TemplateStageProcessed})
	if err != nil {
		c.Log.Warn("could not read the stack's template", "error", err.Error())
		return false, err
	}
	var tpl struct{ Resources map[string]json.RawMessage }
	if err := json.Unmarshal([]byte(aws.ToString(out.TemplateBody)), &tpl); err != nil || tpl.Resources == nil {
		return false, fmt.Errorf("the stack's template has no JSON Resources: %v", err)
	}
	_, ok := tpl.Resources[logicalID]
	return ok, nil
}

func (c Cleaner) rejectBlocking(ctx context.Context, serviceID string, log *slog.Logger) error {
	conns, err := connections.List(ctx, c.Describe, serviceID, c.CrossRegion)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && strings.HasPrefix(apiErr.ErrorCode(), "InvalidVpcEndpointServiceId") {
		return nil // the service is already gone
	}
	if err != nil {
		return err
	}
	var ids []string
	for _, conn := range conns {
		for _, s := range blocking {
			if connections.Same(conn.VpcEndpointState, s) {
				id := aws.ToString(conn.VpcEndpointId)
				log.Warn("rejecting connection so the service can be deleted", "vpcEndpointId", id, "owner", aws.ToString(conn.VpcEndpointOwner), "state", string(conn.VpcEndpointState))
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		log.Info("no connection blocks the deletion")
		return nil
	}
	return connections.Reject(ctx, c.Reject, serviceID, ids, log)
}
