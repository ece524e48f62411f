using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>The Helm chart without helm: its structure, every <c>.Values</c> reference against values.yaml and the
/// schema, values.yaml against the schema, and the templates' control structure.</summary>
public sealed partial class ChartTests
{
    private static readonly string[] RequiredTemplates =
    [
        "_helpers.tpl", "statefulset.yaml", "statefulset-cluster.yaml", "service.yaml", "service-headless.yaml",
        "servicemonitor.yaml", "pdb.yaml", "secret.yaml", "serviceaccount.yaml", "rbac.yaml", "NOTES.txt",
    ];

    private static JsonObject Values => (JsonObject)Yaml.LoadFile("charts", "memory-fabric", "values.yaml")!;

    private static JsonObject Schema => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Chart, "values.schema.json")))!;

    private static IEnumerable<string> TemplateFiles => Directory.EnumerateFiles(Path.Combine(Repo.Chart, "templates"));

    [Fact]
    public void Chart_yaml_is_an_apiVersion_v2_chart_with_name_and_semver_version()
    {
        var chart = (JsonObject)Yaml.LoadFile("charts", "memory-fabric", "Chart.yaml")!;

        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Equal("memory-fabric", (string?)chart["name"]);
        Assert.Equal("application", (string?)chart["type"]);
        Assert.Matches(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$", (string?)chart["version"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)chart["appVersion"]));
    }

    [Fact]
    public void Required_templates_exist()
    {
        var present = TemplateFiles.Select(Path.GetFileName).ToHashSet();
        Expect.None(RequiredTemplates.Where(t => !present.Contains(t)));
    }

    [Fact]
    public void Templates_reference_the_values_they_are_about()
    {
        string Text(string name) => File.ReadAllText(Path.Combine(Repo.Chart, "templates", name));

        Assert.Contains("kind: StatefulSet", Text("statefulset.yaml"));
        Assert.Contains("{{- if eq .Values.mode \"single\" }}", Text("statefulset.yaml"));
        Assert.Contains("{{- if eq .Values.mode \"cluster\" }}", Text("statefulset-cluster.yaml"));
        Assert.Contains("volumeClaimTemplates:", Text("_helpers.tpl"));
        Assert.Contains("clusterIP: None", Text("service-headless.yaml"));
        Assert.Contains(".Values.orleans.siloPort", Text("service-headless.yaml"));
        Assert.Contains(".Values.orleans.gatewayPort", Text("service-headless.yaml"));
        Assert.Contains("kind: ServiceMonitor", Text("servicemonitor.yaml"));
        Assert.Contains("path: /metrics", Text("servicemonitor.yaml"));
        Assert.Contains("{{- if .Values.metrics.serviceMonitor.enabled }}", Text("servicemonitor.yaml"));
        Assert.Contains("kind: PodDisruptionBudget", Text("pdb.yaml"));
        Assert.Contains("(eq .Values.mode \"cluster\") .Values.podDisruptionBudget.enabled", Text("pdb.yaml"));
        Assert.Contains("fieldPath: status.podIP", Text("_helpers.tpl"));
        Assert.Contains("secretKeyRef:", Text("_helpers.tpl"));
    }

    [Fact]
    public void Cluster_mode_gives_Orleans_Kubernetes_hosting_what_it_reads()
    {
        var helpers = File.ReadAllText(Path.Combine(Repo.Chart, "templates", "_helpers.tpl"));

        // The switch: cluster mode and orleans.kubernetesHosting.
        Assert.Contains("{{- if and (eq .Values.mode \"cluster\") .Values.orleans.kubernetesHosting }}true{{- end }}", helpers);
        Assert.Equal(true, (bool?)Values["orleans"]!["kubernetesHosting"]);

        // Pod labels (cluster mode only), equal to the ids the silos are given.
        var podTemplate = helpers[helpers.IndexOf("define \"memory-fabric.podTemplate\"", StringComparison.Ordinal)..];
        var labels = podTemplate[..podTemplate.IndexOf("spec:", StringComparison.Ordinal)];
        Assert.Contains("{{- if eq .Values.mode \"cluster\" }}", labels);
        Assert.Contains("orleans/serviceId: {{ .Values.orleans.serviceId | quote }}", labels);
        Assert.Contains("orleans/clusterId: {{ .Values.orleans.clusterId | quote }}", labels);

        // The variables: POD_NAME / POD_NAMESPACE / POD_IP from the downward API, ORLEANS_* equal to the labels.
        foreach (var (name, field) in new[] { ("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace"), ("POD_IP", "status.podIP") })
        {
            Assert.Contains($"- name: {name}\n  valueFrom:\n    fieldRef:\n      fieldPath: {field}\n", helpers);
        }

        Assert.Contains("- name: ORLEANS_SERVICE_ID\n  value: {{ .Values.orleans.serviceId | quote }}\n", helpers);
        Assert.Contains("- name: ORLEANS_CLUSTER_ID\n  value: {{ .Values.orleans.clusterId | quote }}\n", helpers);
        Assert.Contains("- name: MemoryFabric__Cluster__Kubernetes\n  value: {{ ternary \"true\" \"false\" (eq (include \"memory-fabric.kubernetesHosting\" .) \"true\") | quote }}\n", helpers);

        // The token only where the API is used.
        Assert.Contains("automountServiceAccountToken: {{ eq (include \"memory-fabric.kubernetesHosting\" .) \"true\" }}", helpers);
    }

    [Fact]
    public void The_Role_allows_what_Orleans_Kubernetes_hosting_does_with_pods_and_is_bound_to_the_pods_account()
    {
        var text = File.ReadAllText(Path.Combine(Repo.Chart, "templates", "rbac.yaml"));
        Assert.StartsWith("{{- if include \"memory-fabric.kubernetesHosting\" . }}", text, StringComparison.Ordinal);

        // Without helm: the template's lines with actions dropped, what is left is plain YAML.
        var plain = string.Join("\n", text.Split('\n').Where(l => !l.Contains("{{", StringComparison.Ordinal)));
        var documents = Yaml.LoadAll(plain).Cast<JsonObject>().ToList();
        var role = Assert.Single(documents, d => (string?)d["kind"] == "Role");
        var rule = Assert.Single(role["rules"]!.AsArray())!;
        Assert.Equal([""], rule["apiGroups"]!.AsArray().Select(g => (string)g!));
        Assert.Equal(["pods"], rule["resources"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["delete", "get", "list", "patch", "watch"], rule["verbs"]!.AsArray().Select(v => (string)v!).Order());
        var binding = Assert.Single(documents, d => (string?)d["kind"] == "RoleBinding");
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal("rbac.authorization.k8s.io", (string?)binding["roleRef"]!["apiGroup"]);
        Assert.Contains("  name: {{ include \"memory-fabric.fullname\" . }}-orleans\nsubjects:", text, StringComparison.Ordinal);
        Assert.Contains("  - kind: ServiceAccount\n    name: {{ include \"memory-fabric.serviceAccountName\" . }}\n    namespace: {{ .Release.Namespace }}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_Values_reference_in_the_templates_exists_in_values_yaml_and_in_the_schema()
    {
        var values = Values;
        var schema = Schema;
        var references = TemplateFiles
            .SelectMany(f => ValuesReference().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Path: m.Groups[1].Value.TrimStart('.'))))
            .Distinct()
            .ToList();

        Assert.True(references.Count >= 40, $"only {references.Count} .Values references found: the regex is broken");
        var missingInValues = references.Where(r => !ExistsInValues(values, r.Path)).Select(r => $"{r.File}: .Values.{r.Path}").ToList();
        var missingInSchema = references.Where(r => !ExistsInSchema(schema, r.Path)).Select(r => $"{r.File}: .Values.{r.Path}").ToList();
        Assert.True(missingInValues.Count == 0, "not in values.yaml:\n" + string.Join("\n", missingInValues));
        Assert.True(missingInSchema.Count == 0, "not in values.schema.json:\n" + string.Join("\n", missingInSchema));
    }

    [Fact]
    public void The_reference_walk_catches_a_value_that_does_not_exist()
    {
        Assert.True(ExistsInValues(Values, "orleans.siloPort"));
        Assert.False(ExistsInValues(Values, "orleans.siloPortt"));
        Assert.False(ExistsInValues(Values, "orleans.siloPort.deeper"));
        Assert.True(ExistsInSchema(Schema, "metrics.serviceMonitor.labels"));
        Assert.False(ExistsInSchema(Schema, "metrics.serviceMonitor.label"));
    }

    [Fact]
    public void Values_yaml_is_valid_against_values_schema_json()
    {
        var errors = JsonSchemaSubset.Validate(Values, Schema);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void Every_value_in_values_yaml_is_declared_in_the_schema()
    {
        var undeclared = new List<string>();
        void Walk(JsonNode? node, JsonObject? schema, string path)
        {
            if (node is not JsonObject obj || schema?["properties"] is not JsonObject properties)
            {
                return; // a leaf, or a free-form map (annotations, labels, securityContext)
            }

            foreach (var (name, child) in obj)
            {
                if (properties[name] is JsonObject childSchema)
                {
                    Walk(child, childSchema, $"{path}.{name}");
                }
                else
                {
                    undeclared.Add($"{path}.{name}");
                }
            }
        }

        Walk(Values, Schema, "");
        Assert.Empty(undeclared);
    }

    [Theory]
    [InlineData("mode", "\"bogus\"", "is not one of")]
    [InlineData("mode", "\"Cluster\"", "is not one of")]
    [InlineData("embedder", "\"minilm2\"", "is not one of")]
    [InlineData("replicaCount", "0", "is below 1")]
    [InlineData("replicaCount", "\"3\"", "is not of type integer")]
    [InlineData("unknownTopLevel", "1", "additional property \"unknownTopLevel\"")]
    public void The_schema_rejects_bad_top_level_values(string key, string json, string expected)
    {
        var values = Values;
        values[key] = JsonNode.Parse(json);
        var errors = JsonSchemaSubset.Validate(values, Schema);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orleans", "clustering", "\"consul\"", "is not one of")]
    [InlineData("orleans", "clustering", "\"AzureStorage\"", "is not one of")]
    [InlineData("orleans", "siloPort", "70000", "is above 65535")]
    [InlineData("persistence", "enabled", "\"yes\"", "is not of type boolean")]
    [InlineData("image", "pullPolicy", "\"Sometimes\"", "is not one of")]
    [InlineData("azureStorage", "containerName", "\"Bad_Name\"", "does not match")]
    [InlineData("orleans", "clusterId", "\"memory fabric\"", "does not match")]
    [InlineData("orleans", "serviceId", "\"-leading-dash\"", "does not match")]
    [InlineData("orleans", "kubernetesHosting", "\"yes\"", "is not of type boolean")]
    [InlineData("probes", "extra", "{}", "additional property \"extra\"")]
    public void The_schema_rejects_bad_nested_values(string section, string key, string json, string expected)
    {
        var values = Values;
        values[section]![key] = JsonNode.Parse(json);
        var errors = JsonSchemaSubset.Validate(values, Schema);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_schema_is_draft_07_and_closed_wherever_the_chart_defines_the_shape()
    {
        var schema = Schema;
        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)schema["$schema"]);
        var open = new List<string>();
        void Walk(JsonObject node, string path)
        {
            if (node["properties"] is JsonObject properties)
            {
                if (node["additionalProperties"] is not JsonValue flag || flag.GetValue<bool>())
                {
                    open.Add(path);
                }

                foreach (var (name, child) in properties)
                {
                    Walk((JsonObject)child!, $"{path}.{name}");
                }
            }
        }

        Walk(schema, "$");
        Assert.Empty(open);
        Assert.Equal(["cluster", "single"], schema["properties"]!["mode"]!["enum"]!.AsArray().Select(v => (string)v!).Order());
        Assert.Equal(["azureStorage", "development"], schema["properties"]!["orleans"]!["properties"]!["clustering"]!["enum"]!.AsArray().Select(v => (string)v!).Order());
    }

    [Fact]
    public void Template_actions_are_balanced()
    {
        foreach (var file in TemplateFiles)
        {
            var text = File.ReadAllText(file);
            var opened = BlockOpen().Count(text);
            var closed = BlockEnd().Count(text);
            Assert.True(opened == closed, $"{Path.GetFileName(file)}: {opened} if/range/with/define against {closed} end");
            Assert.Equal(text.Split("{{").Length, text.Split("}}").Length);
        }
    }

    [Fact]
    public void Templates_set_only_server_settings_that_exist()
    {
        var text = string.Join("\n", TemplateFiles.Select(File.ReadAllText));
        var used = ServerSetting().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("AdminKey", used);
        Assert.Contains("Cluster__AzureStorage__ConnectionString", used);
        Expect.None(used.Where(s => !ServerSettings.Known.Contains(s)));
    }

    private static bool ExistsInValues(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject obj || !obj.ContainsKey(part))
            {
                return false;
            }

            node = obj[part];
        }

        return true;
    }

    private static bool ExistsInSchema(JsonObject schema, string path)
    {
        JsonNode? node = schema;
        foreach (var part in path.Split('.'))
        {
            node = node?["properties"]?[part];
            if (node is null)
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z0-9_]+)+)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"\{\{-?\s*(if|range|with|define)\b")]
    private static partial Regex BlockOpen();

    [GeneratedRegex(@"\{\{-?\s*end\s*-?\}\}")]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"\bMemoryFabric__([A-Za-z_]+[A-Za-z])")]
    private static partial Regex ServerSetting();
}
