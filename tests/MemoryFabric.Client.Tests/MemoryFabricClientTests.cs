using System.Net;
using System.Text;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Serialization;

namespace MemoryFabric.Client.Tests;

public sealed class MemoryFabricClientTests
{
    [Fact]
    public async Task IngestAsync_posts_the_turns_envelope_with_bearer_key_and_escaped_agent()
    {
        var handler = new StubHandler(_ => StubHandler.Json("""{"storedTurnIds":["t1"],"duplicateTurnIds":["t2"]}"""));
        var client = TestClients.Create(handler);

        var result = await client.IngestAsync("team:alice@example.com", [Samples.TurnInput(1), Samples.TurnInput(2)]);

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://memory.test:5080/v1/agents/team%3Aalice%40example.com/turns", request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + TestClients.Key, request.Authorization);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var turns = request.Json["turns"]!.AsArray();
        Assert.Equal(2, turns.Count);
        Assert.Equal("t1", (string?)turns[0]!["id"]);
        Assert.Equal("s1", (string?)turns[0]!["sessionId"]);
        Assert.Equal("Caroline", (string?)turns[0]!["speaker"]);
        Assert.Equal("user", (string?)turns[0]!["role"]);
        Assert.Equal("Turn number 1.", (string?)turns[0]!["text"]);
        Assert.Equal(Samples.Time.AddMinutes(1), DateTimeOffset.Parse((string)turns[0]!["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["t1"], result.StoredTurnIds);
        Assert.Equal(["t2"], result.DuplicateTurnIds);
    }

    [Fact]
    public async Task The_key_is_set_per_request_never_on_the_shared_HttpClient()
    {
        var handler = new StubHandler(_ => StubHandler.Json("""{"turns":[]}"""));
        using var http = new HttpClient(handler);
        var alice = new MemoryFabricClient(http, new() { Endpoint = new Uri("http://memory.test"), ApiKey = "mfk_alice" });
        var bob = new MemoryFabricClient(http, new() { Endpoint = new Uri("http://memory.test"), ApiKey = "mfk_bob" });
        var anonymous = new MemoryFabricClient(http, new() { Endpoint = new Uri("http://memory.test") });

        await alice.GetTurnsAsync("a");
        await bob.GetTurnsAsync("a");
        await anonymous.GetTurnsAsync("a");

        Assert.Equal(["Bearer mfk_alice", "Bearer mfk_bob", null], handler.Requests.Select(r => r.Authorization));
        Assert.Null(http.DefaultRequestHeaders.Authorization);
        Assert.Empty(http.DefaultRequestHeaders);
    }

    [Fact]
    public async Task Endpoint_path_base_is_kept_and_HttpClient_BaseAddress_is_used_when_no_endpoint_is_set()
    {
        var handler = new StubHandler(_ => StubHandler.Json("""{"turns":[]}"""));
        var withBase = new MemoryFabricClient(new HttpClient(handler), new() { Endpoint = new Uri("https://host.test/memory") });
        var fromHttp = new MemoryFabricClient(new HttpClient(handler) { BaseAddress = new Uri("http://other.test:9000/mf/") }, new());
        var defaults = new MemoryFabricClient(new HttpClient(handler), new());

        await withBase.GetTurnsAsync("bob");
        await fromHttp.GetTurnsAsync("bob");
        await defaults.GetTurnsAsync("bob");

        Assert.Equal(
            ["https://host.test/memory/v1/agents/bob/turns", "http://other.test:9000/mf/v1/agents/bob/turns", "http://127.0.0.1:5080/v1/agents/bob/turns"],
            handler.Requests.Select(r => r.Uri.AbsoluteUri));
    }

    [Fact]
    public async Task GetTurnsAsync_escapes_the_session_and_parses_turns()
    {
        var handler = new StubHandler(_ => StubHandler.Json(new { turns = new[] { Samples.Turn(1), Samples.Turn(2) } }));
        var client = TestClients.Create(handler);

        var turns = await client.GetTurnsAsync("bob", "s 1/2&x");
        var all = await client.GetTurnsAsync("bob");

        Assert.Equal(HttpMethod.Get, handler.Requests[0].Method);
        Assert.Equal("/v1/agents/bob/turns", handler.Requests[0].RawPath);
        Assert.Equal("?session=s%201%2F2%26x", handler.Requests[0].Query);
        Assert.Equal("", handler.Requests[1].Query);
        Assert.Null(handler.Requests[0].Body);
        Assert.Equal(2, turns.Count);
        Assert.Equal(TurnRole.Assistant, turns[0].Role);
        Assert.Equal(Samples.Turn(2), turns[1] with { Metadata = Samples.NoMetadata });
        Assert.Equal(2, all.Count);
    }

    [Fact]
    public async Task GetAgentAsync_parses_the_summary_and_returns_null_on_404()
    {
        var handler = new StubHandler(r => r.RawPath.EndsWith("/bob", StringComparison.Ordinal)
            ? StubHandler.Json("""{"agent":"bob","turns":12,"episodes":3,"notes":5,"pendingEmbeddings":1}""")
            : StubHandler.Problem(HttpStatusCode.NotFound, "Not Found", "No agent 'ghost'."));
        var client = TestClients.Create(handler);

        var bob = await client.GetAgentAsync("bob");
        var ghost = await client.GetAgentAsync("ghost");

        Assert.Equal(new AgentSummary("bob", 12, 3, 5, 1), bob);
        Assert.Null(ghost);
        Assert.Equal("/v1/agents/ghost", handler.Requests[1].RawPath);
    }

    [Fact]
    public async Task GetNoteAsync_escapes_the_note_id_parses_the_note_and_returns_null_on_404()
    {
        var handler = new StubHandler(r => r.RawPath.Contains("missing", StringComparison.Ordinal)
            ? StubHandler.Problem(HttpStatusCode.NotFound, "Not Found")
            : StubHandler.Json(Samples.Note("note/1 x")));
        var client = TestClients.Create(handler);

        var note = await client.GetNoteAsync("bob", "note/1 x");
        var missing = await client.GetNoteAsync("bob", "missing");

        Assert.Equal("/v1/agents/bob/notes/note%2F1%20x", handler.Requests[0].RawPath);
        Assert.NotNull(note);
        Assert.Equal("note/1 x", note.Id);
        Assert.Equal(NoteKind.Preference, note.Kind);
        Assert.Equal(["t1"], note.Provenance.TurnIds);
        Assert.Null(missing);
    }

    [Fact]
    public async Task Other_reads_throw_on_404()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.NotFound, "Not Found", "No agent 'ghost'."));
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetTurnsAsync("ghost"));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetNoteHistoryAsync("ghost", "n1"));
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.DeleteAgentAsync("ghost"));
    }

    [Fact]
    public async Task SearchAsync_posts_the_request_and_parses_hits()
    {
        var hit = new SearchHit(new ContextItem(MemoryItemKind.Note, "n1", "Melanie loves pottery.", Samples.Time, ["t1"], 0.5), 1, null);
        var handler = new StubHandler(_ => StubHandler.Json(new { hits = new[] { hit } }));
        var client = TestClients.Create(handler);

        var hits = await client.SearchAsync("bob", new SearchRequest { Query = "pottery", Limit = 5, Kinds = [MemoryItemKind.Note] });

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/v1/agents/bob/search", request.RawPath);
        Assert.Equal("pottery", (string?)request.Json["query"]);
        Assert.Equal(5, (int)request.Json["limit"]!);
        Assert.Equal("note", (string?)request.Json["kinds"]![0]);
        Assert.True(request.Json.AsObject().ContainsKey("queryTime"));
        var only = Assert.Single(hits);
        Assert.Equal(MemoryItemKind.Note, only.Item.Kind);
        Assert.Equal(1, only.LexicalRank);
        Assert.Null(only.DenseRank);
    }

    [Fact]
    public async Task Search_hits_carry_their_status_and_a_server_that_sends_none_reads_as_active()
    {
        var handler = new StubHandler(_ => StubHandler.Json(
            """
            {"hits":[
              {"item":{"kind":"turn","id":"t1","text":"I live in Paris.","timestamp":"2024-03-01T10:00:00+00:00","turnIds":["t1"],"score":0.01,
                       "status":"superseded","supersededBy":"n2","validFrom":"2024-03-01T10:00:00+00:00","validTo":"2024-04-10T10:00:00+00:00"},
               "lexicalRank":1,"denseRank":2},
              {"item":{"kind":"note","id":"n2","text":"Alice lives in Berlin.","timestamp":"2024-04-10T10:00:00+00:00","turnIds":["t2"],"score":0.03,"status":"active"},
               "lexicalRank":null,"denseRank":1},
              {"item":{"kind":"turn","id":"t0","text":"Hello.","timestamp":"2024-03-01T09:00:00+00:00","turnIds":["t0"],"score":0.001},"lexicalRank":3,"denseRank":null}
            ]}
            """));
        var client = TestClients.Create(handler);

        var hits = await client.SearchAsync("bob", new SearchRequest { Query = "where does Alice live" });

        Assert.Equal(3, hits.Count);
        var paris = hits[0].Item;
        Assert.Equal(MemoryItemStatus.Superseded, paris.Status);
        Assert.Equal("n2", paris.SupersededBy);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), paris.ValidFrom);
        Assert.Equal(new DateTimeOffset(2024, 4, 10, 10, 0, 0, TimeSpan.Zero), paris.ValidTo);
        Assert.Equal(MemoryItemStatus.Active, hits[1].Item.Status);
        Assert.Null(hits[1].Item.SupersededBy);
        Assert.Equal((MemoryItemStatus.Active, null, null), (hits[2].Item.Status, hits[2].Item.ValidFrom, hits[2].Item.ValidTo));

        // Written back the same way: status always, the rest only when set.
        var json = JsonSerializer.SerializeToElement(hits[2], MemoryFabricJson.Options).GetProperty("item");
        Assert.Equal("active", json.GetProperty("status").GetString());
        Assert.False(json.TryGetProperty("supersededBy", out _));
        Assert.False(json.TryGetProperty("validTo", out _));
    }

    [Fact]
    public async Task GetSearchResponseAsync_says_whether_the_server_answered_degraded()
    {
        var handler = new StubHandler(request => StubHandler.Json(request.RawPath.EndsWith("/a/search", StringComparison.Ordinal)
            ? """{"hits":[{"item":{"kind":"turn","id":"t1","text":"The ferry leaves at nine.","timestamp":"2024-03-01T10:00:00+00:00","turnIds":["t1"],"score":0.01},"lexicalRank":1,"denseRank":null}],"degraded":true,"degradedReason":"embedding-deadline"}"""
            : """{"hits":[]}"""));
        var client = TestClients.Create(handler);

        var degraded = await client.GetSearchResponseAsync("a", new SearchRequest { Query = "ferry" });
        var old = await client.GetSearchResponseAsync("b", new SearchRequest { Query = "ferry" }); // a server without the flag

        Assert.True(degraded.Degraded);
        Assert.Equal("embedding-deadline", degraded.DegradedReason);
        Assert.Equal("t1", Assert.Single(degraded.Hits).Item.Id);
        Assert.Equal((false, null), (old.Degraded, old.DegradedReason));
        Assert.Single(await client.SearchAsync("a", new SearchRequest { Query = "ferry" })); // the old method still answers the hits
    }

    [Fact]
    public async Task GetContextAsync_posts_query_and_budget_and_parses_the_context()
    {
        var handler = new StubHandler(_ => StubHandler.Json(
            """{"text":"[8 May 2023]\nCaroline: hi","items":[{"kind":"turn","id":"t1","text":"Caroline: hi","timestamp":"2023-05-08T13:56:00+00:00","turnIds":["t1"],"score":1.0}],"tokens":7,"mode":"verbatim"}"""));
        var client = TestClients.Create(handler);

        var context = await client.GetContextAsync("bob", new ContextRequest { Query = "hi?", TokenBudget = 300 });

        Assert.Equal("/v1/agents/bob/context", handler.Single.RawPath);
        Assert.Equal("hi?", (string?)handler.Single.Json["query"]);
        Assert.Equal(300, (int)handler.Single.Json["tokenBudget"]!);
        Assert.Equal("verbatim", context.Mode);
        Assert.Equal(7, context.Tokens);
        Assert.Equal(MemoryItemKind.Turn, Assert.Single(context.Items).Kind);
    }

    [Fact]
    public async Task Note_routes_use_the_right_methods_paths_and_bodies()
    {
        var written = new NoteWriteResult(NoteOperation.Added, Samples.Note());
        var handler = new StubHandler(r => r switch
        {
            { RawPath: "/v1/agents/bob/notes", Method.Method: "GET" } => StubHandler.Json(new { notes = new[] { Samples.Note() } }),
            { RawPath: "/v1/agents/bob/notes", Method.Method: "POST" } => StubHandler.Json(written, HttpStatusCode.Created),
            { RawPath: "/v1/agents/bob/notes/n1", Method.Method: "PUT" } => StubHandler.Json(written with { Operation = NoteOperation.Updated, Previous = Samples.Note() }),
            { RawPath: "/v1/agents/bob/notes/n1", Method.Method: "DELETE", Query: "?purge=true" } => StubHandler.Json("""{"purged":3}"""),
            { RawPath: "/v1/agents/bob/notes/n1", Method.Method: "DELETE" } => StubHandler.Json(written with { Operation = NoteOperation.Deleted }),
            { RawPath: "/v1/agents/bob/notes/n1/history", Method.Method: "GET" } =>
                StubHandler.Json(new { versions = new[] { Samples.Note(status: NoteStatus.Superseded), Samples.Note("n2", 2) } }),
            _ => StubHandler.Problem(HttpStatusCode.NotFound, "Not Found"),
        });
        var client = TestClients.Create(handler);

        var active = await client.ListNotesAsync("bob");
        var all = await client.ListNotesAsync("bob", includeInactive: true);
        var added = await client.AddNoteAsync("bob", Samples.NoteWrite());
        var updated = await client.UpdateNoteAsync("bob", "n1", Samples.NoteWrite());
        var deleted = await client.DeleteNoteAsync("bob", "n1");
        var purged = await client.PurgeNoteAsync("bob", "n1");
        var history = await client.GetNoteHistoryAsync("bob", "n1");

        Assert.Equal("?includeInactive=false", handler.Requests[0].Query);
        Assert.Equal("?includeInactive=true", handler.Requests[1].Query);
        Assert.Single(active);
        Assert.Single(all);
        Assert.Equal("fact", (string?)handler.Requests[2].Json["kind"]);
        Assert.Equal("Caroline is a counselor.", (string?)handler.Requests[2].Json["text"]);
        Assert.Equal(NoteOperation.Added, added.Operation);
        Assert.Equal("Caroline", (string?)handler.Requests[3].Json["subject"]);
        Assert.Equal(NoteOperation.Updated, updated.Operation);
        Assert.NotNull(updated.Previous);
        Assert.Null(handler.Requests[4].Body);
        Assert.Equal(NoteOperation.Deleted, deleted.Operation);
        Assert.Equal(3, purged);
        Assert.Equal([1, 2], history.Select(n => n.Version));
        Assert.Equal(NoteStatus.Superseded, history[0].Status);
    }

    [Fact]
    public async Task ConsolidateAsync_and_DeleteAgentAsync_hit_their_routes()
    {
        var handler = new StubHandler(r => r.Method == HttpMethod.Delete
            ? StubHandler.Status(HttpStatusCode.NoContent)
            : StubHandler.Json("""{"sessionsSegmented":1,"episodes":2,"episodesExtracted":2,"notesAdded":4,"notesUnchanged":0,"notesSuperseded":1,"links":3,"notesArchived":0,"duration":"00:00:01.5000000"}"""));
        var client = TestClients.Create(handler);

        var report = await client.ConsolidateAsync("bob");
        await client.DeleteAgentAsync("bob");

        Assert.Equal(HttpMethod.Post, handler.Requests[0].Method);
        Assert.Equal("/v1/agents/bob/consolidate", handler.Requests[0].RawPath);
        Assert.Equal(4, report.NotesAdded);
        Assert.Equal(TimeSpan.FromSeconds(1.5), report.Duration);
        Assert.Equal(HttpMethod.Delete, handler.Requests[1].Method);
        Assert.Equal("/v1/agents/bob", handler.Requests[1].RawPath);
    }

    [Fact]
    public async Task Problem_details_become_an_exception_with_status_title_detail_and_errors()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(
            HttpStatusCode.BadRequest, "Validation failed", "turns[0].text is blank.",
            "\"errors\":{\"turns[0].text\":[\"must not be blank\"]},\"traceId\":\"abc\""));
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.IngestAsync("bob", [Samples.TurnInput(1)]));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("https://memoryfabric.dev/problems/test", e.Problem.Type);
        Assert.Equal("Validation failed", e.Problem.Title);
        Assert.Equal(400, e.Problem.Status);
        Assert.Equal("turns[0].text is blank.", e.Problem.Detail);
        Assert.Equal("/v1/x", e.Problem.Instance);
        Assert.Equal(["must not be blank"], e.Problem.Errors!["turns[0].text"]);
        Assert.Equal("abc", e.Problem.Extensions!["traceId"].GetString());
        Assert.Contains("POST /v1/agents/bob/turns", e.Message, StringComparison.Ordinal);
        Assert.Contains("400", e.Message, StringComparison.Ordinal);
        Assert.Contains("Validation failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("turns[0].text is blank.", e.Message, StringComparison.Ordinal);
        Assert.Contains("must not be blank", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.ResponseContent);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_non_JSON_error_body_becomes_the_problem_detail()
    {
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            ReasonPhrase = "Bad Gateway",
            Content = new StringContent("<html>upstream down</html>", Encoding.UTF8, "text/html"),
        });
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetTurnsAsync("bob"));

        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Equal(502, e.Problem.Status);
        Assert.Equal("Bad Gateway", e.Problem.Title);
        Assert.Equal("<html>upstream down</html>", e.Problem.Detail);
        Assert.Equal("<html>upstream down</html>", e.ResponseContent);
        Assert.Contains("upstream down", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_wait_with_the_same_body()
    {
        var clock = new InstantTimeProvider();
        var handler = new StubHandler((r, i, _) => Task.FromResult(i == 0
            ? WithRetryAfter(StubHandler.Problem(HttpStatusCode.TooManyRequests, "Too Many Requests"), TimeSpan.FromSeconds(7))
            : StubHandler.Json(new NoteWriteResult(NoteOperation.Added, Samples.Note()), HttpStatusCode.Created)));
        var client = TestClients.Create(handler, o => o.TimeProvider = clock);

        var result = await client.AddNoteAsync("bob", Samples.NoteWrite());

        Assert.Equal(NoteOperation.Added, result.Operation);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[1].Body);
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Delays);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_MaxRetryDelay_throws_at_once_exposing_RetryAfter()
    {
        var clock = new InstantTimeProvider();
        var handler = new StubHandler(_ => WithRetryAfter(StubHandler.Problem(HttpStatusCode.TooManyRequests, "Too Many Requests", "Slow down."), TimeSpan.FromSeconds(120)));
        var client = TestClients.Create(handler, o => o.TimeProvider = clock);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetTurnsAsync("bob"));

        Assert.Equal(HttpStatusCode.TooManyRequests, e.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), e.RetryAfter);
        Assert.Single(handler.Requests);
        Assert.Empty(clock.Delays);
    }

    [Fact]
    public async Task A_503_is_retried_for_idempotent_requests_only_with_exponential_backoff()
    {
        var clock = new InstantTimeProvider();
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.ServiceUnavailable, "Service Unavailable"));
        var client = TestClients.Create(handler, o =>
        {
            o.TimeProvider = clock;
            o.MaxRetries = 2;
            o.RetryDelay = TimeSpan.FromMilliseconds(100);
        });

        var read = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetTurnsAsync("bob"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], clock.Delays);

        await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.AddNoteAsync("bob", Samples.NoteWrite()));
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.ConsolidateAsync("bob"));
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.IngestAsync("bob", [Samples.TurnInput(1) with { Id = null }]));
        Assert.Equal(6, handler.Requests.Count);

        // Turns that all carry ids are safe to send again.
        await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.IngestAsync("bob", [Samples.TurnInput(1)]));
        Assert.Equal(9, handler.Requests.Count);
    }

    [Fact]
    public async Task Retries_can_be_disabled()
    {
        var handler = new StubHandler(_ => WithRetryAfter(StubHandler.Problem(HttpStatusCode.TooManyRequests, "Too Many Requests"), TimeSpan.Zero));
        var client = TestClients.Create(handler, o => o.MaxRetries = 0);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.GetTurnsAsync("bob"));

        Assert.Equal(TimeSpan.Zero, e.RetryAfter);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Cancellation_is_respected_and_is_not_reported_as_a_timeout()
    {
        var handler = new StubHandler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return StubHandler.Json("{}");
        });
        var client = TestClients.Create(handler);
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetTurnsAsync("bob", cancellationToken: new CancellationToken(true)));
        Assert.Empty(handler.Requests);

        var pending = client.GetTurnsAsync("bob", cancellationToken: cts.Token);
        while (handler.Requests.Count == 0)
        {
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task An_attempt_longer_than_the_timeout_throws_TimeoutException()
    {
        var handler = new StubHandler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return StubHandler.Json("{}");
        });
        var client = TestClients.Create(handler, o => o.Timeout = TimeSpan.FromMilliseconds(50));

        var e = await Assert.ThrowsAsync<TimeoutException>(() => client.GetTurnsAsync("bob"));

        Assert.Contains("/v1/agents/bob/turns", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batching_ingest_splits_by_MaxBatchSize_reports_progress_and_merges_results()
    {
        var handler = new StubHandler(r =>
        {
            var ids = r.Json["turns"]!.AsArray().Select(t => (string)t!["id"]!).ToArray();
            return StubHandler.Json(new IngestResult(ids.Where(id => id != "t4").ToArray(), ids.Where(id => id == "t4").ToArray()));
        });
        var client = TestClients.Create(handler, o => o.MaxBatchSize = 3);
        var progress = new RecordingProgress();

        var result = await client.IngestAsync("bob", Enumerable.Range(1, 7).Select(i => Samples.TurnInput(i)), progress);

        Assert.Equal([3, 3, 1], handler.Requests.Select(r => r.Json["turns"]!.AsArray().Count));
        Assert.Equal([3, 6, 7], progress.Values);
        Assert.Equal(["t1", "t2", "t3", "t5", "t6", "t7"], result.StoredTurnIds);
        Assert.Equal(["t4"], result.DuplicateTurnIds);

        var none = await client.IngestAsync("bob", [], progress: null);
        Assert.Empty(none.StoredTurnIds);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_before_any_request()
    {
        var handler = new StubHandler(_ => StubHandler.Json("{}"));
        var client = TestClients.Create(handler);

        await Assert.ThrowsAsync<ArgumentException>(() => client.IngestAsync("bob", Array.Empty<TurnInput>()));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetTurnsAsync(" "));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetTurnsAsync(".."));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetNoteAsync("bob", "."));
        Assert.Throws<ArgumentException>(() => client.ExportAsync(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryFabricClient(new HttpClient(handler), new() { MaxBatchSize = 0 }));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task ExportAsync_parses_each_ndjson_line_and_keeps_unknown_record_types()
    {
        var lines = new[]
        {
            JsonSerializer.Serialize(ExportRecord.FromTurn(Samples.Turn(1)), MemoryFabricJson.Options),
            JsonSerializer.Serialize(ExportRecord.FromEpisode(Samples.Episode()), MemoryFabricJson.Options),
            "",
            JsonSerializer.Serialize(ExportRecord.FromNote(Samples.Note()), MemoryFabricJson.Options),
            """{"type":"reminder","reminder":{"id":"r1"}}""",
        };
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson"),
        });
        var client = TestClients.Create(handler);

        var records = new List<ExportRecord>();
        await foreach (var record in client.ExportAsync("bob"))
        {
            records.Add(record);
        }

        Assert.Equal("/v1/agents/bob/export", handler.Single.RawPath);
        Assert.Contains("application/x-ndjson", handler.Single.Accept, StringComparison.Ordinal);
        Assert.Equal(["turn", "episode", "note", "reminder"], records.Select(r => r.Type));
        Assert.Equal("t1", records[0].Turn!.Id);
        Assert.Equal("e1", records[1].Episode!.Id);
        Assert.Equal("n1", records[2].Note!.Id);
        Assert.True(records[3] is { Turn: null, Episode: null, Note: null });
        Assert.DoesNotContain("\"episode\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportToAsync_copies_the_bytes_as_sent()
    {
        var payload = "{\"type\":\"turn\"}\n{\"type\":\"note\"}\n"u8.ToArray();
        var handler = new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(payload) });
        var client = TestClients.Create(handler);
        using var destination = new MemoryStream();

        var written = await client.ExportToAsync("bob", destination);

        Assert.Equal(payload.Length, written);
        Assert.Equal(payload, destination.ToArray());
    }

    [Fact]
    public async Task ImportAsync_sends_records_as_ndjson()
    {
        var handler = new StubHandler(_ => StubHandler.Json("""{"turns":1,"notes":1,"skipped":1}"""));
        var client = TestClients.Create(handler);
        ExportRecord[] records = [ExportRecord.FromTurn(Samples.Turn(1)), ExportRecord.FromEpisode(Samples.Episode()), ExportRecord.FromNote(Samples.Note())];

        var result = await client.ImportAsync("bob", records);

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/v1/agents/bob/import", request.RawPath);
        Assert.StartsWith("application/x-ndjson", request.ContentType, StringComparison.Ordinal);
        var lines = request.Body!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(records, lines.Select(l => JsonSerializer.Deserialize<ExportRecord>(l, MemoryFabricJson.Options)!),
            new ExportRecordComparer());
        Assert.Equal(new ImportResult(1, 1, 1), result);
    }

    [Fact]
    public async Task ImportAsync_from_a_stream_sends_it_verbatim_leaves_it_open_and_replays_it_on_retry()
    {
        var clock = new InstantTimeProvider();
        var handler = new StubHandler((_, i, _) => Task.FromResult(i == 0
            ? WithRetryAfter(StubHandler.Problem(HttpStatusCode.TooManyRequests, "Too Many Requests"), TimeSpan.FromSeconds(1))
            : StubHandler.Json("""{"turns":2,"notes":0,"skipped":0}""")));
        var client = TestClients.Create(handler, o => o.TimeProvider = clock);
        const string ndjson = "{\"type\":\"turn\",\"turn\":{}}\n{\"type\":\"turn\",\"turn\":{}}\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(ndjson));

        var result = await client.ImportAsync("bob", stream);

        Assert.Equal(2, result.Turns);
        Assert.Equal([ndjson, ndjson], handler.Requests.Select(r => r.Body));
        Assert.True(stream.CanRead);
    }

    private static HttpResponseMessage WithRetryAfter(HttpResponseMessage response, TimeSpan delay)
    {
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        return response;
    }

    private sealed class ExportRecordComparer : IEqualityComparer<ExportRecord>
    {
        public bool Equals(ExportRecord? x, ExportRecord? y) =>
            JsonSerializer.Serialize(x, MemoryFabricJson.Options) == JsonSerializer.Serialize(y, MemoryFabricJson.Options);

        public int GetHashCode(ExportRecord obj) => 0;
    }
}
