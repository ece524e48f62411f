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
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "PodDisruptionBudget" or "ServiceMonitor" or "Secret");
        var env = sts["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        Assert.Contains("MemoryFabric__Mode", env);
        Assert.DoesNotContain(env, e => e.StartsWith("MemoryFabric__Cluster__", StringComparison.Ordinal));
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
