using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.AzureStorage;

/// <summary>
/// The fabric's snapshot + journal store (<see cref="IActorStateStore"/>) in Azure Blob Storage, for a cluster's
/// agents and vector shards. Per grain: one snapshot blob (<c>{type}/{key}/snapshot</c>, its version and the journal
/// sequence it covers in metadata) and one create-only blob per append (<c>{type}/{key}/journal/{first sequence}</c>,
/// the entries length-prefixed). An append writes only its own entries, never the agent's whole state: with Orleans'
/// whole-state blob grain storage every acknowledged turn would rewrite the agent (README, "Scale out").
/// </summary>
/// <remarks>
/// <para>Concurrency: a journal blob is written with <c>If-None-Match: *</c> and a snapshot with <c>If-Match</c> on the
/// ETag last read or written, so a second activation of the same grain (a split brain) fails with
/// <see cref="ActorStateConflictException"/> instead of overwriting the other's writes. After creating its journal
/// blob, an append also checks (one HEAD request) that the snapshot is still the one its activation knows: a
/// snapshot by another activation deletes the journal blobs it covers, which would let a stale activation create one
/// of those names again and have its write acknowledged, then skipped by every load. Not covered: a purge
/// (<see cref="ClearAsync"/>) of an agent that never had a snapshot, racing a stale activation's append.</para>
/// <para>A snapshot is written first, then the journal blobs it covers are deleted; a crash between leaves blobs
/// whose sequences the snapshot covers, which loading skips and the next snapshot deletes.</para>
/// </remarks>
public sealed class BlobActorStateStore : IActorStateStore
{
    private const string SnapshotName = "snapshot";
    private const string JournalFolder = "journal/";
    private const string VersionKey = "version";
    private const string SequenceKey = "journalseq";
    private const string LastKey = "last";
    private const int MaxLoadAttempts = 5;

    private readonly BlobContainerClient _container;
    private Task? _created;
    private readonly ConcurrentDictionary<ActorId, Cursor> _cursors = new();

    /// <summary>Creates the store over a container (created on first use).</summary>
    /// <param name="container">The container.</param>
    public BlobActorStateStore(BlobContainerClient container)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
    }

    /// <inheritdoc />
    public async Task<ActorState> LoadAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync().ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var (state, cursor) = await ReadAsync(actorId, cancellationToken).ConfigureAwait(false);

            // The snapshot and the journal are read one after the other: a snapshot written in between (by the
            // previous activation, still deactivating) may have deleted journal blobs this read missed. Read again
            // until the snapshot is the same before and after.
            if (await SnapshotETagAsync(actorId, cancellationToken).ConfigureAwait(false) == cursor.SnapshotETag || attempt == MaxLoadAttempts)
            {
                _cursors[actorId] = cursor;
                return state;
            }
        }
    }

    /// <inheritdoc />
    public async Task<long> AppendAsync(ActorId actorId, IReadOnlyList<ReadOnlyMemory<byte>> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var cursor = await CursorAsync(actorId, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return cursor.NextSequence - 1;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var first = cursor.NextSequence;
        var last = first + entries.Count - 1;
        var name = Prefix(actorId) + JournalFolder + first.ToString("D19", CultureInfo.InvariantCulture);
        try
        {
            await _container.GetBlobClient(name).UploadAsync(
                new BinaryData(Encode(entries)),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string> { [LastKey] = last.ToString(CultureInfo.InvariantCulture) },
                },
                CancellationToken.None).ConfigureAwait(false); // once sent, not abandoned half-way by the caller
        }
        catch (RequestFailedException e) when (IsConflict(e))
        {
            _cursors.TryRemove(actorId, out _);
            throw new ActorStateConflictException($"The journal blob {name} exists: another activation of {actorId} wrote it.", e);
        }
        catch (RequestFailedException e) when (IsStorageFull(e))
        {
            // Not created (a create-only blob): nothing stored, and the same append may simply be retried later.
            throw StorageFull(name, e);
        }

        cursor.Journal.Add((name, last));

        // Create-only is not enough on its own: once another activation's snapshot has covered this sequence and
        // deleted its journal blob, the name is free again, and this append would be acknowledged and then skipped
        // by every load. So the snapshot must still be the one this activation knows.
        var (etag, covered) = await SnapshotInfoAsync(actorId, CancellationToken.None).ConfigureAwait(false);
        if (etag != cursor.SnapshotETag)
        {
            _cursors.TryRemove(actorId, out _);
            if (etag is null || covered >= first)
            {
                // Purged, or covered by the other activation's snapshot: the blob would only be garbage, or bring a
                // purged agent back in part.
                try
                {
                    await _container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (RequestFailedException)
                {
                }
            }

            throw new ActorStateConflictException($"The snapshot of {actorId} changed in storage while {name} was appended: another activation wrote it.");
        }

        cursor.NextSequence = last + 1;
        return last;
    }

    /// <inheritdoc />
    public async Task<long> WriteSnapshotAsync(ActorId actorId, ReadOnlyMemory<byte> snapshot, long journalSequence, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var cursor = await CursorAsync(actorId, cancellationToken).ConfigureAwait(false);
        if (cursor.Version != expectedVersion)
        {
            throw new ActorStateConflictException(actorId, expectedVersion, cursor.Version);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var version = expectedVersion + 1;
        try
        {
            var response = await Blob(actorId, SnapshotName).UploadAsync(
                new BinaryData(snapshot),
                new BlobUploadOptions
                {
                    Conditions = cursor.SnapshotETag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                    Metadata = new Dictionary<string, string>
                    {
                        [VersionKey] = version.ToString(CultureInfo.InvariantCulture),
                        [SequenceKey] = journalSequence.ToString(CultureInfo.InvariantCulture),
                    },
                },
                CancellationToken.None).ConfigureAwait(false);
            cursor.SnapshotETag = response.Value.ETag;
            cursor.Version = version;
        }
        catch (RequestFailedException e) when (IsConflict(e) || (e.Status == (int)HttpStatusCode.NotFound && cursor.SnapshotETag is not null))
        {
            _cursors.TryRemove(actorId, out _);
            throw new ActorStateConflictException($"The snapshot of {actorId} changed in storage: another activation wrote or removed it.", e);
        }
        catch (RequestFailedException e) when (IsStorageFull(e))
        {
            throw StorageFull(Prefix(actorId) + SnapshotName, e); // the previous snapshot stays, and its ETag with it
        }

        foreach (var journal in cursor.Journal.Where(j => j.Last <= journalSequence).ToList())
        {
            try
            {
                await _container.GetBlobClient(journal.Name).DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                cursor.Journal.Remove(journal);
            }
            catch (RequestFailedException)
            {
                // The snapshot covers it: garbage that loading skips; the next snapshot tries again.
            }
        }

        return version;
    }

    /// <inheritdoc />
    public async Task ClearAsync(ActorId actorId, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync().ConfigureAwait(false);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Prefix(actorId), cancellationToken).ConfigureAwait(false))
        {
            await _container.GetBlobClient(item.Name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        _cursors[actorId] = new Cursor();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListKeysAsync(string actorType, string keyPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actorType);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        await EnsureContainerAsync().ConfigureAwait(false);
        var typePrefix = Uri.EscapeDataString(actorType) + "/";
        var keys = new SortedSet<string>(StringComparer.Ordinal);

        // One "folder" per actor ({type}/{escaped key}/): listed by hierarchy, not blob by blob.
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", typePrefix + Uri.EscapeDataString(keyPrefix), cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                keys.Add(Uri.UnescapeDataString(item.Prefix[typePrefix.Length..].TrimEnd('/')));
            }
        }

        return keys.Where(k => k.StartsWith(keyPrefix, StringComparison.Ordinal)).ToList();
    }

    // One read of an actor's blobs: the snapshot, then the journal blobs after it (downloaded a few at a time).
    private async Task<(ActorState State, Cursor Cursor)> ReadAsync(ActorId actorId, CancellationToken cancellationToken)
    {
        var cursor = new Cursor();
        ReadOnlyMemory<byte>? snapshot = null;
        long version = 0, covered = 0;
        try
        {
            var response = await Blob(actorId, SnapshotName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            snapshot = response.Value.Content.ToMemory();
            version = Metadata(response.Value.Details.Metadata, VersionKey);
            covered = Metadata(response.Value.Details.Metadata, SequenceKey);
            cursor.SnapshotETag = response.Value.Details.ETag;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
        }

        cursor.Version = version;
        var pending = new List<(string Name, long First)>();
        var next = covered + 1;
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, Prefix(actorId) + JournalFolder, cancellationToken).ConfigureAwait(false))
        {
            var last = Metadata(item.Metadata, LastKey);
            cursor.Journal.Add((item.Name, last));
            if (last <= covered)
            {
                continue; // left behind by a crash after a snapshot: covered, never read again
            }

            pending.Add((item.Name, long.Parse(item.Name[(item.Name.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture)));
            next = Math.Max(next, last + 1);
        }

        var contents = new ReadOnlyMemory<byte>[pending.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, pending.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Default },
            async (i, ct) => contents[i] = (await _container.GetBlobClient(pending[i].Name).DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content.ToMemory())
            .ConfigureAwait(false);

        var entries = new List<JournalEntry>();
        for (var i = 0; i < pending.Count; i++)
        {
            var sequence = pending[i].First;
            foreach (var entry in Decode(contents[i]))
            {
                if (sequence > covered)
                {
                    entries.Add(new JournalEntry(sequence, entry));
                }

                sequence++;
            }
        }

        cursor.NextSequence = next;
        var state = snapshot is null && entries.Count == 0 ? ActorState.Empty : new ActorState(snapshot, version, covered, entries);
        return (state, cursor);
    }

    private async Task<ETag?> SnapshotETagAsync(ActorId actorId, CancellationToken cancellationToken) =>
        (await SnapshotInfoAsync(actorId, cancellationToken).ConfigureAwait(false)).ETag;

    // The snapshot blob's ETag and the journal sequence it covers, or (null, 0) when there is none.
    private async Task<(ETag? ETag, long Covered)> SnapshotInfoAsync(ActorId actorId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await Blob(actorId, SnapshotName).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return (properties.Value.ETag, Metadata(properties.Value.Metadata, SequenceKey));
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return (null, 0);
        }
    }

    // Creates the container once; a failed attempt is tried again by the next call rather than cached.
    private Task EnsureContainerAsync()
    {
        var created = _created;
        if (created is null || created.IsFaulted || created.IsCanceled)
        {
            created = _container.CreateIfNotExistsAsync();
            _created = created;
        }

        return created;
    }

    private async Task<Cursor> CursorAsync(ActorId actorId, CancellationToken cancellationToken)
    {
        if (!_cursors.TryGetValue(actorId, out var cursor))
        {
            await LoadAsync(actorId, cancellationToken).ConfigureAwait(false);
            cursor = _cursors[actorId];
        }

        return cursor;
    }

    private static string Prefix(ActorId actorId) => Uri.EscapeDataString(actorId.Type) + "/" + Uri.EscapeDataString(actorId.Key) + "/";

    private BlobClient Blob(ActorId actorId, string name) => _container.GetBlobClient(Prefix(actorId) + name);

    private static long Metadata(IDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : 0;

    /// <summary>Whether Azure Storage refused a write for lack of space: 507 Insufficient Storage (what a storage
    /// service or a proxy in front of it answers when an account, a container or a volume is full).</summary>
    /// <param name="e">The refusal.</param>
    /// <returns>Whether it means "full".</returns>
    private static bool IsStorageFull(RequestFailedException e) => e.Status == 507;

    private static StorageFullException StorageFull(string blob, RequestFailedException e) =>
        new($"Azure Storage refused to write the blob {blob} for lack of space ({e.Status} {e.ErrorCode}); nothing was stored. "
            + "Free space in the account (or raise its quota); writes resume by themselves.", e);

    private static bool IsConflict(RequestFailedException e) =>
        e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict;

    private static byte[] Encode(IReadOnlyList<ReadOnlyMemory<byte>> entries)
    {
        var buffer = new byte[entries.Sum(e => 4 + e.Length)];
        var offset = 0;
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), entry.Length);
            entry.Span.CopyTo(buffer.AsSpan(offset + 4));
            offset += 4 + entry.Length;
        }

        return buffer;
    }

    private static List<ReadOnlyMemory<byte>> Decode(ReadOnlyMemory<byte> content)
    {
        var entries = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset + 4 <= content.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(content.Span[offset..]);
            if (length < 0 || offset + 4 + length > content.Length)
            {
                throw new InvalidDataException("A journal blob is truncated.");
            }

            entries.Add(content.Slice(offset + 4, length));
            offset += 4 + length;
        }

        return entries;
    }

    // What one activation knows of its grain's blobs: the snapshot's ETag and version, the next journal sequence and
    // the journal blobs not yet deleted. Dropped on a conflict, so the next call reloads.
    private sealed class Cursor
    {
        public ETag? SnapshotETag { get; set; }

        public long Version { get; set; }

        public long NextSequence { get; set; } = 1;

        public List<(string Name, long Last)> Journal { get; } = [];
    }
}
