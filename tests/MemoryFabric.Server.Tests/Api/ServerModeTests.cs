using MemoryFabric.Orleans.Agents;
using MemoryFabric.Storage.Sqlite.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemoryFabric.Server.Tests.Api;

public sealed class ServerModeTests
{
    [Fact]
    public void Cluster_mode_on_Azure_membership_without_a_connection_string_fails_with_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MemoryFabricServer.Build(
            ["--MemoryFabric:Mode=Cluster", "--MemoryFabric:Cluster:Clustering=AzureStorage", "--MemoryFabric:Embedder=hashing"]));

        Assert.Contains("MemoryFabric:Cluster:AzureStorage:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_mode_is_the_default_one_silo_with_reminders_in_the_data_directory()
    {
        var data = Path.Combine(Path.GetTempPath(), "mf-mode-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = MemoryFabricServer.Build(["--MemoryFabric:DataDirectory=" + data, "--MemoryFabric:Embedder=hashing", "--MemoryFabric:AdminKey=test-admin-key-0123456789"]);

            Assert.NotNull(app.Services.GetService<IGrainFactory>());
            Assert.IsType<SqliteReminderTable>(app.Services.GetRequiredService<IReminderTable>());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task The_shutdown_timeout_bounds_the_hosts_stop_and_must_be_positive()
    {
        string[] common = ["--MemoryFabric:InMemory=true", "--MemoryFabric:Embedder=hashing", "--MemoryFabric:AdminKey=test-admin-key-0123456789"];
        await using (var byDefault = MemoryFabricServer.Build(common))
        {
            Assert.Equal(TimeSpan.FromSeconds(8), byDefault.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout);
        }

        await using (var configured = MemoryFabricServer.Build([.. common, "--MemoryFabric:ShutdownTimeout=00:00:03"]))
        {
            Assert.Equal(TimeSpan.FromSeconds(3), configured.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout);
        }

        var error = Assert.Throws<InvalidOperationException>(() => MemoryFabricServer.Build([.. common, "--MemoryFabric:ShutdownTimeout=00:00:00"]));
        Assert.Contains("MemoryFabric:ShutdownTimeout must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_guard_claims_setting_is_refused_when_the_engine_is_first_needed()
    {
        using var app = MemoryFabricServer.Build(["--MemoryFabric:InMemory=true", "--MemoryFabric:Embedder=hashing", "--MemoryFabric:AdminKey=test-admin-key-0123456789", "--MemoryFabric:GuardClaims=oracle"]);

        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<IAgentMemoryFactory>());
        Assert.Contains("'rules' or 'chat'", error.Message, StringComparison.Ordinal);
    }
}
