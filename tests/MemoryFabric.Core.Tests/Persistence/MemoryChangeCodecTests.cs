using System.Text.Json;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Serialization;

namespace MemoryFabric.Core.Tests.Persistence;

public sealed class MemoryChangeCodecTests
{
    private static readonly DateTimeOffset When = new(2023, 5, 8, 13, 56, 7, 123, TimeSpan.FromHours(-4));

    private static IReadOnlyList<MemoryChange> Sample()
    {
        var vector = Enumerable.Range(0, 16).Select(i => MathF.Sin(i) / 3).ToArray();
        var metadata = new Dictionary<string, string> { ["lang"] = "en", ["emoji"] = "😀 café" };
        var imported = Scenario.Imported(When);
        return
        [
            new TurnStored(new Turn("t1", "s1", "Caroline", TurnRole.Assistant, "Hé, I went to the support group yesterday. 😀", When, 42, metadata)) { DenseVector = vector, EmbeddingModelId = "m" },
            new TurnStored(new Turn("t2", "s1", "Melanie", TurnRole.Tool, "Second", When.AddTicks(1), long.MaxValue, new Dictionary<string, string>())),
            new NoteVersionWritten(imported[0]),
            new NoteVersionWritten(imported[1]) { DenseVector = vector, EmbeddingModelId = "m" },
            new NoteVersionsPurged(["n1", "n2", "t1"]),
        ];
    }

    private static string Render(IReadOnlyList<MemoryChange> changes) => JsonSerializer.Serialize(changes.Select(c => c switch
    {
        TurnStored t => (object)new { kind = "turn", t.Turn, offset = t.Turn.Timestamp.Offset, vector = t.DenseVector.ToArray(), t.EmbeddingModelId },
        NoteVersionWritten n => new { kind = "note", n.Note, vector = n.DenseVector.ToArray(), n.EmbeddingModelId },
        NoteVersionsPurged p => new { kind = "purge", p.NoteIds },
        _ => throw new InvalidOperationException(),
    }), MemoryFabricJson.Options);

    [Fact]
    public void Every_change_round_trips_with_every_field()
    {
        var changes = Sample();

        var bytes = MemoryChangeCodec.Encode(changes);
        var decoded = MemoryChangeCodec.Decode(bytes);

        Assert.Equal(Render(changes), Render(decoded));
        Assert.Equal(MemoryChangeCodec.FormatVersion, bytes[0]);
        var turn = Assert.IsType<TurnStored>(decoded[0]);
        Assert.Equal(TimeSpan.FromHours(-4), turn.Turn.Timestamp.Offset);
        Assert.Equal(Render(decoded), Render(MemoryChangeCodec.Decode(new ReadOnlyMemory<byte>(bytes))));
    }

    [Fact]
    public void An_empty_batch_round_trips()
    {
        Assert.Empty(MemoryChangeCodec.Decode(MemoryChangeCodec.Encode([])));
    }

    [Fact]
    public void Repeated_strings_are_written_once()
    {
        var turns = Enumerable.Range(0, 100)
            .Select(i => (MemoryChange)new TurnStored(new Turn($"t{i}", "a-rather-long-session-identifier", "Caroline", TurnRole.User, "Hi.", When, i, new Dictionary<string, string>())))
            .ToList();

        var bytes = MemoryChangeCodec.Encode(turns);

        Assert.True(bytes.Length < 100 * 30, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Any_flipped_byte_is_detected()
    {
        var bytes = MemoryChangeCodec.Encode(Sample());
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x5A;
            Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(copy));
        }
    }

    [Fact]
    public void Truncated_or_extended_data_is_rejected()
    {
        var bytes = MemoryChangeCodec.Encode(Sample());
        for (var length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void An_unknown_format_version_says_so()
    {
        var bytes = MemoryChangeCodec.Encode(Sample());
        bytes[0] = 9;

        var error = Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(bytes));

        Assert.Contains("format version 9, written by a newer MemoryFabric", error.Message, StringComparison.Ordinal);
        var newer = UnsupportedFormatException.Find(error);
        Assert.Equal((9, (int)MemoryChangeCodec.FormatVersion), (newer?.Version, newer?.NewestSupported));
        bytes[0] = 0;
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checksum_valid_but_malformed_body_names_the_problem()
    {
        // A body that claims one change of kind 77, with a correct checksum.
        byte[] body = [MemoryChangeCodec.FormatVersion, 1, 77, 0];
        var checksum = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(checksum, RecordChecksum.Crc32C(body));
        byte[] bytes = [.. body, .. checksum];

        var error = Assert.Throws<InvalidDataException>(() => MemoryChangeCodec.Decode(bytes));

        Assert.Contains("unknown change kind 77", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_changes_are_rejected_on_encode_and_on_apply()
    {
        Assert.Throws<ArgumentException>(() => MemoryChangeCodec.Encode([null!]));
        Assert.Throws<ArgumentException>(() => new AgentMemory().ApplyChanges([null!]));
        var incomplete = new TurnStored(new Turn("t", null!, "Jon", TurnRole.User, "Hi.", When, 1, new Dictionary<string, string>()));
        var memory = new AgentMemory();
        Assert.Throws<ArgumentException>(() => memory.ApplyChanges([new TurnStored(new Turn("ok", "s", "Jon", TurnRole.User, "Hi.", When, 1, new Dictionary<string, string>())), incomplete]));
        Assert.Equal(0, memory.GetStatistics().Turns); // validated before anything is applied
    }
}
