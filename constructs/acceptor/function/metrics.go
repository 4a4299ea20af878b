package main

import (
	"log/slog"
	"time"
)

// Namespace of the acceptor's metrics; their one dimension is ServiceId.
const Namespace = "PrivateLink/Acceptor"

// Metric names, one per kind of decision.
const (
	MetricAccepted    = "Accepted"    // connections accepted
	MetricRejected    = "Rejected"    // connections rejected (NotAllowed: reject)
	MetricLeftPending = "LeftPending" // connections from accounts not allow-listed, left pending
	MetricErrors      = "Errors"      // invocations that failed (an EC2 call, an unsuccessful item)
)

// Decisions counts what one invocation decided for the service.
type Decisions struct{ Accepted, Rejected, LeftPending, Errors int }

// emitMetrics writes d as one CloudWatch embedded metric format record on the function's log:
// Lambda sends stdout to CloudWatch Logs, which turns the record into metrics ("Embedded metric
// format specification", CloudWatch User Guide) — no PutMetricData call and no permission. The
// record is a JSON object whose _aws member declares the metrics (Timestamp in milliseconds,
// CloudWatchMetrics[].Namespace, Dimensions, Metrics[].Name and Unit) and whose root members
// hold their values and the dimension's; slog's JSON handler writes exactly that object, with
// its own time, level and msg members beside them.
func emitMetrics(log *slog.Logger, serviceID string, d Decisions, now time.Time) {
	metrics := []any{}
	for _, name := range []string{MetricAccepted, MetricRejected, MetricLeftPending, MetricErrors} {
		metrics = append(metrics, map[string]any{"Name": name, "Unit": "Count"})
	}
	log.Info("metrics",
		"_aws", map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  Namespace,
				"Dimensions": [][]string{{"ServiceId"}},
				"Metrics":    metrics,
			}},
		},
		"ServiceId", serviceID,
		MetricAccepted, d.Accepted, MetricRejected, d.Rejected, MetricLeftPending, d.LeftPending, MetricErrors, d.Errors,
	)
}
