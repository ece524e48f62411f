using MemoryFabric.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Hosting;

/// <summary>The server's embedder, chosen at start (<see cref="MemoryFabricServerOptions.Embedder"/>) before the
/// runtime activates any agent; fetching the MiniLM model on first start happens here.</summary>
internal sealed partial class EmbedderHolder(IOptions<MemoryFabricServerOptions> options, ILogger<EmbedderHolder> logger) : IHostedService, IDisposable
{
    private SelectedEmbedder? _selected;

    public SelectedEmbedder Selected => _selected ?? throw new InvalidOperationException("The embedder is not chosen yet: the server has not started.");

    public IEmbeddingGenerator<string, Embedding<float>> Generator => Selected.Generator;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var progress = new SynchronousProgress(message => LogProgress(logger, message));
        // One core per call: requests embed their queries concurrently, and background indexing is gated to half
        // the cores (DenseIndexingGate), so a batch never takes every core from the requests.
        var selected = await EmbedderFactory.CreateAsync(options.Value.Embedder, progress, cancellationToken, maxDegreeOfParallelism: 1).ConfigureAwait(false);

        // The local encoder computes on the calling thread: its batches (dense indexing, consolidation, imports) go to a
        // dedicated thread so they never hold the thread-pool threads that serve requests; a query is encoded inline.
        // The hashed embedder is too cheap to need it, and a remote one awaits the network.
        _selected = selected.Generator.GetService(typeof(MiniLmEmbeddingGenerator)) is null
            ? selected
            : selected with { Generator = new DedicatedThreadEmbeddingGenerator(selected.Generator) };
        if (_selected.Warning is { } warning)
        {
            LogFallback(logger, warning);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _selected?.Generator.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    private static partial void LogProgress(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogFallback(ILogger logger, string warning);

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
