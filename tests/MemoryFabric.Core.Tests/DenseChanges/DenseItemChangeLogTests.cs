using MemoryFabric.Core.Tests.Support;
using MemoryFabric.DenseChanges;
using MemoryFabric.Embeddings;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.DenseChanges;

/// <summary>The dense change log is enough to mirror the memory's dense items: a mirror updated only from the logged
/// items (as the tenant index's outbox does) equals the full enumeration after every kind of change.</summary>
public sealed class DenseItemChangeLogTests
{
    private readonly FakeTimeProvider _clock = new(Talk.May8.AddHours(1));

    [Fact]
    public async Task A_mirror_fed_by_the_log_equals_the_memory_after_ingest_embedding_consolidation_notes_and_forgets()
    {
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, _clock, new HashingEmbeddingGenerator(64));
        var log = memory.TrackDenseChanges();
        var mirror = new Dictionary<(MemoryItemKind, string), DenseItem>();

        await memory.IngestAsync(Talk.SmallSession());
        Assert.True(log.Count > 0, "ingested turns are logged (waiting for their vectors)");
        Apply(memory, log, mirror);
        Assert.Empty(mirror); // nothing has a vector yet
        await memory.EmbedPendingAsync(1000);
        AssertMirrors(memory, log, mirror);
        Assert.Contains(mirror.Keys, k => k.Item1 == MemoryItemKind.Turn);

        await memory.ConsolidateAsync();
        await memory.EmbedPendingAsync(1000);
        AssertMirrors(memory, log, mirror);
        Assert.Contains(mirror.Keys, k => k.Item1 == MemoryItemKind.Episode);

        var note = await memory.AddNoteAsync(new NoteWrite { Subject = "caroline", Text = "Caroline keeps bees on her roof." });
        await memory.EmbedPendingAsync(1000);
        AssertMirrors(memory, log, mirror);
        var updated = await memory.UpdateNoteAsync(note.Note.Id, new NoteWrite { Subject = "caroline", Text = "Caroline keeps bees in the garden now." });
        await memory.EmbedPendingAsync(1000);
        AssertMirrors(memory, log, mirror);
        Assert.DoesNotContain((MemoryItemKind.Note, note.Note.Id), mirror.Keys); // the superseded version left the mirror

        var turns = await memory.GetTurnsAsync();
        await memory.ForgetTurnsAsync([turns[0].Id, turns[1].Id]);
        await memory.EmbedPendingAsync(1000);
        AssertMirrors(memory, log, mirror);
        Assert.DoesNotContain((MemoryItemKind.Turn, turns[0].Id), mirror.Keys);

        await memory.DeleteNoteAsync(updated.Note.Id);
        AssertMirrors(memory, log, mirror);
        Assert.DoesNotContain(mirror.Keys, k => k.Item1 == MemoryItemKind.Note && k.Item2 == updated.Note.Id);
    }

    [Fact]
    public async Task An_untracked_memory_logs_nothing_and_tracking_starts_from_the_call()
    {
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, _clock, new HashingEmbeddingGenerator(64));
        await memory.IngestAsync(Talk.SmallSession());

        var log = memory.TrackDenseChanges();
        Assert.Equal(0, log.Count);
        Assert.Same(log, memory.TrackDenseChanges());
        var embedded = await memory.EmbedPendingAsync(3);
        Assert.Equal(3, embedded);
        var drained = log.Drain();
        Assert.Equal(3, drained.Count);
        Assert.All(drained, d => Assert.NotNull(d.Value));
        Assert.Equal(0, log.Count);
    }

    // Updates the mirror from the logged items only.
    private static void Apply(AgentMemory memory, DenseItemChangeLog log, Dictionary<(MemoryItemKind, string), DenseItem> mirror)
    {
        foreach (var ((kind, id), vector) in log.Drain())
        {
            switch (memory.FindDenseItem(kind, id, vector))
            {
                case null:
                    mirror.Remove((kind, id));
                    break;
                case { Vector: not null } item:
                    mirror[(kind, id)] = item;
                    break;
                default:
                    break; // waits for its vector: a mirror keeps what it has
            }
        }
    }

    private static void AssertMirrors(AgentMemory memory, DenseItemChangeLog log, Dictionary<(MemoryItemKind, string), DenseItem> mirror)
    {
        Apply(memory, log, mirror);
        var all = memory.EnumerateDenseItems().ToList();
        var expected = all.Where(i => i.Vector is not null).ToDictionary(i => (i.Kind, i.Id));
        var waiting = all.Where(i => i.Vector is null).Select(i => (i.Kind, i.Id)).ToHashSet();
        Assert.DoesNotContain(mirror.Keys, k => !expected.ContainsKey(k) && !waiting.Contains(k));
        foreach (var (key, item) in expected)
        {
            Assert.True(mirror.TryGetValue(key, out var mirrored), $"the mirror misses {key}");
            Assert.Equal(item.Vector, mirrored.Vector);
            Assert.Equal(item.Timestamp, mirrored.Timestamp);
        }
    }
}
