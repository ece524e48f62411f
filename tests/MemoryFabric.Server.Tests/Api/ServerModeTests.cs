using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Api;

public sealed class ServerModeTests
{
    [Fact]
    public void Cluster_mode_without_a_cluster_integration_fails_with_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MemoryFabricServer.Build(
            ["--MemoryFabric:Mode=Cluster", "--MemoryFabric:InMemory=true", "--MemoryFabric:Embedder=hashing"]));

        Assert.Contains("MemoryFabric:Mode is Cluster", error.Message, StringComparison.Ordinal);
        Assert.Contains("src/MemoryFabric.Server.Cluster", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_mode_is_the_default_and_hosts_the_actors_locally()
    {
        await using var app = MemoryFabricServer.Build(["--MemoryFabric:InMemory=true", "--MemoryFabric:Embedder=hashing", "--MemoryFabric:AdminKey=test-admin-key-0123456789"]);

        Assert.IsType<MemoryFabric.Actors.RuntimeFabricActorClient>(app.Services.GetRequiredService<MemoryFabric.Actors.IFabricActorClient>());
    }

    [Fact]
    public void An_unknown_guard_claims_setting_is_refused_when_the_engine_is_first_needed()
    {
        using var app = MemoryFabricServer.Build(["--MemoryFabric:InMemory=true", "--MemoryFabric:Embedder=hashing", "--MemoryFabric:AdminKey=test-admin-key-0123456789", "--MemoryFabric:GuardClaims=oracle"]);

        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<MemoryFabric.Actors.IAgentMemoryFactory>());
        Assert.Contains("'rules' or 'chat'", error.Message, StringComparison.Ordinal);
    }
}
