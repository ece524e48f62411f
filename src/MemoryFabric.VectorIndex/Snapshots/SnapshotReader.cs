using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

namespace MemoryFabric.VectorIndex.Snapshots;

/// <summary>
/// Loads a snapshot (see <see cref="SnapshotFormat"/>). Everything is checked before it is trusted: the magic, the
/// version, the header checksum, every section's place and length against the header's counts and the file's
/// length, every section's checksum, and finally the structure (links, levels, keys, metadata ids). Arrays are read
/// in bulk straight into the shard's chunks; the float32 vectors are mapped in place
/// (<see cref="VectorStorage.MappedFile"/>) or copied (<see cref="VectorStorage.InMemory"/>).
/// </summary>
internal static class SnapshotReader
{
    private static readonly string[] SectionNames =
        ["", "codes", "quantization parameters", "layer-0 links", "nodes", "upper-layer links", "flags", "metadata", "key entries", "key arena", "strings", "vectors"];

    /// <summary>Loads a snapshot.</summary>
    /// <param name="path">The file.</param>
    /// <param name="runtime">Runtime options (storage, thresholds, efSearch), or null for the defaults and the
    /// snapshot's efSearch; its structural fields must match the snapshot.</param>
    /// <param name="cancellationToken">Cancels between sections.</param>
    /// <param name="storage">With no <paramref name="runtime"/> options: the vector storage and its directory instead
    /// of the defaults.</param>
    /// <returns>The state (published, owned by the caller).</returns>
    /// <exception cref="VectorSnapshotException">The snapshot is missing, foreign, unsupported, truncated or
    /// corrupted.</exception>
    public static ShardState Read(string path, VectorShardOptions? runtime, CancellationToken cancellationToken, (VectorStorage Storage, string? Directory)? storage = null)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 20);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VectorSnapshotException($"{path}: cannot open the snapshot: {e.Message}", e);
        }

        ShardState? state = null;
        var streamOwned = true;
        try
        {
            var length = stream.Length;
            var prefix = new byte[SnapshotFormat.TableEnd];
            var read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            if (read >= 8 && !prefix.AsSpan(0, 8).SequenceEqual(SnapshotFormat.Magic))
            {
                throw new VectorSnapshotException($"{path}: not a MemoryFabric vector shard snapshot (wrong magic bytes)");
            }

            if (read < prefix.Length)
            {
                throw new VectorSnapshotException($"{path}: truncated snapshot: {length} bytes, the header alone needs {SnapshotFormat.TableEnd}");
            }

            var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8));
            if (version is < SnapshotFormat.FirstVersion or > SnapshotFormat.Version)
            {
                throw new VectorSnapshotException(
                    $"{path}: snapshot format version {version} is not supported (this build reads versions {SnapshotFormat.FirstVersion} to {SnapshotFormat.Version})");
            }

            var checksum = XxHash64.Hash(prefix.AsSpan(0, SnapshotFormat.TableEnd - 8), SnapshotFormat.ChecksumSeed);
            if (checksum != BinaryPrimitives.ReadUInt64LittleEndian(prefix.AsSpan(SnapshotFormat.TableEnd - 8)))
            {
                throw new VectorSnapshotException($"{path}: corrupted snapshot: the header checksum does not match");
            }

            var header = SnapshotHeader.Read(prefix);
            var sections = ReadTable(prefix, header, length, path);
            var recorded = SnapshotFormat.RecordedModelId(runtime?.EmbeddingModelId);
            if (recorded is not null && header.EmbeddingModelId is not null && !string.Equals(recorded, header.EmbeddingModelId, StringComparison.Ordinal))
            {
                throw new VectorSnapshotException(
                    $"{path}: the snapshot's vectors were made by the embedding model '{header.EmbeddingModelId}', the options name "
                    + $"'{runtime!.EmbeddingModelId}'; vectors of two models are not comparable: rebuild the index from re-embedded items.");
            }

            var options = runtime is null && storage is { } chosen
                ? ResolveOptions(header, null) with { VectorStorage = chosen.Storage, StorageDirectory = chosen.Directory }
                : ResolveOptions(header, runtime);
            state = new ShardState(options);
            Restore(state, header, sections, stream, cancellationToken);
            streamOwned = false;
            return state;
        }
        catch (InvalidDataException e)
        {
            state?.Dispose();
            throw new VectorSnapshotException($"{path}: corrupted snapshot: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            state?.Dispose();
            throw new VectorSnapshotException($"{path}: truncated snapshot: {e.Message}", e);
        }
        catch
        {
            state?.Dispose();
            throw;
        }
        finally
        {
            if (streamOwned)
            {
                stream.Dispose();
            }
        }
    }

    private static VectorShardOptions ResolveOptions(SnapshotHeader header, VectorShardOptions? runtime)
    {
        if (runtime is null)
        {
            return new VectorShardOptions
            {
                Dimensions = header.Dimensions,
                Metric = header.Metric,
                M = header.M,
                EfConstruction = header.EfConstruction,
                EfSearch = header.EfSearch,
                Seed = header.Seed,
                EmbeddingModelId = header.EmbeddingModelId,
            };
        }

        runtime.Validate();
        if (runtime.Dimensions != header.Dimensions || runtime.Metric != header.Metric || runtime.M != header.M || runtime.EfConstruction != header.EfConstruction)
        {
            throw new ArgumentException(
                $"The snapshot was built with {header.Dimensions} dimensions, {header.Metric}, M {header.M}, efConstruction {header.EfConstruction}; "
                + $"the options say {runtime.Dimensions}, {runtime.Metric}, M {runtime.M}, efConstruction {runtime.EfConstruction}.",
                nameof(runtime));
        }

        return runtime with { Seed = header.Seed, EmbeddingModelId = runtime.EmbeddingModelId ?? header.EmbeddingModelId };
    }

    private static SectionEntry[] ReadTable(byte[] prefix, SnapshotHeader header, long fileLength, string path)
    {
        var sections = new SectionEntry[SnapshotFormat.SectionCount];
        long previousEnd = SnapshotFormat.TableEnd;
        for (var i = 0; i < sections.Length; i++)
        {
            var e = prefix.AsSpan(SnapshotFormat.HeaderBytes + (i * SnapshotFormat.SectionEntryBytes));
            var id = (SectionId)BinaryPrimitives.ReadInt32LittleEndian(e);
            var offset = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
            var length = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
            var checksum = BinaryPrimitives.ReadUInt64LittleEndian(e[24..]);
            if ((int)id != i + 1)
            {
                throw new InvalidDataException($"section {i} has id {(int)id}, expected {i + 1}");
            }

            var name = SectionNames[i + 1];
            var expected = header.ExpectedLength(id);
            if (length < 0 || (expected >= 0 && length != expected) || (id == SectionId.Strings && length > (header.AgentCount + header.KindCount) * (4L + SnapshotFormat.MaxStringBytes)))
            {
                throw new InvalidDataException($"the {name} section has length {length}, expected {(expected >= 0 ? expected : "a length fitting its strings")}");
            }

            if (offset < previousEnd)
            {
                throw new InvalidDataException($"the {name} section overlaps the previous one");
            }

            if (id == SectionId.Vectors && offset % 4096 != 0)
            {
                throw new InvalidDataException("the vectors section is not 4096-byte aligned");
            }

            if (offset + length > fileLength)
            {
                throw new VectorSnapshotException(
                    $"{path}: truncated snapshot: the {name} section ends at byte {offset + length} but the file has {fileLength} bytes");
            }

            previousEnd = offset + length;
            sections[i] = new SectionEntry(id, offset, length, checksum);
        }

        return sections;
    }

    private static void Restore(ShardState state, SnapshotHeader header, SectionEntry[] sections, FileStream stream, CancellationToken cancellationToken)
    {
        var count = header.SlotCount;
        var graph = state.Index.Graph;
        state.PrepareRestore(count);

        Fill(stream, sections, SectionId.Codes, state.Index.CodeChunks(count), cancellationToken);
        Fill(stream, sections, SectionId.QuantParams, state.Index.ParamChunks(count), cancellationToken);
        Fill(stream, sections, SectionId.Level0, graph.Level0Chunks(count), cancellationToken);
        Fill(stream, sections, SectionId.Nodes, graph.NodeChunks(count), cancellationToken);
        graph.RestoreUpper(header.UpperInts);
        Fill(stream, sections, SectionId.Upper, graph.UpperChunks(), cancellationToken);
        Fill(stream, sections, SectionId.Flags, state.FlagChunks(count), cancellationToken);
        Fill(stream, sections, SectionId.Meta, state.MetaChunks(count), cancellationToken);
        Fill(stream, sections, SectionId.KeyEntries, state.Keys.RestoreEntries(count), cancellationToken);

        var arena = Start(stream, sections, SectionId.KeyArena);
        state.Keys.RestoreArena(header.KeyArenaBytes, span => arena.Read(span));
        arena.Finish();

        var strings = new byte[sections[(int)SectionId.Strings - 1].Length];
        var stringReader = Start(stream, sections, SectionId.Strings);
        stringReader.Read(strings);
        stringReader.Finish();
        RestoreStrings(state, header, strings);

        cancellationToken.ThrowIfCancellationRequested();
        var vectors = Start(stream, sections, SectionId.Vectors);
        var rowBytes = header.Dimensions * sizeof(float);
        var buffer = new byte[Math.Max(rowBytes, (1 << 20) / rowBytes * rowBytes)];
        var perBuffer = buffer.Length / rowBytes;
        var inMemory = state.Options.VectorStorage == VectorStorage.InMemory;
        var mapped = state.Options.VectorStorage == VectorStorage.MappedFile;
        for (var start = 0; !header.CodesOnly && start < count; start += perBuffer)
        {
            var n = Math.Min(perBuffer, count - start);
            var span = buffer.AsSpan(0, n * rowBytes);
            vectors.Read(span);
            if (inMemory)
            {
                for (var i = 0; i < n; i++)
                {
                    state.Vectors.Write(start + i, MemoryMarshal.Cast<byte, float>(span.Slice(i * rowBytes, rowBytes)));
                }
            }
        }

        vectors.Finish();
        if (header.CodesOnly && state.KeepsFloatVectors)
        {
            // A codes-only snapshot loaded by a shard that keeps float32 vectors: they are the decoded codes.
            var scratch = new float[header.Dimensions];
            for (var slot = 0; slot < count; slot++)
            {
                state.Index.Decode(slot, scratch);
                state.Vectors.Write(slot, scratch);
            }
        }

        var end = sections[^1].Offset + sections[^1].Length;
        if (stream.Length != end)
        {
            throw new InvalidDataException($"the file has {stream.Length - end} bytes after its last section");
        }

        if (mapped && count > 0 && !header.CodesOnly)
        {
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            state.Vectors.AttachReadOnly(map, sections[(int)SectionId.Vectors - 1].Offset, count);
        }
        else
        {
            stream.Dispose();
        }

        state.Keys.RebuildIndex(count);
        state.CompleteRestore(count, header.Entry, header.MaxLevel);
    }

    private static void RestoreStrings(ShardState state, SnapshotHeader header, byte[] strings)
    {
        var position = 0;
        for (var i = 0; i < header.AgentCount + header.KindCount; i++)
        {
            if (position + 4 > strings.Length)
            {
                throw new InvalidDataException("the strings section is shorter than its strings");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(strings.AsSpan(position));
            if (length < 0 || length > SnapshotFormat.MaxStringBytes || position + 4 + length > strings.Length)
            {
                throw new InvalidDataException("a string has an invalid length");
            }

            var value = Encoding.UTF8.GetString(strings, position + 4, length);
            position += 4 + length;
            var interner = i < header.AgentCount ? state.Agents : state.Kinds;
            var expectedId = (i < header.AgentCount ? i : i - header.AgentCount) + 1;
            if (interner.Intern(value) != expectedId)
            {
                throw new InvalidDataException("an agent or kind appears twice");
            }
        }

        if (position != strings.Length)
        {
            throw new InvalidDataException("the strings section has trailing bytes");
        }
    }

    private static void Fill<T>(FileStream stream, SectionEntry[] sections, SectionId id, IEnumerable<Memory<T>> chunks, CancellationToken cancellationToken)
        where T : unmanaged
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reader = Start(stream, sections, id);
        foreach (var chunk in chunks)
        {
            reader.Read(MemoryMarshal.AsBytes(chunk.Span));
        }

        reader.Finish();
    }

    private static SectionReader Start(FileStream stream, SectionEntry[] sections, SectionId id)
    {
        var index = (int)id - 1;
        var entry = sections[index];
        var gapStart = index == 0 ? SnapshotFormat.TableEnd : sections[index - 1].Offset + sections[index - 1].Length;
        stream.Position = gapStart;
        CheckZeros(stream, entry.Offset - gapStart, SectionNames[(int)id]);
        return new SectionReader(stream, entry, SectionNames[(int)id]);
    }

    /// <summary>Alignment padding is not covered by a checksum: it must be zeros, so that no byte of a snapshot can
    /// change unnoticed.</summary>
    private static void CheckZeros(FileStream stream, long count, string before)
    {
        Span<byte> buffer = stackalloc byte[4096];
        while (count > 0)
        {
            var chunk = buffer[..(int)Math.Min(buffer.Length, count)];
            stream.ReadExactly(chunk);
            if (chunk.ContainsAnyExcept((byte)0))
            {
                throw new InvalidDataException($"the padding before the {before} section is not zero");
            }

            count -= chunk.Length;
        }
    }

    /// <summary>Reads one section, hashing as it goes.</summary>
    private sealed class SectionReader(FileStream stream, SectionEntry entry, string name)
    {
        private XxHash64 _hash = new(SnapshotFormat.ChecksumSeed);
        private long _read;

        public void Read(Span<byte> destination)
        {
            if (_read + destination.Length > entry.Length)
            {
                throw new InvalidDataException($"the {name} section is shorter than its contents");
            }

            stream.ReadExactly(destination);
            _hash.Append(destination);
            _read += destination.Length;
        }

        public void Finish()
        {
            if (_read != entry.Length)
            {
                throw new InvalidDataException($"the {name} section is longer than its contents");
            }

            if (_hash.Digest() != entry.Checksum)
            {
                throw new InvalidDataException($"the {name} section fails its checksum");
            }
        }
    }
}
