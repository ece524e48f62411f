using System.Buffers.Binary;

namespace MemoryFabric.VectorIndex.Snapshots;

/// <summary>The sections of a shard snapshot.</summary>
internal enum SectionId
{
    /// <summary>int8 codes: slots × row bytes.</summary>
    Codes = 1,

    /// <summary>Quantization parameters: slots × 8.</summary>
    QuantParams = 2,

    /// <summary>Layer-0 lists: slots × (M0 + 2) × 4.</summary>
    Level0 = 3,

    /// <summary>Node levels and upper offsets: slots × 8.</summary>
    Nodes = 4,

    /// <summary>The upper-layer arena: upper ints × 4.</summary>
    Upper = 5,

    /// <summary>Tombstone flags: slots × 1.</summary>
    Flags = 6,

    /// <summary>Metadata: slots × 16.</summary>
    Meta = 7,

    /// <summary>Key entries: slots × 8.</summary>
    KeyEntries = 8,

    /// <summary>The key arena: key arena bytes.</summary>
    KeyArena = 9,

    /// <summary>Interned agents then kinds: for each, a 4-byte length and UTF-8 bytes.</summary>
    Strings = 10,

    /// <summary>float32 vectors: slots × dimensions × 4, at a 4 KiB-aligned offset (mapped in place on load); empty in a
    /// codes-only snapshot (<see cref="SnapshotHeader.CodesOnly"/>).</summary>
    Vectors = 11,
}

/// <summary>
/// The snapshot layout (little-endian). A fixed 128-byte header, a table of 32-byte section entries (id, offset,
/// length, XXH64 of the section's bytes), the XXH64 of header and table, then the sections (64-byte aligned; the
/// vectors 4 KiB-aligned). Every length is implied by the header's counts and checked before anything is read.
/// </summary>
internal static class SnapshotFormat
{
    /// <summary>The magic bytes.</summary>
    public static ReadOnlySpan<byte> Magic => "MFVSHNSW"u8;

    /// <summary>The newest format version this code reads and writes (it reads every version from
    /// <see cref="FirstVersion"/>). Version 2 records the embedding model id in the header (bytes 80–127: a 2-byte
    /// length and up to 46 UTF-8 bytes; zeros in version 1). Version 3 adds flags (bytes 76–79): bit 0, codes only,
    /// means the snapshot holds no float32 vectors (its vectors section is empty: the shard kept none,
    /// <see cref="VectorStorage.Quantized"/>). A snapshot that holds them is still written as version 2, so a build
    /// that reads only versions 1 and 2 still loads it.</summary>
    public const uint Version = 3;

    /// <summary>The version of snapshots with float32 vectors (no flags).</summary>
    public const uint VersionWithVectors = 2;

    /// <summary>Where the version 3 flags are in the header.</summary>
    public const int FlagsOffset = 76;

    /// <summary>Flag: no float32 vectors.</summary>
    public const int CodesOnlyFlag = 1;

    /// <summary>The oldest version this code reads (no embedding model id).</summary>
    public const uint FirstVersion = 1;

    /// <summary>Where the model id's length is in the header.</summary>
    public const int ModelIdOffset = 80;

    /// <summary>The longest model id kept verbatim, in UTF-8 bytes.</summary>
    public const int MaxModelIdBytes = HeaderBytes - ModelIdOffset - 2;

    /// <summary>The form a model id is recorded in: itself when it fits <see cref="MaxModelIdBytes"/>, else
    /// <c>sha256:</c> and the first 39 hex digits of its UTF-8 digest.</summary>
    public static string? RecordedModelId(string? modelId)
    {
        if (modelId is null || System.Text.Encoding.UTF8.GetByteCount(modelId) <= MaxModelIdBytes)
        {
            return modelId;
        }

        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(modelId)));
        return "sha256:" + digest[..(MaxModelIdBytes - 7)];
    }

    /// <summary>The header size.</summary>
    public const int HeaderBytes = 128;

    /// <summary>A section entry's size.</summary>
    public const int SectionEntryBytes = 32;

    /// <summary>The number of sections.</summary>
    public const int SectionCount = 11;

    /// <summary>Where the sections start (after header, table and the header checksum), before alignment.</summary>
    public const int TableEnd = HeaderBytes + (SectionCount * SectionEntryBytes) + 8;

    /// <summary>The seed of the checksums.</summary>
    public const ulong ChecksumSeed = 0x4D46_5653_4E41_5053UL;

    /// <summary>The longest interned string in UTF-8 bytes.</summary>
    public const int MaxStringBytes = 1 << 16;
}

/// <summary>The header's fields.</summary>
internal sealed record SnapshotHeader
{
    /// <summary>Dimensions.</summary>
    public required int Dimensions { get; init; }

    /// <summary>Padded code row length.</summary>
    public required int RowBytes { get; init; }

    /// <summary>Metric.</summary>
    public required VectorMetric Metric { get; init; }

    /// <summary>M.</summary>
    public required int M { get; init; }

    /// <summary>efConstruction.</summary>
    public required int EfConstruction { get; init; }

    /// <summary>efSearch default.</summary>
    public required int EfSearch { get; init; }

    /// <summary>Slots.</summary>
    public required int SlotCount { get; init; }

    /// <summary>Entry point.</summary>
    public required int Entry { get; init; }

    /// <summary>Top level.</summary>
    public required int MaxLevel { get; init; }

    /// <summary>Upper arena ints.</summary>
    public required int UpperInts { get; init; }

    /// <summary>Key arena bytes.</summary>
    public required int KeyArenaBytes { get; init; }

    /// <summary>Interned agents (excluding "none").</summary>
    public required int AgentCount { get; init; }

    /// <summary>Interned kinds (excluding "none").</summary>
    public required int KindCount { get; init; }

    /// <summary>Level generator seed.</summary>
    public required int Seed { get; init; }

    /// <summary>The embedding model id as recorded (<see cref="SnapshotFormat.RecordedModelId"/>), or null.</summary>
    public string? EmbeddingModelId { get; init; }

    /// <summary>Whether the snapshot holds no float32 vectors (version 3, <see cref="SnapshotFormat.CodesOnlyFlag"/>):
    /// the int8 codes are the only copy.</summary>
    public bool CodesOnly { get; init; }

    /// <summary>Writes the header.</summary>
    /// <param name="destination">128 bytes.</param>
    public void Write(Span<byte> destination)
    {
        destination[..SnapshotFormat.HeaderBytes].Clear();
        SnapshotFormat.Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], CodesOnly ? SnapshotFormat.Version : SnapshotFormat.VersionWithVectors);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], SnapshotFormat.HeaderBytes);
        var fields = new[] { Dimensions, RowBytes, (int)Metric, M, EfConstruction, EfSearch, SlotCount, Entry, MaxLevel, UpperInts, KeyArenaBytes, AgentCount, KindCount, SnapshotFormat.SectionCount, Seed };
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[(16 + (4 * i))..], fields[i]);
        }

        if (CodesOnly)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[SnapshotFormat.FlagsOffset..], SnapshotFormat.CodesOnlyFlag);
        }

        if (SnapshotFormat.RecordedModelId(EmbeddingModelId) is { } modelId)
        {
            var length = System.Text.Encoding.UTF8.GetBytes(modelId, destination[(SnapshotFormat.ModelIdOffset + 2)..SnapshotFormat.HeaderBytes]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[SnapshotFormat.ModelIdOffset..], (ushort)(length + 1)); // 0 = none
        }
    }

    private static string? ReadModelId(ReadOnlySpan<byte> source)
    {
        var stored = BinaryPrimitives.ReadUInt16LittleEndian(source[SnapshotFormat.ModelIdOffset..]);
        if (stored == 0)
        {
            return null;
        }

        if (stored - 1 > SnapshotFormat.MaxModelIdBytes)
        {
            throw new InvalidDataException($"the embedding model id's length {stored - 1} exceeds {SnapshotFormat.MaxModelIdBytes} bytes");
        }

        return System.Text.Encoding.UTF8.GetString(source.Slice(SnapshotFormat.ModelIdOffset + 2, stored - 1));
    }

    /// <summary>Reads and range-checks the header (the magic and version are checked by the caller).</summary>
    /// <param name="source">128 bytes.</param>
    /// <returns>The header.</returns>
    /// <exception cref="InvalidDataException">A field is out of range.</exception>
    public static SnapshotHeader Read(ReadOnlySpan<byte> source)
    {
        var fields = new int[15];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(16 + (4 * i))..]);
        }

        int Field(int i) => fields[i];
        if (BinaryPrimitives.ReadInt32LittleEndian(source[12..]) != SnapshotFormat.HeaderBytes)
        {
            throw new InvalidDataException("the header size is wrong");
        }

        if (Field(13) != SnapshotFormat.SectionCount)
        {
            throw new InvalidDataException($"the snapshot declares {Field(13)} sections, expected {SnapshotFormat.SectionCount}");
        }

        var flags = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) >= 3 ? BinaryPrimitives.ReadInt32LittleEndian(source[SnapshotFormat.FlagsOffset..]) : 0;
        if ((flags & ~SnapshotFormat.CodesOnlyFlag) != 0)
        {
            throw new InvalidDataException($"unknown header flags 0x{flags:x}");
        }

        var header = new SnapshotHeader
        {
            Dimensions = Field(0),
            RowBytes = Field(1),
            Metric = (VectorMetric)Field(2),
            M = Field(3),
            EfConstruction = Field(4),
            EfSearch = Field(5),
            SlotCount = Field(6),
            Entry = Field(7),
            MaxLevel = Field(8),
            UpperInts = Field(9),
            KeyArenaBytes = Field(10),
            AgentCount = Field(11),
            KindCount = Field(12),
            Seed = Field(14),
            EmbeddingModelId = ReadModelId(source),
            CodesOnly = (flags & SnapshotFormat.CodesOnlyFlag) != 0,
        };
        if (header.Dimensions < 1 || header.Dimensions > VectorShardOptions.MaxDimensions
            || header.RowBytes != Quantization.Int8Quantizer.RowBytes(header.Dimensions)
            || !Enum.IsDefined(header.Metric)
            || header.M < 2 || header.M > VectorShardOptions.MaxM
            || header.EfConstruction < 1 || header.EfSearch < 1
            || header.SlotCount < 0 || header.Entry < -1 || header.MaxLevel < -1 || header.MaxLevel > 64
            || header.UpperInts < 0 || header.KeyArenaBytes < 0 || header.AgentCount < 0 || header.KindCount < 0)
        {
            throw new InvalidDataException("a header field is out of range");
        }

        return header;
    }

    /// <summary>The length every section must have.</summary>
    /// <param name="id">The section.</param>
    /// <returns>The length in bytes, or -1 when it is only known after reading (strings).</returns>
    public long ExpectedLength(SectionId id)
    {
        long slots = SlotCount;
        return id switch
        {
            SectionId.Codes => slots * RowBytes,
            SectionId.QuantParams => slots * 8,
            SectionId.Level0 => slots * ((2L * M) + 2) * 4,
            SectionId.Nodes => slots * 8,
            SectionId.Upper => UpperInts * 4L,
            SectionId.Flags => slots,
            SectionId.Meta => slots * 16,
            SectionId.KeyEntries => slots * 8,
            SectionId.KeyArena => KeyArenaBytes,
            SectionId.Strings => -1,
            SectionId.Vectors => CodesOnly ? 0 : slots * Dimensions * 4,
            _ => throw new ArgumentOutOfRangeException(nameof(id)),
        };
    }
}

/// <summary>A section table entry.</summary>
/// <param name="Id">The section.</param>
/// <param name="Offset">Its offset in the file.</param>
/// <param name="Length">Its length.</param>
/// <param name="Checksum">The XXH64 of its bytes.</param>
internal readonly record struct SectionEntry(SectionId Id, long Offset, long Length, ulong Checksum);
