using System.Diagnostics;
using MemoryFabric.Consolidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Agents;

// Consolidation without blocking the agent. A short turn captures what to consolidate (AgentMemory.CaptureConsolidation)
// and starts planning on the thread pool (segmentation, extraction, embedding: AgentMemory.PlanConsolidationAsync,
// which touches nothing of the memory); searches, contexts, reads and writes go on meanwhile. Once the plan is ready
// the agent calls itself (IAgentConsolidationGrain) for the turns that apply it, each at most ConsolidationTurnBudget
// long (AgentMemory.ApplyConsolidation, which respects what changed meanwhile: forgotten or quarantined turns, new
// turns, edited notes), the last one writing the snapshot. Triggers: the periodic reminder, the one-shot reminder after
// ConsolidateAfterTurns new turns, a session idle for SessionIdleConsolidation (a grain timer), and ConsolidateAsync,
// which waits without holding the turn ([AlwaysInterleave]) and returns the report. A crash meanwhile loses nothing
// acknowledged: the journal holds every write, and the sessions stay unconsolidated until a snapshot says otherwise.
public sealed partial class AgentMemoryGrain : IAgentConsolidationGrain
{
    private ConsolidationJob? _consolidation;      // started: planning, or waiting for its apply turn
    private ConsolidationJob? _nextConsolidation;  // requested while one ran: starts when it ends
    private long _consolidationNumber;
    private readonly Dictionary<long, ConsolidationJob> _awaitedConsolidations = [];
    private readonly Dictionary<string, DateTimeOffset> _sessionWrites = new(StringComparer.Ordinal); // unconsolidated sessions → last write
    private IGrainTimer? _idleTimer;
    private Task<(long Version, int Size)>? _snapshotWrite; // a consolidation's snapshot being written off the turn

    private bool IsConsolidating => _consolidation is { Completion.IsCompleted: false };

    private IAgentConsolidationGrain Self => this.AsReference<IAgentConsolidationGrain>();

    /// <summary>Consolidates now and compacts the journal into a snapshot. The agent keeps answering meanwhile: this
    /// call waits interleaved with its other calls while the consolidation plans off the agent's turn, and returns
    /// once the plan has been applied in short turns. A consolidation already running captured the agent earlier, so
    /// this one follows it.</summary>
    /// <param name="cancellationToken">Stops waiting (the consolidation goes on).</param>
    /// <returns>What the consolidation did; its duration runs from the start of planning to the snapshot.</returns>
    public async Task<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default)
    {
        var number = await Self.BeginConsolidationAsync(cancellationToken);
        var job = _awaitedConsolidations[number];
        try
        {
            return await job.Completion.WaitAsync(cancellationToken);
        }
        finally
        {
            if (--job.Waiters == 0)
            {
                _awaitedConsolidations.Remove(number);
            }
        }
    }

    /// <inheritdoc />
    Task<long> IAgentConsolidationGrain.BeginConsolidationAsync(CancellationToken cancellationToken)
    {
        EnsureExists();
        cancellationToken.ThrowIfCancellationRequested();
        var job = IsConsolidating
            ? _nextConsolidation ??= new ConsolidationJob(++_consolidationNumber, "request")
            : StartQueuedConsolidation() ?? StartConsolidation(new ConsolidationJob(++_consolidationNumber, "request"), null);
        job.Waiters++;
        _awaitedConsolidations[job.Number] = job;
        return Task.FromResult(job.Number);
    }

    /// <inheritdoc />
    async Task IAgentConsolidationGrain.ApplyConsolidationAsync(long number)
    {
        if (_consolidation is not { } job || job.Number != number || job.Completion.IsCompleted)
        {
            return; // another activation's, or abandoned
        }

        try
        {
            if (job.Snapshot is { } snapshot)
            {
                // The snapshot write has ended: settle it and finish.
                await SettleSnapshotAsync();
                await snapshot;
                job.Complete(await FinishConsolidationAsync(job));
            }
            else
            {
                var plan = await job.Planning;
                if (!_exists || !ReferenceEquals(job.Memory, _memory))
                {
                    throw new InvalidOperationException($"The agent '{this.GetPrimaryKeyString()}' was reloaded while it consolidated; nothing was applied.");
                }

                ApplyStep(job, plan);
                ContinueConsolidation(job, job.Snapshot); // the calls waiting now go first (and the snapshot write ends)
                return;
            }
        }
        catch (Exception e)
        {
            job.Fail(e);
            if (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Consolidation of {Actor} ({Trigger}) failed", _id, job.Trigger);
            }
        }

        _consolidation = null;
        job.Dispose();
        if (_exists)
        {
            StartQueuedConsolidation();
        }
    }

    // Starts a consolidation unless one is running (a reminder's or an idle session's: what it misses, the next one
    // takes); one that a request queued goes first (it covers every session). A turn of the agent.
    private void StartConsolidationIfIdle(string trigger, IReadOnlyCollection<string>? sessions)
    {
        if (!IsConsolidating && StartQueuedConsolidation() is null)
        {
            StartConsolidation(new ConsolidationJob(++_consolidationNumber, trigger), sessions);
        }
    }

    // Starts the consolidation a request queued behind the one that ended, if any.
    private ConsolidationJob? StartQueuedConsolidation()
    {
        if (_nextConsolidation is not { } next)
        {
            return null;
        }

        _nextConsolidation = null;
        return StartConsolidation(next, null);
    }

    // Captures (in this turn) and starts planning on the thread pool; the plan is applied in a later turn
    // (ApplyConsolidationAsync, called by the agent itself once planning has finished).
    private ConsolidationJob StartConsolidation(ConsolidationJob job, IReadOnlyCollection<string>? sessions)
    {
        var memory = _memory;
        var input = memory.CaptureConsolidation(sessions);
        job.Start(memory, _turnsSinceConsolidation);
        _consolidation = job;
        var token = job.Token;
        job.Planning = Task.Run(() => memory.PlanConsolidationAsync(input, token), token);
        var self = Self;
        var logger = _logger;
        var id = _id;
        _ = Task.Run(async () => // on the thread pool: it waits for planning, then asks the agent for the apply turn
        {
            try
            {
                await job.Planning;
            }
            catch (Exception)
            {
                // The apply turn reports it to whoever waits.
            }

            if (job.Completion.IsCompleted)
            {
                return; // abandoned (the agent was reloaded or deactivated)
            }

            try
            {
                await self.ApplyConsolidationAsync(job.Number);
            }
            catch (Exception e)
            {
                job.Fail(e);
                logger.LogWarning(e, "The consolidation of {Actor} could not be applied", id);
            }
        });
        return job;
    }

    // One apply turn: at most ConsolidationTurnBudget of the plan. The last one serializes the snapshot and starts
    // writing it, off the turn (reads go on; the agent's other storage writes wait for it, SettleSnapshotAsync); a
    // last short turn finishes once it is written. What a step changed is in memory only, and consistent: a snapshot
    // between steps keeps the sessions not finished unconsolidated.
    private void ApplyStep(ConsolidationJob job, ConsolidationPlan plan)
    {
        var turn = Stopwatch.StartNew();
        try
        {
            var report = _memory.ApplyConsolidation(plan, _options.ConsolidationTurnBudget);
            _metrics?.GuardChanges(_memory.DrainChanges()); // consolidation is captured by the snapshot, not by the journal
            _dirty = true;
            if (report is not null)
            {
                job.Report = report;
                job.Snapshot = StartSnapshotWrite();
            }
        }
        catch
        {
            // A half-applied step: reload the durable state on the next call.
            Discard();
            throw;
        }

        job.Applied(turn.Elapsed);
    }

    private async Task<ConsolidationReport> FinishConsolidationAsync(ConsolidationJob job)
    {
        var report = job.Report!;
        _turnsSinceConsolidation = Math.Max(0, _turnsSinceConsolidation - job.TurnsAtStart); // what arrived meanwhile still counts
        ScheduleEmbedding(); // the episodes and notes it created join the dense index in the background
        await PublishClaimsAsync(CancellationToken.None);
        var elapsed = job.Elapsed;
        _metrics?.Consolidated(elapsed, job.Trigger);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug(
                "Consolidated {Actor} ({Trigger}) in {Elapsed} ms: planned in {Planned} ms off the agent's turn, applied in {Steps} turns of at most {Longest} ms: {Report}",
                _id, job.Trigger, (long)elapsed.TotalMilliseconds, (long)report.Duration.TotalMilliseconds, job.Steps, (long)job.LongestStep.TotalMilliseconds, report);
        }

        return report with { Duration = elapsed };
    }

    // Serializes the snapshot in this turn and writes it off the turn; SettleSnapshotAsync takes the outcome.
    private Task StartSnapshotWrite()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        _memory.WriteSnapshot(buffer);
        var size = buffer.WrittenCount;
        var write = _storage.WriteSnapshotAsync(buffer.WrittenMemory, _lastSequence, _snapshotVersion, CancellationToken.None);
        _snapshotWrite = write.ContinueWith(
            t => (Version: t.GetAwaiter().GetResult(), Size: size),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _journalSinceSnapshot = 0;
        _wroteSinceSnapshot = false;
        _dirty = false;
        _memory.DrainRecalls(); // the snapshot holds the recall statistics
        return _snapshotWrite;
    }

    // Takes the outcome of a snapshot written off the turn (a turn of the agent; every other storage write of the agent
    // comes after it). A failed one loses nothing acknowledged (the journal holds it): the agent is dirty again, so
    // the next snapshot (at the latest, at deactivation) writes what it held.
    private async Task SettleSnapshotAsync()
    {
        if (_snapshotWrite is not { } write)
        {
            return;
        }

        _snapshotWrite = null;
        try
        {
            var (version, size) = await write;
            _snapshotVersion = version;
            _card.SnapshotWritten(size);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "The snapshot of {Actor} after a consolidation could not be written; it is written again later", _id);
            _dirty = true;
        }
    }

    // Asks for the next turn of the consolidation (queued behind the calls already waiting), once `after` has ended;
    // a failure to ask ends the consolidation.
    private void ContinueConsolidation(ConsolidationJob job, Task? after = null)
    {
        var self = Self;
        var logger = _logger;
        var id = _id;
        _ = (after ?? Task.CompletedTask).ContinueWith(
            _ => self.ApplyConsolidationAsync(job.Number),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap().ContinueWith(
            t =>
            {
                if (t.Exception is { } e)
                {
                    job.Fail(e.InnerException ?? e);
                    logger.LogWarning(e, "The consolidation of {Actor} could not go on", id);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    // Fails every consolidation of this activation (a reload or a deactivation): planning stops, nothing is applied,
    // the sessions stay unconsolidated (durably so: the journal and the snapshot say which).
    private void AbandonConsolidations(string why)
    {
        var error = new InvalidOperationException($"The consolidation of '{this.GetPrimaryKeyString()}' was abandoned: {why}.");
        foreach (var job in new[] { _consolidation, _nextConsolidation }.Concat(_awaitedConsolidations.Values))
        {
            job?.Fail(error);
        }

        _consolidation = null;
        _nextConsolidation = null;
    }

    // After a write that stored turns: the sessions' idle clocks restart.
    private void SessionsWritten(IEnumerable<string> sessionIds)
    {
        if (!IdleConsolidationEnabled)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var sessionId in sessionIds)
        {
            _sessionWrites[sessionId] = now;
        }

        _idleTimer ??= StartIdleTimer(_options.SessionIdleConsolidation);
    }

    // On activation: the sessions left unconsolidated get an idle clock from now.
    private void WatchUnconsolidatedSessions()
    {
        if (_memory.UnconsolidatedSessions.Count > 0)
        {
            SessionsWritten(_memory.UnconsolidatedSessions.ToList());
        }
    }

    private bool IdleConsolidationEnabled =>
        _options.SessionIdleConsolidation > TimeSpan.Zero && _options.SessionIdleConsolidation != Timeout.InfiniteTimeSpan;

    // A timer tick (a turn of the agent): consolidates the sessions idle for SessionIdleConsolidation, so their open
    // episode becomes notes without waiting for the periodic reminder; then waits for the next session to go idle.
    private void ConsolidateIdleSessions()
    {
        using var fired = _idleTimer; // one-shot: disposed once this tick is done
        _idleTimer = null;
        var idle = _options.SessionIdleConsolidation;
        var now = _time.GetUtcNow();
        var due = _sessionWrites.Where(w => now - w.Value >= idle).Select(w => w.Key).ToList();
        if (due.Count > 0 && IsConsolidating)
        {
            _idleTimer = StartIdleTimer(TimeSpan.FromSeconds(1)); // after the running one
            return;
        }

        foreach (var sessionId in due)
        {
            _sessionWrites.Remove(sessionId);
        }

        var unconsolidated = due.Where(_memory.UnconsolidatedSessions.Contains).ToList();
        if (unconsolidated.Count > 0 && _exists)
        {
            StartConsolidationIfIdle("idle", unconsolidated);
        }

        if (_sessionWrites.Count > 0)
        {
            _idleTimer = StartIdleTimer(_sessionWrites.Values.Min() + idle - now);
        }
    }

    // One-shot; it keeps no agent alive (KeepAlive off: an agent idle past Orleans' collection age is deactivated
    // with its timer, and the next activation watches its unconsolidated sessions again).
    private IGrainTimer StartIdleTimer(TimeSpan dueTime) => this.RegisterGrainTimer(
        _ => { ConsolidateIdleSessions(); return Task.CompletedTask; },
        new GrainTimerCreationOptions { DueTime = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = false });

    // The period of a registered reminder as the reminder table holds it, or null when it is not registered.
    private async Task<TimeSpan?> RegisteredPeriodAsync(string name)
    {
        if (ServiceProvider.GetService<IReminderTable>() is { } table)
        {
            return (await table.ReadRow(this.GetGrainId(), name))?.Period;
        }

        return await this.GetReminder(name) is null ? null : _options.ConsolidationPeriod; // the period cannot be read: keep it
    }

    // One consolidation: its plan, its waiters and its outcome.
    private sealed class ConsolidationJob(long number, string trigger) : IDisposable
    {
        private readonly TaskCompletionSource<ConsolidationReport> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _cancellation = new();
        private readonly Stopwatch _stopwatch = new();

        public long Number { get; } = number;

        public string Trigger { get; } = trigger;

        public int Waiters { get; set; }

        public AgentMemory? Memory { get; private set; }

        public int TurnsAtStart { get; private set; }

        public Task<ConsolidationPlan> Planning { get; set; } = Task.FromCanceled<ConsolidationPlan>(new CancellationToken(true));

        public Task<ConsolidationReport> Completion => _completion.Task;

        public CancellationToken Token => _cancellation.Token;

        public TimeSpan Elapsed => _stopwatch.Elapsed;

        public int Steps { get; private set; }

        public ConsolidationReport? Report { get; set; }

        public Task? Snapshot { get; set; }

        public TimeSpan LongestStep { get; private set; }

        public void Applied(TimeSpan step)
        {
            Steps++;
            LongestStep = step > LongestStep ? step : LongestStep;
        }

        public void Start(AgentMemory memory, int turnsAtStart)
        {
            Memory = memory;
            TurnsAtStart = turnsAtStart;
            _stopwatch.Start();
        }

        public void Complete(ConsolidationReport report) => _completion.TrySetResult(report);

        public void Fail(Exception error)
        {
            if (_completion.TrySetException(error))
            {
                _ = _completion.Task.Exception; // observed: nobody may be waiting
                _cancellation.Cancel(); // planning stops
            }
        }

        // Once planning has ended (planning may still use the token after a failure: then the GC takes the source,
        // which has no timer).
        public void Dispose()
        {
            if (Planning.IsCompleted)
            {
                _cancellation.Dispose();
            }
        }
    }
}
