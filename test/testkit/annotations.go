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
	raw, err := os.ReadFile(filepath.Join(f.Dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	type entries = map[string][]struct {
		Type string
		Data any
	}
	var manifest struct {
		Artifacts map[string]struct {
			Metadata               entries
			AdditionalMetadataFile string
		}
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, err
	}
	artifact, ok := manifest.Artifacts[*st.ArtifactId()]
	if !ok {
		return nil, fmt.Errorf("the manifest in %s has no artifact %s for stack %s", f.Dir, *st.ArtifactId(), stack)
	}
	metadata := artifact.Metadata
	if file := artifact.AdditionalMetadataFile; file != "" {
		raw, err := os.ReadFile(filepath.Join(f.Dir, file))
		if err != nil {
			return nil, err
		}
		more := entries{}
		if err := json.Unmarshal(raw, &more); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		for path, es := range metadata {
			more[path] = append(more[path], es...)
		}
		metadata = more
	}
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
