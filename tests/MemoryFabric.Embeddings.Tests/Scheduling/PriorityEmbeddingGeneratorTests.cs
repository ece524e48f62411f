using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings.Tests.Scheduling;

/// <summary>The query-first scheduler against an encoder the test holds: each encoder call blocks its worker until the
/// test lets it go, so what runs next, what waits and what fails is decided by the scheduler alone.</summary>
public sealed class PriorityEmbeddingGeneratorTests
{
    private static readonly EmbeddingGenerationOptions Background = EmbeddingPriority.CreateBackgroundOptions();

    private static EmbeddingGenerationOptions Interactive(int? deadlineMilliseconds = null) =>
        EmbeddingPriority.CreateInteractiveOptions(deadlineMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

    // Texts of different lengths, so each vector ([length, first char]) says which text it belongs to.
    private static string[] Texts(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => prefix + new string('x', i))];

    [Fact]
    public async Task An_interactive_call_sent_while_a_big_batch_runs_waits_for_one_chunk_only()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1, BackgroundChunkSize = 8 });
        var documents = Texts("doc", 32);
        var batch = generator.GenerateAsync(documents, Background);
        await inner.WaitForCallAsync(); // the first chunk is with the encoder

        var query = generator.GenerateAsync(["where is the ferry"], Interactive());
        Assert.Equal(1, generator.InteractiveQueueLength);
        Assert.Equal(24, generator.BackgroundQueueLength);
        inner.Release(); // the first chunk ends
        await inner.WaitForCallAsync();
        Assert.Equal(["where is the ferry"], inner.Calls[1]); // next: the query, before the three other chunks
        inner.Release();
        var vector = Assert.Single(await query);

        Assert.Equal("where is the ferry".Length, vector.Vector.Span[0]);
        Assert.False(batch.IsCompleted);
        inner.Open();
        var embedded = await batch;
        Assert.Equal(documents.Select(d => (float)d.Length), embedded.Select(e => e.Vector.Span[0])); // in order, whole
        Assert.Equal([8, 1, 8, 8, 8], inner.Calls.Select(c => c.Length));
        Assert.Equal(0, generator.BackgroundQueueLength);
    }

    [Fact]
    public async Task Interactive_calls_waiting_together_are_encoded_in_one_call_up_to_the_batch_size()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1, InteractiveBatchSize = 4 });
        var first = generator.GenerateAsync(["first"], Interactive());
        await inner.WaitForCallAsync(); // the worker is busy

        var queries = Texts("q", 6).Select(q => (Text: q, Task: generator.GenerateAsync([q], Interactive()))).ToList();
        Assert.Equal(6, generator.InteractiveQueueLength);
        inner.Open();
        await first;

        foreach (var (text, task) in queries)
        {
            var vector = Assert.Single(await task); // each caller gets its own vector
            Assert.Equal(text.Length, vector.Vector.Span[0]);
        }

        Assert.Equal([1, 4, 2], inner.Calls.Select(c => c.Length)); // six queries in two encoder calls of at most four
        Assert.Equal(3, generator.InteractiveEncodes);
    }

    [Fact]
    public async Task Queries_share_encoder_calls_with_queries_only()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1, InteractiveBatchSize = 8 });
        var first = generator.GenerateAsync(["first"], Interactive());
        await inner.WaitForCallAsync(); // the worker is busy

        var queries = Texts("q", 3).Select(q => generator.GenerateAsync([q], EmbeddingInputType.AsQuery(Interactive()))).ToList();
        var documents = Texts("d", 2).Select(d => generator.GenerateAsync([d], Interactive())).ToList(); // on-demand embeds of stored items
        inner.Open();
        await first;
        await Task.WhenAll(queries.Concat(documents));

        // An asymmetric encoder reads the input type from the call's options, so the two are never in one call.
        Assert.Equal([1, 3, 2], inner.Calls.Select(c => c.Length));
        Assert.All(inner.Calls[1], t => Assert.StartsWith("q", t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_not_started_by_its_deadline_fails_then_and_never_reaches_the_encoder()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1 });
        var batch = generator.GenerateAsync(Texts("doc", 8), Background);
        await inner.WaitForCallAsync(); // the worker is held: only the deadline can end the wait

        var late = await Assert.ThrowsAsync<EmbeddingDeadlineExceededException>(() => generator.GenerateAsync(["late query"], Interactive(deadlineMilliseconds: 50)));

        Assert.Equal(TimeSpan.FromMilliseconds(50), late.Deadline);
        Assert.Equal(1, generator.DeadlineMisses);
        Assert.Equal(0, generator.InteractiveQueueLength);
        Assert.False(batch.IsCompleted);
        inner.Open();
        await batch;
        Assert.Single(await generator.GenerateAsync(["on time"], Interactive(deadlineMilliseconds: 5_000))); // an idle worker starts at once
        Assert.DoesNotContain(inner.Calls, c => c.Contains("late query"));
        Assert.Equal(1, generator.DeadlineMisses);
    }

    [Fact]
    public async Task The_deadline_bounds_queueing_so_a_call_that_finds_a_worker_idle_is_never_held_to_it()
    {
        // Every deadline timer fires the moment it is set: only a call that is not held to its deadline can succeed.
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1 }, new DueAtOnceTimeProvider());
        Assert.Equal(0, generator.BusyWorkers);

        var quiet = generator.GenerateAsync(["quiet query"], Interactive(deadlineMilliseconds: 1)); // the worker is idle
        await inner.WaitForCallAsync();
        Assert.Equal(1, generator.BusyWorkers);
        var behind = generator.GenerateAsync(["queued query"], Interactive(deadlineMilliseconds: 1)); // it would wait behind the first

        await Assert.ThrowsAsync<EmbeddingDeadlineExceededException>(() => behind);
        inner.Open();
        Assert.Single(await quiet);
        Assert.Equal(1, generator.DeadlineMisses);
        Assert.Equal([["quiet query"]], inner.Calls);
        for (var wait = 0; wait < 200 && generator.BusyWorkers != 0; wait++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, generator.BusyWorkers); // the worker is idle again once its call ends
    }

    [Fact]
    public async Task A_full_interactive_queue_refuses_at_once_and_background_batches_are_never_refused()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions
        {
            Workers = 1,
            InteractiveQueueLimit = 2,
            OverloadRetryAfter = TimeSpan.FromSeconds(3),
        });
        var busy = generator.GenerateAsync(["busy"], Interactive());
        await inner.WaitForCallAsync();
        var waiting = new[] { generator.GenerateAsync(["w1"], Interactive()), generator.GenerateAsync(["w2"], Interactive()) };

        var refused = generator.GenerateAsync(["third"], Interactive());

        Assert.True(refused.IsFaulted); // at once, not after a wait
        var overloaded = await Assert.ThrowsAsync<EmbedderOverloadedException>(() => refused);
        Assert.Equal(TimeSpan.FromSeconds(3), overloaded.RetryAfter);
        Assert.Equal(1, generator.Refused);
        var batch = generator.GenerateAsync(Texts("doc", 20), Background);
        inner.Open();
        await Task.WhenAll([busy, .. waiting, batch]);
        Assert.DoesNotContain(inner.Calls, c => c.Contains("third"));
    }

    [Fact]
    public async Task A_cancelled_call_returns_at_once_and_leaves_nothing_for_the_encoder()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1, BackgroundChunkSize = 8 });
        using var batchCancel = new CancellationTokenSource();
        var batch = generator.GenerateAsync(Texts("doc", 24), Background, batchCancel.Token);
        await inner.WaitForCallAsync(); // chunk 1 of 3 runs
        using var queryCancel = new CancellationTokenSource();
        var query = generator.GenerateAsync(["never mind"], Interactive(), queryCancel.Token);

        await queryCancel.CancelAsync();
        await batchCancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch); // while its first chunk is still held
        Assert.Equal(0, generator.InteractiveQueueLength);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(["too late"], Interactive(), queryCancel.Token));
        inner.Open();
        await generator.GenerateAsync(["after"], Interactive()); // the worker has gone through the queue
        Assert.Equal([["doc", "docx", "docxx", "docxxx", "docxxxx", "docxxxxx", "docxxxxxx", "docxxxxxxx"], ["after"]], inner.Calls);
        Assert.Equal(0, generator.BackgroundQueueLength);
    }

    [Fact]
    public async Task Dispose_fails_the_queued_calls_waits_for_the_running_one_and_disposes_the_encoder()
    {
        var inner = new HeldEncoder();
        var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1, BackgroundChunkSize = 8 });
        var batch = generator.GenerateAsync(Texts("doc", 16), Background);
        await inner.WaitForCallAsync();
        var query = generator.GenerateAsync(["queued"], Interactive());

        var disposing = Task.Run(generator.Dispose);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => query);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batch); // its second chunk was still queued
        Assert.False(disposing.IsCompleted); // it waits for the chunk the worker holds
        inner.Open();
        await disposing;
        Assert.True(inner.Disposed);
        Assert.Single(inner.Calls);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["x"]));
        generator.Dispose(); // twice is fine
    }

    [Fact]
    public async Task Without_a_priority_a_call_is_interactive_by_size_and_a_wrong_priority_is_refused()
    {
        var inner = new HeldEncoder();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 1, BackgroundChunkSize = 8 });
        var batch = generator.GenerateAsync(Texts("doc", 16)); // no priority, 16 texts: background
        await inner.WaitForCallAsync();
        var pair = generator.GenerateAsync(["a1", "b22"]); // background
        var markedBackground = generator.GenerateAsync(["single but background"], Background);
        var single = generator.GenerateAsync(["single"]); // no priority, one text: interactive

        inner.Open();
        await Task.WhenAll(batch, pair, markedBackground, single);

        Assert.Equal([8, 1, 8, 2, 1], inner.Calls.Select(c => c.Length));
        Assert.Equal(["single"], inner.Calls[1]);
        var wrong = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingPriority.PropertyName] = "urgent" } };
        await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["x"], wrong));
        var badDeadline = EmbeddingPriority.CreateInteractiveOptions();
        badDeadline.AdditionalProperties![EmbeddingPriority.QueueDeadlinePropertyName] = "5ms";
        await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["x"], badDeadline));
    }

    [Fact]
    public async Task The_encoder_runs_on_a_dedicated_thread_and_services_come_from_the_inner_generator()
    {
        var inner = new HeldEncoder();
        inner.Open();
        using var generator = new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 2 });

        await generator.GenerateAsync(["query"], Interactive());

        Assert.StartsWith("MemoryFabric embedding ", inner.LastThreadName, StringComparison.Ordinal);
        Assert.False(inner.LastOnPool);
        Assert.Same(inner, generator.GetService(typeof(HeldEncoder)));
        Assert.Empty(await generator.GenerateAsync([], Interactive()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PriorityEmbeddingGenerator(inner, new PriorityEmbeddingGeneratorOptions { Workers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingPriority.CreateInteractiveOptions(TimeSpan.Zero));
    }

    /// <summary>A clock whose timers are all due at once: the callback runs as the timer is created.</summary>
    private sealed class DueAtOnceTimeProvider : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            callback(state);
            return new SpentTimer();
        }

        private sealed class SpentTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>A synchronous encoder (as MiniLM is) whose calls each block their thread until the test releases them.
    /// A vector is [text length, first character].</summary>
    private sealed class HeldEncoder : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly SemaphoreSlim _called = new(0);
        private readonly SemaphoreSlim _released = new(0);
        private readonly ConcurrentQueue<string[]> _calls = new();
        private volatile bool _open;

        public IReadOnlyList<string[]> Calls => [.. _calls];

        public string? LastThreadName { get; private set; }

        public bool LastOnPool { get; private set; }

        public bool Disposed { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToArray();
            _calls.Enqueue(texts);
            LastThreadName = Thread.CurrentThread.Name;
            LastOnPool = Thread.CurrentThread.IsThreadPoolThread;
            _called.Release();
            if (!_open)
            {
                _released.Wait(CancellationToken.None);
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(new float[] { t.Length, t[0] }))));
        }

        public async Task WaitForCallAsync() =>
            Assert.True(await _called.WaitAsync(TimeSpan.FromSeconds(10)), "the encoder was not called");

        public void Release() => _released.Release();

        public void Open()
        {
            _open = true;
            _released.Release(1_000);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose() => Disposed = true;
    }
}
