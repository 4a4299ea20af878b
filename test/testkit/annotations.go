package testkit

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Annotation is one message a construct added (Annotations.of(c).addWarning, addError, addInfo)
// as the cloud assembly's manifest holds it: level "error", "warning" or "info", the construct's
// path and the text.
type Annotation struct{ Level, Path, Text string }

// Annotations are the messages on stack's constructs, read from the cloud assembly f's synth
// wrote: the metadata entries of type aws:cdk:error, aws:cdk:warning and aws:cdk:info of the
// stack's artifact (in the manifest, or in the artifact's additionalMetadataFile, where
// aws-cdk-lib 2.277 writes them). assertions.Annotations_FromStack finds the same, but
// synthesizes the whole app again at each call (aws-cdk-lib assertions/lib/annotations.js:
// synth({force: true})), 30 times for the nag check of every configuration.
func (f *Fixture) Annotations(stack string) ([]Annotation, error) {
	st, ok := f.Stacks[stack]
	if f.Dir == "" || !ok {
		return nil, fmt.Errorf("no synthesized stack %s (a golden fixture has no cloud assembly)", stack)
	}
	artifacts, _, err := readStackArtifacts(f.Dir)
	if err != nil {
		return nil, err
	}
	artifact, ok := artifacts[*st.ArtifactId()]
	if !ok {
		return nil, fmt.Errorf("the manifest in %s has no artifact %s for stack %s", f.Dir, *st.ArtifactId(), stack)
	}
	metadata := artifact.Metadata
	var out []Annotation
	for _, path := range slices.Sorted(maps.Keys(metadata)) {
		for _, e := range metadata[path] {
			if level, ok := strings.CutPrefix(e.Type, "aws:cdk:"); ok && (level == "error" || level == "warning" || level == "info") {
				out = append(out, Annotation{level, path, fmt.Sprint(e.Data)})
			}
		}
	}
	return out, nil
}

// Warnings are stack's warnings whose text matches pattern (as assertions.Match_StringLikeRegexp
// matches: anywhere in the text), failing t when the assembly cannot be read.
func (f *Fixture) Warnings(t testing.TB, stack, pattern string) []Annotation {
	t.Helper()
	all, err := f.Annotations(stack)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(pattern)
	var out []Annotation
	for _, a := range all {
		if a.Level == "warning" && re.MatchString(a.Text) {
			out = append(out, a)
		}
	}
	return out
}

// stackArtifact is a stack's entry in a cloud assembly's manifest, with its metadata entries
// by construct path — those of the manifest and of its additionalMetadataFile, where aws-cdk-lib
// 2.277 writes them.
type stackArtifact struct {
	Type, Environment, DisplayName string
	Properties                     struct{ TemplateFile string }
	Metadata                       map[string][]metadataEntry
	AdditionalMetadataFile         string
}

type metadataEntry struct {
	Type string
	Data any
}

// readStackArtifacts are the stack artifacts of the cloud assembly at dir, by artifact ID, and
// the IDs of the nested assemblies (a Stage's, type cdk:cloud-assembly) it holds, sorted.
func readStackArtifacts(dir string) (stacks map[string]stackArtifact, nested []string, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, nil, err
	}
	var manifest struct{ Artifacts map[string]stackArtifact }
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", filepath.Join(dir, "manifest.json"), err)
	}
	stacks = map[string]stackArtifact{}
	for id, a := range manifest.Artifacts {
		if a.Type == "cdk:cloud-assembly" {
			nested = append(nested, id)
		}
		if a.Type != "aws:cloudformation:stack" {
			continue
		}
		if file := a.AdditionalMetadataFile; file != "" {
			raw, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return nil, nil, err
			}
			more := map[string][]metadataEntry{}
			if err := json.Unmarshal(raw, &more); err != nil {
				return nil, nil, fmt.Errorf("%s: %v", file, err)
			}
			for path, es := range a.Metadata {
				more[path] = append(more[path], es...)
			}
			a.Metadata = more
		}
		stacks[id] = a
	}
	slices.Sort(nested)
	return stacks, nested, nil
}

// pathOf is the construct path of the resource with logicalID (aws:cdk:logicalId metadata); for
// a template-level finding (no logical ID) the stack's own path ("/" + its display name), where
// the plugin puts it (stackConstructPath); "" (the root) for a resource whose path is not known,
// as synthesis-validation.js findClosestAck starts from an empty path.
func (a stackArtifact) pathOf(logicalID string) string {
	if logicalID == "" {
		return "/" + a.DisplayName
	}
	for path, es := range a.Metadata {
		for _, e := range es {
			if e.Type == "aws:cdk:logicalId" && e.Data == logicalID {
				return path
			}
		}
	}
	return ""
}
