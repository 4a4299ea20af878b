package consumer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"

	"github.com/privatelink-go/privatelink/constructs/acceptor"
	"github.com/privatelink-go/privatelink/constructs/link"
	"github.com/privatelink-go/privatelink/internal/synth/tree"
)

// Handoff is what a consumer needs from a deployed provider stack, read from its outputs: the
// typed values of ConsumerProps.ServiceName, Ports and AcceptorArn.
type Handoff struct {
	// ServiceName of the endpoint service (the provider's ServiceName output).
	ServiceName string
	// Ports of the service and their protocols (its Ports output); nil when the provider
	// publishes an NLB as it is without ServicePorts.
	Ports []link.ServicePort
	// PrivateDnsName of the service; "" without one.
	PrivateDnsName string
	// AcceptorArn of the provider's acceptor (its FunctionArn output); "" when the stack has none.
	AcceptorArn string
}

// ServiceRegion is the Region named in ServiceName: give it as ConsumerProps.ServiceRegion when
// the consumer stack is in another Region.
func (h Handoff) ServiceRegion() string { return ServiceRegionOf(h.ServiceName) }

// HandoffIDs name the constructs of the provider stack whose outputs a Handoff is read from:
// outputs are named <construct ID><output> (such as ProviderServiceName), without a hash.
type HandoffIDs struct {
	// Provider is the provider construct's ID. Default: "Provider".
	Provider string
	// Acceptor is the ID of the acceptor construct that accepts this provider's connections: its
	// FunctionArn output becomes AcceptorArn. Default: none, AcceptorArn stays empty (a stack's
	// acceptor serves one service, so it is named, never guessed).
	Acceptor string
}

func (ids HandoffIDs) orDefaults() HandoffIDs {
	if ids.Provider == "" {
		ids.Provider = "Provider"
	}
	return ids
}

// hashedName is an output name as earlier versions wrote it: <name><8 hex digits> (CDK's hash).
var hashedName = regexp.MustCompile(`^(.+)[0-9A-F]{8}$`)

// HandoffFromOutputs reads a Handoff from a provider stack's outputs, keyed by output name.
// Outputs an earlier version wrote with CDK's hash suffix (ProviderServiceName1C87132C) are read
// too, so an outputs file from before the upgrade still works until the next deploy rewrites it.
func HandoffFromOutputs(outputs map[string]string, ids HandoffIDs) (Handoff, error) {
	ids = ids.orDefaults()
	given := slices.Sorted(maps.Keys(outputs)) // for messages: the names as written
	outputs = maps.Clone(outputs)
	for k, v := range outputs {
		if m := hashedName.FindStringSubmatch(k); m != nil {
			if _, ok := outputs[m[1]]; !ok {
				outputs[m[1]] = v
			}
		}
	}
	name := func(construct, output string) string { return tree.OutputID(construct, output) }
	h := Handoff{
		ServiceName:    outputs[name(ids.Provider, link.ServiceNameOutput)],
		PrivateDnsName: outputs[name(ids.Provider, link.PrivateDnsNameOutput)],
	}
	if h.ServiceName == "" {
		return Handoff{}, fmt.Errorf("no %s output among %q: these are not the outputs of a provider with the construct ID %q; set HandoffIDs.Provider to its ID", name(ids.Provider, link.ServiceNameOutput), given, ids.Provider)
	}
	if ids.Acceptor != "" {
		var ok bool
		if h.AcceptorArn, ok = outputs[name(ids.Acceptor, acceptor.FunctionArnOutput)]; !ok {
			return Handoff{}, fmt.Errorf("no %s output among %q: these are not the outputs of a stack with an acceptor whose construct ID is %q; set HandoffIDs.Acceptor to its ID, or leave it empty", name(ids.Acceptor, acceptor.FunctionArnOutput), given, ids.Acceptor)
		}
	}
	if ports, ok := outputs[name(ids.Provider, link.PortsOutput)]; ok {
		var err error
		if h.Ports, err = link.ParseServicePorts(ports); err != nil {
			return Handoff{}, fmt.Errorf("output %s: %w", name(ids.Provider, link.PortsOutput), err)
		}
	}
	return h, nil
}

// ReadHandoffFile reads a Handoff from the file `cdk deploy --outputs-file` wrote,
// {"<stack>": {"<output>": "<value>"}}, for the provider stack named stack. A missing file is
// an error that errors.Is(err, fs.ErrNotExist) recognizes (the provider is not deployed yet).
func ReadHandoffFile(path, stack string, ids HandoffIDs) (Handoff, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Handoff{}, err
	}
	if err != nil {
		return Handoff{}, fmt.Errorf("%s cannot be read: %w", path, err)
	}
	var stacks map[string]map[string]string
	if err := json.Unmarshal(raw, &stacks); err != nil {
		return Handoff{}, fmt.Errorf("%s is not cdk deploy --outputs-file JSON ({\"<stack>\": {\"<output>\": \"<value>\"}}): %v; deploy %s again with --outputs-file %s", path, err, stack, path)
	}
	outputs, ok := stacks[stack]
	if !ok {
		return Handoff{}, fmt.Errorf("%s has outputs of %q but not of the provider stack %s: deploy %s with --outputs-file %s", path, slices.Sorted(maps.Keys(stacks)), stack, stack, path)
	}
	h, err := HandoffFromOutputs(outputs, ids)
	if err != nil {
		return Handoff{}, fmt.Errorf("%s, stack %s: %w", path, stack, err)
	}
	return h, nil
}

// ReadHandoffStack reads a Handoff from `aws cloudformation describe-stacks --stack-name <provider
// stack>` JSON: the whole answer ({"Stacks": [{"Outputs": […]}]}) or its outputs list
// (--query 'Stacks[0].Outputs'), [{"OutputKey": …, "OutputValue": …}].
func ReadHandoffStack(r io.Reader, ids HandoffIDs) (Handoff, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return Handoff{}, err
	}
	type output struct{ OutputKey, OutputValue string }
	var list []output
	if json.Unmarshal(raw, &list) != nil {
		var described struct{ Stacks []struct{ Outputs []output } }
		if err := json.Unmarshal(raw, &described); err != nil || len(described.Stacks) != 1 {
			return Handoff{}, errors.New("not the JSON of aws cloudformation describe-stacks for one stack, nor its Stacks[0].Outputs list: run it with --stack-name <provider stack>")
		}
		list = described.Stacks[0].Outputs
	}
	outputs := map[string]string{}
	for _, o := range list {
		outputs[o.OutputKey] = o.OutputValue
	}
	return HandoffFromOutputs(outputs, ids)
}
