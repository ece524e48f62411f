using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>helm lint and helm template, where a helm binary is on PATH (or named by MEMFAB_HELM). This project's
/// machine image has no helm, so on CI these report that they did not run; the chart's value references, schema and
/// template structure are checked without helm by <see cref="ChartTests"/>.</summary>
public sealed class HelmRenderTests(ITestOutputHelper output)
{
    private string? Helm()
    {
        var helm = Repo.FindTool("helm", "MEMFAB_HELM");
        if (helm is null)
        {
            output.WriteLine("helm is not on PATH (nor MEMFAB_HELM): helm lint/template were NOT run.");
        }

        return helm;
    }

    private List<JsonObject> Template(string helm, params string[] sets)
    {
        var result = Repo.Run(helm, ["template", "mf", Path.Combine("charts", "memory-fabric"), "--namespace", "ai", .. sets]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Yaml.LoadAll(result.StandardOutput).Cast<JsonObject>().ToList();
    }

    [Fact]
    public void Helm_lint_passes_in_both_modes()
    {
        if (Helm() is not { } helm)
        {
            return;
        }

        var single = Repo.Run(helm, "lint", "--strict", Path.Combine("charts", "memory-fabric"));
        Assert.True(single.ExitCode == 0, single.ToString());
        var cluster = Repo.Run(helm, "lint", "--strict", Path.Combine("charts", "memory-fabric"), "--set", "mode=cluster", "--set", "azureStorage.existingSecret=az");
        Assert.True(cluster.ExitCode == 0, cluster.ToString());
    }

    [Fact]
    public void Single_mode_renders_one_StatefulSet_replica_with_a_claim_and_no_cluster_objects()
    {
        if (Helm() is not { } helm)
        {
            return;
        }

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

    [Fact]
    public void Cluster_mode_renders_silos_a_PDB_the_secrets_and_the_ServiceMonitor()
    {
        if (Helm() is not { } helm)
        {
            return;
        }

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

    [Fact]
    public void Kubernetes_hosting_can_be_turned_off_in_cluster_mode()
    {
        if (Helm() is not { } helm)
        {
            return;
        }

        var objects = Template(helm, "--set", "mode=cluster", "--set", "orleans.clustering=development", "--set", "orleans.kubernetesHosting=false");
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "Role" or "RoleBinding");
        var sts = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        Assert.False((bool)sts["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!);
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!);
        Assert.Equal("false", (string?)env["MemoryFabric__Cluster__Kubernetes"]["value"]);
    }

    [Fact]
    public void Development_clustering_points_every_silo_at_silo_0()
    {
        if (Helm() is not { } helm)
        {
            return;
        }

        var objects = Template(helm, "--set", "mode=cluster", "--set", "orleans.clustering=development");
        var sts = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Cast<JsonObject>().ToDictionary(e => (string)e["name"]!);
        Assert.Equal("Development", (string?)env["MemoryFabric__Cluster__Clustering"]["value"]);
        Assert.Equal("mf-memory-fabric-0.mf-memory-fabric-headless.ai.svc.cluster.local:11111", (string?)env["MemoryFabric__Cluster__PrimarySiloEndpoint"]["value"]);
        Assert.False(env.ContainsKey("MemoryFabric__Cluster__AzureStorage__ConnectionString"));
    }

    [Theory]
    [InlineData("mode=bogus")]
    [InlineData("orleans.clustering=consul")]
    [InlineData("mode=cluster")] // azureStorage clustering without a connection string
    [InlineData("orleans.clusterId=not a label")]
    public void Helm_refuses_invalid_values(string set)
    {
        if (Helm() is not { } helm)
        {
            return;
        }

        var result = Repo.Run(helm, "template", "mf", Path.Combine("charts", "memory-fabric"), "--set", set);
        Assert.NotEqual(0, result.ExitCode);
    }
}
