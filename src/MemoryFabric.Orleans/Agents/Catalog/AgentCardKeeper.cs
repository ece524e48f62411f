using MemoryFabric.Orleans.Storage;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Agents.Catalog;

/// <summary>
/// Keeps an agent grain's card (<see cref="AgentCard"/>) current in the store, off the write path: a write the grain
/// acknowledges only notes what changed; the card is written by a one-shot grain timer
/// <see cref="AgentMemoryGrainOptions.CardDelay"/> later (so a burst of writes costs one card write), and at
/// deactivation when it still differs. A card write never delays or fails the agent's own writes.
/// </summary>
/// <remarks>
/// <para>At activation the stored card is read beside the agent's state; a card that is missing (an agent stored
/// before cards existed) or does not match the loaded state (a crash before the last card write) is rewritten by the
/// timer, so the card heals whenever the agent is next activated.</para>
/// <para>The size is the stored bytes of the agent's state: its snapshot and the journal entries after it, tracked as
/// they are written. Cards are written only from the grain's turns (the timer does not interleave), so a purge never
/// races a card write.</para>
/// </remarks>
internal sealed class AgentCardKeeper
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly IActorStateStore _store;
    private readonly ActorId _id;
    private readonly IGrainBase _owner;
    private readonly Func<AgentMemoryStatistics> _statistics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _delay;
    private readonly ILogger _logger;

    private AgentCard? _stored;          // the card in the store, as last read or written
    private long _storedVersion;
    private long _dataBytes;
    private DateTimeOffset? _lastActivity;
    private IGrainTimer? _timer;
    private bool _stopped;
    private bool _deactivating;

    /// <summary>Creates the keeper of one agent's card.</summary>
    /// <param name="store">The store of the agent's state and card.</param>
    /// <param name="key">The agent's key (<c>tenant/agent</c>).</param>
    /// <param name="owner">The agent's grain (for the timer).</param>
    /// <param name="statistics">The agent's counts now.</param>
    /// <param name="time">The clock of <see cref="AgentCard.LastActivity"/>.</param>
    /// <param name="delay">The delay between a change and the card write.</param>
    /// <param name="logger">Logs failed card writes.</param>
    public AgentCardKeeper(IActorStateStore store, string key, IGrainBase owner, Func<AgentMemoryStatistics> statistics, TimeProvider time, TimeSpan delay, ILogger logger)
    {
        _store = store;
        _id = new ActorId(AgentCard.TypeName, key);
        _owner = owner;
        _statistics = statistics;
        _time = time;
        _delay = delay;
        _logger = logger;
    }

    /// <summary>The card as the agent is now.</summary>
    public AgentCard Current
    {
        get
        {
            var statistics = _statistics();
            return new AgentCard(statistics.Turns, statistics.Episodes, statistics.ActiveNotes, statistics.Quarantined, _dataBytes, _lastActivity);
        }
    }

    /// <summary>Reads the stored card (at activation).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when read.</returns>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.LoadAsync(_id, cancellationToken);
        _storedVersion = stored.SnapshotVersion;
        _stored = stored.Snapshot is { } bytes ? AgentCard.Decode(bytes.Span) : null;
        _lastActivity = _stored?.LastActivity;
    }

    /// <summary>The agent's state was loaded (and replayed): its size is known, and a card that does not match it is
    /// rewritten soon.</summary>
    /// <param name="state">What was loaded.</param>
    public void Loaded(ActorState state)
    {
        _dataBytes = (state.Snapshot?.Length ?? 0) + state.Journal.Sum(e => (long)e.Data.Length);
        if (state.Exists && !Current.Matches(_stored))
        {
            Schedule(_delay);
        }
    }

    /// <summary>A write was acknowledged: its journal entry is stored.</summary>
    /// <param name="bytes">The entry's size.</param>
    public void Appended(long bytes)
    {
        _dataBytes += bytes;
        _lastActivity = _time.GetUtcNow();
        Schedule(_delay);
    }

    /// <summary>The journal grew without a change of the agent's memory (recall statistics).</summary>
    /// <param name="bytes">The entry's size.</param>
    public void Grew(long bytes) => _dataBytes += bytes;

    /// <summary>A snapshot replaced the journal.</summary>
    /// <param name="bytes">The snapshot's size.</param>
    public void SnapshotWritten(long bytes)
    {
        _dataBytes = bytes;
        Schedule(_delay);
    }

    /// <summary>The activation is going away: no more timers; <see cref="FlushAsync"/> writes what is left.</summary>
    public void Deactivating()
    {
        _deactivating = true;
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>Writes the card now when the stored one differs (at deactivation).</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the card is stored.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        try
        {
            await WriteAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The card only serves the listing: the next activation finds it stale and rewrites it.
            _logger.LogWarning(e, "The card of {Actor} could not be written at deactivation", _id);
        }
    }

    /// <summary>Removes the card for good (the agent is purged) and writes no other.</summary>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the card is gone.</returns>
    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        Stop();
        await _store.ClearAsync(_id, cancellationToken);
        _stored = null;
        _storedVersion = 0;
    }

    /// <summary>Writes no more cards: the activation's state is being discarded.</summary>
    public void Stop()
    {
        _stopped = true;
        _timer?.Dispose();
        _timer = null;
    }

    private void Schedule(TimeSpan dueTime)
    {
        if (_stopped || _deactivating || _timer is not null)
        {
            return;
        }

        _timer = _owner.RegisterGrainTimer(
            TickAsync,
            new GrainTimerCreationOptions { DueTime = dueTime, Period = Timeout.InfiniteTimeSpan, Interleave = false, KeepAlive = false });
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        // One-shot: forget it, but dispose it only after this tick (disposing a grain timer cancels its callback's token).
        using var fired = _timer;
        _timer = null;
        try
        {
            await WriteAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The activation is going away: its deactivation writes the card.
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "The card of {Actor} could not be written; retrying", _id);
            Schedule(RetryDelay);
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var card = Current;
        if (_stopped || card.Matches(_stored))
        {
            return;
        }

        var bytes = card.Encode();
        try
        {
            _storedVersion = await _store.WriteSnapshotAsync(_id, bytes, 0, _storedVersion, cancellationToken);
        }
        catch (ActorStateConflictException)
        {
            // Written meanwhile by another activation of the agent (one deactivating late): this card is the newer.
            _storedVersion = (await _store.LoadAsync(_id, cancellationToken)).SnapshotVersion;
            _storedVersion = await _store.WriteSnapshotAsync(_id, bytes, 0, _storedVersion, cancellationToken);
        }

        _stored = card;
    }
}
