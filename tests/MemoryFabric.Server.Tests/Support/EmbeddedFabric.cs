using System.Net;
using System.Net.Sockets;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Hosting;
using MemoryFabric.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace MemoryFabric.Server.Tests.Support;

/// <summary>The embedded silo as the server runs it (localhost clustering, the fabric's grains, SQLite under a data
/// directory, reminders in SQLite), without HTTP: a host that can be stopped and started again on the same directory.
/// Reminders may be as short as a second here.</summary>
internal sealed class EmbeddedFabric : IAsyncDisposable
{
    private readonly string _directory;
    private readonly AgentMemoryGrainOptions _options;
    private readonly TimeProvider _engineTime;
    private readonly TimeSpan? _idleTimeout;
    private readonly Func<AgentMemory>? _memory;
    private readonly Action<IServiceCollection>? _services;
    private IHost? _host;

    /// <summary>Creates the fabric (not started).</summary>
    /// <param name="directory">The data directory.</param>
    /// <param name="options">The agent grains' options.</param>
    /// <param name="engineTime">The engine's clock (turn dates, decay); Orleans keeps real time.</param>
    /// <param name="idleTimeout">How long an idle grain stays activated (Orleans' collection runs every second
    /// then); the default 15 minutes when <see langword="null"/>.</param>
    /// <param name="memory">Creates each agent's engine; one deferring dense embedding on <paramref name="engineTime"/>
    /// when <see langword="null"/>.</param>
    /// <param name="services">Changes the silo's services after the fabric's own are added (to decorate one).</param>
    public EmbeddedFabric(string directory, AgentMemoryGrainOptions options, TimeProvider engineTime, TimeSpan? idleTimeout = null, Func<AgentMemory>? memory = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        _directory = directory;
        _options = options;
        _engineTime = engineTime;
        _idleTimeout = idleTimeout;
        _memory = memory;
    }

    public IGrainFactory Grains => _host?.Services.GetRequiredService<IGrainFactory>() ?? throw new InvalidOperationException("Not started.");

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("Not started.");

    public IAgentMemoryGrain Agent(string key) => Grains.GetGrain<IAgentMemoryGrain>(key);

    public ITenantGuardGrain Guard(string tenant) => Grains.GetGrain<ITenantGuardGrain>(tenant);

    public async Task StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(_memory ?? (() => new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, _engineTime))));
        builder.Services.AddSingleton(_options);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), 0, serviceId: "tests", clusterId: "tests");
            silo.AddMemoryFabric(o =>
            {
                o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                o.IdleTimeout = _idleTimeout ?? o.IdleTimeout;
            });
            if (_idleTimeout is not null)
            {
                silo.Configure<GrainCollectionOptions>(o => o.CollectionQuantum = TimeSpan.FromSeconds(1));
            }

            silo.UseMemoryFabricSqlite(o => o.DataDirectory = _directory);
            silo.Configure<ReminderOptions>(o => o.RefreshReminderListPeriod = TimeSpan.FromSeconds(1));
            _services?.Invoke(silo.Services);
        });
        _host = builder.Build();
        await _host.StartAsync();
    }

    /// <summary>Stops the silo gracefully (activations write their snapshots) and closes the database.</summary>
    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Deactivates every idle activation now (Orleans' own collection).</summary>
    public Task CollectAsync() => Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    /// <summary>The names of the reminders a grain has in the reminder table.</summary>
    public async Task<IReadOnlyList<string>> RemindersAsync(string agentKey)
    {
        var table = Services.GetRequiredService<IReminderTable>();
        var grain = Agent(agentKey).GetGrainId();
        return (await table.ReadRows(grain)).Reminders.Select(r => r.ReminderName).ToList();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
