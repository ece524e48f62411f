using System.Text.Json;
using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Embeddings;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;
using MemoryFabric.Serialization;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Persistence;

/// <summary>A hashing embedder that counts its calls, records the texts it embedded, can fail, and can report
/// another model id or no metadata at all.</summary>
public sealed class CountingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly HashingEmbeddingGenerator _inner;
    private readonly EmbeddingGeneratorMetadata? _metadata;

    public CountingEmbedder(int dimensions = 384, string? modelId = HashingEmbeddingGenerator.ModelId, bool reportMetadata = true)
    {
        _inner = new HashingEmbeddingGenerator(dimensions);
        _metadata = reportMetadata ? new EmbeddingGeneratorMetadata("test", defaultModelId: modelId, defaultModelDimensions: dimensions) : null;
    }

    public int Calls { get; private set; }

    public List<string> Texts { get; } = [];

    public Exception? Failure { get; set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        if (Failure is { } failure)
        {
            return Task.FromException<GeneratedEmbeddings<Embedding<float>>>(failure);
        }

        var list = values.ToList();
        Texts.AddRange(list);
        return _inner.GenerateAsync(list, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose() => _inner.Dispose();
}

/// <summary>Observable state of a memory, rendered to JSON so two memories can be compared exactly.</summary>
public static class MemoryState
{
    public static readonly string[] Queries =
    [
        "What did Caroline say about pottery?",
        "When did Melanie go to the support group?",
        "Where does Caroline live?",
        "the marathon in Boston",
        "book club next month",
    ];

    private static readonly JsonSerializerOptions Json = new(MemoryFabricJson.Options) { WriteIndented = true };

    /// <summary>The stored records only: turns, episodes, notes (all versions) and each lineage's history.</summary>
    public static async Task<string> RecordsAsync(AgentMemory memory)
    {
        var turns = await memory.GetTurnsAsync();
        var sessions = new List<object>();
        foreach (var sessionId in turns.Select(t => t.SessionId).Distinct())
        {
            sessions.Add(new { sessionId, turns = (await memory.GetTurnsAsync(sessionId)).Select(t => t.Id) });
        }

        var notes = await memory.GetNotesAsync(includeInactive: true);
        var histories = new List<object>();
        foreach (var lineage in notes.Select(n => n.LineageId).Distinct().Order(StringComparer.Ordinal))
        {
            histories.Add(new { lineage, versions = (await memory.GetNoteHistoryAsync(lineage)).Select(n => n.Id) });
        }

        return JsonSerializer.Serialize(new
        {
            turns,
            sessions,
            episodes = await memory.GetEpisodesAsync(),
            notes,
            active = (await memory.GetNotesAsync()).Select(n => n.Id),
            histories,
            statistics = memory.GetStatistics(),
        }, Json);
    }

    /// <summary>Records plus search and context results for a few queries (contexts reinforce recalled notes, the
    /// same way in both memories).</summary>
    public static async Task<string> DumpAsync(AgentMemory memory, DateTimeOffset queryTime)
    {
        var records = await RecordsAsync(memory);
        var searches = new List<object>();
        var contexts = new List<object>();
        foreach (var query in Queries)
        {
            searches.Add(await memory.SearchAsync(new SearchRequest { Query = query, Limit = 25, QueryTime = queryTime }));
        }

        foreach (var query in Queries)
        {
            contexts.Add(await memory.GetContextAsync(new ContextRequest { Query = query, TokenBudget = 300, QueryTime = queryTime, PreferVerbatimWhenItFits = false }));
        }

        return records + JsonSerializer.Serialize(new { searches, contexts }, Json) + await RecordsAsync(memory);
    }

    /// <summary>
    /// The retrieval of a memory restored from a snapshot against the original's: a snapshot stores the dense vectors
    /// as int8 (cosine to the originals ≥ 0.999), so dense scores move by about 1e-4 and hits whose scores were that
    /// close may trade places. Every search must agree on its top three hits, in order, on all but one of the rest,
    /// and score each common hit within 2e-3: a hit that trades a few places in two fused dense lists (turns, and the
    /// notes that lift it) moves by about that much (seen at 1.0e-3 once assistant turns stopped yielding notes).
    /// (Contexts are not compared: they reinforce what they recall.)
    /// </summary>
    public static async Task AssertSameTopHitsAsync(AgentMemory expected, AgentMemory actual, DateTimeOffset queryTime)
    {
        foreach (var query in Queries)
        {
            var a = await expected.SearchAsync(new SearchRequest { Query = query, Limit = 25, QueryTime = queryTime });
            var b = await actual.SearchAsync(new SearchRequest { Query = query, Limit = 25, QueryTime = queryTime });
            Assert.True(a.Count >= 3, query);
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a.Take(3).Select(h => h.Item.Id), b.Take(3).Select(h => h.Item.Id));
            var scores = b.ToDictionary(h => h.Item.Id, h => h.Item.Score);
            var common = a.Where(h => scores.ContainsKey(h.Item.Id)).ToList();
            Assert.True(common.Count >= a.Count - 1, $"{query}: {common.Count} of {a.Count} hits in common");
            Assert.All(common, h => Assert.InRange(Math.Abs(h.Item.Score - scores[h.Item.Id]), 0, 2e-3));
        }
    }

    /// <summary>Drains the memory's changes through the codec, as a journal would store them.</summary>
    public static byte[] Journal(AgentMemory memory) => MemoryChangeCodec.Encode(memory.DrainChanges());

    public static void Replay(AgentMemory memory, IEnumerable<byte[]> journal)
    {
        foreach (var entry in journal)
        {
            memory.ApplyChanges(MemoryChangeCodec.Decode(entry));
        }
    }
}

/// <summary>The write history the round-trip tests play: turns, API notes (add, update, supersede, delete, purge),
/// an import, consolidation when asked.</summary>
public static class Scenario
{
    public static readonly DateTimeOffset Now = new(2023, 8, 1, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Now);

    /// <summary>Generated turns (ids and sessions prefixed), some with metadata, some by the assistant.</summary>
    public static IReadOnlyList<TurnInput> Turns(string prefix, int sessions, int perSession, int seed, int weekOffset = 0) =>
        Talk.Generated(sessions, perSession, seed)
            .Select((t, i) => t with
            {
                Id = prefix + t.Id,
                SessionId = prefix + t.SessionId,
                Timestamp = t.Timestamp.AddDays(7 * weekOffset),
                Role = i % 11 == 5 ? TurnRole.Assistant : TurnRole.User,
                Metadata = i % 7 == 3 ? new Dictionary<string, string> { ["lang"] = "en", ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null,
            })
            .ToList();

    public static IReadOnlyList<TurnInput> Extra() =>
    [
        Talk.Input("x:1", "Caroline", "Did you run the Boston marathon this spring?", Now.AddDays(-3), "session-x"),
        Talk.Input("x:2", "Melanie", "Yes! I ran the Boston marathon in April, it took me four hours.", Now.AddDays(-3).AddMinutes(1), "session-x"),
        Talk.Input("x:0", "Caroline", "Good morning!", Now.AddDays(-3).AddMinutes(-1), "session-x"), // out of order
    ];

    /// <summary>API note writes; returns after every call so the caller can journal per call.</summary>
    public static async IAsyncEnumerable<string> NoteWritesAsync(AgentMemory memory, FakeTimeProvider clock)
    {
        var pottery = await memory.AddNoteAsync(new NoteWrite { Text = "Caroline loves pottery.", Subject = "Caroline", Kind = NoteKind.Preference, Entities = ["pottery"] });
        yield return "add";
        clock.Advance(TimeSpan.FromHours(1));
        await memory.AddNoteAsync(new NoteWrite { Text = "Caroline lives in Boston.", Subject = "Caroline", Attribute = "home", Value = "Boston", ValidFrom = Now.AddDays(-30), Kind = NoteKind.Profile });
        yield return "home";
        clock.Advance(TimeSpan.FromHours(1));
        await memory.AddNoteAsync(new NoteWrite { Text = "Caroline lives in Denver.", Subject = "Caroline", Attribute = "home", Value = "Denver", ValidFrom = Now.AddDays(-5), Kind = NoteKind.Profile });
        yield return "supersede";
        await memory.AddNoteAsync(new NoteWrite { Text = "Caroline lived in Austin.", Subject = "Caroline", Attribute = "home", Value = "Austin", ValidFrom = Now.AddDays(-300), Kind = NoteKind.Profile });
        yield return "historical";
        await memory.UpdateNoteAsync(pottery.Note.Id, new NoteWrite { Text = "Caroline loves pottery and painting.", Subject = "Caroline", SourceTurnIds = ["x:2"], Importance = 0.9 });
        yield return "update";
        var club = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie joined the book club next month.", Subject = "Melanie", Kind = NoteKind.Plan });
        await memory.DeleteNoteAsync(club.Note.Id);
        yield return "delete";
        var temp = await memory.AddNoteAsync(new NoteWrite { Text = "Melanie bought a red bicycle.", Subject = "Melanie" });
        await memory.UpdateNoteAsync(temp.Note.Id, new NoteWrite { Text = "Melanie bought a blue bicycle.", Subject = "Melanie" });
        await memory.PurgeNoteAsync(temp.Note.Id);
        yield return "purge";
        await memory.AddNoteAsync(new NoteWrite { Text = "Melanie ran the Boston marathon in April.", Subject = "Melanie", Kind = NoteKind.Event, SourceTurnIds = ["x:2"], Entities = ["Boston"] });
        yield return "marathon";
    }

    public static IReadOnlyList<Note> Imported(DateTimeOffset now) =>
    [
        new Note
        {
            Id = "imp-1", LineageId = "imp-1", Version = 1, Kind = NoteKind.Fact, Text = "Jon works as a nurse in Boston.", Subject = "Jon",
            Attribute = "job", Value = "nurse", Provenance = new NoteProvenance([], null, "import", "7"), LastRecalledAt = now.AddDays(-10), CreatedAt = now.AddDays(-20),
            ValidFrom = now.AddDays(-20), ValidTo = now.AddDays(-10), Status = NoteStatus.Superseded, SupersededById = "imp-2", SupersedeReason = "update",
        },
        new Note
        {
            Id = "imp-2", LineageId = "imp-1", Version = 2, Kind = NoteKind.Fact, Text = "Jon works as a doctor in Boston.", Subject = "Jon",
            Attribute = "job", Value = "doctor", Provenance = new NoteProvenance(["missing-turn"], "ep:nowhere", "import", "7"), LastRecalledAt = now.AddDays(-3),
            CreatedAt = now.AddDays(-10), ValidFrom = now.AddDays(-10), SupersedesId = "imp-1", Entities = ["Boston"], Links = ["imp-9"], Importance = 0.7,
            Strength = 0.8, RecallCount = 3, EventTime = now.AddDays(-11),
        },
    ];
}
