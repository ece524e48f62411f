using System.Diagnostics.Metrics;
using MemoryFabric.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Hosting;

/// <summary>The server's embedder, chosen at start (<see cref="MemoryFabricServerOptions.Embedder"/>) before the
/// runtime activates any agent; fetching the MiniLM model on first start happens here.</summary>
internal sealed partial class EmbedderHolder(
    IOptions<MemoryFabricServerOptions> options,
    ILogger<EmbedderHolder> logger,
    TimeProvider? time = null,
    IMeterFactory? meterFactory = null) : IHostedService, IDisposable
{
    private SelectedEmbedder? _selected;

    public SelectedEmbedder Selected => _selected ?? throw new InvalidOperationException("The embedder is not chosen yet: the server has not started.");

    public IEmbeddingGenerator<string, Embedding<float>> Generator => Selected.Generator;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = options.Value;
        Validate(server);
        var progress = new SynchronousProgress(message => LogProgress(logger, message));
        // One core per call: the scheduler's workers (half the cores by default) are the encoder's whole budget.
        var selected = await EmbedderFactory.CreateAsync(server.Embedder, progress, cancellationToken, maxDegreeOfParallelism: 1).ConfigureAwait(false);

        // The local encoder (MiniLM or arctic-xs) computes on the calling thread: every call goes to the query-first scheduler's dedicated
        // threads (queries first, micro-batched, with a queue deadline; background batches in small chunks), never to
        // the thread-pool threads that serve requests. The hashed embedder is too cheap to need it, and a remote one
        // awaits the network.
        var encoder = selected.Generator.GetService(typeof(BertEmbeddingGenerator)) as BertEmbeddingGenerator;
        _selected = encoder is null ? selected : selected with { Generator = Scheduled(encoder, selected.Generator, server.EmbeddingScheduler) };
        if (_selected.Warning is { } warning)
        {
            LogFallback(logger, warning);
        }

        if (encoder is not null)
        {
            // The encoder's first call compiles its kernels: done now, so that no first query waits for it (and is
            // answered degraded on a server that is not busy).
            await _selected.Generator.GenerateAsync(["MemoryFabric warm-up"], EmbeddingPriority.CreateBackgroundOptions(), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _selected?.Generator.Dispose();

    // The cache goes in front of the scheduler, so a cached vector (a repeated query) is served without queueing and
    // is never degraded. EmbedderSelection put its cache right around the encoder: that wrapper is left unused (it
    // holds nothing but its entries; disposing it would dispose the encoder) and a cache of the same default capacity
    // is built around the scheduler instead.
    private IEmbeddingGenerator<string, Embedding<float>> Scheduled(
        BertEmbeddingGenerator encoder, IEmbeddingGenerator<string, Embedding<float>> selected, PriorityEmbeddingGeneratorOptions scheduling)
    {
        var scheduler = new PriorityEmbeddingGenerator(encoder, scheduling, time, meterFactory);
        return selected.GetService(typeof(CachingEmbeddingGenerator)) is null
            ? scheduler
            : new CachingEmbeddingGenerator(scheduler, new CachingEmbeddingGeneratorOptions { Capacity = new EmbedderSelectionOptions().CacheCapacity });
    }

    // The search-under-load settings, checked before anything starts (a bad value would otherwise surface at the
    // first query of each agent).
    private static void Validate(MemoryFabricServerOptions server)
    {
        var deadline = server.QueryEmbeddingDeadline;
        if (deadline < TimeSpan.Zero && deadline != Timeout.InfiniteTimeSpan)
        {
            throw new InvalidOperationException(
                $"MemoryFabric:QueryEmbeddingDeadline must be positive, 0 or -00:00:00.001 (both turn it off); it is {deadline}.");
        }

        try
        {
            (server.EmbeddingScheduler ?? throw new InvalidOperationException("MemoryFabric:EmbeddingScheduler is missing.")).Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidOperationException($"MemoryFabric:EmbeddingScheduler:{e.ParamName} is out of range: {e.ActualValue}.", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    private static partial void LogProgress(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogFallback(ILogger logger, string warning);

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
