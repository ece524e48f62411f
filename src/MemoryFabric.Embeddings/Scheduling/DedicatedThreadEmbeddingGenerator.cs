using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Runs batch embedding calls on dedicated threads instead of the caller's thread-pool thread. A CPU-bound encoder
/// (such as <see cref="MiniLmEmbeddingGenerator"/>, which works synchronously) would otherwise hold pool threads for
/// hundreds of milliseconds per batch, and on a small machine the requests of a server would queue behind it. Small
/// calls (a query) still run inline, at once.
/// </summary>
public sealed class DedicatedThreadEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly BlockingCollection<WorkItem> _queue = [];
    private readonly Thread[] _threads;
    private readonly int _inlineMaxCount;
    private int _disposed;

    /// <summary>Creates the generator and starts its threads.</summary>
    /// <param name="innerGenerator">The generator that does the work.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public DedicatedThreadEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, DedicatedThreadEmbeddingGeneratorOptions? options = null)
        : base(innerGenerator)
    {
        options ??= new DedicatedThreadEmbeddingGeneratorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, "options.Threads");
        ArgumentOutOfRangeException.ThrowIfNegative(options.InlineMaxCount, "options.InlineMaxCount");
        _inlineMaxCount = options.InlineMaxCount;
        _threads = new Thread[options.Threads];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"MemoryFabric embedding {i + 1}" };
            _threads[i].Start();
        }
    }

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        if (texts.Count <= _inlineMaxCount)
        {
            return base.GenerateAsync(texts, options, cancellationToken);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WorkItem(texts, options, cancellationToken);
        _queue.Add(item, CancellationToken.None);
        return item.Completion.Task;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.CompleteAdding();
            foreach (var thread in _threads)
            {
                thread.Join();
            }

            _queue.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Run()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            if (item.CancellationToken.IsCancellationRequested)
            {
                item.Completion.TrySetCanceled(item.CancellationToken);
                continue;
            }

            try
            {
                var result = InnerGenerator.GenerateAsync(item.Texts, item.Options, item.CancellationToken).GetAwaiter().GetResult();
                item.Completion.TrySetResult(result);
            }
            catch (OperationCanceledException e) when (item.CancellationToken.IsCancellationRequested)
            {
                item.Completion.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                item.Completion.TrySetException(e);
            }
        }
    }

    private sealed class WorkItem(IReadOnlyList<string> texts, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        public IReadOnlyList<string> Texts { get; } = texts;

        public EmbeddingGenerationOptions? Options { get; } = options;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        // Continuations run on the pool, never on the dedicated thread.
        public TaskCompletionSource<GeneratedEmbeddings<Embedding<float>>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
