using MemoryFabric.Conversation;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Guard;

/// <summary>The testimony verdicts on one retrieval candidate: whether it leaves the results, and the items to flag.</summary>
/// <param name="kind">The candidate's kind.</param>
/// <param name="itemId">The candidate's id.</param>
/// <param name="turnIds">Its turns (released ones left out).</param>
/// <returns>The verdicts.</returns>
internal delegate (bool Drop, IReadOnlyList<(string Id, string Reason)> Flags) TestimonyJudge(MemoryItemKind kind, string itemId, IReadOnlyList<string> turnIds);

/// <summary>
/// Holds an agent's <see cref="TestimonyLedger"/> so that an activated agent's first search does not build it over
/// the whole history on the request path (about a second at 10,000 turns):
/// <list type="bullet">
/// <item>a snapshot carries the ledger's verdicts (the flagged turns) when it was current; after a restore, screens
/// judge from them for as long as no turn changes, exactly as the ledger would;</item>
/// <item>the ledger is built from a copy of the history on a thread-pool thread: by the first screen that judges
/// from the verdicts, or by the restore when there are none; the turns reported as changed meanwhile are handed to
/// it when it is installed, and its next refresh brings them to their current state, so its verdicts are those of a
/// ledger built over the current history;</item>
/// <item>without either, the first screen builds it, as before.</item>
/// </list>
/// Single-threaded like its owner: only the build itself runs elsewhere, over an immutable copy of the history.
/// </summary>
internal sealed class TestimonyKeeper
{
    private readonly Dictionary<string, bool> _changedWhileBuilding = new(StringComparer.Ordinal); // turn id → deferred
    private TestimonyLedger? _ledger;
    private Task<TestimonyLedger>? _building;
    private IReadOnlyDictionary<string, string>? _verdicts; // restored; valid while no turn changed

    /// <summary>Runs a background build: <see cref="Task.Run{TResult}(Func{TResult})"/> (tests hold it back).</summary>
    public Func<Func<TestimonyLedger>, Task<TestimonyLedger>> Runner { get; set; } = Task.Run;

    /// <summary>Whether a background build has started and is not installed yet.</summary>
    public bool IsBuilding => _building is not null;

    /// <summary>How many screens judged from a snapshot's verdicts instead of the ledger.</summary>
    public int JudgedFromSnapshot { get; private set; }

    /// <summary>After a restore: forgets the ledger (and any build under way). With the verdicts the snapshot
    /// carried, screens judge from them and the first one starts the ledger's build in the background (so a restore
    /// and the first request spend nothing on it); without, the build starts now, over <paramref name="history"/>.</summary>
    /// <param name="history">The restored history, as for <see cref="TestimonyLedger.Create"/> (read now only without verdicts).</param>
    /// <param name="verdicts">The verdicts the snapshot carried, or none.</param>
    public void Restored(IEnumerable<(Turn Turn, bool Quarantined)> history, IReadOnlyDictionary<string, string>? verdicts)
    {
        ArgumentNullException.ThrowIfNull(history);
        Reset();
        _verdicts = verdicts;
        if (verdicts is null)
        {
            Start(history);
        }
    }

    /// <summary>Forgets the ledger (and any build under way): the next use builds one over the history then.</summary>
    public void Reset()
    {
        _ledger = null;
        _building = null;
        _verdicts = null;
        _changedWhileBuilding.Clear();
    }

    /// <summary>Notes that a turn was added, removed, quarantined or released (see <see cref="TestimonyLedger.Changed"/>).</summary>
    /// <param name="turnId">The turn id.</param>
    /// <param name="deferred">Whether the change alone does not call for a refresh.</param>
    public void Changed(string turnId, bool deferred = false)
    {
        if (_ledger is not null)
        {
            _ledger.Changed(turnId, deferred);
            return;
        }

        if (!deferred)
        {
            _verdicts = null; // a deferred change (the guard's own quarantine of a flagged turn) keeps the flag until a refresh
        }

        if (_building is not null)
        {
            // A change that calls for a refresh wins over a deferred one of the same turn.
            _changedWhileBuilding[turnId] = deferred && _changedWhileBuilding.GetValueOrDefault(turnId, true);
        }

        // No ledger and no build: the first use builds over the history as it is then.
    }

    /// <summary>Waits for a background build when a screen will need it (no valid snapshot verdicts), without
    /// blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting (the build goes on).</param>
    /// <returns>A task that completes when a screen can judge without waiting.</returns>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_verdicts is null && _building is { IsCompleted: false } building)
        {
            try
            {
                await building.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Now() builds on the caller's thread instead.
            }
        }
    }

    /// <summary>The judge of a screen: the snapshot's verdicts while they hold and the ledger is not built yet,
    /// otherwise the ledger of the current history.</summary>
    /// <param name="lookup">The current state of a turn (see <see cref="TestimonyLedger.Refresh"/>).</param>
    /// <param name="history">The whole current history.</param>
    /// <returns>The judge.</returns>
    public TestimonyJudge Judge(Func<string, (Turn Turn, bool Quarantined)?> lookup, Func<IEnumerable<(Turn Turn, bool Quarantined)>> history)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (_ledger is null && _verdicts is { } verdicts)
        {
            _building ??= Start(history());
            if (!_building.IsCompleted)
            {
                JudgedFromSnapshot++;
                return (kind, itemId, turnIds) => TestimonyCheck.Judge(verdicts, id => lookup(id) is { Quarantined: true }, kind, itemId, turnIds);
            }
        }

        return Now(lookup, history).Judge;
    }

    /// <summary>The ledger of the current history, refreshed with the turns changed since the last call.</summary>
    /// <param name="lookup">The current state of a turn (see <see cref="TestimonyLedger.Refresh"/>).</param>
    /// <param name="history">The whole current history.</param>
    /// <param name="force">Also apply deferred changes.</param>
    /// <returns>The ledger.</returns>
    public TestimonyLedger Now(Func<string, (Turn Turn, bool Quarantined)?> lookup, Func<IEnumerable<(Turn Turn, bool Quarantined)>> history, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(history);
        Install();
        if (_ledger is null)
        {
            _ledger = TestimonyLedger.Create(history());
        }
        else
        {
            _ledger.Refresh(lookup, history, force);
        }

        return _ledger;
    }

    /// <summary>The verdicts a snapshot of the current history carries. With <paramref name="upToDate"/> (the checks
    /// are on): always the verdicts of the current history: the restored ones while they hold, else the ledger's,
    /// brought up to date (built, or a background build installed, when there is none), so that a restore never has
    /// to build the ledger before a screen can judge. Without: the ledger's when bringing it up to date is an update
    /// rather than a rebuild, or the restored ones while they hold; otherwise none. Either way what a snapshot holds
    /// depends on what was done, not on how fast a thread was.</summary>
    /// <param name="lookup">The current state of a turn.</param>
    /// <param name="history">The whole current history.</param>
    /// <param name="upToDate">Whether to build or rebuild the ledger when that is what the verdicts take.</param>
    /// <returns>The flagged turns with their reasons, or <see langword="null"/>.</returns>
    public IReadOnlyDictionary<string, string>? VerdictsForSnapshot(
        Func<string, (Turn Turn, bool Quarantined)?> lookup, Func<IEnumerable<(Turn Turn, bool Quarantined)>> history, bool upToDate = false)
    {
        if (upToDate)
        {
            return _ledger is null && _verdicts is { } restored ? restored : Now(lookup, history, force: true).Flags;
        }

        if (_ledger is { RefreshRebuilds: false } ledger)
        {
            ledger.Refresh(lookup, history, force: true);
            return ledger.Flags;
        }

        return _ledger is null ? _verdicts : null;
    }

    /// <summary>Writes a snapshot's verdicts (format 4 on).</summary>
    /// <param name="w">The writer.</param>
    /// <param name="verdicts">The verdicts, or none.</param>
    public static void Write(PayloadWriter w, IReadOnlyDictionary<string, string>? verdicts)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteByte(verdicts is null ? (byte)0 : (byte)1);
        if (verdicts is null)
        {
            return;
        }

        w.WriteCount(verdicts.Count);
        foreach (var (turnId, reason) in verdicts.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            w.WriteRef(turnId);
            w.WriteString(reason);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <param name="r">The reader.</param>
    /// <returns>The verdicts, or none.</returns>
    public static Dictionary<string, string>? Read(ref PayloadReader r)
    {
        r.Section = "testimony verdicts";
        var present = r.ReadByte();
        if (present > 1)
        {
            throw r.Error($"a presence byte of {present}");
        }

        if (present == 0)
        {
            return null;
        }

        var count = r.ReadCount(2);
        var verdicts = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var turnId = r.ReadRef();
            if (!verdicts.TryAdd(turnId, r.ReadString()))
            {
                throw r.Error($"turn '{turnId}' twice");
            }
        }

        return verdicts;
    }

    // Starts building the ledger of a copy of the history (taken on this thread) on the runner.
    private Task<TestimonyLedger> Start(IEnumerable<(Turn Turn, bool Quarantined)> history)
    {
        var copy = history.ToList();
        return _building = Runner(() => TestimonyLedger.Create(copy));
    }

    // Installs a background build (waiting for it if needed), with the changes noted meanwhile.
    private void Install()
    {
        if (_ledger is not null || _building is not { } building)
        {
            return;
        }

        _building = null;
        _verdicts = null;
        TestimonyLedger? built = null;
        try
        {
            built = building.GetAwaiter().GetResult(); // a thread-pool task: usually done (see WaitAsync)
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed build is built again at the next use, over the current history.
        }

        if (built is not null)
        {
            _ledger = built;
            foreach (var (turnId, deferred) in _changedWhileBuilding)
            {
                built.Changed(turnId, deferred);
            }
        }

        _changedWhileBuilding.Clear();
    }
}
