using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Tests.Support;
using MemoryFabric.Server.Hosting;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Tests.Startup;

/// <summary>The start-up warm-up: a throwaway agent through the engine's paths, nothing else touched, never fatal.</summary>
public sealed class EngineWarmupTests
{
    [Fact]
    public async Task It_takes_a_throwaway_agent_through_ingest_consolidation_snapshot_journal_and_restore()
    {
        var created = new List<AgentMemory>();
        var factory = new AgentMemoryFactory(() =>
        {
            var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true });
            created.Add(memory);
            return memory;
        });
        var logger = new ListLogger<EngineWarmup>();

        await new EngineWarmup(factory, Options.Create(new MemoryFabricServerOptions()), logger).StartAsync(CancellationToken.None);

        Assert.Equal(3, created.Count); // the agent, its restore from the snapshot, its replay from the journal
        var original = created[0].GetStatistics();
        Assert.Equal((18, 3), (original.Turns, original.Sessions));
        Assert.True(original.Episodes > 0 && original.ActiveNotes > 0, $"consolidated: {original}");
        Assert.Equal(0, original.PendingEmbeddings);
        var restored = created[1].GetStatistics();
        Assert.Equal((original.Turns, original.Episodes, original.ActiveNotes), (restored.Turns, restored.Episodes, restored.ActiveNotes));
        Assert.Equal(18, created[2].GetStatistics().Turns);
        Assert.Contains(logger.Entries, l => l.Level == LogLevel.Information && l.Message.StartsWith("Engine warm-up done", StringComparison.Ordinal));
    }

    [Fact]
    public void The_server_runs_it_after_the_embedder_and_before_the_runtime()
    {
        using var factory = new FabricServerFactory();
        var hosted = factory.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        var warmup = hosted.IndexOf(typeof(EngineWarmup));
        Assert.True(warmup > hosted.IndexOf(typeof(EmbedderHolder)) && hosted.IndexOf(typeof(EmbedderHolder)) >= 0, string.Join(", ", hosted.Select(t => t.Name)));
        Assert.True(warmup < hosted.FindIndex(t => t.FullName!.StartsWith("Orleans.", StringComparison.Ordinal)), string.Join(", ", hosted.Select(t => t.Name)));
    }

    [Fact]
    public async Task Turned_off_it_creates_nothing()
    {
        var factory = new AgentMemoryFactory(() => throw new InvalidOperationException("no agent expected"));
        await new EngineWarmup(factory, Options.Create(new MemoryFabricServerOptions { EngineWarmup = false }), new ListLogger<EngineWarmup>()).StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_failure_is_a_warning_and_the_server_starts()
    {
        var factory = new AgentMemoryFactory(() => throw new InvalidOperationException("broken engine"));
        var logger = new ListLogger<EngineWarmup>();

        await new EngineWarmup(factory, Options.Create(new MemoryFabricServerOptions()), logger).StartAsync(CancellationToken.None);

        var warning = Assert.Single(logger.Entries, l => l.Level == LogLevel.Warning);
        Assert.Equal("broken engine", warning.Exception?.Message);
    }
}
