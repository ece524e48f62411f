using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Runs a CPU-bound encoder (such as <see cref="MiniLmEmbeddingGenerator"/>) on dedicated threads, queries first.
/// A call is <see cref="EmbeddingPriority.Interactive"/> or <see cref="EmbeddingPriority.Background"/> as its options
/// say (<see cref="EmbeddingPriority.PropertyName"/>), else by size (at most
/// <see cref="PriorityEmbeddingGeneratorOptions.InteractiveMaxCount"/> texts is interactive). A worker always takes
/// the waiting interactive calls first, all of them that fit <see cref="PriorityEmbeddingGeneratorOptions.InteractiveBatchSize"/>
/// texts in one encoder call (micro-batching), and a background batch only when no interactive call waits, one chunk
/// of <see cref="PriorityEmbeddingGeneratorOptions.BackgroundChunkSize"/> texts at a time: an interactive call waits at
/// most for the chunk in progress.
/// </summary>
/// <remarks>
/// <para>Bounded waiting: an interactive call may carry a queue deadline
/// (<see cref="EmbeddingPriority.QueueDeadlinePropertyName"/>); if no worker has started it by then it fails at that
/// moment with <see cref="EmbeddingDeadlineExceededException"/> and never reaches the encoder. The deadline bounds
/// queueing: a call that finds a worker idle (and no earlier call waiting for it) waits for no other work, only for the
/// thread to wake, and is not held to it, so a quiet encoder never fails a query because the machine was slow to
/// schedule a thread or paused for a collection. When
/// <see cref="PriorityEmbeddingGeneratorOptions.InteractiveQueueLimit"/> interactive calls already wait, a new one is
/// refused at once with <see cref="EmbedderOverloadedException"/>. Background calls are never refused.</para>
/// <para>A cancelled call returns at once (a queued one leaves the queue, a background batch's remaining chunks are
/// skipped). Disposing fails the calls still queued with <see cref="ObjectDisposedException"/>, waits for the chunks
/// in progress and disposes the inner generator.</para>
/// <para>Instruments (meter <see cref="MeterName"/>): <c>memoryfabric.embeddings.interactive.queued</c> and
/// <c>memoryfabric.embeddings.background.queued</c> (gauges), <c>memoryfabric.embeddings.interactive.wait</c> (the wait
/// before a worker started an interactive call, seconds), <c>memoryfabric.embeddings.interactive.deadline_missed</c>
/// and <c>memoryfabric.embeddings.interactive.refused</c> (counters).</para>
/// </remarks>
public sealed class PriorityEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The name of the scheduler's meter: <c>MemoryFabric.Embeddings</c>.</summary>
    public const string MeterName = "MemoryFabric.Embeddings";

    private readonly TimeProvider _time;
    private readonly int _chunkSize;
    private readonly int _batchSize;
    private readonly int _queueLimit;
    private readonly int _interactiveMaxCount;
    private readonly TimeSpan _retryAfter;
    private readonly Thread[] _threads;
    private readonly PriorityEmbeddingGeneratorMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();

    // The queues and _disposed are guarded by _gate; idle workers wait on it (Monitor).
    private readonly object _gate = new();
    private readonly Queue<InteractiveCall> _interactive = new();
    private readonly Queue<Chunk> _background = new();
    private int _backgroundWaiting; // texts in queued chunks
    private int _busyWorkers; // workers with an encoder call in progress
    private bool _disposed;

    private int _interactiveWaiting; // interactive calls queued and not started, expired or cancelled (Interlocked)
    private long _interactiveEncodes;
    private long _deadlineMisses;
    private long _refused;

    /// <summary>Creates the generator and starts its threads.</summary>
    /// <param name="innerGenerator">The generator that does the work.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of the deadlines and waits; the system clock when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the meter; a private one when <see langword="null"/>.</param>
    public PriorityEmbeddingGenerator(
        IEmbeddingGenerator<string, Embedding<float>> innerGenerator,
        PriorityEmbeddingGeneratorOptions? options = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
        : base(innerGenerator)
    {
        options ??= new PriorityEmbeddingGeneratorOptions();
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _chunkSize = options.BackgroundChunkSize;
        _batchSize = options.InteractiveBatchSize;
        _queueLimit = options.InteractiveQueueLimit;
        _interactiveMaxCount = options.InteractiveMaxCount;
        _retryAfter = options.OverloadRetryAfter;
        _metrics = new PriorityEmbeddingGeneratorMetrics(meterFactory, () => InteractiveQueueLength, () => BackgroundQueueLength);
        _threads = new Thread[options.Workers];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"MemoryFabric embedding {i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Interactive calls waiting for a worker now.</summary>
    public int InteractiveQueueLength => Math.Max(0, Volatile.Read(ref _interactiveWaiting));

    /// <summary>Texts of background batches waiting for a worker now.</summary>
    public int BackgroundQueueLength
    {
        get
        {
            lock (_gate)
            {
                return _backgroundWaiting;
            }
        }
    }

    /// <summary>Workers with an encoder call (interactive or a background chunk) in progress now.</summary>
    public int BusyWorkers
    {
        get
        {
            lock (_gate)
            {
                return _busyWorkers;
            }
        }
    }

    /// <summary>Encoder calls made for interactive calls so far (several calls micro-batched count once).</summary>
    public long InteractiveEncodes => Interlocked.Read(ref _interactiveEncodes);

    /// <summary>Interactive calls that failed with <see cref="EmbeddingDeadlineExceededException"/> so far.</summary>
    public long DeadlineMisses => Interlocked.Read(ref _deadlineMisses);

    /// <summary>Interactive calls refused with <see cref="EmbedderOverloadedException"/> so far.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var priority = EmbeddingPriority.Get(options);
        var interactive = priority is null ? texts.Count <= _interactiveMaxCount : priority == EmbeddingPriority.Interactive;
        var deadline = interactive ? EmbeddingPriority.GetQueueDeadline(options) : null;
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }

        if (texts.Count == 0)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>());
        }

        return interactive
            ? EnqueueInteractive(texts, options, deadline, cancellationToken)
            : EnqueueBackground(texts, options, cancellationToken);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            base.Dispose(disposing);
            return;
        }

        List<InteractiveCall> interactive;
        List<BackgroundCall> background;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            interactive = [.. _interactive];
            background = [.. _background.Select(c => c.Call).Distinct()];
            _interactive.Clear();
            _background.Clear();
            _backgroundWaiting = 0;
            Monitor.PulseAll(_gate);
        }

        _stopping.Cancel(); // a micro-batch in progress stops if the encoder listens
        var disposed = new ObjectDisposedException(nameof(PriorityEmbeddingGenerator));
        foreach (var call in interactive)
        {
            if (call.TryLeave())
            {
                call.Fail(disposed);
            }
        }

        foreach (var call in background)
        {
            call.Fail(disposed);
        }

        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }

        _stopping.Dispose();
        _metrics.Dispose();
        base.Dispose(disposing);
    }

    private Task<GeneratedEmbeddings<Embedding<float>>> EnqueueInteractive(
        IReadOnlyList<string> texts, EmbeddingGenerationOptions? options, TimeSpan? deadline, CancellationToken cancellationToken)
    {
        var call = new InteractiveCall(this, texts, options, _time.GetTimestamp(), cancellationToken);
        bool queued;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Volatile.Read(ref _interactiveWaiting) >= _queueLimit)
            {
                Interlocked.Increment(ref _refused);
                _metrics.Refused();
                return Task.FromException<GeneratedEmbeddings<Embedding<float>>>(new EmbedderOverloadedException(
                    string.Create(CultureInfo.InvariantCulture, $"The encoder's queue is full ({_queueLimit} interactive calls wait); nothing was queued. Retry shortly."),
                    _retryAfter));
            }

            // Behind other work (every worker busy, or the idle ones already promised to earlier calls) or not.
            queued = Volatile.Read(ref _interactiveWaiting) >= _threads.Length - _busyWorkers;
            Interlocked.Increment(ref _interactiveWaiting);
            _interactive.Enqueue(call);
            Monitor.Pulse(_gate);
        }

        call.Arm(queued ? deadline : null); // after queueing: a deadline or cancellation that fires at once finds the call queued
        return call.Task;
    }

    private Task<GeneratedEmbeddings<Embedding<float>>> EnqueueBackground(
        IReadOnlyList<string> texts, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var array = texts as string[] ?? [.. texts];
        var chunks = (array.Length + _chunkSize - 1) / _chunkSize;
        var call = new BackgroundCall(array, options, chunks, cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var start = 0; start < array.Length; start += _chunkSize)
            {
                _background.Enqueue(new Chunk(call, start, Math.Min(_chunkSize, array.Length - start)));
            }

            _backgroundWaiting += array.Length;
            Monitor.PulseAll(_gate);
        }

        call.Arm();
        return call.Task;
    }

    private void Run()
    {
        var busy = false;
        while (true)
        {
            List<InteractiveCall>? batch;
            Chunk? chunk = null;
            lock (_gate)
            {
                if (busy)
                {
                    _busyWorkers--;
                    busy = false;
                }

                while ((batch = TakeInteractive()) is null && (chunk = TakeChunk()) is null)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    Monitor.Wait(_gate);
                }

                _busyWorkers++;
                busy = true;
            }

            if (batch is not null)
            {
                RunInteractive(batch);
            }
            else
            {
                RunChunk(chunk!);
            }
        }
    }

    // Under _gate: the waiting interactive calls that go into one encoder call (the first, then those after it that
    // fit the batch and share its options), started; null when none waits.
    private List<InteractiveCall>? TakeInteractive()
    {
        List<InteractiveCall>? batch = null;
        var texts = 0;
        while (_interactive.TryPeek(out var call))
        {
            if (!call.IsWaiting)
            {
                _interactive.Dequeue(); // expired or cancelled
                continue;
            }

            if (batch is not null && (texts + call.Texts.Count > _batchSize || !CanShareCall(batch[0].Options, call.Options)))
            {
                break;
            }

            _interactive.Dequeue();
            if (call.TryStart())
            {
                _metrics.Waited(_time.GetElapsedTime(call.QueuedAt));
                (batch ??= []).Add(call);
                texts += call.Texts.Count;
            }
        }

        return batch;
    }

    // Under _gate: the next chunk of a background call that is still wanted.
    private Chunk? TakeChunk()
    {
        while (_background.TryDequeue(out var chunk))
        {
            _backgroundWaiting -= chunk.Count;
            if (!chunk.Call.Task.IsCompleted)
            {
                return chunk;
            }
        }

        return null;
    }

    private void RunInteractive(List<InteractiveCall> batch)
    {
        Interlocked.Increment(ref _interactiveEncodes);
        var single = batch.Count == 1;
        IReadOnlyList<string> texts = single ? batch[0].Texts : [.. batch.SelectMany(c => c.Texts)];
        try
        {
            var result = InnerGenerator.GenerateAsync(texts, batch[0].Options, single ? batch[0].CancellationToken : _stopping.Token).GetAwaiter().GetResult();
            if (result.Count != texts.Count)
            {
                throw new InvalidOperationException($"The inner embedding generator returned {result.Count} embeddings for {texts.Count} inputs.");
            }

            if (single)
            {
                batch[0].Complete(result);
                return;
            }

            var offset = 0;
            foreach (var call in batch)
            {
                var own = new GeneratedEmbeddings<Embedding<float>>(call.Texts.Count);
                for (var i = 0; i < call.Texts.Count; i++)
                {
                    own.Add(result[offset + i]);
                }

                offset += call.Texts.Count;
                call.Complete(own);
            }
        }
        catch (Exception e)
        {
            foreach (var call in batch)
            {
                call.Fail(e);
            }
        }
    }

    private void RunChunk(Chunk chunk)
    {
        var call = chunk.Call;
        try
        {
            var texts = new ArraySegment<string>(call.Texts, chunk.Start, chunk.Count);
            var result = InnerGenerator.GenerateAsync(texts, call.Options, call.CancellationToken).GetAwaiter().GetResult();
            if (result.Count != chunk.Count)
            {
                throw new InvalidOperationException($"The inner embedding generator returned {result.Count} embeddings for {chunk.Count} inputs.");
            }

            call.Deliver(chunk.Start, result);
        }
        catch (Exception e)
        {
            call.Fail(e);
        }
    }

    // Interactive calls share one encoder call only when their options ask the encoder for the same thing: the same
    // model, dimensions and input type (query or document), nothing but the scheduling properties besides.
    private static bool CanShareCall(EmbeddingGenerationOptions? a, EmbeddingGenerationOptions? b) =>
        ReferenceEquals(a, b)
        || (string.Equals(a?.ModelId, b?.ModelId, StringComparison.Ordinal)
            && a?.Dimensions == b?.Dimensions
            && EmbeddingInputType.IsQuery(a) == EmbeddingInputType.IsQuery(b)
            && a?.RawRepresentationFactory is null && b?.RawRepresentationFactory is null
            && OnlySchedulingProperties(a) && OnlySchedulingProperties(b));

    private static bool OnlySchedulingProperties(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties is not { } properties
        || properties.Keys.All(k => k is EmbeddingPriority.PropertyName or EmbeddingPriority.QueueDeadlinePropertyName or EmbeddingInputType.PropertyName);

    private void DeadlineMissed()
    {
        Interlocked.Increment(ref _deadlineMisses);
        _metrics.DeadlineMissed();
    }

    private sealed class InteractiveCall(
        PriorityEmbeddingGenerator owner, IReadOnlyList<string> texts, EmbeddingGenerationOptions? options, long queuedAt, CancellationToken cancellationToken)
    {
        private const int Waiting = 0;
        private const int Started = 1;
        private const int Left = 2; // expired, cancelled, or failed by disposal while queued

        // Continuations run on the pool, never on a worker or a timer thread.
        private readonly TaskCompletionSource<GeneratedEmbeddings<Embedding<float>>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;
        private ITimer? _deadline;
        private TimeSpan _due;
        private CancellationTokenRegistration _cancellation;

        public IReadOnlyList<string> Texts { get; } = texts;

        public EmbeddingGenerationOptions? Options { get; } = options;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public long QueuedAt { get; } = queuedAt;

        public Task<GeneratedEmbeddings<Embedding<float>>> Task => _completion.Task;

        public bool IsWaiting => Volatile.Read(ref _state) == Waiting;

        public void Arm(TimeSpan? deadline)
        {
            if (deadline is { } due)
            {
                _due = due;
                Volatile.Write(ref _deadline, owner._time.CreateTimer(static s => ((InteractiveCall)s!).Expire(), this, due, Timeout.InfiniteTimeSpan));
            }

            if (CancellationToken.CanBeCanceled)
            {
                _cancellation = CancellationToken.UnsafeRegister(static s => ((InteractiveCall)s!).Cancel(), this);
            }

            if (!IsWaiting)
            {
                Volatile.Read(ref _deadline)?.Dispose(); // started (or gone) before the timer was set
            }

            if (Task.IsCompleted)
            {
                _cancellation.Unregister();
            }
        }

        // A worker takes the call.
        public bool TryStart() => TryLeaveQueue(Started);

        // The call leaves the queue without being started.
        public bool TryLeave() => TryLeaveQueue(Left);

        // Moves a waiting call to `next`, once: whichever of a worker, the deadline or the caller's token comes first.
        private bool TryLeaveQueue(int next)
        {
            if (Interlocked.CompareExchange(ref _state, next, Waiting) != Waiting)
            {
                return false;
            }

            Interlocked.Decrement(ref owner._interactiveWaiting);
            Volatile.Read(ref _deadline)?.Dispose();
            return true;
        }

        public void Complete(GeneratedEmbeddings<Embedding<float>> result)
        {
            _cancellation.Unregister();
            _completion.TrySetResult(result);
        }

        public void Fail(Exception e)
        {
            _cancellation.Unregister();
            if (e is OperationCanceledException && CancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(CancellationToken);
            }
            else
            {
                _completion.TrySetException(e);
            }
        }

        private void Expire()
        {
            if (TryLeave())
            {
                owner.DeadlineMissed();
                _cancellation.Unregister();
                _completion.TrySetException(new EmbeddingDeadlineExceededException(_due));
            }
        }

        // Queued or started, the caller stops waiting; a started call's vectors are dropped when they come.
        private void Cancel()
        {
            TryLeave();
            _completion.TrySetCanceled(CancellationToken);
        }
    }

    private sealed class BackgroundCall(string[] texts, EmbeddingGenerationOptions? options, int chunks, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<GeneratedEmbeddings<Embedding<float>>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Embedding<float>[] _results = chunks == 1 ? [] : new Embedding<float>[texts.Length];
        private int _remaining = chunks;
        private CancellationTokenRegistration _cancellation;

        public string[] Texts { get; } = texts;

        public EmbeddingGenerationOptions? Options { get; } = options;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Task<GeneratedEmbeddings<Embedding<float>>> Task => _completion.Task;

        public void Arm()
        {
            if (CancellationToken.CanBeCanceled)
            {
                _cancellation = CancellationToken.UnsafeRegister(static s =>
                {
                    var call = (BackgroundCall)s!;
                    call._completion.TrySetCanceled(call.CancellationToken); // its chunks still queued are skipped
                }, this);
            }

            if (Task.IsCompleted)
            {
                _cancellation.Unregister();
            }
        }

        public void Deliver(int start, GeneratedEmbeddings<Embedding<float>> result)
        {
            if (_results.Length == 0)
            {
                Complete(result); // one chunk: the inner generator's answer as it is
                return;
            }

            for (var i = 0; i < result.Count; i++)
            {
                _results[start + i] = result[i];
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Complete(new GeneratedEmbeddings<Embedding<float>>(_results));
            }
        }

        public void Fail(Exception e)
        {
            _cancellation.Unregister();
            if (e is OperationCanceledException && CancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(CancellationToken);
            }
            else
            {
                _completion.TrySetException(e);
            }
        }

        private void Complete(GeneratedEmbeddings<Embedding<float>> result)
        {
            _cancellation.Unregister();
            _completion.TrySetResult(result);
        }
    }

    private sealed record Chunk(BackgroundCall Call, int Start, int Count);
}
