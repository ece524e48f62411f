using System.Text.Json;
using MemoryFabric.Runtime;

namespace MemoryFabric.Actors;

/// <summary>The state of a small actor kept as one JSON snapshot, rewritten (with its version checked) on every
/// change before the change is acknowledged: the tenant directory and the tenant guards.</summary>
/// <typeparam name="T">The state record.</typeparam>
internal sealed class JsonSnapshotState<T>
    where T : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IActorStorage _storage;
    private readonly string _what;
    private long _version;

    /// <summary>Creates the state over an actor's storage.</summary>
    /// <param name="storage">The actor's storage.</param>
    /// <param name="what">What the state is, for errors ("tenant directory").</param>
    public JsonSnapshotState(IActorStorage storage, string what)
    {
        _storage = storage;
        _what = what;
    }

    /// <summary>Loads the stored state.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The state, or <see langword="null"/> when nothing is stored yet.</returns>
    /// <exception cref="InvalidDataException">The snapshot is empty.</exception>
    public async Task<T?> LoadAsync(CancellationToken cancellationToken)
    {
        var state = await _storage.LoadAsync(cancellationToken).ConfigureAwait(false);
        _version = state.SnapshotVersion;
        return state.Snapshot is { } bytes
            ? JsonSerializer.Deserialize<T>(bytes.Span, Json) ?? throw new InvalidDataException($"The {_what} snapshot is empty.")
            : null;
    }

    /// <summary>Writes the state; on failure runs <paramref name="rollback"/> (so memory matches storage) and
    /// rethrows.</summary>
    /// <param name="state">The whole state.</param>
    /// <param name="rollback">Undoes the in-memory change.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the state is durable.</returns>
    public async Task SaveOrRollbackAsync(T state, Action rollback, CancellationToken cancellationToken)
    {
        try
        {
            _version = await _storage.WriteSnapshotAsync(JsonSerializer.SerializeToUtf8Bytes(state, Json), 0, _version, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            rollback();
            throw;
        }
    }
}
