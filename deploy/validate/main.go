// Command x7-validate checks rendered Kubernetes manifests offline, with the API's own Go types
// instead of downloaded JSON schemas (this project's machines reach only package registries).
//
//	x7-validate -catalog metrics.json -env-example .env.example [-dashboard x7-stream.json]
//	            [-external-secret NAME]… rendered.yaml…
//
// Each file is the output of one `helm template`. Every document is decoded strictly (an unknown
// or duplicated field, a wrong type, an unknown apiVersion/kind, or invalid YAML is an error)
// with k8s.io/api, KEDA's and the Prometheus Operator's types. Then the objects of one file are
// checked against each other (selectors, port names, ConfigMap and Secret references, KEDA
// targets) and against what the x7 processes really are: environment variables from
// .env.example, metric names and labels from the metrics catalog (deploy/metrics-catalog.mjs).
// PromQL (rules and dashboard) is parsed with Prometheus's parser. Every problem is printed; the
// exit code is 1 if there was any.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/promql/parser"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	catalogFile := flag.String("catalog", "", "metrics catalog (JSON from deploy/metrics-catalog.mjs)")
	envExample := flag.String("env-example", "", "the project's .env.example: the environment variables that exist")
	var dashboards, externalSecrets stringList
	flag.Var(&dashboards, "dashboard", "a Grafana dashboard JSON to check (repeatable)")
	flag.Var(&externalSecrets, "external-secret", "a Secret the chart expects to exist in the cluster (repeatable)")
	flag.Parse()
	if *catalogFile == "" || *envExample == "" {
		fmt.Fprintln(os.Stderr, "usage: x7-validate -catalog FILE -env-example FILE [-dashboard FILE] [-external-secret NAME] MANIFEST…")
		os.Exit(2)
	}
	catalog, err := loadCatalog(*catalogFile)
	if err != nil {
		fatal(err)
	}
	envVars, err := loadEnvExample(*envExample)
	if err != nil {
		fatal(err)
	}
	v := &validator{catalog: catalog, envVars: envVars, externalSecrets: externalSecrets, promql: parser.NewParser(parser.Options{})}
	for _, file := range flag.Args() {
		v.manifestFile(file)
	}
	for _, file := range dashboards {
		v.dashboardFile(file)
	}
	for _, p := range v.problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if len(v.problems) > 0 {
		fmt.Fprintf(os.Stderr, "%d problem(s)\n", len(v.problems))
		os.Exit(1)
	}
	fmt.Printf("ok: %d objects in %d manifest file(s), %d dashboard(s), %d PromQL expressions\n", v.objects, len(flag.Args()), len(dashboards), v.expressions)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "x7-validate:", err)
	os.Exit(2)
}

// ---- inputs ------------------------------------------------------------------------------

type metricInfo struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Labels []string `json:"labels"`
}

type catalog map[string]metricInfo

func loadCatalog(file string) (catalog, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var list []metricInfo
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: no metrics", file)
	}
	c := catalog{}
	for _, m := range list {
		c[m.Name] = m
	}
	return c, nil
}

// series finds the metric family a series name belongs to: histograms and summaries are exported
// as <name>_bucket, <name>_sum and <name>_count (and a summary as <name> itself).
func (c catalog) series(name string) (metricInfo, []string, bool) {
	if m, ok := c[name]; ok {
		if m.Type == "histogram" {
			return m, nil, false // a histogram has no series of its own name
		}
		extra := []string(nil)
		if m.Type == "summary" {
			extra = []string{"quantile"}
		}
		return m, extra, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok {
			continue
		}
		if m, ok := c[base]; ok && (m.Type == "histogram" || (m.Type == "summary" && suffix != "_bucket")) {
			if suffix == "_bucket" {
				return m, []string{"le"}, true
			}
			return m, nil, true
		}
	}
	return metricInfo{}, nil, false
}

var envLine = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=`)

func loadEnvExample(file string) (map[string]bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	vars := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if m := envLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			vars[m[1]] = true
		}
	}
	if len(vars) == 0 {
		return nil, fmt.Errorf("%s: no VARIABLE= lines", file)
	}
	// Node's own, which the chart sets for the heap size: not x7 configuration.
	vars["NODE_OPTIONS"] = true
	return vars, nil
}

// ---- manifests ---------------------------------------------------------------------------

type validator struct {
	catalog         catalog
	envVars         map[string]bool
	externalSecrets []string
	promql          parser.Parser
	problems        []string
	objects         int
	expressions     int
}

type object struct {
	source string // the template it came from (helm's "# Source:" line)
	obj    runtime.Object
	meta   metav1.Object
	kind   string
}

func (o object) String() string { return fmt.Sprintf("%s %s (%s)", o.kind, o.meta.GetName(), o.source) }

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

var decoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, monitoringv1.AddToScheme, kedav1alpha1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	// Strict: unknown and duplicated fields are errors, not silently dropped as the API server's
	// default (non-strict) field validation would do before warning.
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

func (v *validator) manifestFile(file string) {
	f, err := os.Open(file)
	if err != nil {
		v.addf("%s: %v", file, err)
		return
	}
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var objs []object
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			v.addf("%s: document %d: %v", file, index, err)
			return
		}
		source := fmt.Sprintf("%s, document %d", file, index)
		for _, line := range strings.Split(string(doc), "\n") {
			if s, ok := strings.CutPrefix(line, "# Source: "); ok {
				source = s
			}
		}
		jsonDoc, err := sigsyaml.YAMLToJSONStrict(doc)
		if err != nil {
			v.addf("%s: invalid YAML: %v", source, err)
			continue
		}
		if bytes.Equal(bytes.TrimSpace(jsonDoc), []byte("null")) {
			continue // only comments (a template whose feature is off)
		}
		obj, gvk, err := decoder.Decode(jsonDoc, nil, nil)
		if err != nil {
			v.addf("%s: %v", source, err)
			// Unknown or duplicated fields: the rest decoded, so its references are still checked.
			if !runtime.IsStrictDecodingError(err) || obj == nil {
				continue
			}
		}
		accessor, ok := obj.(metav1.Object)
		if !ok {
			v.addf("%s: %s has no object metadata", source, gvk.Kind)
			continue
		}
		o := object{source: source, obj: obj, meta: accessor, kind: gvk.Kind}
		v.metadata(o)
		objs = append(objs, o)
	}
	if len(objs) == 0 {
		v.addf("%s: no objects rendered", file)
		return
	}
	v.objects += len(objs)
	v.crossCheck(objs)
}

func (v *validator) metadata(o object) {
	name := o.meta.GetName()
	if name == "" {
		v.addf("%s: no metadata.name", o)
	}
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		v.addf("%s: metadata.name: %s", o, msg)
	}
	for k, val := range o.meta.GetLabels() {
		for _, msg := range validation.IsQualifiedName(k) {
			v.addf("%s: label key %q: %s", o, k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(val) {
			v.addf("%s: label %s=%q: %s", o, k, val, msg)
		}
	}
}

type index struct {
	deployments   map[string]*appsv1.Deployment
	services      map[string]*corev1.Service
	configMaps    map[string]*corev1.ConfigMap
	secrets       map[string]*corev1.Secret
	scaledTargets map[string]string // Deployment name → ScaledObject name
	triggerAuths  map[string]bool
	names         map[string]string // kind/name → source, for duplicates
}

func (v *validator) crossCheck(objs []object) {
	ix := index{
		deployments: map[string]*appsv1.Deployment{}, services: map[string]*corev1.Service{},
		configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{},
		scaledTargets: map[string]string{}, triggerAuths: map[string]bool{}, names: map[string]string{},
	}
	for _, o := range objs {
		key := o.kind + "/" + o.meta.GetName()
		if prev, dup := ix.names[key]; dup {
			v.addf("%s: rendered twice (also in %s)", o, prev)
		}
		ix.names[key] = o.source
		switch t := o.obj.(type) {
		case *appsv1.Deployment:
			ix.deployments[t.Name] = t
		case *corev1.Service:
			ix.services[t.Name] = t
		case *corev1.ConfigMap:
			ix.configMaps[t.Name] = t
		case *corev1.Secret:
			ix.secrets[t.Name] = t
		case *kedav1alpha1.ScaledObject:
			ix.scaledTargets[t.Spec.ScaleTargetRef.Name] = t.Name
		case *kedav1alpha1.TriggerAuthentication:
			ix.triggerAuths[t.Name] = true
		}
	}
	for _, o := range objs {
		switch t := o.obj.(type) {
		case *appsv1.Deployment:
			v.deployment(o, t, ix)
		case *corev1.Service:
			v.service(o, t, ix)
		case *corev1.ConfigMap:
			v.envKeys(o, keys(t.Data))
		case *corev1.Secret:
			v.envKeys(o, append(keys(t.StringData), keys(t.Data)...))
		case *policyv1.PodDisruptionBudget:
			v.pdb(o, t, ix)
		case *monitoringv1.ServiceMonitor:
			v.serviceMonitor(o, t, ix)
		case *monitoringv1.PrometheusRule:
			v.prometheusRule(o, t)
		case *kedav1alpha1.ScaledObject:
			v.scaledObject(o, t, ix)
		case *kedav1alpha1.TriggerAuthentication:
			// Its secretTargetRef names Secrets of the cluster (Kafka's SASL credentials, say).
		default:
			v.addf("%s: no checks for kind %s: add them to deploy/validate", o, o.kind)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// envKeys: the chart's ConfigMaps and Secrets hold environment variables of the x7 processes
// only, so a key .env.example does not list is a typo that would be silently ignored.
func (v *validator) envKeys(o object, names []string) {
	for _, k := range names {
		if !v.envVars[k] {
			v.addf("%s: %s is not a variable x7 reads (not in .env.example)", o, k)
		}
	}
}

func selects(selector *metav1.LabelSelector, podLabels map[string]string) bool {
	if selector == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil || s.Empty() {
		return false
	}
	return s.Matches(labels.Set(podLabels))
}

func (v *validator) deployment(o object, d *appsv1.Deployment, ix index) {
	if d.Spec.Selector == nil {
		v.addf("%s: no spec.selector", o)
	} else if !selects(d.Spec.Selector, d.Spec.Template.Labels) {
		v.addf("%s: spec.selector does not select the pod template's labels", o)
	}
	if so, scaled := ix.scaledTargets[d.Name]; scaled && d.Spec.Replicas != nil {
		v.addf("%s: sets spec.replicas while ScaledObject %s scales it: every helm upgrade would reset KEDA's count", o, so)
	}
	pod := d.Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		v.addf("%s: the pod's securityContext must set runAsNonRoot: true", o)
	}
	if pod.SecurityContext != nil && (pod.SecurityContext.SeccompProfile == nil || pod.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault) {
		v.addf("%s: the pod's securityContext must use the RuntimeDefault seccomp profile", o)
	}
	if pod.TerminationGracePeriodSeconds == nil {
		v.addf("%s: no terminationGracePeriodSeconds (sized for a clean stop)", o)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		v.addf("%s: x7 does not call the Kubernetes API: set automountServiceAccountToken: false", o)
	}
	volumes := map[string]bool{}
	for _, vol := range pod.Volumes {
		volumes[vol.Name] = true
	}
	if len(pod.Containers) == 0 {
		v.addf("%s: no containers", o)
	}
	for _, c := range pod.Containers {
		where := fmt.Sprintf("%s container %s", o, c.Name)
		if c.Image == "" {
			v.addf("%s: no image", where)
		}
		sc := c.SecurityContext
		switch {
		case sc == nil:
			v.addf("%s: no securityContext", where)
		default:
			if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				v.addf("%s: readOnlyRootFilesystem must be true", where)
			}
			if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				v.addf("%s: allowPrivilegeEscalation must be false", where)
			}
			if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
				v.addf("%s: capabilities must drop ALL and add none", where)
			}
		}
		if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
			v.addf("%s: resources need a memory request and limit and a CPU request", where)
		}
		if c.LivenessProbe == nil || c.ReadinessProbe == nil {
			v.addf("%s: needs a livenessProbe and a readinessProbe", where)
		}
		for _, p := range []struct {
			name  string
			probe *corev1.Probe
		}{{"startupProbe", c.StartupProbe}, {"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}} {
			name, probe := p.name, p.probe
			if probe == nil {
				continue
			}
			if probe.HTTPGet == nil {
				v.addf("%s: %s is not an httpGet probe", where, name)
				continue
			}
			if !containerHasPort(c, probe.HTTPGet.Port) {
				v.addf("%s: %s port %s is not a port of the container", where, name, probe.HTTPGet.Port.String())
			}
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				v.addf("%s: volumeMount %s has no volume", where, m.Name)
			}
		}
		for _, e := range c.Env {
			if !v.envVars[e.Name] {
				v.addf("%s: env %s is not a variable x7 reads (not in .env.example)", where, e.Name)
			}
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				ref := e.ValueFrom.SecretKeyRef
				v.secretRef(where, ref.Name, ref.Key, ref.Optional, ix)
			}
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				ref := e.ValueFrom.ConfigMapKeyRef
				cm, ok := ix.configMaps[ref.Name]
				if !ok {
					v.addf("%s: env %s names ConfigMap %s, which is not rendered", where, e.Name, ref.Name)
				} else if _, ok := cm.Data[ref.Key]; !ok && (ref.Optional == nil || !*ref.Optional) {
					v.addf("%s: env %s names key %s, which ConfigMap %s lacks", where, e.Name, ref.Key, ref.Name)
				}
			}
		}
		for _, src := range c.EnvFrom {
			if src.ConfigMapRef != nil {
				if _, ok := ix.configMaps[src.ConfigMapRef.Name]; !ok {
					v.addf("%s: envFrom names ConfigMap %s, which is not rendered", where, src.ConfigMapRef.Name)
				}
			}
			if src.SecretRef != nil {
				v.secretRef(where, src.SecretRef.Name, "", src.SecretRef.Optional, ix)
			}
		}
	}
}

func (v *validator) secretRef(where, name, key string, optional *bool, ix index) {
	if slices.Contains(v.externalSecrets, name) {
		return
	}
	s, ok := ix.secrets[name]
	if !ok {
		v.addf("%s: names Secret %s, which is neither rendered nor declared external", where, name)
		return
	}
	if key == "" || (optional != nil && *optional) {
		return
	}
	if _, ok := s.StringData[key]; ok {
		return
	}
	if _, ok := s.Data[key]; !ok {
		v.addf("%s: names key %s, which Secret %s lacks", where, key, name)
	}
}

func containerHasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func (v *validator) service(o object, s *corev1.Service, ix index) {
	if len(s.Spec.Selector) == 0 {
		v.addf("%s: no selector", o)
		return
	}
	var pods []appsv1.Deployment
	for _, d := range ix.deployments {
		if labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
			pods = append(pods, *d)
		}
	}
	if len(pods) == 0 {
		v.addf("%s: its selector matches no Deployment's pods", o)
		return
	}
	for _, port := range s.Spec.Ports {
		target := port.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(port.Port)
		}
		for _, d := range pods {
			found := false
			for _, c := range d.Spec.Template.Spec.Containers {
				found = found || containerHasPort(c, target)
			}
			if !found {
				v.addf("%s: port %s targets %s, which Deployment %s's containers do not expose", o, port.Name, target.String(), d.Name)
			}
		}
	}
}

func (v *validator) pdb(o object, p *policyv1.PodDisruptionBudget, ix index) {
	if (p.Spec.MinAvailable == nil) == (p.Spec.MaxUnavailable == nil) {
		v.addf("%s: set exactly one of minAvailable and maxUnavailable", o)
	}
	for _, d := range ix.deployments {
		if selects(p.Spec.Selector, d.Spec.Template.Labels) {
			return
		}
	}
	v.addf("%s: its selector matches no Deployment's pods", o)
}

func (v *validator) serviceMonitor(o object, sm *monitoringv1.ServiceMonitor, ix index) {
	var matched []*corev1.Service
	for _, s := range ix.services {
		if selects(&sm.Spec.Selector, s.Labels) {
			matched = append(matched, s)
		}
	}
	if len(matched) == 0 {
		v.addf("%s: its selector matches no Service", o)
		return
	}
	if len(sm.Spec.Endpoints) == 0 {
		v.addf("%s: no endpoints", o)
	}
	for _, e := range sm.Spec.Endpoints {
		if e.Port == "" {
			v.addf("%s: an endpoint without a port name", o)
			continue
		}
		for _, s := range matched {
			if !slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == e.Port }) {
				v.addf("%s: endpoint port %s is not a port of Service %s", o, e.Port, s.Name)
			}
		}
		if e.Path != "" && e.Path != "/metrics" {
			v.addf("%s: x7 serves metrics on /metrics, not %s", o, e.Path)
		}
	}
}

func (v *validator) prometheusRule(o object, r *monitoringv1.PrometheusRule) {
	if len(r.Spec.Groups) == 0 {
		v.addf("%s: no rule groups", o)
	}
	for _, g := range r.Spec.Groups {
		for _, rule := range g.Rules {
			name := rule.Alert
			if name == "" {
				name = rule.Record
			}
			where := fmt.Sprintf("%s group %s rule %s", o, g.Name, name)
			if name == "" {
				v.addf("%s: a rule needs alert or record", where)
			}
			if rule.Alert != "" {
				if rule.Labels["severity"] == "" {
					v.addf("%s: no severity label", where)
				}
				if rule.Annotations["summary"] == "" || rule.Annotations["description"] == "" {
					v.addf("%s: needs summary and description annotations", where)
				}
			}
			v.expr(where, rule.Expr.String(), nil)
		}
	}
}

// Labels every scraped series carries besides its own: Prometheus's target labels and the
// Prometheus Operator's (namespace, pod, service, container, endpoint).
var targetLabels = []string{"job", "instance", "namespace", "pod", "service", "container", "endpoint"}

// expr parses one PromQL expression and checks each metric it selects against the catalog: a
// name x7 does not export makes an alert that can never fire or a panel that stays empty.
func (v *validator) expr(where, text string, seen map[string]bool) {
	v.expressions++
	node, err := v.promql.ParseExpr(text)
	if err != nil {
		v.addf("%s: PromQL does not parse: %v\n    %s", where, err, text)
		return
	}
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name == "" {
			v.addf("%s: a selector without a metric name: %s", where, vs.String())
			return nil
		}
		allowed := map[string]bool{"__name__": true}
		for _, l := range targetLabels {
			allowed[l] = true
		}
		if vs.Name != "up" { // Prometheus's own per-target series
			m, extra, ok := v.catalog.series(vs.Name)
			if !ok {
				v.addf("%s: metric %s is not exported by x7 (src/observability/metrics.ts)", where, vs.Name)
				return nil
			}
			if seen != nil {
				seen[m.Name] = true
			}
			for _, l := range append(m.Labels, extra...) {
				allowed[l] = true
			}
		}
		for _, matcher := range vs.LabelMatchers {
			if !allowed[matcher.Name] {
				v.addf("%s: %s has no label %s", where, vs.Name, matcher.Name)
			}
		}
		return nil
	})
}

func (v *validator) scaledObject(o object, so *kedav1alpha1.ScaledObject, ix index) {
	ref := so.Spec.ScaleTargetRef
	if ref == nil {
		v.addf("%s: no scaleTargetRef", o)
		return
	}
	if (ref.Kind != "" && ref.Kind != "Deployment") || ix.deployments[ref.Name] == nil {
		v.addf("%s: scaleTargetRef %s is not a rendered Deployment", o, strings.TrimPrefix(ref.Kind+"/"+ref.Name, "/"))
	}
	if err := kedav1alpha1.CheckReplicaCountBoundsAreValid(so); err != nil {
		v.addf("%s: %v", o, err)
	}
	if err := kedav1alpha1.CheckFallbackValid(so); err != nil {
		v.addf("%s: %v", o, err)
	}
	if err := kedav1alpha1.ValidateTriggers(so.Spec.Triggers); err != nil {
		v.addf("%s: %v", o, err)
	}
	for _, t := range so.Spec.Triggers {
		where := fmt.Sprintf("%s trigger %s", o, t.Type)
		spec, known := triggerSpecs[t.Type]
		if !known {
			v.addf("%s: the chart only uses the kafka and temporal scalers", where)
			continue
		}
		for k := range t.Metadata {
			if !slices.Contains(spec.allowed, k) {
				v.addf("%s: unknown metadata %s (KEDA v2.21 %s scaler)", where, k, t.Type)
			}
		}
		for _, k := range spec.required {
			if t.Metadata[k] == "" && t.Metadata[k+"FromEnv"] == "" {
				v.addf("%s: metadata %s is required", where, k)
			}
		}
		if t.AuthenticationRef != nil && t.AuthenticationRef.Kind != "ClusterTriggerAuthentication" && !ix.triggerAuths[t.AuthenticationRef.Name] {
			// A TriggerAuthentication the operator made themselves is fine; say which one is assumed.
			if !slices.Contains(v.externalSecrets, "triggerauthentication/"+t.AuthenticationRef.Name) {
				v.addf("%s: authenticationRef %s is not rendered", where, t.AuthenticationRef.Name)
			}
		}
	}
}

// The trigger metadata KEDA v2.21.0 reads (pkg/scalers/kafka_scaler.go and temporal_scaler.go,
// the `keda:"name=…, order=triggerMetadata"` tags): any other key is ignored by KEDA, so a typo
// would silently fall back to a default.
var triggerSpecs = map[string]struct{ allowed, required []string }{
	"kafka": {
		allowed: []string{
			"bootstrapServers", "bootstrapServersFromEnv", "consumerGroup", "consumerGroupFromEnv", "topic", "topicFromEnv",
			"partitionLimitation", "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers",
			"excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions",
			"version", "tls", "unsafeSsl", "sasl", "saslTokenProvider", "awsRegion",
		},
		required: []string{"bootstrapServers", "consumerGroup", "topic"},
	},
	"temporal": {
		allowed: []string{
			"endpoint", "endpointFromEnv", "namespace", "namespaceFromEnv", "activationTargetQueueSize", "targetQueueSize",
			"taskQueue", "taskQueueFromEnv", "queueTypes", "workerDeploymentName", "workerDeploymentBuildId",
			"includeRunningWorkflowCount", "workflowTaskQueueForCount", "minConnectTimeout", "enableTLS", "unsafeSsl", "tlsServerName",
		},
		required: []string{"endpoint", "taskQueue"},
	},
}

// ---- the Grafana dashboard -------------------------------------------------------------------

var grafanaIntervals = strings.NewReplacer("$__rate_interval", "5m", "${__rate_interval}", "5m", "$__interval", "1m", "${__interval}", "1m", "$__range", "1h", "${__range}", "1h")
var labelValues = regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`)

func (v *validator) dashboardFile(file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		v.addf("%s: %v", file, err)
		return
	}
	var dash struct {
		UID           string            `json:"uid"`
		Title         string            `json:"title"`
		SchemaVersion int               `json:"schemaVersion"`
		Panels        []json.RawMessage `json:"panels"`
		Templating    struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		v.addf("%s: not valid JSON: %v", file, err)
		return
	}
	if dash.UID == "" || dash.Title == "" || dash.SchemaVersion == 0 || len(dash.Panels) == 0 {
		v.addf("%s: a dashboard needs uid, title, schemaVersion and panels", file)
	}
	seen := map[string]bool{}
	for _, t := range dash.Templating.List {
		if t.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		var s string
		if json.Unmarshal(t.Query, &s) != nil {
			_ = json.Unmarshal(t.Query, &q)
			s = q.Query
		}
		if m := labelValues.FindStringSubmatch(s); m != nil {
			if _, _, ok := v.catalog.series(m[1]); !ok && m[1] != "up" {
				v.addf("%s: variable %s: metric %s is not exported by x7", file, t.Name, m[1])
			}
		}
	}
	ids := map[int]bool{}
	var walk func(raw []json.RawMessage)
	walk = func(raw []json.RawMessage) {
		for _, p := range raw {
			var panel struct {
				ID      *int                `json:"id"`
				Type    string              `json:"type"`
				Title   string              `json:"title"`
				GridPos *struct{ H, W int } `json:"gridPos"`
				Panels  []json.RawMessage   `json:"panels"`
				Targets []struct {
					Expr  string `json:"expr"`
					RefID string `json:"refId"`
				} `json:"targets"`
			}
			if err := json.Unmarshal(p, &panel); err != nil {
				v.addf("%s: a panel does not decode: %v", file, err)
				continue
			}
			where := fmt.Sprintf("%s: panel %q", file, panel.Title)
			if panel.ID == nil || panel.Type == "" || panel.GridPos == nil || panel.GridPos.H == 0 || panel.GridPos.W == 0 {
				v.addf("%s: needs id, type and gridPos", where)
			} else if ids[*panel.ID] {
				v.addf("%s: id %d is used twice", where, *panel.ID)
			} else {
				ids[*panel.ID] = true
			}
			if panel.Type != "row" && panel.Type != "text" && len(panel.Targets) == 0 {
				v.addf("%s: no targets", where)
			}
			for _, t := range panel.Targets {
				if t.Expr == "" || t.RefID == "" {
					v.addf("%s: a target needs expr and refId", where)
					continue
				}
				v.expr(where, grafanaIntervals.Replace(t.Expr), seen)
			}
			walk(panel.Panels)
		}
	}
	walk(dash.Panels)
	// The dashboard is for the metrics that exist, all of them: a metric added to
	// src/observability/metrics.ts without a panel fails here, so the two stay together.
	for name := range v.catalog {
		if strings.HasPrefix(name, "x7_") && !seen[name] {
			v.addf("%s: no panel shows %s", file, name)
		}
	}
}
