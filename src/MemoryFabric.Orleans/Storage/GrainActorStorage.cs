using System.Globalization;
using MemoryFabric.Runtime;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace MemoryFabric.Orleans.Storage;

/// <summary>
/// <see cref="IActorStorage"/> over Orleans grain storage (<see cref="IGrainStorage"/>), keeping the fabric's
/// snapshot + journal model: one snapshot record (<see cref="SnapshotStateName"/>) and one record per append
/// (<c>journal-{first sequence}</c>), so an append never rewrites the snapshot. Every method returns once the storage
/// write has completed, so the actor acknowledges only durable writes.
/// </summary>
/// <remarks>
/// <para>Loading reads the snapshot record, then the journal records one after the other from
/// <see cref="ActorSnapshotRecord.JournalStart"/> until one is missing (at most one more read than there are records;
/// the agent actor snapshots every 256 entries at the latest).</para>
/// <para>Concurrency: journal records are written create-only (a null ETag: the provider must refuse to overwrite an
/// existing record) and the snapshot record with the ETag read or written last, so a second activation of the same
/// actor (a split brain) cannot overwrite the other's writes unnoticed: the write fails with
/// <see cref="ActorStateConflictException"/>.</para>
/// <para>A snapshot is written first, then the journal records it covers are deleted; a crash in between leaves
/// records before <see cref="ActorSnapshotRecord.JournalStart"/> that are never read again. A clear deletes the
/// records and leaves a tombstone snapshot record that keeps the sequence, so no record name is ever reused.</para>
/// </remarks>
public sealed class GrainActorStorage : IActorStorage
{
    /// <summary>The state name of the snapshot record.</summary>
    public const string SnapshotStateName = "snapshot";

    private const string JournalStatePrefix = "journal-";

    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly ActorId _actorId;
    private readonly Func<CancellationToken, Task>? _onClear;
    private readonly ILogger? _logger;

    private GrainState<ActorSnapshotRecord> _snapshot = new(new ActorSnapshotRecord());
    private readonly List<GrainState<ActorJournalRecord>> _journal = [];
    private long _nextSequence = 1;
    private bool _loaded;

    /// <summary>Creates the storage view of one actor.</summary>
    /// <param name="storage">The grain storage provider.</param>
    /// <param name="grainId">The grain whose records these are.</param>
    /// <param name="actorId">The actor (for conflict messages).</param>
    /// <param name="onClear">Runs after a clear (the grain removes its reminders there).</param>
    /// <param name="logger">Logs journal records that could not be deleted after a snapshot.</param>
    public GrainActorStorage(IGrainStorage storage, GrainId grainId, ActorId actorId, Func<CancellationToken, Task>? onClear = null, ILogger? logger = null)
    {
        _storage = storage ?? throw new ArgumentNullException(nameof(storage));
        _grainId = grainId;
        _actorId = actorId;
        _onClear = onClear;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<ActorState> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = new GrainState<ActorSnapshotRecord>();
        await _storage.ReadStateAsync(SnapshotStateName, _grainId, snapshot);
        snapshot.State ??= new ActorSnapshotRecord();
        var record = snapshot.RecordExists ? snapshot.State : new ActorSnapshotRecord();

        var journal = new List<GrainState<ActorJournalRecord>>();
        var entries = new List<JournalEntry>();
        var next = Math.Max(1, record.JournalStart);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = new GrainState<ActorJournalRecord>();
            await _storage.ReadStateAsync(JournalStateName(next), _grainId, state);
            if (!state.RecordExists || state.State is null || state.State.Entries.Count == 0)
            {
                break;
            }

            journal.Add(state);
            for (var i = 0; i < state.State.Entries.Count; i++)
            {
                var sequence = state.State.FirstSequence + i;
                if (sequence > record.JournalSequence)
                {
                    entries.Add(new JournalEntry(sequence, state.State.Entries[i]));
                }
            }

            next = state.State.LastSequence + 1;
        }

        _snapshot = snapshot;
        _journal.Clear();
        _journal.AddRange(journal);
        _nextSequence = next;
        _loaded = true;

        if (!snapshot.RecordExists || record.Cleared || record.Data is null)
        {
            return entries.Count == 0
                ? ActorState.Empty
                : new ActorState(null, 0, record.Cleared ? 0 : record.JournalSequence, entries);
        }

        return new ActorState(record.Data, record.Version, record.JournalSequence, entries);
    }

    /// <inheritdoc />
    public async Task<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await EnsureLoadedAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return _nextSequence - 1;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var record = new ActorJournalRecord { FirstSequence = _nextSequence, Entries = entries.Select(e => e.ToArray()).ToList() };
        var state = new GrainState<ActorJournalRecord>(record) { ETag = null };
        try
        {
            await _storage.WriteStateAsync(JournalStateName(record.FirstSequence), _grainId, state);
        }
        catch (InconsistentStateException e)
        {
            throw new ActorStateConflictException($"The journal record {record.FirstSequence} of {_actorId} exists: another activation wrote it.", e);
        }

        _journal.Add(state);
        _nextSequence = record.LastSequence + 1;
        return record.LastSequence;
    }

    /// <inheritdoc />
    public async Task<long> WriteSnapshotAsync(ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken);
        var current = CurrentVersion;
        if (current != expectedVersion)
        {
            throw new ActorStateConflictException(_actorId, expectedVersion, current);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var covered = _journal.Where(j => j.State!.LastSequence <= journalSequence).ToList();
        var firstKept = _journal.FirstOrDefault(j => j.State!.LastSequence > journalSequence);
        var previous = _snapshot.State;
        _snapshot.State = new ActorSnapshotRecord
        {
            Data = snapshot.ToArray(),
            Version = current + 1,
            JournalSequence = journalSequence,
            JournalStart = firstKept?.State!.FirstSequence ?? _nextSequence,
        };
        try
        {
            await _storage.WriteStateAsync(SnapshotStateName, _grainId, _snapshot);
        }
        catch (InconsistentStateException e)
        {
            _snapshot.State = previous;
            throw new ActorStateConflictException($"The snapshot of {_actorId} changed in storage: another activation wrote it.", e);
        }
        catch
        {
            _snapshot.State = previous;
            throw;
        }

        await DeleteJournalRecordsAsync(covered);
        return _snapshot.State!.Version;
    }

    /// <inheritdoc />
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken);
        if (_snapshot.RecordExists || _journal.Count > 0 || _nextSequence > 1)
        {
            await DeleteJournalRecordsAsync(_journal.ToList(), throwOnFailure: true);
            var previous = _snapshot.State;
            _snapshot.State = new ActorSnapshotRecord { Cleared = true, JournalStart = _nextSequence };
            try
            {
                await _storage.WriteStateAsync(SnapshotStateName, _grainId, _snapshot);
            }
            catch (InconsistentStateException e)
            {
                _snapshot.State = previous;
                throw new ActorStateConflictException($"The snapshot of {_actorId} changed in storage: another activation wrote it.", e);
            }
        }

        if (_onClear is not null)
        {
            await _onClear(cancellationToken);
        }
    }

    private long CurrentVersion => _snapshot.RecordExists && !_snapshot.State!.Cleared ? _snapshot.State!.Version : 0;

    private static string JournalStateName(long firstSequence) => JournalStatePrefix + firstSequence.ToString(CultureInfo.InvariantCulture);

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            await LoadAsync(cancellationToken);
        }
    }

    private async Task DeleteJournalRecordsAsync(List<GrainState<ActorJournalRecord>> records, bool throwOnFailure = false)
    {
        foreach (var record in records)
        {
            try
            {
                await _storage.ClearStateAsync(JournalStateName(record.State!.FirstSequence), _grainId, record);
                _journal.Remove(record);
            }
            catch (Exception e) when (!throwOnFailure)
            {
                // The snapshot is durable and no longer points at this record: it is garbage, never read again.
                _journal.Remove(record);
                if (_logger is not null && _logger.IsEnabled(LogLevel.Warning))
                {
                    _logger.LogWarning(e, "Could not delete the journal record {Sequence} of {Actor} after a snapshot", record.State!.FirstSequence, _actorId);
                }
            }
        }
    }
}
