package acceptor

import (
	"log/slog"
	"time"

	"github.com/privatelink-go/privatelink/internal/spec/decisions"
)

// Decisions counts what one invocation decided for the service. LeftPending is published only
// by a sweep that listed the pending connections (Counted): the LeftPending alarm takes the
// Minimum over 15 minutes, and a consumer's request, or a sweep that could not list, knows
// nothing of what is pending — a 0 from them would hide a stranger's connection.
type Decisions struct {
	Accepted, Rejected, LeftPending, Errors int
	Counted                                 bool
}

// emitMetrics writes d as one CloudWatch embedded metric format record on the function's log:
// Lambda sends stdout to CloudWatch Logs, which turns the record into metrics ("Embedded metric
// format specification", CloudWatch User Guide) — no PutMetricData call and no permission. The
// record is a JSON object whose _aws member declares the metrics (Timestamp in milliseconds,
// CloudWatchMetrics[].Namespace, Dimensions, Metrics[].Name and Unit) and whose root members
// hold their values and the dimension's; slog's JSON handler writes exactly that object, with
// its own time, level and msg members beside them.
func emitMetrics(log *slog.Logger, serviceID string, d Decisions, now time.Time) {
	names := []string{decisions.Accepted, decisions.Rejected, decisions.Errors}
	values := []any{decisions.Dimension, serviceID, decisions.Accepted, d.Accepted, decisions.Rejected, d.Rejected, decisions.Errors, d.Errors}
	if d.Counted {
		names = append(names, decisions.LeftPending)
		values = append(values, decisions.LeftPending, d.LeftPending)
	}
	metrics := []any{}
	for _, name := range names {
		metrics = append(metrics, map[string]any{"Name": name, "Unit": "Count"})
	}
	log.Info("metrics", append([]any{
		"_aws", map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  decisions.Namespace,
				"Dimensions": [][]string{{decisions.Dimension}},
				"Metrics":    metrics,
			}},
		}}, values...)...)
}
