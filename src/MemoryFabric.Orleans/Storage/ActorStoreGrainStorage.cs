using System.Globalization;
using System.Text.Json;
using Orleans.Storage;

namespace MemoryFabric.Orleans.Storage;

/// <summary>
/// Orleans grain storage (<see cref="IGrainStorage"/>) over an <see cref="IActorStateStore"/>, for the small grains'
/// <see cref="IPersistentState{TState}"/> when the silo keeps its state in SQLite or memory: the state is one JSON
/// snapshot under <c>(state name, grain key)</c>, its version the ETag, so a stale write fails with
/// <see cref="InconsistentStateException"/>. The JSON is the web-default shape the fabric has always stored, so data
/// directories written before the grains used <see cref="IPersistentState{TState}"/> load unchanged.
/// </summary>
/// <param name="store">The store.</param>
public sealed class ActorStoreGrainStorage(IActorStateStore store) : IGrainStorage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IActorStateStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var stored = await _store.LoadAsync(Id(stateName, grainId));
        if (stored.Snapshot is { } bytes)
        {
            grainState.State = JsonSerializer.Deserialize<T>(bytes.Span, Json) ?? throw new InvalidDataException($"The stored state '{stateName}' of {grainId} is empty.");
            grainState.ETag = stored.SnapshotVersion.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var expected = grainState.ETag is { } etag ? long.Parse(etag, CultureInfo.InvariantCulture) : 0;
        try
        {
            var version = await _store.WriteSnapshotAsync(Id(stateName, grainId), JsonSerializer.SerializeToUtf8Bytes(grainState.State, Json), 0, expected);
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        catch (ActorStateConflictException e)
        {
            // StoredEtag is the version in the store (none: empty), CurrentEtag the one the grain holds.
            var stored = e.ActualVersion > 0 ? e.ActualVersion.ToString(CultureInfo.InvariantCulture) : "";
            throw new InconsistentStateException(e.Message, stored, grainState.ETag ?? "", e);
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _store.ClearAsync(Id(stateName, grainId));
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static ActorId Id(string stateName, GrainId grainId) => new(stateName, grainId.Key.ToString()!);
}
