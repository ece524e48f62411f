using System.Collections.Concurrent;
using MemoryFabric.Orleans.AzureStorage.Tests.Support;
using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>Orleans' own Azure Table reminder service, as <c>UseMemoryFabricAzureStorage</c> wires it: a grain's
/// reminder fires, is a row in the table, and fires again after the silo is restarted without anyone calling the
/// grain.</summary>
[Collection(AzuriteTests.Name)]
public sealed class ReminderTests(AzuriteFixture azurite)
{
    private const string ConnectionStringKey = "MemoryFabricTests:Azurite";

    [Fact]
    public async Task A_reminder_registered_on_a_silo_fires_and_survives_a_silo_restart()
    {
        var serviceId = "rem-" + Guid.NewGuid().ToString("N")[..8]; // reminders are scoped by the service id
        var key = "probe-" + Guid.NewGuid().ToString("N")[..8];
        var first = await StartAsync(serviceId);
        GrainId grainId;
        try
        {
            var probe = first.Client.GetGrain<IReminderProbeGrain>(key);
            grainId = probe.GetGrainId();
            await probe.StartAsync(TimeSpan.FromSeconds(1));
            await Eventually.HoldsAsync(() => ReminderProbeGrain.TickCount(key) >= 1, "the reminder fires on the first silo", 30);

            var table = first.GetSiloServiceProvider(first.Primary!.SiloAddress).GetRequiredService<IReminderTable>();
            Assert.Equal("AzureBasedReminderTable", table.GetType().Name);
            Assert.NotNull(await table.ReadRow(grainId, ReminderProbeGrain.ReminderName));
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }

        var before = ReminderProbeGrain.TickCount(key);
        var second = await StartAsync(serviceId);
        try
        {
            // Nobody calls the grain: the new silo reads the reminder from the table and activates it to deliver it.
            await Eventually.HoldsAsync(() => ReminderProbeGrain.TickCount(key) > before, "the reminder fires after the restart", 45);
            Assert.Contains(second.Primary!.SiloAddress.ToString(), ReminderProbeGrain.Silos(key));
            await second.Client.GetGrain<IReminderProbeGrain>(key).StopAsync();
            var table = second.GetSiloServiceProvider(second.Primary.SiloAddress).GetRequiredService<IReminderTable>();
            Assert.Null(await table.ReadRow(grainId, ReminderProbeGrain.ReminderName));
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    private async Task<TestCluster> StartAsync(string serviceId)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Properties[ConnectionStringKey] = azurite.ConnectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryFabric(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            siloBuilder.UseMemoryFabricAzureStorage(siloBuilder.Configuration[ConnectionStringKey]!, "reminder-tests", membership: false);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddMemoryFabricSerialization();
    }
}

/// <summary>A grain with one reminder, for <see cref="ReminderTests"/>.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    /// <summary>Registers the reminder.</summary>
    /// <param name="period">Its due time and period.</param>
    /// <returns>A task.</returns>
    Task StartAsync(TimeSpan period);

    /// <summary>Unregisters it.</summary>
    /// <returns>A task.</returns>
    Task StopAsync();
}

/// <summary>Counts its reminder's ticks (in the test process: the test cluster's silos run in it).</summary>
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    /// <summary>The reminder's name.</summary>
    public const string ReminderName = "probe";

    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Ticks = new();

    /// <summary>How many times the reminder of a key fired.</summary>
    public static int TickCount(string key) => Ticks.TryGetValue(key, out var ticks) ? ticks.Count : 0;

    /// <summary>The silos it fired on.</summary>
    public static IReadOnlyCollection<string> Silos(string key) => Ticks.TryGetValue(key, out var ticks) ? [.. ticks.Distinct()] : [];

    /// <inheritdoc />
    public Task StartAsync(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    /// <inheritdoc />
    public async Task StopAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.GetOrAdd(this.GetPrimaryKeyString(), _ => new ConcurrentQueue<string>()).Enqueue(ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString());
        return Task.CompletedTask;
    }
}
