using System.Diagnostics;
using MemoryFabric.Conversation;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Hosting;

/// <summary>
/// Runs a throwaway in-memory agent through the engine's paths before the server reports ready: ingest, background
/// embedding, consolidation, the journal's changes and a snapshot, a restore from both, a search and a context. In a
/// fresh process the first request to an agent otherwise compiles all of that (the JIT) on the request path. It uses
/// the agents' engine options and the hashed embedder (the dense paths are the same; the encoder warms
/// itself up in <see cref="EmbedderHolder"/>, and its scheduler's queues and counters stay untouched), stores nothing,
/// and a failure is logged, never fatal. <see cref="MemoryFabricServerOptions.EngineWarmup"/> turns it off.
/// </summary>
internal sealed partial class EngineWarmup : IHostedService
{
    private readonly IAgentMemoryFactory _factory;
    private readonly IOptions<MemoryFabricServerOptions> _options;
    private readonly ILogger<EngineWarmup> _logger;

    /// <summary>The server's warm-up: the agents' engine options (<see cref="MemoryFabricServer.EngineOptions"/>, with the
    /// guard's built-in claim rules: no chat model is asked) and the hashed embedder.</summary>
    public EngineWarmup(IOptions<MemoryFabricServerOptions> options, TimeProvider time, ILogger<EngineWarmup> logger)
        : this(new AgentMemoryFactory(() => new AgentMemory(
            MemoryFabricServer.EngineOptions(options.Value, claims: null), time, new MemoryFabric.Embeddings.HashingEmbeddingGenerator())), options, logger)
    {
    }

    /// <summary>A warm-up over the memories <paramref name="factory"/> creates (tests).</summary>
    internal EngineWarmup(IAgentMemoryFactory factory, IOptions<MemoryFabricServerOptions> options, ILogger<EngineWarmup> logger)
    {
        _factory = factory;
        _options = options;
        _logger = logger;
    }

    private static readonly DateTimeOffset Start = new(2024, 5, 8, 9, 0, 0, TimeSpan.Zero);

    private static readonly string[] Lines =
    [
        "I moved to Lisbon last spring and I walk to the office every morning.",
        "That sounds lovely. How is the new job going?",
        "Great, my manager Ana said the team will grow next year.",
        "My sister Maria is getting married in October, so we are planning a trip.",
        "I started learning the cello two months ago; practice is every Tuesday.",
        "Remember that I'm allergic to peanuts when you suggest recipes.",
    ];

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Value.EngineWarmup)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        try
        {
            await RunAsync(cancellationToken).ConfigureAwait(false);
            LogDone(_logger, watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, e);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var memory = _factory.Create();
        for (var session = 0; session < 3; session++)
        {
            var turns = Lines.Select((text, i) => new TurnInput
            {
                SessionId = $"warmup-{session}",
                Speaker = i % 2 == 0 ? "Sam" : "Assistant",
                Role = i % 2 == 0 ? TurnRole.User : TurnRole.Assistant,
                Text = text,
                Timestamp = Start.AddDays(session).AddMinutes(i),
            }).ToList();
            await memory.IngestAsync(turns, cancellationToken).ConfigureAwait(false);
        }

        var journal = MemoryChangeCodec.Encode(memory.DrainChanges());
        while (await memory.EmbedPendingAsync(64, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        await memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);
        while (await memory.EmbedPendingAsync(64, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        await memory.SearchAsync(new SearchRequest { Query = "Where does Sam live?" }, cancellationToken).ConfigureAwait(false);
        var snapshot = memory.CreateSnapshot();

        // An activation: a snapshot, then journal entries; then what its first requests do.
        var restored = _factory.Create();
        restored.RestoreSnapshot(snapshot);
        var replayed = _factory.Create();
        replayed.ApplyChanges(MemoryChangeCodec.Decode(journal));
        restored.GetStatistics();
        await restored.SearchAsync(new SearchRequest { Query = "What instrument is Sam learning?" }, cancellationToken).ConfigureAwait(false);
        await restored.GetContextAsync(new ContextRequest { Query = "Which food should recipes avoid?" }, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine warm-up done in {Milliseconds:F0} ms (a throwaway in-memory agent; nothing stored).")]
    private static partial void LogDone(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine warm-up failed; the first requests compile the engine's paths instead.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
