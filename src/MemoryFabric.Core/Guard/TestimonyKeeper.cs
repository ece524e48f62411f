using MemoryFabric.Conversation;

namespace MemoryFabric.Guard;

/// <summary>
/// Holds an agent's <see cref="TestimonyLedger"/>: built on first use, or, after a snapshot restore, from a copy of
/// the restored history on a thread-pool thread, so that an activated agent's first search does not pay for a build
/// over its whole history (about a second at 10,000 turns) on the request path.
/// </summary>
/// <remarks>
/// While a background build runs, the turns the owner reports as changed are remembered and handed to the built ledger
/// when it is installed; its next refresh brings them to their current state, so the verdicts are those of a ledger
/// built over the current history. Single-threaded like its owner: only the build itself runs elsewhere, over an
/// immutable copy of the history.
/// </remarks>
internal sealed class TestimonyKeeper
{
    private readonly Dictionary<string, bool> _changedWhileBuilding = new(StringComparer.Ordinal); // turn id → deferred
    private TestimonyLedger? _ledger;
    private Task<TestimonyLedger>? _building;

    /// <summary>Whether a background build has started and is not installed yet.</summary>
    public bool IsBuilding => _building is not null;

    /// <summary>Forgets the ledger (and any build under way) and starts building one over <paramref name="history"/>
    /// on a thread-pool thread.</summary>
    /// <param name="history">A copy of the history, as for <see cref="TestimonyLedger.Create"/>; not read again by the caller's thread.</param>
    public void BuildInBackground(IReadOnlyList<(Turn Turn, bool Quarantined)> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        Reset();
        _building = Task.Run(() => TestimonyLedger.Create(history));
    }

    /// <summary>Forgets the ledger (and any build under way): the next use builds one over the history then.</summary>
    public void Reset()
    {
        _ledger = null;
        _building = null;
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
        }
        else if (_building is not null)
        {
            // A change that calls for a refresh wins over a deferred one of the same turn.
            _changedWhileBuilding[turnId] = deferred && _changedWhileBuilding.GetValueOrDefault(turnId, true);
        }

        // No ledger and no build: the first use builds over the history as it is then.
    }

    /// <summary>Waits for a background build, if one runs, without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting (the build goes on).</param>
    /// <returns>A task that completes when the ledger can be had without waiting.</returns>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_building is { IsCompleted: false } building)
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

    /// <summary>The ledger of the current history, refreshed with the turns changed since the last call.</summary>
    /// <param name="lookup">The current state of a turn (see <see cref="TestimonyLedger.Refresh"/>).</param>
    /// <param name="history">The whole current history.</param>
    /// <param name="force">Also apply deferred changes.</param>
    /// <returns>The ledger.</returns>
    public TestimonyLedger Now(Func<string, (Turn Turn, bool Quarantined)?> lookup, Func<IEnumerable<(Turn Turn, bool Quarantined)>> history, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(history);
        if (_ledger is null && _building is { } building)
        {
            _building = null;
            TestimonyLedger? built = null;
            try
            {
                built = building.GetAwaiter().GetResult(); // a thread-pool task: usually done (see WaitAsync)
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failed build is built again below, over the current history.
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
}
