using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MemoryFabric.VectorIndex.Snapshots;

/// <summary>Writes a shard state as a snapshot (see <see cref="SnapshotFormat"/>): to a temporary file next to the
/// target, flushed to disk, then renamed over it, so a crash never leaves a half-written snapshot under the name.</summary>
internal static class SnapshotWriter
{
    /// <summary>Writes a snapshot (the caller holds the writer lock).</summary>
    /// <param name="state">The state.</param>
    /// <param name="path">The target file.</param>
    /// <param name="cancellationToken">Cancels between sections.</param>
    public static void Write(ShardState state, string path, CancellationToken cancellationToken)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Snapshots are little-endian.");
        }

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                WriteTo(state, stream, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteTo(ShardState state, FileStream stream, CancellationToken cancellationToken)
    {
        var count = state.SlotCount;
        var graph = state.Index.Graph;
        var (entry, maxLevel) = graph.Entry;
        var agents = state.Agents.Names();
        var kinds = state.Kinds.Names();
        var header = new SnapshotHeader
        {
            Dimensions = state.Options.Dimensions,
            RowBytes = state.Index.RowBytes,
            Metric = state.Options.Metric,
            M = state.Options.M,
            EfConstruction = state.Options.EfConstruction,
            EfSearch = state.Options.EfSearch,
            SlotCount = count,
            Entry = entry,
            MaxLevel = maxLevel,
            UpperInts = graph.UpperUsed,
            KeyArenaBytes = state.Keys.ArenaBytes,
            AgentCount = agents.Length,
            KindCount = kinds.Length,
            Seed = state.Options.Seed,
            EmbeddingModelId = state.Options.EmbeddingModelId,
            CodesOnly = !state.KeepsFloatVectors,
        };

        var prefix = new byte[SnapshotFormat.TableEnd];
        stream.Write(prefix);
        var sections = new List<SectionEntry>(SnapshotFormat.SectionCount);

        void Section<T>(SectionId id, IEnumerable<Memory<T>> chunks, int alignment = 64)
            where T : unmanaged
        {
            cancellationToken.ThrowIfCancellationRequested();
            Align(stream, alignment);
            var offset = stream.Position;
            var hash = new XxHash64(SnapshotFormat.ChecksumSeed);
            foreach (var chunk in chunks)
            {
                var bytes = MemoryMarshal.AsBytes(chunk.Span);
                hash.Append(bytes);
                stream.Write(bytes);
            }

            sections.Add(new SectionEntry(id, offset, stream.Position - offset, hash.Digest()));
        }

        Section(SectionId.Codes, state.Index.CodeChunks(count));
        Section(SectionId.QuantParams, state.Index.ParamChunks(count));
        Section(SectionId.Level0, graph.Level0Chunks(count));
        Section(SectionId.Nodes, graph.NodeChunks(count));
        Section(SectionId.Upper, graph.UpperChunks());
        Section(SectionId.Flags, state.FlagChunks(count));
        Section(SectionId.Meta, state.MetaChunks(count));
        Section(SectionId.KeyEntries, state.Keys.EntryChunks(count));
        Section(SectionId.KeyArena, ArenaChunks(state.Keys));
        Section(SectionId.Strings, StringChunks(agents, kinds));
        Section(SectionId.Vectors, header.CodesOnly ? [] : VectorChunks(state, count), 4096);

        header.Write(prefix);
        for (var i = 0; i < sections.Count; i++)
        {
            var e = prefix.AsSpan(SnapshotFormat.HeaderBytes + (i * SnapshotFormat.SectionEntryBytes));
            BinaryPrimitives.WriteInt32LittleEndian(e, (int)sections[i].Id);
            BinaryPrimitives.WriteInt64LittleEndian(e[8..], sections[i].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(e[16..], sections[i].Length);
            BinaryPrimitives.WriteUInt64LittleEndian(e[24..], sections[i].Checksum);
        }

        var checksum = XxHash64.Hash(prefix.AsSpan(0, SnapshotFormat.TableEnd - 8), SnapshotFormat.ChecksumSeed);
        BinaryPrimitives.WriteUInt64LittleEndian(prefix.AsSpan(SnapshotFormat.TableEnd - 8), checksum);
        stream.Position = 0;
        stream.Write(prefix);
    }

    private static void Align(Stream stream, int alignment)
    {
        var padding = (int)((alignment - (stream.Position % alignment)) % alignment);
        if (padding > 0)
        {
            stream.Write(new byte[padding]);
        }
    }

    private static IEnumerable<Memory<byte>> ArenaChunks(Storage.KeyTable keys)
    {
        var chunks = new List<Memory<byte>>();
        keys.WriteArena(span => chunks.Add(span.ToArray()));
        return chunks;
    }

    private static IEnumerable<Memory<byte>> StringChunks(string[] agents, string[] kinds)
    {
        foreach (var value in agents.Concat(kinds))
        {
            var bytes = new byte[4 + Encoding.UTF8.GetByteCount(value)];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, bytes.Length - 4);
            Encoding.UTF8.GetBytes(value, bytes.AsSpan(4));
            yield return bytes;
        }
    }

    private static unsafe IEnumerable<Memory<byte>> VectorChunks(ShardState state, int count)
    {
        var rowBytes = state.Options.Dimensions * sizeof(float);
        var buffer = new byte[Math.Max(rowBytes, (1 << 20) / rowBytes * rowBytes)];
        var perBuffer = buffer.Length / rowBytes;
        for (var start = 0; start < count; start += perBuffer)
        {
            var n = Math.Min(perBuffer, count - start);
            for (var i = 0; i < n; i++)
            {
                MemoryMarshal.AsBytes(state.Vectors.Vector(start + i)).CopyTo(buffer.AsSpan(i * rowBytes));
            }

            yield return buffer.AsMemory(0, n * rowBytes);
        }
    }
}
