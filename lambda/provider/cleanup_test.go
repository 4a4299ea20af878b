package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/privatelink-go/privatelink/internal/fakes/cfntest"
	"github.com/privatelink-go/privatelink/internal/fakes/ec2fake"
)

// connection is one endpoint connection of the service; crossRegion marks an endpoint in
// another Region.
type connection struct {
	id, state   string
	crossRegion bool
}

// serveConnections answers DescribeVpcEndpointConnections with conns in EC2's XML and records
// rejections. Rules, from the EC2 API reference of DescribeVpcEndpointConnections: the
// service-id filter selects the service; "vpc-endpoint-region - The Region of the endpoint or
// cross-region to find endpoints for other Regions" selects cross-region ones (whether an
// unfiltered call includes them is not documented: the fake takes the stricter reading, it does
// not). RejectVpcEndpointConnections answers Unsuccessful items for IDs it does not know.
func serveConnections(t *testing.T, conns []connection) (*ec2fake.Server, *[]string) {
	srv := ec2fake.New(t)
	var rejected []string
	srv.On("DescribeVpcEndpointConnections", func(f url.Values) (int, string) {
		filters := map[string]string{}
		for i := 1; f.Get(fmt.Sprintf("Filter.%d.Name", i)) != ""; i++ {
			filters[f.Get(fmt.Sprintf("Filter.%d.Name", i))] = f.Get(fmt.Sprintf("Filter.%d.Value.1", i))
		}
		var b strings.Builder
		b.WriteString("<vpcEndpointConnectionSet>")
		for _, c := range conns {
			if filters["service-id"] != serviceID || c.crossRegion != (filters["vpc-endpoint-region"] == "cross-region") {
				continue
			}
			fmt.Fprintf(&b, `<item><serviceId>%s</serviceId><vpcEndpointId>%s</vpcEndpointId><vpcEndpointOwner>222222222222</vpcEndpointOwner><vpcEndpointState>%s</vpcEndpointState></item>`, serviceID, c.id, c.state)
		}
		b.WriteString("</vpcEndpointConnectionSet>")
		return ec2fake.OK("DescribeVpcEndpointConnections", b.String())
	})
	srv.On("RejectVpcEndpointConnections", func(f url.Values) (int, string) {
		for i := 1; f.Get(fmt.Sprintf("VpcEndpointId.%d", i)) != ""; i++ {
			rejected = append(rejected, f.Get(fmt.Sprintf("VpcEndpointId.%d", i)))
		}
		return ec2fake.OK("RejectVpcEndpointConnections", "<unsuccessful/>")
	})
	return srv, &rejected
}

func cleanupEvent(kind cfn.RequestType, physicalID, service string) cfn.Event {
	ev := cfntest.Event(kind, "Custom::EndpointServiceCleanup", map[string]any{"ServiceId": service, "ServiceLogicalId": "Service"})
	ev.PhysicalResourceID = physicalID
	return ev
}

// stack is CloudFormation's view for DescribeStacks and DescribeStackResource: the stack's
// status and the physical ID and status of its resource "Service" (CloudFormation API reference:
// StackStatus, StackResourceDetail.PhysicalResourceId and ResourceStatus). A non-nil err answers
// every call with it.
type stack struct {
	status        cftypes.StackStatus
	service       string
	serviceStatus cftypes.ResourceStatus
	err           error
	// removed: the stack's current template (GetTemplate) no longer has "Service".
	removed bool
	// noTemplate: GetTemplate fails (AccessDenied from a role without it).
	noTemplate bool
}

func (s stack) GetTemplate(context.Context, *cloudformation.GetTemplateInput, ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error) {
	switch {
	case s.err != nil:
		return nil, s.err
	case s.noTemplate:
		return nil, errors.New("AccessDenied")
	case s.removed:
		return &cloudformation.GetTemplateOutput{TemplateBody: aws.String(`{"Resources":{"Other":{"Type":"AWS::SNS::Topic"}}}`)}, nil
	}
	return &cloudformation.GetTemplateOutput{TemplateBody: aws.String(`{"Resources":{"Service":{"Type":"AWS::EC2::VPCEndpointService"}}}`)}, nil
}

func (s stack) DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if s.err != nil {
		return nil, s.err
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{{StackStatus: s.status}}}, nil
}

func (s stack) DescribeStackResource(_ context.Context, in *cloudformation.DescribeStackResourceInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourceOutput, error) {
	if s.err != nil {
		return nil, s.err
	}
	if aws.ToString(in.LogicalResourceId) != "Service" {
		return nil, errors.New("ValidationError: Resource " + aws.ToString(in.LogicalResourceId) + " does not exist for stack")
	}
	return &cloudformation.DescribeStackResourceOutput{StackResourceDetail: &cftypes.StackResourceDetail{PhysicalResourceId: aws.String(s.service), ResourceStatus: s.serviceStatus}}, nil
}

var stackDeleting = stack{status: cftypes.StackStatusDeleteInProgress, service: serviceID, serviceStatus: cftypes.ResourceStatusCreateComplete}

func TestCleanupRejectsWhatBlocksTheServiceDeletionOnDeleteOnly(t *testing.T) {
	conns := []connection{
		{id: "vpce-pending", state: "pendingAcceptance"}, {id: "vpce-accepting", state: "pending"},
		{id: "vpce-available", state: "available"}, {id: "vpce-away", state: "available", crossRegion: true},
		{id: "vpce-rejected", state: "rejected"}, {id: "vpce-deleted", state: "deleted"},
	}
	all := []string{"vpce-pending", "vpce-accepting", "vpce-available", "vpce-away"}
	cases := []struct {
		name        string
		ev          cfn.Event
		stack       stack
		crossRegion bool
		wantID      string
		wantReject  []string
		wantCalls   int
	}{
		{name: "deleting the stack rejects pending and available connections, cross-region ones too",
			ev: cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID), stack: stackDeleting, crossRegion: true, wantID: serviceID + "/cleanup",
			wantReject: all, wantCalls: 3},
		{name: "the old cleanup of a replaced service rejects that service's connections",
			ev:          cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", "vpce-svc-0000000000000new"),
			stack:       stack{status: cftypes.StackStatusUpdateCompleteCleanupInProgress, service: "vpce-svc-0000000000000new", serviceStatus: cftypes.ResourceStatusCreateComplete},
			crossRegion: true, wantID: serviceID + "/cleanup", wantReject: all, wantCalls: 3},
		{name: "a first create that rolls back rejects what would block deleting the service",
			ev:          cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID),
			stack:       stack{status: cftypes.StackStatusRollbackInProgress, service: serviceID, serviceStatus: cftypes.ResourceStatusCreateComplete},
			crossRegion: true, wantID: serviceID + "/cleanup", wantReject: all, wantCalls: 3},
		{name: "a provider removed from a stack that stays rejects its service's connections",
			ev:          cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID),
			stack:       stack{status: cftypes.StackStatusUpdateCompleteCleanupInProgress, service: serviceID, serviceStatus: cftypes.ResourceStatusUpdateComplete, removed: true},
			crossRegion: true, wantID: serviceID + "/cleanup", wantReject: all, wantCalls: 3},
		{name: "without the template, a service whose resource stays is left connected",
			ev:     cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID),
			stack:  stack{status: cftypes.StackStatusUpdateCompleteCleanupInProgress, service: serviceID, serviceStatus: cftypes.ResourceStatusUpdateComplete, noTemplate: true},
			wantID: serviceID + "/cleanup"},
		{name: "a rollback that removes only the cleanup leaves the kept service's consumers connected",
			ev:     cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID),
			stack:  stack{status: cftypes.StackStatusUpdateRollbackCompleteCleanupInProgress, service: serviceID, serviceStatus: cftypes.ResourceStatusUpdateComplete},
			wantID: serviceID + "/cleanup"},
		{name: "when CloudFormation cannot say, nothing is rejected",
			ev: cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID), stack: stack{err: errors.New("AccessDenied")}, wantID: serviceID + "/cleanup"},
		{name: "creating names the service and touches no connection",
			ev: cleanupEvent(cfn.RequestCreate, "", serviceID), wantID: serviceID + "/cleanup"},
		{name: "an update that keeps the service keeps the physical ID and touches no connection",
			ev: cleanupEvent(cfn.RequestUpdate, serviceID+"/cleanup", serviceID), wantID: serviceID + "/cleanup"},
		{name: "a replaced service gets a new physical ID, so CloudFormation deletes the old one after the update",
			ev: cleanupEvent(cfn.RequestUpdate, "vpce-svc-00000000000000old/cleanup", serviceID), wantID: serviceID + "/cleanup"},
		{name: "a delete of a resource that never named a service touches nothing",
			ev: cleanupEvent(cfn.RequestDelete, "Cleanup", serviceID), wantID: "Cleanup"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, rejected := serveConnections(t, conns)
			client := srv.Client()
			h := route(Verifier{}, Cleaner{Describe: client, Reject: client, Stacks: c.stack, CrossRegion: c.crossRegion, Log: slog.New(slog.DiscardHandler)})
			id, _, err := h(context.Background(), c.ev)
			if err != nil || id != c.wantID {
				t.Fatalf("= %q, %v; want %q", id, err, c.wantID)
			}
			if slices.Sort(*rejected); !slices.Equal(*rejected, slices.Sorted(slices.Values(c.wantReject))) {
				t.Errorf("rejected %v, want %v", *rejected, c.wantReject)
			}
			if n := len(srv.Calls("")); n != c.wantCalls {
				t.Errorf("%d EC2 calls, want %d", n, c.wantCalls)
			}
		})
	}
}

func TestCleanupNeverBlocksTheStack(t *testing.T) {
	for name, h := range map[string]ec2fake.Handler{
		"the service is already gone":   ec2fake.Fail("InvalidVpcEndpointServiceId.NotFound", "The VpcEndpointService Id 'vpce-svc-0123456789abcdef0' does not exist"),
		"EC2 refuses the describe call": ec2fake.Fail("UnauthorizedOperation", "You are not authorized to perform this operation."),
	} {
		t.Run(name, func(t *testing.T) {
			srv := ec2fake.New(t)
			srv.On("DescribeVpcEndpointConnections", h)
			client := srv.Client()
			c := Cleaner{Describe: client, Reject: client, Stacks: stackDeleting, Log: slog.New(slog.DiscardHandler)}
			id, _, err := c.Handle(context.Background(), cleanupEvent(cfn.RequestDelete, serviceID+"/cleanup", serviceID))
			if err != nil || id != serviceID+"/cleanup" {
				t.Fatalf("= %q, %v; want success", id, err)
			}
		})
	}
}

func TestCleanupRefusesAServiceIdThatIsNot(t *testing.T) {
	c := Cleaner{Log: slog.New(slog.DiscardHandler)}
	_, _, err := c.Handle(context.Background(), cleanupEvent(cfn.RequestCreate, "", "svc-1"))
	if err == nil || !strings.Contains(err.Error(), `ServiceId "svc-1" is not an endpoint service ID`) {
		t.Fatalf("err = %v", err)
	}
}
