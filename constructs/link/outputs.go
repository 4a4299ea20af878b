package link

// Names of the provider's stack outputs, each prefixed with the construct's ID (such as
// ProviderServiceName); consumer.HandoffFromOutputs reads them.
const (
	ServiceNameOutput    = "ServiceName"
	ServiceIdOutput      = "ServiceId"
	PortsOutput          = "Ports"
	PrivateDnsNameOutput = "PrivateDnsName"
	TxtRecordNameOutput  = "TxtRecordName"
	TxtRecordValueOutput = "TxtRecordValue"
)
