using System.Net;
using System.Net.Sockets;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Storage.Sqlite.Reminders;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemoryFabric.Storage.Sqlite.Tests.Hosting;

/// <summary>A real one-silo Orleans host in process with <c>UseMemoryFabricSqlite</c>, stopped and started again on
/// the same data directory.</summary>
public sealed class SqliteSiloTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_orleans_reminder_is_kept_in_sqlite_and_fires_again_after_a_restart()
    {
        var key = "probe-" + Guid.NewGuid().ToString("N");
        GrainId grainId;
        var host = await StartAsync(generation: 1);
        try
        {
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IReminderProbeGrain>(key);
            grainId = grain.GetGrainId();
            await grain.RegisterAsync(TimeSpan.FromSeconds(1), Period);
            await Eventually.True(() => TicksOf(key, 1) >= 1, "a tick in the first host", TimeSpan.FromSeconds(15));
        }
        finally
        {
            await StopAsync(host);
        }

        // The reminder is in the database file, as registered.
        var row = await ReadRowAsync(grainId);
        Assert.NotNull(row);
        Assert.Equal(Period, row.Period);
        Assert.Equal(grainId, row.GrainId);

        // A new host on the same directory fires it without anyone calling the grain.
        host = await StartAsync(generation: 2);
        try
        {
            await Eventually.True(() => TicksOf(key, 2) >= 2, "two ticks in the second host", TimeSpan.FromSeconds(20));
            var ticks = ReminderProbeGrain.Ticks[key].Where(t => t.Host == 2).ToList();
            Assert.All(ticks, t => Assert.Equal(ReminderProbeGrain.ReminderName, t.Reminder));

            // Unregistering goes through the table's ETag check and removes the row.
            Assert.True(await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IReminderProbeGrain>(key).UnregisterAsync());
        }
        finally
        {
            await StopAsync(host);
        }

        Assert.Null(await ReadRowAsync(grainId));
    }

    [Fact]
    public async Task The_tenant_directory_grain_keeps_its_state_in_sqlite_across_a_restart()
    {
        var host = await StartAsync(generation: 1);
        try
        {
            var directory = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);
            await directory.CreateTenantAsync("acme", "Acme Corp");
            Assert.NotNull(await directory.CreateKeyAsync("acme", "ci", 0.5));
        }
        finally
        {
            await StopAsync(host);
        }

        host = await StartAsync(generation: 2);
        try
        {
            var directory = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(TenantDirectoryGrain.DirectoryKey);
            var tenant = Assert.Single(await directory.ListTenantsAsync());
            Assert.Equal("acme", tenant.Id);
            Assert.Equal("Acme Corp", tenant.Name);
            var apiKey = Assert.Single((await directory.ListKeysAsync("acme"))!);
            Assert.Equal("ci", apiKey.Name);
            Assert.Equal(0.5, apiKey.Trust);

            // It writes on from the stored version (a stale ETag would fail the write).
            await directory.CreateTenantAsync("globex", null);
        }
        finally
        {
            await StopAsync(host);
        }

        await using var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        Assert.Equal([TenantDirectoryGrain.DirectoryKey], await store.ListKeysAsync(TenantDirectoryGrain.TypeName, ""));
        var stored = await store.LoadAsync(new MemoryFabric.Orleans.Storage.ActorId(TenantDirectoryGrain.TypeName, TenantDirectoryGrain.DirectoryKey));
        Assert.Equal(3, stored.SnapshotVersion);
    }

    private static int TicksOf(string key, int host) =>
        ReminderProbeGrain.Ticks.TryGetValue(key, out var ticks) ? ticks.Count(t => t.Host == host) : 0;

    private async Task<IHost> StartAsync(int generation)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new HostGeneration(generation));
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePort(), 0)
            .AddMemoryFabric(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1))
            .UseMemoryFabricSqlite(o => o.DataDirectory = _directory.Path));
        var host = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            // Disposing the services closes the SQLite store and the reminder table's connection.
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }

    private async Task<ReminderEntry?> ReadRowAsync(GrainId grainId)
    {
        await using var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        var table = new SqliteReminderTable(store);
        return await table.ReadRow(grainId, ReminderProbeGrain.ReminderName);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
