package provider

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/privatelink-go/privatelink/lambda/cfnresponse"
)

// describeAPI and startAPI are the two EC2 calls the verifier makes.
type describeAPI interface {
	DescribeVpcEndpointServiceConfigurations(context.Context, *ec2.DescribeVpcEndpointServiceConfigurationsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointServiceConfigurationsOutput, error)
}

type startAPI interface {
	StartVpcEndpointServicePrivateDnsVerification(context.Context, *ec2.StartVpcEndpointServicePrivateDnsVerificationInput, ...func(*ec2.Options)) (*ec2.StartVpcEndpointServicePrivateDnsVerificationOutput, error)
}

// props are the custom resource's ResourceProperties.
type props struct {
	ServiceID      string
	PrivateDNSName string
	Timeout        time.Duration
}

func decode(rp map[string]any) (props, error) {
	var p props
	str := func(k string) string { s, _ := rp[k].(string); return s }
	p.ServiceID = str("ServiceId")
	p.PrivateDNSName = str("PrivateDnsName")
	if !strings.HasPrefix(p.ServiceID, "vpce-svc-") {
		return p, fmt.Errorf("ServiceId %q is not an endpoint service ID (vpce-svc-…)", p.ServiceID)
	}
	var err error
	p.Timeout, err = cfnresponse.TimeoutSeconds(rp["TimeoutSeconds"])
	return p, err
}

// Verifier starts private DNS verification and waits until the service reports "verified".
type Verifier struct {
	Describe describeAPI
	Start    startAPI
	// Stacks reads the stack's status; nil never asks (and never answers a rollback early).
	Stacks cfnresponse.StacksAPI
	Log    *slog.Logger
	// IAMWait bounds the retries of an authorization error on the first read, while the role's
	// new policy propagates. Default: 2 minutes (cfnresponse.RetryAuth).
	IAMWait time.Duration
	// Poll is the wait between reads of the verification state. Default: 15 s.
	Poll time.Duration
	// Restart is the wait before a failed verification is started again, to give DNS time to
	// propagate. Default: 60 s.
	Restart time.Duration
}

// Handle is the custom-resource work function.
func (v Verifier) Handle(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	if ev.RequestType == cfn.RequestDelete {
		// Nothing to undo: CloudFormation deletes the TXT record and the service itself.
		return ev.PhysicalResourceID, nil, nil
	}
	p, err := decode(ev.ResourceProperties)
	if err != nil {
		return "", nil, err
	}
	physicalID := p.ServiceID + "/" + p.PrivateDNSName
	log := v.Log.With("serviceId", p.ServiceID, "privateDnsName", p.PrivateDNSName)
	// The wait may span several invocations (cfnresponse's waits): its deadline and when
	// verification was last started carry over from one to the next.
	ctx, cancel := cfnresponse.WaitDeadline(ctx, p.Timeout)
	defer cancel()
	memo := cfnresponse.Memo(ctx)
	lastStart, _ := time.Parse(time.RFC3339Nano, memo["lastStart"])

	if ev.RequestType == cfn.RequestUpdate && v.rollingBack(ctx, ev.StackID, log) {
		return physicalID, v.duringRollback(ctx, p, log), nil
	}

	poll, restart := orDefault(v.Poll, defaultPoll), orDefault(v.Restart, 60*time.Second)
	var cfg *types.PrivateDnsNameConfiguration
	for first := true; ; first = false {
		// Keep the last state read: a read cut short by the deadline must not erase it from the
		// timeout message. The first read of a new function may come before IAM has its policy.
		var name string
		var next *types.PrivateDnsNameConfiguration
		var err error
		read := func() error { name, next, err = v.read(ctx, p.ServiceID); return err }
		if first {
			cfnresponse.RetryAuth(ctx, log, v.IAMWait, read)
		} else {
			read()
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return physicalID, nil, err
		}
		cfg = next
		state := strings.ToLower(string(cfg.State))
		log.Info("verification state", "state", state, "txtName", aws.ToString(cfg.Name), "serviceName", name)
		if aws.ToString(cfg.Name) == "" && state == "" && name == "" {
			return physicalID, nil, fmt.Errorf("endpoint service %s has no private DNS name configured; set PrivateDnsName on it", p.ServiceID)
		}
		if name != p.PrivateDNSName {
			// Right after an update the service may still report its previous name and that
			// name's state: "verified" would be about the wrong name.
			log.Info("the service does not report the new name yet", "reported", name)
			cfg = &types.PrivateDnsNameConfiguration{State: types.DnsNameState(fmt.Sprintf("not reporting %s (the service reports %q)", p.PrivateDNSName, name))}
		} else if state == strings.ToLower(string(types.DnsNameStateVerified)) {
			return physicalID, data(cfg), nil
		} else if lastStart.IsZero() || (state == strings.ToLower(string(types.DnsNameStateFailed)) && time.Since(lastStart) >= restart) {
			if _, err := v.Start.StartVpcEndpointServicePrivateDnsVerification(ctx, &ec2.StartVpcEndpointServicePrivateDnsVerificationInput{ServiceId: aws.String(p.ServiceID)}); err != nil {
				if ctx.Err() != nil {
					break
				}
				return physicalID, nil, fmt.Errorf("start private DNS verification of %s: %w", p.ServiceID, err)
			}
			lastStart = time.Now()
			if memo != nil {
				memo["lastStart"] = lastStart.UTC().Format(time.RFC3339Nano)
			}
			log.Info("verification started")
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
			continue
		}
		break
	}
	state := "unknown"
	name, value := "(unknown)", "(unknown)"
	if cfg != nil {
		state, name, value = string(cfg.State), aws.ToString(cfg.Name), aws.ToString(cfg.Value)
	}
	return physicalID, nil, cfnresponse.Pending(fmt.Errorf("private DNS name %s of %s is still %s after %s: check that the public DNS zone of %s serves TXT %s.%s = %q (dig +short TXT %s.%s), then redeploy or run: aws ec2 start-vpc-endpoint-service-private-dns-verification --service-id %s",
		p.PrivateDNSName, p.ServiceID, state, p.Timeout, p.PrivateDNSName, name, p.PrivateDNSName, value, name, p.PrivateDNSName, p.ServiceID))
}

// rollingBack reports whether the stack is rolling an update back (UPDATE_ROLLBACK_IN_PROGRESS:
// CloudFormation sends an Update with the previous properties). When the status cannot be read,
// the answer is no: the verifier then waits as for any update.
func (v Verifier) rollingBack(ctx context.Context, stackID string, log *slog.Logger) bool {
	if v.Stacks == nil {
		return false
	}
	status, err := cfnresponse.StackStatus(ctx, v.Stacks, stackID)
	if err != nil {
		log.Warn("could not read the stack's status; verifying as for any update", "error", err.Error())
		return false
	}
	return status == cftypes.StackStatusUpdateRollbackInProgress
}

// duringRollback answers an update rollback at once. The old name goes back to
// pendingVerification when the service is updated to it, and a verification that failed or
// timed out here would fail the rollback itself (UPDATE_ROLLBACK_FAILED, which only
// continue-update-rollback gets out of): so it starts verification again, which AWS finishes on
// its own, and says so in the SUCCESS's reason, with the state it read.
func (v Verifier) duringRollback(ctx context.Context, p props, log *slog.Logger) map[string]any {
	name, cfg, err := v.read(ctx, p.ServiceID)
	state := "unknown (" + fmt.Sprint(err) + ")"
	if err == nil {
		state = string(cfg.State)
	}
	if err == nil && name == p.PrivateDNSName && strings.EqualFold(state, string(types.DnsNameStateVerified)) {
		return data(cfg)
	}
	started := "verification was started again"
	if _, err := v.Start.StartVpcEndpointServicePrivateDnsVerification(ctx, &ec2.StartVpcEndpointServicePrivateDnsVerificationInput{ServiceId: aws.String(p.ServiceID)}); err != nil {
		started = "starting verification again failed (" + err.Error() + "); run aws ec2 start-vpc-endpoint-service-private-dns-verification --service-id " + p.ServiceID
	}
	log.Warn("answering the rollback without waiting for verification", "state", state, "started", started)
	out := map[string]any{"State": state}
	if cfg != nil {
		out = data(cfg)
	}
	out[cfnresponse.SuccessReason] = fmt.Sprintf("the stack is rolling back (UPDATE_ROLLBACK_IN_PROGRESS) to private DNS name %s of %s, whose verification state is %s: %s, and the rollback does not wait for it", p.PrivateDNSName, p.ServiceID, state, started)
	return out
}

// read returns the service's private DNS name and that name's verification state.
func (v Verifier) read(ctx context.Context, serviceID string) (string, *types.PrivateDnsNameConfiguration, error) {
	out, err := v.Describe.DescribeVpcEndpointServiceConfigurations(ctx, &ec2.DescribeVpcEndpointServiceConfigurationsInput{ServiceIds: []string{serviceID}})
	if err != nil {
		return "", nil, fmt.Errorf("describe endpoint service %s: %w", serviceID, err)
	}
	if len(out.ServiceConfigurations) != 1 {
		return "", nil, fmt.Errorf("describe endpoint service %s: expected one service, got %d", serviceID, len(out.ServiceConfigurations))
	}
	svc := out.ServiceConfigurations[0]
	cfg := svc.PrivateDnsNameConfiguration
	if cfg == nil {
		cfg = &types.PrivateDnsNameConfiguration{}
	}
	return aws.ToString(svc.PrivateDnsName), cfg, nil
}

func data(cfg *types.PrivateDnsNameConfiguration) map[string]any {
	return map[string]any{"State": string(cfg.State), "TxtRecordName": aws.ToString(cfg.Name), "TxtRecordValue": aws.ToString(cfg.Value)}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
