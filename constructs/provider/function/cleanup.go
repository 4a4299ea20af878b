package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/privatelink-go/privatelink/constructs/internal/connections"
)

// Cleaner answers Custom::EndpointServiceCleanup. Its Delete arrives when the endpoint service
// itself goes away — the stack is deleted, or the service was replaced (a new ServiceId gives a
// new physical ID, and CloudFormation deletes the old one in the cleanup phase, after the update
// succeeded) — and rejects the connections that would make DeleteVpcEndpointServiceConfigurations
// fail. An update that keeps the service keeps the physical ID, so it never touches a connection.
type Cleaner struct {
	Describe connections.DescribeAPI
	Reject   connections.RejectAPI
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
	serviceID, _ := ev.ResourceProperties["ServiceId"].(string)
	if ev.RequestType != cfn.RequestDelete {
		if !strings.HasPrefix(serviceID, "vpce-svc-") {
			return "", nil, fmt.Errorf("ServiceId %q is not an endpoint service ID (vpce-svc-…)", serviceID)
		}
		return cleanupID(serviceID), nil, nil
	}
	log := c.Log.With("serviceId", serviceID, "physicalResourceId", ev.PhysicalResourceID)
	if ev.PhysicalResourceID != cleanupID(serviceID) {
		// A create that failed before it named this service: nothing of ours to clean up.
		log.Info("nothing to clean up")
		return ev.PhysicalResourceID, nil, nil
	}
	if err := c.rejectBlocking(ctx, serviceID, log); err != nil {
		// Deletes never block the stack: CloudFormation's own deletion of the service then
		// reports what is left, and the log says what we tried.
		log.Warn("could not reject every blocking connection; the service deletion may fail", "error", err.Error())
	}
	return ev.PhysicalResourceID, nil, nil
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
