using System.Buffers.Binary;

namespace MemoryFabric.Persistence;

/// <summary>
/// The binary journal encoding of a batch of <see cref="MemoryChange"/>s: one batch (one write call's changes) is
/// one journal entry.
/// </summary>
/// <remarks>
/// Layout: a format byte (<see cref="FormatVersion"/>), the number of changes (varint), each change as a kind byte
/// and its fields (little-endian; strings UTF-8 with varint lengths, repeated strings such as session ids and
/// speakers written once per entry and referenced after; vectors as raw floats), then a checksum of everything
/// before it (4 bytes): the standard CRC-32C from format version 3 on, the legacy lane-folded checksum
/// (<see cref="LegacyLaneChecksum"/>) in versions 1 and 2, which are still read. Decoding checks the format, the
/// checksum and every length, and throws <see cref="InvalidDataException"/> saying what is wrong.
/// </remarks>
public static class MemoryChangeCodec
{
    /// <summary>The format version this build writes and reads.</summary>
    /// <remarks>Version 2 added the provenance kind and trust of turns and notes and the guard's changes; version 3
    /// checksums with the standard CRC-32C (earlier versions with <see cref="LegacyLaneChecksum"/>) and added
    /// <see cref="NotesRecalled"/>, then <see cref="TurnsForgotten"/> (kind 7; a build without it reports an unknown change
    /// kind). Versions 1 and 2 are still read.</remarks>
    public const byte FormatVersion = 3;

    /// <summary>The last format version checksummed with <see cref="LegacyLaneChecksum"/>.</summary>
    internal const byte LastLegacyChecksumVersion = 2;

    private const string Format = "Memory change batch";
    private const byte TurnStoredKind = 1;
    private const byte NoteWrittenKind = 2;
    private const byte NotesPurgedKind = 3;
    private const byte QuarantineKind = 4;
    private const byte LessonKind = 5;
    private const byte RecalledKind = 6;
    private const byte TurnsForgottenKind = 7;

    /// <summary>Encodes a batch of changes.</summary>
    /// <param name="changes">The changes, in order.</param>
    /// <returns>The encoded batch.</returns>
    /// <exception cref="ArgumentException">A change is null or of an unknown type.</exception>
    public static byte[] Encode(IReadOnlyList<MemoryChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var w = new PayloadWriter(256 + (changes.Count * 256));
        w.WriteByte(FormatVersion);
        w.WriteCount(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            switch (changes[i])
            {
                case TurnStored t:
                    w.WriteByte(TurnStoredKind);
                    RecordFormat.WriteTurn(w, t.Turn ?? throw new ArgumentException($"Change {i} has no turn.", nameof(changes)));
                    RecordFormat.WriteVector(w, t.DenseVector, t.EmbeddingModelId);
                    break;
                case NoteVersionWritten n:
                    w.WriteByte(NoteWrittenKind);
                    RecordFormat.WriteNote(w, n.Note ?? throw new ArgumentException($"Change {i} has no note.", nameof(changes)));
                    RecordFormat.WriteVector(w, n.DenseVector, n.EmbeddingModelId);
                    break;
                case NoteVersionsPurged p:
                    w.WriteByte(NotesPurgedKind);
                    w.WriteRefs(p.NoteIds ?? throw new ArgumentException($"Change {i} has no note ids.", nameof(changes)));
                    break;
                case QuarantineChanged q:
                    w.WriteByte(QuarantineKind);
                    RecordFormat.WriteQuarantineEntry(w, q.Entry ?? throw new ArgumentException($"Change {i} has no entry.", nameof(changes)));
                    w.WriteBool(q.HeldNote is not null);
                    if (q.HeldNote is not null)
                    {
                        RecordFormat.WriteNote(w, q.HeldNote);
                    }

                    break;
                case LessonChanged l:
                    w.WriteByte(LessonKind);
                    RecordFormat.WriteLesson(w, l.Lesson ?? throw new ArgumentException($"Change {i} has no lesson.", nameof(changes)));
                    break;
                case NotesRecalled r:
                    w.WriteByte(RecalledKind);
                    WriteRecalls(w, r.Notes ?? throw new ArgumentException($"Change {i} has no notes.", nameof(changes)));
                    break;
                case TurnsForgotten f:
                    w.WriteByte(TurnsForgottenKind);
                    w.WriteRefs(f.TurnIds ?? throw new ArgumentException($"Change {i} has no turn ids.", nameof(changes)));
                    break;
                case null:
                    throw new ArgumentException($"Change {i} is null.", nameof(changes));
                default:
                    throw new ArgumentException($"Change {i} is a {changes[i].GetType().Name}, which the codec does not know.", nameof(changes));
            }
        }

        w.WriteUInt32(RecordChecksum.Crc32C(w.Written));
        return w.ToArray();
    }

    /// <summary>Decodes a batch written by <see cref="Encode"/>.</summary>
    /// <param name="data">The encoded batch.</param>
    /// <returns>The changes, in order.</returns>
    /// <exception cref="InvalidDataException">The data is truncated, corrupt, or of an unknown format version.</exception>
    public static IReadOnlyList<MemoryChange> Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 6)
        {
            throw new InvalidDataException($"{Format} is truncated: {data.Length} bytes, at least 6 expected.");
        }

        var version = data[0];
        if (version > FormatVersion)
        {
            throw new UnsupportedFormatException(Format, version, FormatVersion).AsInvalidData();
        }

        if (version == 0)
        {
            throw new InvalidDataException($"{Format} has format version 0, which no build writes: the data is damaged.");
        }

        var body = data[..^4];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
        var actual = RecordChecksum.Compute(body, legacy: version <= LastLegacyChecksumVersion);
        if (stored != actual)
        {
            throw new InvalidDataException($"{Format} is corrupt: checksum mismatch (stored 0x{stored:X8}, computed 0x{actual:X8}).");
        }

        var r = new PayloadReader(body, Format);
        r.ReadByte();
        r.Section = "change count";
        var count = r.ReadCount(2);
        var changes = new List<MemoryChange>(count);
        for (var i = 0; i < count; i++)
        {
            r.Section = $"change {i}";
            var kind = r.ReadByte();
            switch (kind)
            {
                case TurnStoredKind:
                    var turn = RecordFormat.ReadTurn(ref r, version);
                    var (turnVector, turnModel) = RecordFormat.ReadVector(ref r);
                    changes.Add(new TurnStored(turn) { DenseVector = turnVector, EmbeddingModelId = turnModel });
                    break;
                case NoteWrittenKind:
                    var note = RecordFormat.ReadNote(ref r, version);
                    var (noteVector, noteModel) = RecordFormat.ReadVector(ref r);
                    changes.Add(new NoteVersionWritten(note) { DenseVector = noteVector, EmbeddingModelId = noteModel });
                    break;
                case NotesPurgedKind:
                    changes.Add(new NoteVersionsPurged(r.ReadRefs()));
                    break;
                case QuarantineKind when version >= 2:
                    var entry = RecordFormat.ReadQuarantineEntry(ref r);
                    var held = r.ReadBool() ? RecordFormat.ReadNote(ref r, version) : null;
                    changes.Add(new QuarantineChanged(entry) { HeldNote = held });
                    break;
                case LessonKind when version >= 2:
                    changes.Add(new LessonChanged(RecordFormat.ReadLesson(ref r)));
                    break;
                case RecalledKind when version >= 3:
                    changes.Add(new NotesRecalled(ReadRecalls(ref r)));
                    break;
                case TurnsForgottenKind when version >= 3:
                    changes.Add(new TurnsForgotten(r.ReadRefs()));
                    break;
                default:
                    throw r.Error($"unknown change kind {kind}");
            }
        }

        r.Section = "end";
        r.ExpectEnd();
        return changes;
    }

    /// <summary>Decodes a batch written by <see cref="Encode"/>.</summary>
    /// <param name="data">The encoded batch.</param>
    /// <returns>The changes, in order.</returns>
    /// <exception cref="InvalidDataException">The data is truncated, corrupt, or of an unknown format version.</exception>
    public static IReadOnlyList<MemoryChange> Decode(ReadOnlyMemory<byte> data) => Decode(data.Span);

    private static void WriteRecalls(PayloadWriter w, IReadOnlyList<NoteRecall> recalls)
    {
        w.WriteCount(recalls.Count);
        foreach (var recall in recalls)
        {
            w.WriteRef(recall.NoteId);
            w.WriteVarInt(recall.RecallCount);
            w.WriteDateTimeOffset(recall.LastRecalledAt);
            w.WriteDouble(recall.Strength);
        }
    }

    private static List<NoteRecall> ReadRecalls(ref PayloadReader r)
    {
        var count = r.ReadCount(11);
        var recalls = new List<NoteRecall>(count);
        for (var i = 0; i < count; i++)
        {
            var id = r.ReadRef();
            var recallCount = r.ReadVarInt();
            var at = r.ReadDateTimeOffset();
            var strength = r.ReadDouble();
            if (recallCount < 0 || !(strength is >= 0 and <= 1))
            {
                throw r.Error($"recall {i} has a negative count or a strength outside 0 to 1");
            }

            recalls.Add(new NoteRecall(id, recallCount, at, strength));
        }

        return recalls;
    }

    /// <summary>Decodes a batch written by <see cref="Encode"/>.</summary>
    /// <param name="data">The encoded batch.</param>
    /// <returns>The changes, in order.</returns>
    /// <exception cref="InvalidDataException">The data is truncated, corrupt, or of an unknown format version.</exception>
    public static IReadOnlyList<MemoryChange> Decode(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Decode(data.AsSpan());
    }
}
