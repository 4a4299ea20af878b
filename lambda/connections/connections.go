// Package connections lists an endpoint service's connections and accepts or rejects them in
// batches, for the acceptor and the provider's cleanup alike.
package connections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// DescribeAPI, AcceptAPI and RejectAPI are the EC2 calls, one interface each so tests can fake them.
type DescribeAPI interface {
	DescribeVpcEndpointConnections(context.Context, *ec2.DescribeVpcEndpointConnectionsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointConnectionsOutput, error)
}
type AcceptAPI interface {
	AcceptVpcEndpointConnections(context.Context, *ec2.AcceptVpcEndpointConnectionsInput, ...func(*ec2.Options)) (*ec2.AcceptVpcEndpointConnectionsOutput, error)
}
type RejectAPI interface {
	RejectVpcEndpointConnections(context.Context, *ec2.RejectVpcEndpointConnectionsInput, ...func(*ec2.Options)) (*ec2.RejectVpcEndpointConnectionsOutput, error)
}

// BatchSize bounds the endpoint IDs per Accept/Reject call; one call per batch.
const BatchSize = 1000

// Same compares API state strings ("pendingAcceptance") with SDK enum constants
// ("PendingAcceptance") the way EC2 means them: case-insensitively.
func Same(a, b types.State) bool { return strings.EqualFold(string(a), string(b)) }

// List returns the connections of serviceID matching filters (service-id is added). With
// crossRegion it also asks for the connections of endpoints in other Regions, which the EC2 API
// reference selects with the filter vpc-endpoint-region=cross-region ("The Region of the endpoint
// or cross-region to find endpoints for other Regions"); whether an unfiltered call includes them
// is not documented, so both are asked and merged. Whatever EC2 returns is matched client-side on
// the service ID again, as terraform-provider-aws does (findVPCEndpointConnectionByServiceIDAndVPCEndpointID),
// so a filter that is ignored can never hand us another service's connection.
func List(ctx context.Context, api DescribeAPI, serviceID string, crossRegion bool, filters ...types.Filter) ([]types.VpcEndpointConnection, error) {
	base := append([]types.Filter{{Name: aws.String("service-id"), Values: []string{serviceID}}}, filters...)
	queries := [][]types.Filter{base}
	if crossRegion {
		queries = append(queries, append(slices.Clone(base), types.Filter{Name: aws.String("vpc-endpoint-region"), Values: []string{"cross-region"}}))
	}
	var out []types.VpcEndpointConnection
	seen := map[string]bool{}
	for _, q := range queries {
		p := ec2.NewDescribeVpcEndpointConnectionsPaginator(api, &ec2.DescribeVpcEndpointConnectionsInput{Filters: q, MaxResults: aws.Int32(1000)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe connections of %s: %w", serviceID, err)
			}
			for _, c := range page.VpcEndpointConnections {
				id := aws.ToString(c.VpcEndpointId)
				if aws.ToString(c.ServiceId) != serviceID || seen[id] {
					continue
				}
				seen[id] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// Accept accepts ids on serviceID, in batches, collecting call errors and Unsuccessful items.
func Accept(ctx context.Context, api AcceptAPI, serviceID string, ids []string, log *slog.Logger) error {
	return decide("accept", serviceID, ids, log, func(b []string) ([]types.UnsuccessfulItem, error) {
		out, err := api.AcceptVpcEndpointConnections(ctx, &ec2.AcceptVpcEndpointConnectionsInput{ServiceId: aws.String(serviceID), VpcEndpointIds: b})
		if err != nil {
			return nil, err
		}
		return out.Unsuccessful, nil
	})
}

// Reject rejects ids on serviceID, in batches, collecting call errors and Unsuccessful items.
func Reject(ctx context.Context, api RejectAPI, serviceID string, ids []string, log *slog.Logger) error {
	return decide("reject", serviceID, ids, log, func(b []string) ([]types.UnsuccessfulItem, error) {
		out, err := api.RejectVpcEndpointConnections(ctx, &ec2.RejectVpcEndpointConnectionsInput{ServiceId: aws.String(serviceID), VpcEndpointIds: b})
		if err != nil {
			return nil, err
		}
		return out.Unsuccessful, nil
	})
}

func decide(verb, serviceID string, ids []string, log *slog.Logger, call func([]string) ([]types.UnsuccessfulItem, error)) error {
	var errs []error
	for b := range slices.Chunk(ids, BatchSize) {
		items, err := call(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s on %s: %w", verb, strings.Join(b, ","), serviceID, err))
			continue
		}
		// EC2 reports per-item failures as Unsuccessful items on a 200 answer.
		for _, it := range items {
			code, msg := "Unknown", ""
			if it.Error != nil {
				code, msg = aws.ToString(it.Error.Code), aws.ToString(it.Error.Message)
			}
			log.Error("unsuccessful item", "action", verb, "serviceId", serviceID, "vpcEndpointId", aws.ToString(it.ResourceId), "code", code, "message", msg)
			errs = append(errs, fmt.Errorf("%s %s on %s failed: %s: %s", verb, aws.ToString(it.ResourceId), serviceID, code, msg))
		}
	}
	return errors.Join(errs...)
}
