// Command helm-render renders a Helm chart the way `helm template` does, for CI machines that have no Helm binary
// (no registry we reach ships one). It uses the same template engine as Helm: Go's text/template with the sprig v3
// function library (Debian's golang-github-masterminds-sprig-dev), plus the Helm functions the chart's templates use
// (include, required, toYaml, fromYaml) rebuilt from Helm's pkg/engine, the same value coalescing (chart defaults
// under user files, null removes a key), and values.schema.json validation with the library Helm 3 uses
// (xeipuuv/gojsonschema). That it renders what Helm renders is checked only where a `helm` binary is on the PATH
// (test/static/helm-chart.spec.ts compares the two), so never in this project's CI.
//
// What it does not do (see deploy/helm/mcp-gateway/README.md): render subcharts (-skip-dependency-check renders the
// parent's templates as if `helm dependency build` had run), --set flags, .Files, .Capabilities, tpl, lookup,
// .Release.IsInstall/IsUpgrade, hook ordering, and Helm's own lint rules (test/static/helm-chart.spec.ts checks the
// rendered objects instead, and that the templates keep to this subset).
//
// Build (GOPATH mode, Debian's Go libraries): GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm-render .
// Usage: helm-render [-f values.yaml]... [-release NAME] [-namespace NS] [-strict] [-skip-dependency-check] CHART_DIR
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/ghodss/yaml"
	"github.com/xeipuuv/gojsonschema"
)

// strict: missingkey=error instead of Helm's default missingkey=zero.
var strict bool

type valueFiles []string

func (f *valueFiles) String() string     { return strings.Join(*f, ",") }
func (f *valueFiles) Set(v string) error { *f = append(*f, v); return nil }

type chartDependency struct {
	Name      string `json:"name"`
	Condition string `json:"condition"`
}

// chartFile is the part of Chart.yaml the renderer reads; all of it is exposed as .Chart.
type chartFile struct {
	APIVersion   string            `json:"apiVersion"`
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Dependencies []chartDependency `json:"dependencies"`
}

func main() {
	var files valueFiles
	flag.Var(&files, "f", "values file (YAML or JSON), may repeat; later files win")
	release := flag.String("release", "mcp-gateway", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	skipDependencyCheck := flag.Bool("skip-dependency-check", false, "render as if the dependencies were vendored (their own objects are not rendered)")
	flag.BoolVar(&strict, "strict", false, "fail on a missing value (missingkey=error), as `helm lint --strict` renders")
	flag.Parse()
	if flag.NArg() != 1 {
		fail(errors.New("usage: helm-render [flags] CHART_DIR"))
	}
	out, err := render(flag.Arg(0), files, *release, *namespace, *skipDependencyCheck)
	if err != nil {
		fail(err)
	}
	fmt.Print(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "Error:", err)
	os.Exit(1)
}

func readYAML(path string, into interface{}) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func render(dir string, files []string, release, namespace string, skipDependencyCheck bool) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	var meta map[string]interface{}
	var chart chartFile
	if err := yaml.Unmarshal(data, &meta); err != nil {
		return "", fmt.Errorf("Chart.yaml: %w", err)
	}
	if err := yaml.Unmarshal(data, &chart); err != nil {
		return "", fmt.Errorf("Chart.yaml: %w", err)
	}
	name := chart.Name
	if chart.APIVersion != "v2" || name == "" || chart.Version == "" {
		return "", errors.New("Chart.yaml: apiVersion v2, name and version are required")
	}

	values := map[string]interface{}{}
	if err := readYAML(filepath.Join(dir, "values.yaml"), &values); err != nil {
		return "", err
	}
	for _, file := range files {
		user := map[string]interface{}{}
		if err := readYAML(file, &user); err != nil {
			return "", err
		}
		values = coalesce(user, values)
	}
	if err := validateSchema(dir, name, values); err != nil {
		return "", err
	}
	// Like Helm's action.CheckDependencies: every dependency must be vendored (`helm dependency build`), enabled or
	// not. -skip-dependency-check renders as if they were; enabled subcharts' own objects are then not rendered.
	var missing []string
	for _, dep := range chart.Dependencies {
		vendored, _ := filepath.Glob(filepath.Join(dir, "charts", dep.Name+"*"))
		if len(vendored) == 0 {
			missing = append(missing, dep.Name)
		} else if dep.Condition == "" || truthyPath(values, dep.Condition) {
			return "", fmt.Errorf("dependency %s is enabled and vendored: this renderer does not render subcharts, use helm", dep.Name)
		}
	}
	if len(missing) > 0 && !skipDependencyCheck {
		return "", fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}

	top := map[string]interface{}{
		"Values": values,
		"Chart":  chartObject(meta),
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm", "Revision": 1,
		},
	}
	return execute(dir, name, top)
}

// chartObject exposes Chart.yaml as Helm's chart.Metadata does: Go field names (name -> Name, apiVersion -> APIVersion).
func chartObject(meta map[string]interface{}) map[string]interface{} {
	result := map[string]interface{}{}
	for key, value := range meta {
		field := strings.ToUpper(key[:1]) + key[1:]
		if key == "apiVersion" {
			field = "APIVersion"
		}
		result[field] = value
	}
	return result
}

// coalesce merges chart defaults (src) under user values (dst) like Helm's chartutil.CoalesceTables: maps merge
// recursively, a user value replaces a default of another shape, and a user null deletes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	result := map[string]interface{}{}
	for key, value := range src {
		result[key] = value
	}
	for key, value := range dst {
		if value == nil {
			delete(result, key)
			continue
		}
		userMap, userIsMap := value.(map[string]interface{})
		defaultMap, defaultIsMap := result[key].(map[string]interface{})
		if userIsMap && defaultIsMap {
			result[key] = coalesce(userMap, defaultMap)
		} else {
			result[key] = value
		}
	}
	return result
}

func truthyPath(values map[string]interface{}, path string) bool {
	var current interface{} = values
	for _, part := range strings.Split(path, ".") {
		m, ok := current.(map[string]interface{})
		if !ok {
			return false
		}
		current = m[part]
	}
	b, ok := current.(bool)
	return ok && b
}

func validateSchema(dir, name string, values map[string]interface{}) error {
	schema, err := os.ReadFile(filepath.Join(dir, "values.schema.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewGoLoader(values))
	if err != nil {
		return fmt.Errorf("values.schema.json: %w", err)
	}
	if result.Valid() {
		return nil
	}
	var problems strings.Builder
	for _, problem := range result.Errors() {
		fmt.Fprintf(&problems, "- %s\n", problem)
	}
	return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", name, problems.String())
}

// execute parses every file of templates/ into one template set and renders the ones not named _*, as Helm's
// engine does (missingkey=zero, or missingkey=error when strict, then "<no value>" removed).
func execute(dir, chartName string, top map[string]interface{}) (string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "templates"))
	if err != nil {
		return "", err
	}
	root := template.New("gotpl").Option("missingkey=zero")
	if strict {
		root.Option("missingkey=error")
	}
	includeDepth := 0
	funcs := helmFuncs()
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includeDepth++; includeDepth > 1000 {
			return "", errors.New("include: too deep")
		}
		defer func() { includeDepth-- }()
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	root.Funcs(funcs)

	var names []string
	for _, entry := range entries {
		if entry.IsDir() {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, "templates", entry.Name()))
		if err != nil {
			return "", err
		}
		path := chartName + "/templates/" + entry.Name()
		if _, err := root.New(path).Parse(string(text)); err != nil {
			return "", err
		}
		names = append(names, path)
	}
	sort.Strings(names)

	var out strings.Builder
	for _, path := range names {
		if strings.HasPrefix(filepath.Base(path), "_") {
			continue
		}
		vals := map[string]interface{}{}
		for key, value := range top {
			vals[key] = value
		}
		vals["Template"] = map[string]interface{}{"Name": path, "BasePath": chartName + "/templates"}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, path, vals); err != nil {
			return "", err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		// NOTES.txt is rendered (an error in it fails an install too) but is not a manifest.
		if strings.TrimSpace(text) == "" || filepath.Base(path) == "NOTES.txt" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", path, strings.TrimSpace(text))
	}
	return out.String(), nil
}

// helmFuncs is sprig's text function map with Helm's changes: no env/expandenv, plus the Helm functions the chart
// uses (include is added by execute, as it needs the template set).
func helmFuncs() template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		} else if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warn)
		}
		return val, nil
	}
	return funcs
}
