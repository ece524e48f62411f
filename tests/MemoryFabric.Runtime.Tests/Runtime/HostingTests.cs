using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;
using MemoryFabric.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemoryFabric.Runtime.Tests.Runtime;

public sealed class HostingTests
{
    [Fact]
    public async Task The_runtime_runs_as_a_hosted_service_over_the_sqlite_store()
    {
        using var directory = new TempDirectory();
        var probe = new ActorProbe();

        Assert.Equal(2, await RunHostAsync(directory.Path, probe, increments: 2));
        Assert.Equal([DeactivationReason.Shutdown], probe.DeactivationsOf("h"));

        // A new host over the same data directory sees the state.
        Assert.Equal(5, await RunHostAsync(directory.Path, probe, increments: 3));
        Assert.Equal(2, probe.Activations("h"));
    }

    [Fact]
    public void The_runtime_needs_a_store()
    {
        var services = new ServiceCollection();
        services.AddActorRuntime();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IActorClient>());
        Assert.Contains("AddSqliteActorStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_memory_stores_and_the_registered_clock_are_used()
    {
        var time = new ManualTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddInMemoryActorStores();
        services.AddActorRuntime(o => o.IdleTimeout = TimeSpan.FromMinutes(2)).AddActor("plain", (_, c) => new PlainActor(c));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IActorClient>();
        Assert.Same(time, await client.InvokeAsync<PlainActor, TimeProvider>("k", (a, _) => Task.FromResult(a.Context.TimeProvider)));
        Assert.Contains(provider.GetServices<IHostedService>(), s => ReferenceEquals(s, client));
        Assert.IsType<InMemoryActorStateStore>(provider.GetRequiredService<IActorStateStore>());
    }

    [Fact]
    public async Task The_runtime_reports_its_metrics()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ActorRuntimeMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();

        var probe = new ActorProbe();
        await using var runtime = new ActorRuntime(
            new ActorRuntimeOptions(),
            new InMemoryActorStateStore(),
            new InMemoryReminderStore(),
            [ActorRegistration.Create("metered", (_, c) => new CounterActor(c, probe))]);
        await runtime.InvokeAsync<CounterActor, long>("m", (a, ct) => a.IncrementAsync(ct));
        listener.RecordObservableInstruments();
        await runtime.DeactivateAllAsync();

        bool Has(string instrument, string tag, string value) =>
            measurements.Any(m => m.Instrument == instrument && m.Tags.TryGetValue(tag, out var v) && Equals(v, value));

        Assert.True(Has("memoryfabric.actor.activations", "actor.type", "metered"));
        Assert.True(Has("memoryfabric.actor.active", "actor.type", "metered"));
        Assert.True(Has("memoryfabric.actor.call.duration", "actor.type", "metered"));
        Assert.True(Has("memoryfabric.actor.deactivations", "reason", "requested"));
        Assert.True(Has("memoryfabric.storage.duration", "operation", "load"));
        Assert.True(Has("memoryfabric.storage.duration", "operation", "append"));
        Assert.True(Has("memoryfabric.storage.duration", "operation", "snapshot"));
    }

    private static async Task<long> RunHostAsync(string dataDirectory, ActorProbe probe, int increments)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSqliteActorStore(o => o.DataDirectory = dataDirectory);
        builder.Services.AddActorRuntime().AddActor("counter", (_, context) => new CounterActor(context, probe));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            var client = host.Services.GetRequiredService<IActorClient>();
            Assert.Same(host.Services.GetRequiredService<ActorRuntime>(), client);
            long count = 0;
            for (var i = 0; i < increments; i++)
            {
                count = await client.InvokeAsync<ICounter, long>("h", (c, ct) => c.IncrementAsync(ct));
            }

            await host.StopAsync();
            return count;
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync();
        }
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        return dictionary;
    }
}
