package provider

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatelink-go/privatelink/internal/guard"
	"github.com/privatelink-go/privatelink/internal/nag"
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

// newAccessLogsBucket is a bucket for the NLB's access logs. NetworkLoadBalancer.LogAccessLogs
// adds the bucket policy ELB log delivery needs (s3:PutObject under <prefix>/AWSLogs/<account>/
// for delivery.logs.amazonaws.com with bucket-owner-full-control, and s3:GetBucketAcl) and makes
// the NLB depend on it, so the attribute is set once delivery may write ("Enable access logs
// for your Network Load Balancer"). SSE-S3: NLB log delivery writes with SSE-S3 or a customer
// managed KMS key whose policy admits delivery.logs.amazonaws.com; S3-managed keys need no key
// policy and cost nothing.
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

const accessLogsBucketReason = "this bucket holds access logs itself; its own server access logs would need yet another bucket. Bring your own bucket (ProviderProps.AccessLogsBucket) where the control is on"
