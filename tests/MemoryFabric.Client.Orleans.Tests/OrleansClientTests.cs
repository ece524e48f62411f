using System.Net;
using System.Text;
using MemoryFabric.Api;
using MemoryFabric.Client.Orleans.Tests.Support;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary>The Orleans client SDK against a two-silo test cluster: the same results and errors as the HTTP client,
/// every call bound to the client's tenant.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class OrleansClientTests(ClientClusterFixture fixture)
{
    private const string ProblemType = "https://memoryfabric.dev/problems/";

    private IMemoryFabricClient Memory => fixture.Client;

    [Fact]
    public async Task Ingest_then_search_and_context_find_the_turns()
    {
        var agent = Turns.Agent("caroline");
        var result = await Memory.IngestAsync(agent, [
            Turns.One("s1:1", "I went to a support group for new parents yesterday."),
            Turns.One("s1:2", "My favourite colour is teal, by the way.", minute: 1),
            Turns.One("s2:1", "We are planning a trip to Lisbon in June.", minute: 60, session: "s2"),
        ]);
        Assert.Equal(["s1:1", "s1:2", "s2:1"], result.StoredTurnIds);
        Assert.Empty(result.DuplicateTurnIds);

        var again = await Memory.IngestAsync(agent, [Turns.One("s1:1", "I went to a support group for new parents yesterday.")]);
        Assert.Equal(["s1:1"], again.DuplicateTurnIds);

        var hits = await Memory.SearchAsync(agent, new SearchRequest { Query = "support group", Limit = 5 });
        Assert.Equal("s1:1", hits[0].Item.Id);

        var context = await Memory.GetContextAsync(agent, new ContextRequest { Query = "Where did I go yesterday? support group", TokenBudget = 500 });
        Assert.Contains("support group", context.Text, StringComparison.Ordinal);
        Assert.Contains(context.Items, i => i.Id == "s1:1");

        Assert.Equal(["s1:1", "s1:2"], (await Memory.GetTurnsAsync(agent, "s1")).Select(t => t.Id));
        Assert.Equal(3, (await Memory.GetTurnsAsync(agent)).Count);
        var summary = await Memory.GetAgentAsync(agent);
        Assert.NotNull(summary);
        Assert.Equal(agent, summary.Agent);
        Assert.Equal(3, summary.Turns);
    }

    [Fact]
    public async Task Batching_follows_MaxBatchSize_with_progress_and_a_larger_single_batch_is_a_400()
    {
        var memory = fixture.ClientFor(ClientClusterFixture.Tenant, new OrleansMemoryFabricClientOptions { MaxBatchSize = 3 });
        var agent = Turns.Agent("bulk");
        var turns = Enumerable.Range(0, 7).Select(i => Turns.One($"b{i}", $"Bulk turn number {i} about gardening.", minute: i)).ToList();

        var reported = new List<int>();
        var result = await memory.IngestAsync(agent, turns, new SyncProgress(reported.Add));
        Assert.Equal(7, result.StoredTurnIds.Count);
        Assert.Equal([3, 6, 7], reported);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => memory.IngestAsync(agent, turns.Take(4).ToList()));
        AssertProblem(e, HttpStatusCode.BadRequest, "invalid-request", "at most 3 turns");
        await Assert.ThrowsAsync<ArgumentException>(() => memory.IngestAsync(agent, Array.Empty<TurnInput>()));
    }

    [Fact]
    public async Task Notes_are_added_updated_deleted_and_kept_in_history()
    {
        var agent = Turns.Agent("notes");
        var added = await Memory.AddNoteAsync(agent, new NoteWrite { Text = "Caroline lives in Lisbon.", Subject = "caroline", Attribute = "city", Value = "Lisbon" });
        Assert.Equal(NoteOperation.Added, added.Operation);
        var noop = await Memory.AddNoteAsync(agent, new NoteWrite { Text = "Caroline lives in Lisbon.", Subject = "caroline", Attribute = "city", Value = "Lisbon" });
        Assert.Equal(NoteOperation.NoOp, noop.Operation);
        Assert.Equal("Caroline lives in Lisbon.", (await Memory.GetNoteAsync(agent, added.Note.Id))?.Text);

        var updated = await Memory.UpdateNoteAsync(agent, added.Note.Id, new NoteWrite { Text = "Caroline lives in Berlin.", Subject = "caroline", Attribute = "city", Value = "Berlin" });
        Assert.Equal(NoteOperation.Updated, updated.Operation);
        Assert.Equal(added.Note.LineageId, updated.Note.LineageId);

        var active = Assert.Single(await Memory.ListNotesAsync(agent));
        Assert.Equal("Caroline lives in Berlin.", active.Text);
        Assert.Equal(2, (await Memory.ListNotesAsync(agent, includeInactive: true)).Count);
        var history = await Memory.GetNoteHistoryAsync(agent, added.Note.LineageId);
        Assert.Equal(["Caroline lives in Lisbon.", "Caroline lives in Berlin."], history.Select(n => n.Text));
        Assert.Equal(NoteStatus.Superseded, history[0].Status);

        var deleted = await Memory.DeleteNoteAsync(agent, updated.Note.Id);
        Assert.Equal(NoteStatus.Deleted, deleted.Note.Status);
        Assert.Empty(await Memory.ListNotesAsync(agent));

        var versions = (await Memory.GetNoteHistoryAsync(agent, added.Note.LineageId)).Count;
        Assert.Equal(versions, await Memory.PurgeNoteAsync(agent, added.Note.LineageId));
        Assert.Null(await Memory.GetNoteAsync(agent, added.Note.Id));
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.PurgeNoteAsync(agent, added.Note.LineageId)), HttpStatusCode.NotFound, "not-found", "No note");
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.GetNoteHistoryAsync(agent, "n_nope")), HttpStatusCode.NotFound, "not-found", "No note");
        // The engine's MemoryItemNotFoundException (no such active note), as the server maps it.
        AssertProblem(
            await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.UpdateNoteAsync(agent, "n_nope", new NoteWrite { Text = "x", Subject = "y" })),
            HttpStatusCode.NotFound, "not-found", "n_nope");
    }

    [Fact]
    public async Task Export_then_import_round_trips_through_a_stream_and_through_records()
    {
        var source = Turns.Agent("source");
        await Memory.IngestAsync(source, [
            Turns.One("t1", "Priya adopted a grey cat named Miso in March."),
            Turns.One("t2", "Priya prefers tea over coffee.", minute: 1),
        ]);
        await Memory.AddNoteAsync(source, new NoteWrite { Text = "Priya has a cat named Miso.", Subject = "priya", Attribute = "pet", Value = "Miso" });

        using var file = new MemoryStream();
        var bytes = await Memory.ExportToAsync(source, file);
        Assert.Equal(file.Length, bytes);
        var lines = Encoding.UTF8.GetString(file.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("{\"type\":\"turn\"", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("{\"type\":\"note\"", lines[2], StringComparison.Ordinal);

        var copy = Turns.Agent("copy");
        file.Position = 0;
        var imported = await Memory.ImportAsync(copy, file);
        Assert.Equal(new ImportResult(2, 1, 0), imported);
        Assert.Equal(["t1", "t2"], (await Memory.GetTurnsAsync(copy)).Select(t => t.Id));
        Assert.Equal("Priya has a cat named Miso.", Assert.Single(await Memory.ListNotesAsync(copy)).Text);
        Assert.Contains(await Memory.SearchAsync(copy, new SearchRequest { Query = "grey cat Miso" }), h => h.Item.Id == "t1");

        var records = new List<ExportRecord>();
        await foreach (var record in Memory.ExportAsync(copy))
        {
            records.Add(record);
        }

        Assert.Equal([ExportRecord.TurnType, ExportRecord.TurnType, ExportRecord.NoteType], records.Select(r => r.Type));
        var third = Turns.Agent("third");
        Assert.Equal(new ImportResult(2, 1, 0), await Memory.ImportAsync(third, records));
        Assert.Equal(new ImportResult(0, 0, 3), await Memory.ImportAsync(third, ToAsync(records)));   // all present already

        var bad = new MemoryStream(Encoding.UTF8.GetBytes("{\"type\":\"turn\"}\n"));
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.ImportAsync(third, bad)), HttpStatusCode.BadRequest, "invalid-request", "Line 1");
        var garbage = new MemoryStream(Encoding.UTF8.GetBytes("\n{not json\n"));
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.ImportAsync(third, garbage)), HttpStatusCode.BadRequest, "invalid-request", "Line 2");
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.ImportAsync(third, new MemoryStream())), HttpStatusCode.BadRequest, "invalid-request", "no records");
    }

    [Fact]
    public async Task An_unknown_agent_is_a_404_or_null_as_over_http()
    {
        var nobody = Turns.Agent("nobody");

        Assert.Null(await Memory.GetAgentAsync(nobody));
        Assert.Null(await Memory.GetNoteAsync(nobody, "n_1"));
        var search = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.SearchAsync(nobody, new SearchRequest { Query = "anything" }));
        AssertProblem(search, HttpStatusCode.NotFound, "not-found", $"No agent named '{nobody}'.");
        Assert.Equal("Not found", search.Problem.Title);
        Assert.DoesNotContain(ClientClusterFixture.Tenant, search.Message, StringComparison.Ordinal); // the key stays inside

        await AssertNotFound(() => Memory.GetTurnsAsync(nobody));
        await AssertNotFound(() => Memory.GetContextAsync(nobody, new ContextRequest { Query = "anything" }));
        await AssertNotFound(() => Memory.ListNotesAsync(nobody));
        await AssertNotFound(() => Memory.ConsolidateAsync(nobody));
        await AssertNotFound(() => Memory.DeleteAgentAsync(nobody));
        await AssertNotFound(() => Memory.GetQuarantineAsync(nobody));
        await AssertNotFound(() => Memory.ExportToAsync(nobody, Stream.Null));
        await AssertNotFound(async () =>
        {
            await foreach (var unused in Memory.ExportAsync(nobody))
            {
            }
        });

        // Written, then purged: gone again.
        await Memory.IngestAsync(nobody, [Turns.One("x1", "Briefly here.")]);
        Assert.NotNull(await Memory.GetAgentAsync(nobody));
        await Memory.DeleteAgentAsync(nobody);
        Assert.Null(await Memory.GetAgentAsync(nobody));
        await AssertNotFound(() => Memory.DeleteAgentAsync(nobody));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("tenant-b/tom")]
    [InlineData("../tom")]
    [InlineData("tömas")]
    [InlineData("a%2Fb")]
    public async Task Bad_agent_names_are_a_400_before_any_grain_call(string agent)
    {
        var (grains, recorder) = RecordingGrainFactory.Create();
        var memory = new OrleansMemoryFabricClient(grains, ClientClusterFixture.Tenant);

        var calls = new Func<Task>[]
        {
            () => memory.IngestAsync(agent, [Turns.One("t1", "text")]),
            () => memory.IngestAsync(agent, [Turns.One("t1", "text")], progress: null),
            () => memory.GetTurnsAsync(agent),
            () => memory.GetAgentAsync(agent),
            () => memory.SearchAsync(agent, new SearchRequest { Query = "q" }),
            () => memory.GetContextAsync(agent, new ContextRequest { Query = "q" }),
            () => memory.ListNotesAsync(agent),
            () => memory.AddNoteAsync(agent, new NoteWrite { Text = "t", Subject = "s" }),
            () => memory.GetNoteAsync(agent, "n1"),
            () => memory.UpdateNoteAsync(agent, "n1", new NoteWrite { Text = "t", Subject = "s" }),
            () => memory.DeleteNoteAsync(agent, "n1"),
            () => memory.PurgeNoteAsync(agent, "n1"),
            () => memory.GetNoteHistoryAsync(agent, "n1"),
            async () =>
            {
                await foreach (var unused in memory.ExportAsync(agent))
                {
                }
            },
            () => memory.ExportToAsync(agent, Stream.Null),
            () => memory.ImportAsync(agent, new MemoryStream(Encoding.UTF8.GetBytes("{}\n"))),
            () => memory.ImportAsync(agent, Array.Empty<ExportRecord>()),
            () => memory.ConsolidateAsync(agent),
            () => memory.DeleteAgentAsync(agent),
            () => memory.GetQuarantineAsync(agent),
            () => memory.ReleaseAsync(agent, "t1"),
            () => memory.ConfirmAsync(agent, "t1"),
            () => memory.GetLessonsAsync(agent),
            () => memory.RevokeLessonAsync(agent, "l_1"),
            () => memory.AddToRelationGroupAsync("crew", agent),
            () => memory.RemoveFromRelationGroupAsync("crew", agent),
        };
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<MemoryFabricApiException>(call);
            AssertProblem(e, HttpStatusCode.BadRequest, "invalid-request", "An agent name is 1 to 128 characters");
        }

        Assert.Empty(recorder.Calls);
    }

    [Fact]
    public async Task Blank_arguments_throw_as_the_http_client_does_before_any_grain_call()
    {
        var (grains, recorder) = RecordingGrainFactory.Create();
        var memory = new OrleansMemoryFabricClient(grains, ClientClusterFixture.Tenant);

        await Assert.ThrowsAsync<ArgumentNullException>(() => memory.GetTurnsAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => memory.GetTurnsAsync(" "));
        Assert.Throws<ArgumentException>(() => memory.ExportAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => memory.GetNoteAsync("tom", " "));
        await Assert.ThrowsAsync<ArgumentNullException>(() => memory.SearchAsync("tom", null!));
        await Assert.ThrowsAsync<ArgumentException>(() => memory.ReleaseAsync("tom", ""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => memory.GetQuarantineAsync("tom", (Guard.QuarantineStatus)42));
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => memory.ReleaseAsync("tom", new string('x', 257))), HttpStatusCode.BadRequest, "invalid-request", "item id");
        AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => memory.AddToRelationGroupAsync("a crew", "tom")), HttpStatusCode.BadRequest, "invalid-request", "relation group name");
        await Assert.ThrowsAsync<ArgumentException>(() => memory.ImportAsync("tom", new ExportRecord?[] { null }!));
        Assert.Empty(recorder.Calls);

        Assert.Throws<ArgumentException>(() => new OrleansMemoryFabricClient(grains, "Tenant A"));
        Assert.Throws<ArgumentException>(() => new OrleansMemoryFabricClient(grains, "a/b"));
        Assert.Throws<ArgumentException>(() => new OrleansMemoryFabricClient(grains, "acme\n"));
        Assert.Throws<ArgumentException>(() => new OrleansMemoryFabricClient(grains, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrleansMemoryFabricClient(grains, "acme", new OrleansMemoryFabricClientOptions { MaxBatchSize = 0 }));
    }

    [Fact]
    public async Task What_the_engine_refuses_is_a_400()
    {
        var agent = Turns.Agent("refused");
        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.IngestAsync(agent, [Turns.One("t1", "")]));
        AssertProblem(e, HttpStatusCode.BadRequest, "invalid-request", "empty text");
        Assert.DoesNotContain("(Parameter", e.Problem.Detail, StringComparison.Ordinal);
        Assert.Null(await Memory.GetAgentAsync(agent)); // nothing stored
    }

    [Fact]
    public async Task Two_tenants_writing_the_same_agent_never_see_each_others_turns()
    {
        var a = Memory;                      // tenant-a, registered with IClientBuilder.AddMemoryFabric
        var b = fixture.ClientFor("tenant-b");
        await a.IngestAsync("tom", [Turns.One("a1", "Tom's locker code at tenant A is alpha-seven-seven.")]);
        await b.IngestAsync("tom", [Turns.One("b1", "Tom keeps his bicycle in the basement at tenant B."), Turns.One("b2", "Tom likes jazz.", minute: 1)]);

        Assert.Equal(["a1"], (await a.GetTurnsAsync("tom")).Select(t => t.Id));
        Assert.Equal(["b1", "b2"], (await b.GetTurnsAsync("tom")).Select(t => t.Id));
        Assert.Equal(1, (await a.GetAgentAsync("tom"))?.Turns);
        Assert.Equal(2, (await b.GetAgentAsync("tom"))?.Turns);
        Assert.DoesNotContain(await b.SearchAsync("tom", new SearchRequest { Query = "locker code alpha seven" }), h => h.Item.Id == "a1");
        Assert.DoesNotContain("alpha-seven", (await b.GetContextAsync("tom", new ContextRequest { Query = "locker code" })).Text, StringComparison.Ordinal);

        // Same turn id in both tenants: two turns, not a duplicate.
        Assert.Equal(["a1"], (await b.IngestAsync("tom", [Turns.One("a1", "A turn of tenant B with tenant A's id.", minute: 2)])).StoredTurnIds);

        // Purging B's tom leaves A's alone; no name reaches the other tenant's key.
        await b.DeleteAgentAsync("tom");
        Assert.Null(await b.GetAgentAsync("tom"));
        Assert.Equal(["a1"], (await a.GetTurnsAsync("tom")).Select(t => t.Id));
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => b.GetTurnsAsync("tenant-a/tom"));
    }

    [Fact]
    public async Task Clients_co_hosted_in_the_silos_reach_the_same_agents()
    {
        var agent = Turns.Agent("shared");
        await Memory.IngestAsync(agent, [Turns.One("c1", "Written through the gateway.")]);
        var silos = fixture.SiloClients.ToList();
        Assert.Equal(2, silos.Count);
        for (var i = 0; i < silos.Count; i++)
        {
            // One of the silos holds the activation; the other calls it across silos (the records travel as JSON).
            await silos[i].IngestAsync(agent, [Turns.One($"silo{i}", $"Written inside silo {i}.", minute: i + 1)]);
        }

        Assert.Equal(["c1", "silo0", "silo1"], (await Memory.GetTurnsAsync(agent)).Select(t => t.Id));
        foreach (var inSilo in silos)
        {
            Assert.Equal(3, (await inSilo.GetAgentAsync(agent))?.Turns);
            AssertProblem(await Assert.ThrowsAsync<MemoryFabricApiException>(() => inSilo.GetTurnsAsync("nobody-" + agent)), HttpStatusCode.NotFound, "not-found", "No agent named");
        }
    }

    [Fact]
    public async Task The_cluster_is_ready() => Assert.True(await Memory.IsReadyAsync());

    private static async Task AssertNotFound(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(call);
        AssertProblem(e, HttpStatusCode.NotFound, "not-found", "No agent named");
    }

    internal static void AssertProblem(MemoryFabricApiException e, HttpStatusCode status, string slug, string detail)
    {
        Assert.Equal(status, e.StatusCode);
        Assert.Equal((int)status, e.Problem.Status);
        Assert.Equal(ProblemType + slug, e.Problem.Type);
        Assert.Contains(detail, e.Problem.Detail, StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<ExportRecord> ToAsync(IEnumerable<ExportRecord> records)
    {
        foreach (var record in records)
        {
            await Task.Yield();
            yield return record;
        }
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
