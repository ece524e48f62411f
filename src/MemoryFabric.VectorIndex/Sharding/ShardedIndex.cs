using System.Buffers.Binary;
using System.Text;
using MemoryFabric.VectorIndex.Sharding;
using MemoryFabric.VectorIndex.Snapshots;

namespace MemoryFabric.VectorIndex;

/// <summary>
/// An index of several <see cref="VectorShard"/>s: keys are routed by a stable hash (see <see cref="ShardInfo.Name"/>),
/// searches run on all shards in parallel and their top-k lists (exact scores) are merged exactly, and a shard that
/// passes <see cref="ShardedIndexOptions.SplitThreshold"/> is split in two by the next hash bit. A split copies the
/// shard's live items into two new shards and then publishes the new routing table at once: at every moment each
/// item is in exactly one searchable shard.
/// </summary>
/// <remarks>Single writer (writes take a lock), many concurrent readers, as for <see cref="VectorShard"/>.</remarks>
public sealed class ShardedIndex : IVectorIndex
{
    private const string ManifestName = "manifest.mfsi";
    private static ReadOnlySpan<byte> ManifestMagic => "MFSHARDX"u8;
    private const uint ManifestVersion = 1;

    private readonly Lock _writeLock = new();
    private readonly int _baseCount;
    private ShardTable _table;
    private bool _disposed;

    /// <summary>Creates an index with <see cref="ShardedIndexOptions.ShardCount"/> empty shards.</summary>
    /// <param name="options">The options.</param>
    public ShardedIndex(ShardedIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _baseCount = options.ShardCount;
        var routes = new ShardRoute[_baseCount];
        var shards = new VectorShard[_baseCount];
        for (var i = 0; i < _baseCount; i++)
        {
            routes[i] = new ShardRoute(i, 0, 0);
            shards[i] = new VectorShard(ShardOptions(routes[i]));
        }

        _table = new ShardTable(routes, shards);
    }

    private ShardedIndex(ShardedIndexOptions options, int baseCount, ShardTable table)
    {
        Options = options;
        _baseCount = baseCount;
        _table = table;
    }

    /// <summary>The options.</summary>
    public ShardedIndexOptions Options { get; }

    /// <summary>The number of live items over all shards.</summary>
    public int Count
    {
        get
        {
            var table = AcquireTable();
            try
            {
                return table.Shards.Sum(s => s.Count);
            }
            finally
            {
                table.Release();
            }
        }
    }

    /// <summary>The number of shards.</summary>
    public int ShardCount => Volatile.Read(ref _table).Shards.Length;

    /// <summary>The shards (names and counts).</summary>
    /// <returns>One entry per shard.</returns>
    public IReadOnlyList<ShardInfo> GetShards()
    {
        var table = AcquireTable();
        try
        {
            return table.Shards.Select((s, i) => new ShardInfo(table.Routes[i].Name(), s.Count, s.TombstoneCount)).ToList();
        }
        finally
        {
            table.Release();
        }
    }

    /// <summary>Loads an index saved by <see cref="Save"/>.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="options">The options (their shard options must match the snapshots' structure).</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The index.</returns>
    /// <exception cref="VectorSnapshotException">The manifest or a shard snapshot is missing, truncated or
    /// corrupted.</exception>
    public static ShardedIndex Load(string directory, ShardedIndexOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var manifestPath = Path.Combine(directory, ManifestName);
        var (baseCount, routes, files) = ReadManifest(manifestPath);
        var shards = new List<VectorShard>();
        try
        {
            for (var i = 0; i < routes.Length; i++)
            {
                shards.Add(VectorShard.Load(Path.Combine(directory, files[i]), options.Shard with { Seed = SeedOf(options.Shard, routes[i]) }, cancellationToken));
            }
        }
        catch
        {
            foreach (var shard in shards)
            {
                shard.Dispose();
            }

            throw;
        }

        return new ShardedIndex(options with { ShardCount = baseCount }, baseCount, new ShardTable(routes, [.. shards]));
    }

    /// <summary>Adds or replaces an item in the shard its key routes to; splits that shard when it passes the
    /// threshold and <see cref="ShardedIndexOptions.AutoSplit"/> is on.</summary>
    /// <param name="key">The key.</param>
    /// <param name="vector">The vector.</param>
    /// <param name="metadata">The metadata.</param>
    public void Upsert(string key, ReadOnlySpan<float> vector, VectorItemMetadata metadata = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var table = _table;
            var index = table.Find(KeyRouting.Hash(key), _baseCount);
            var shard = table.Shards[index];
            shard.Upsert(key, vector, metadata);
            if (Options.AutoSplit && shard.Count > Options.SplitThreshold)
            {
                SplitLocked(index, CancellationToken.None);
            }
        }
    }

    /// <summary>Deletes an item.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it existed.</returns>
    public bool Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var table = _table;
            return table.Shards[table.Find(KeyRouting.Hash(key), _baseCount)].Delete(key);
        }
    }

    /// <summary>Whether a live item has the key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether it does.</returns>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = AcquireTable();
        try
        {
            return table.Shards[table.Find(KeyRouting.Hash(key), _baseCount)].Contains(key);
        }
        finally
        {
            table.Release();
        }
    }

    /// <summary>The metadata of a live item.</summary>
    /// <param name="key">The key.</param>
    /// <param name="metadata">The metadata.</param>
    /// <returns>Whether it exists.</returns>
    public bool TryGetMetadata(string key, out VectorItemMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = AcquireTable();
        try
        {
            return table.Shards[table.Find(KeyRouting.Hash(key), _baseCount)].TryGetMetadata(key, out metadata);
        }
        finally
        {
            table.Release();
        }
    }

    /// <summary>Searches every shard (in parallel) and merges their top-k lists exactly: the result is the best
    /// <paramref name="k"/> of the union, by exact score, ties broken by key (ordinal).</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">Metadata conditions, or <see langword="null"/>.</param>
    /// <param name="efSearch">The beam width per shard, or the shard default.</param>
    /// <returns>The hits, best first.</returns>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorFilter? filter = null, int? efSearch = null) =>
        Fan(query.ToArray(), (shard, q) => shard.Search(q, k, filter, efSearch), k);

    /// <summary>Exact search over every shard, merged.</summary>
    /// <param name="query">The query.</param>
    /// <param name="k">The number of results.</param>
    /// <param name="filter">Metadata conditions, or <see langword="null"/>.</param>
    /// <returns>The hits, best first.</returns>
    public IReadOnlyList<VectorHit> SearchExact(ReadOnlySpan<float> query, int k, VectorFilter? filter = null) =>
        Fan(query.ToArray(), (shard, q) => shard.SearchExact(q, k, filter), k);

    /// <summary>Splits a shard in two (by the next bit of its keys' routing hash) and publishes the new routing.</summary>
    /// <param name="shardIndex">The shard's index in <see cref="GetShards"/>.</param>
    /// <param name="cancellationToken">Cancels the split (the index is unchanged).</param>
    public void Split(int shardIndex, CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shardIndex, _table.Shards.Length);
            SplitLocked(shardIndex, cancellationToken);
        }
    }

    /// <summary>Compacts shards that need it and splits shards past the threshold.</summary>
    /// <param name="cancellationToken">Cancels between shards.</param>
    /// <returns>The number of compactions and splits done.</returns>
    public int Maintain(CancellationToken cancellationToken = default)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var actions = 0;
            foreach (var shard in _table.Shards)
            {
                if (shard.NeedsCompaction)
                {
                    shard.Compact(cancellationToken);
                    actions++;
                }
            }

            for (var i = 0; i < _table.Shards.Length; i++)
            {
                if (_table.Shards[i].Count > Options.SplitThreshold)
                {
                    SplitLocked(i, cancellationToken);
                    actions++;
                    i--;
                }
            }

            return actions;
        }
    }

    /// <summary>Saves every shard's snapshot and a manifest (checksummed) into a directory. Shard files no longer
    /// referenced are removed.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public void Save(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Directory.CreateDirectory(directory);
            var table = _table;
            var files = new string[table.Shards.Length];
            for (var i = 0; i < files.Length; i++)
            {
                files[i] = $"shard-{table.Routes[i].Name()}.mfvs";
                table.Shards[i].Save(Path.Combine(directory, files[i]), cancellationToken);
            }

            WriteManifest(Path.Combine(directory, ManifestName), table.Routes, files);
            foreach (var stale in Directory.EnumerateFiles(directory, "shard-*.mfvs"))
            {
                if (!files.Contains(Path.GetFileName(stale), StringComparer.Ordinal))
                {
                    File.Delete(stale);
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _table.Retire(_table.Shards);
        }
    }

    private static int SeedOf(VectorShardOptions options, ShardRoute route)
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, options.Seed);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], route.Base);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], route.Depth);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[12..], route.Prefix);
        return (int)(XxHash64.Hash(bytes) & int.MaxValue);
    }

    private static void WriteManifest(string path, ShardRoute[] routes, string[] files)
    {
        using var buffer = new MemoryStream();
        Span<byte> field = stackalloc byte[8];
        buffer.Write(ManifestMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(field, ManifestVersion);
        buffer.Write(field[..4]);
        BinaryPrimitives.WriteInt32LittleEndian(field, routes.Length);
        buffer.Write(field[..4]);
        BinaryPrimitives.WriteInt32LittleEndian(field, routes.Length == 0 ? 0 : routes.Max(r => r.Base) + 1);
        buffer.Write(field[..4]);
        for (var i = 0; i < routes.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(field, routes[i].Base);
            buffer.Write(field[..4]);
            BinaryPrimitives.WriteInt32LittleEndian(field, routes[i].Depth);
            buffer.Write(field[..4]);
            BinaryPrimitives.WriteUInt64LittleEndian(field, routes[i].Prefix);
            buffer.Write(field);
            var name = Encoding.UTF8.GetBytes(files[i]);
            BinaryPrimitives.WriteInt32LittleEndian(field, name.Length);
            buffer.Write(field[..4]);
            buffer.Write(name);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(field, XxHash64.Hash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), SnapshotFormat.ChecksumSeed));
        buffer.Write(field);
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            buffer.Position = 0;
            buffer.CopyTo(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static (int BaseCount, ShardRoute[] Routes, string[] Files) ReadManifest(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VectorSnapshotException($"{path}: cannot read the index manifest: {e.Message}", e);
        }

        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(ManifestMagic))
        {
            throw new VectorSnapshotException($"{path}: not a MemoryFabric sharded index manifest");
        }

        if (bytes.Length < 28)
        {
            throw new VectorSnapshotException($"{path}: truncated manifest");
        }

        var body = bytes.AsSpan(0, bytes.Length - 8);
        if (XxHash64.Hash(body, SnapshotFormat.ChecksumSeed) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8)))
        {
            throw new VectorSnapshotException($"{path}: corrupted or truncated manifest (checksum mismatch)");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
        if (version != ManifestVersion)
        {
            throw new VectorSnapshotException($"{path}: manifest format version {version} is not supported (this build reads version {ManifestVersion})");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
        var baseCount = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
        if (count < 1 || baseCount < 1 || count > 1 << 20)
        {
            throw new VectorSnapshotException($"{path}: corrupted manifest (shard counts out of range)");
        }

        var routes = new ShardRoute[count];
        var files = new string[count];
        var position = 20;
        for (var i = 0; i < count; i++)
        {
            if (position + 20 > body.Length)
            {
                throw new VectorSnapshotException($"{path}: corrupted manifest (too short)");
            }

            var route = new ShardRoute(
                BinaryPrimitives.ReadInt32LittleEndian(body[position..]),
                BinaryPrimitives.ReadInt32LittleEndian(body[(position + 4)..]),
                BinaryPrimitives.ReadUInt64LittleEndian(body[(position + 8)..]));
            var length = BinaryPrimitives.ReadInt32LittleEndian(body[(position + 16)..]);
            position += 20;
            if (route.Base < 0 || route.Base >= baseCount || route.Depth < 0 || route.Depth > 63 || length < 1 || length > 255 || position + length > body.Length)
            {
                throw new VectorSnapshotException($"{path}: corrupted manifest (bad shard entry {i})");
            }

            var file = Encoding.UTF8.GetString(body.Slice(position, length));
            if (file != Path.GetFileName(file))
            {
                throw new VectorSnapshotException($"{path}: corrupted manifest (shard file name with a directory)");
            }

            routes[i] = route;
            files[i] = file;
            position += length;
        }

        if (position != body.Length)
        {
            throw new VectorSnapshotException($"{path}: corrupted manifest (trailing bytes)");
        }

        return (baseCount, routes, files);
    }

    private VectorShardOptions ShardOptions(ShardRoute route) => Options.Shard with { Seed = SeedOf(Options.Shard, route) };

    private List<VectorHit> Fan(float[] query, Func<VectorShard, float[], IReadOnlyList<VectorHit>> search, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var table = AcquireTable();
        try
        {
            var shards = table.Shards;
            if (shards.Length == 1)
            {
                return [.. search(shards[0], query)];
            }

            var results = new IReadOnlyList<VectorHit>[shards.Length];
            Parallel.For(
                0,
                shards.Length,
                new ParallelOptions { MaxDegreeOfParallelism = Options.MaxSearchParallelism },
                i => results[i] = search(shards[i], query));
            return Merge(results, k);
        }
        finally
        {
            table.Release();
        }
    }

    private static List<VectorHit> Merge(IReadOnlyList<VectorHit>[] results, int k)
    {
        var all = new List<VectorHit>(results.Sum(r => r.Count));
        foreach (var result in results)
        {
            all.AddRange(result);
        }

        all.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Key, b.Key));
        if (all.Count > k)
        {
            all.RemoveRange(k, all.Count - k);
        }

        return all;
    }

    private ShardTable AcquireTable()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var table = Volatile.Read(ref _table);
            if (table.TryAcquire())
            {
                return table;
            }
        }
    }

    private void SplitLocked(int index, CancellationToken cancellationToken)
    {
        var table = _table;
        var source = table.Shards[index];
        var route = table.Routes[index];
        if (route.Depth >= 63)
        {
            throw new InvalidOperationException($"Shard {route.Name()} cannot be split further.");
        }

        var (lowRoute, highRoute) = route.Split();
        var low = new VectorShard(ShardOptions(lowRoute));
        var high = new VectorShard(ShardOptions(highRoute));
        try
        {
            // Each half is written by one thread only (single writer per shard); both read the source.
            Parallel.Invoke(
                new ParallelOptions { CancellationToken = cancellationToken },
                () => CopyHalf(source, low, lowRoute, cancellationToken),
                () => CopyHalf(source, high, highRoute, cancellationToken));
            if (low.Count + high.Count != source.Count)
            {
                throw new InvalidOperationException(
                    $"Splitting shard {route.Name()} gave {low.Count} + {high.Count} items for {source.Count}; the split was abandoned.");
            }
        }
        catch
        {
            low.Dispose();
            high.Dispose();
            throw;
        }

        var routes = table.Routes.ToList();
        var shards = table.Shards.ToList();
        routes[index] = lowRoute;
        shards[index] = low;
        routes.Insert(index + 1, highRoute);
        shards.Insert(index + 1, high);
        Volatile.Write(ref _table, new ShardTable([.. routes], [.. shards]));
        table.Retire([source]);
    }

    private void CopyHalf(VectorShard source, VectorShard target, ShardRoute route, CancellationToken cancellationToken)
    {
        var seen = 0;
        foreach (var item in source.EnumerateItems())
        {
            if ((++seen & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (route.Covers(KeyRouting.Hash(item.Key), _baseCount))
            {
                target.Upsert(item.Key, item.Vector, item.Metadata);
            }
        }
    }
}
