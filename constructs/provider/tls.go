package provider

import (
	"fmt"
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/synth/guard"
	"github.com/privatelink-go/privatelink/internal/synth/nag"
)

// tlsCertificate is the given certificate or, in Route 53 mode, a new one for the private DNS
// name, validated in the zone that already holds the name's TXT verification record.
// CloudFormation writes the validation CNAME into HostedZoneId and waits for ISSUED
// (AWS::CertificateManager::Certificate, DomainValidationOption.HostedZoneId), so the listeners
// that reference it are created with an issued certificate. ACM certificates are regional: this
// one is in the NLB's Region because it is in the NLB's stack. ACM resolves its validation
// CNAME publicly, so the zone must be public and delegated (the TXT verification needs that
// too); the private DNS name itself needs no public address record.
func (p *provider) tlsCertificate() {
	if p.props.Certificate != nil {
		p.certificate = p.props.Certificate
		return
	}
	p.certificate = awscertificatemanager.NewCertificate(p.Construct, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
		DomainName: jsii.String(p.props.PrivateDnsName),
		Validation: awscertificatemanager.CertificateValidation_FromDns(p.props.HostedZone),
		// Named after the service, so the ACM console tells it apart.
		CertificateName: jsii.String("PrivateLink " + p.props.PrivateDnsName),
	})
}

// enableAccessLogs turns on nlb's access logs into bucket under prefix, with the bucket policy
// NLB log delivery needs and no more, as the ELB User Guide for Network Load Balancers gives it
// ("Enable access logs for your Network Load Balancer", bucket policy): delivery.logs.amazonaws.com
// may s3:GetBucketAcl on the bucket and s3:PutObject under <prefix>/AWSLogs/<account>/ with
// bucket-owner-full-control, both only for this account's log deliveries (aws:SourceAccount)
// from this Region (aws:SourceArn arn:<partition>:logs:<region>:<account>:*). Not
// NetworkLoadBalancer.LogAccessLogs: aws-cdk-lib 2.270 also grants s3:PutObject to the
// Region's Elastic Load Balancing account, which only ALB and Classic delivery use, and
// conditions nothing on the source. The conditions admit any log delivery of this account
// and Region (the guide's own), not only this NLB's: AWS documents no narrower key. The NLB depends on the policy, so the attribute is set
// once delivery may write. A bucket imported into the app gets no statement: its owner's policy
// must already allow this (ProviderProps.AccessLogsBucket).
func enableAccessLogs(nlb elbv2.NetworkLoadBalancer, bucket awss3.IBucket, prefix string) {
	stack := awscdk.Stack_Of(nlb)
	nlb.SetAttribute(jsii.String("access_logs.s3.enabled"), jsii.String("true"))
	nlb.SetAttribute(jsii.String("access_logs.s3.bucket"), bucket.BucketName())
	objects := "AWSLogs/" + *stack.Account() + "/*"
	if prefix != "" {
		nlb.SetAttribute(jsii.String("access_logs.s3.prefix"), jsii.String(prefix))
		objects = prefix + "/" + objects
	}
	delivery := awsiam.NewServicePrincipal(jsii.String("delivery.logs.amazonaws.com"), nil)
	source := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("*"), ArnFormat: awscdk.ArnFormat_NO_RESOURCE_NAME,
		})},
	}
	write := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": stack.Account(), "s3:x-amz-acl": "bucket-owner-full-control"},
		"ArnLike":      source["ArnLike"],
	}
	for _, st := range []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("AWSLogDeliveryAclCheck"), Principals: &[]awsiam.IPrincipal{delivery},
			Actions: jsii.Strings("s3:GetBucketAcl"), Resources: jsii.Strings(*bucket.BucketArn()), Conditions: &source,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("AWSLogDeliveryWrite"), Principals: &[]awsiam.IPrincipal{delivery},
			Actions: jsii.Strings("s3:PutObject"), Resources: jsii.Strings(*bucket.ArnForObjects(jsii.String(objects))), Conditions: &write,
		}),
	} {
		if res := bucket.AddToResourcePolicy(st); res.StatementAdded != nil && *res.StatementAdded && res.PolicyDependable != nil {
			nlb.Node().AddDependency(res.PolicyDependable)
		}
	}
}

// newAccessLogsBucket is a bucket for the NLB's access logs (enableAccessLogs writes its policy).
// SSE-S3: NLB log delivery writes with SSE-S3 or a customer managed KMS key whose policy admits
// delivery.logs.amazonaws.com; S3-managed keys need no key policy and cost nothing.
func newAccessLogsBucket(scope constructs.Construct) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			// A year of logs, as the log groups keep theirs; log objects are never overwritten,
			// so noncurrent versions only appear when someone deletes one.
			Expiration:                  awscdk.Duration_Days(jsii.Number(365)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
		// Retained: a bucket with objects cannot be deleted by CloudFormation (DeleteBucket:
		// BucketNotEmpty), and deleting the stack must not fail on it; audit logs outlive it.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	nag.Suppress(bucket, "AwsSolutions-S1", accessLogsBucketReason)
	guard.Suppress(bucket, guard.S3AccessLogging, accessLogsBucketReason)
	guard.Suppress(bucket, guard.S3Notifications, "nothing reacts to new log objects; add a notification (bucket.AddEventNotification) where the control is on")
	guard.Suppress(bucket, guard.S3ObjectLock, "access logs expire after 365 days; Object Lock would make them undeletable for its retention period. Bring your own bucket with Object Lock (ProviderProps.AccessLogsBucket) where the control is on")
	guard.Suppress(bucket, guard.S3Kms, "SSE-S3: NLB log delivery also accepts a customer managed KMS key, but its key policy must admit delivery.logs.amazonaws.com; bring such a bucket (ProviderProps.AccessLogsBucket) where the control is on")
	return bucket
}

// newStrictAccessLogsBucket is the access-log bucket under ControlTowerStrict, passing every
// CT.S3 proactive control: Object Lock on without a default retention (CT.S3.PR.9; objects stay
// deletable, the lifecycle expires them), SSE-KMS with key (CT.S3.PR.10: NLB log delivery
// accepts a customer managed key whose policy admits delivery.logs.amazonaws.com, ELB User
// Guide, "Access logs for your Network Load Balancer"; the statement is added here),
// EventBridge notifications (CT.S3.PR.4), versioning with a lifecycle (CT.S3.PR.3, .6, .11),
// TLS only (CT.S3.PR.8), public access blocked (CT.S3.PR.1), and its own server access logs into
// serverLogs (CT.S3.PR.2), a bucket that cannot be in this template: S3 delivers no server
// access logs to a bucket with Object Lock (S3 User Guide, "Enabling Amazon S3 server access
// logging"; "Configuring S3 Object Lock"), which CT.S3.PR.9 requires of every bucket a template
// creates. CT.S3.PR.2 also passes a LoggingConfiguration without DestinationBucketName, which
// CloudFormation reads as "log to this bucket itself" — an Object Lock bucket, which cannot be
// a destination: S3 would refuse the setting at deploy or deliver nothing, so strict refuses it
// at synth instead.
func newStrictAccessLogsBucket(scope constructs.Construct, key awskms.IKey, serverLogs awss3.IBucket) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		BucketKeyEnabled:       jsii.Bool(true),
		EnforceSSL:             jsii.Bool(true),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:              jsii.Bool(true),
		ObjectLockEnabled:      jsii.Bool(true),
		ServerAccessLogsBucket: serverLogs,
		ServerAccessLogsPrefix: jsii.String("privatelink-nlb-access-logs/"),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration:                  awscdk.Duration_Days(jsii.Number(365)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
		// Retained, as the default bucket: objects make it undeletable by CloudFormation, and
		// aws-cdk-lib's autoDeleteObjects is a function outside any VPC (CT.LAMBDA.PR.3).
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	// On the CloudFormation resource: aws-cdk-lib's EventBridgeEnabled goes through its
	// notifications custom resource, a function outside any VPC (CT.LAMBDA.PR.3).
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
	stack := awscdk.Stack_Of(scope)
	// The key policy statement of the CloudWatch Logs User Guide's "Enabling logging from AWS
	// services" (Amazon S3, SSE-KMS), which NLB access logs use, for this account's deliveries.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("NlbAccessLogDeliveryOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("delivery.logs.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
	}), jsii.Bool(true))
	nag.Suppress(bucket, "AwsSolutions-S1", "server access logs go to ProviderProps.ServerAccessLogsBucket")
	// The bucket outlives the stack; logs under a key deleted with it could not be read again
	// ("you can no longer decrypt the data", KMS Developer Guide, "Deleting AWS KMS keys").
	if cfn, ok := key.Node().DefaultChild().(awskms.CfnKey); ok && cfn != nil && cfn.CfnOptions().DeletionPolicy() == awscdk.CfnDeletionPolicy_DELETE {
		awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("privatelink:retainedBucketKeyDeleted"), jsii.String(fmt.Sprintf(
			"the access-log bucket is retained after the stack, but its key LogsKey %s is deleted with it, so the logs kept could not be read: give the key RemovalPolicy RETAIN (key.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)), or give AccessLogsBucket of your own", *key.Node().Path())), nil)
	}
	return bucket
}

const accessLogsBucketReason = "this bucket holds access logs itself; its own server access logs would need yet another bucket. Bring your own bucket (ProviderProps.AccessLogsBucket) where the control is on"
