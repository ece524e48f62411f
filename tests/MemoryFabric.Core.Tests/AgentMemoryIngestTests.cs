using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests;

public sealed class AgentMemoryIngestTests
{
    private static readonly IReadOnlyList<TurnInput> Batch =
    [
        Talk.Input("D1:1", "Caroline", "I went to the LGBTQ support group yesterday.", Talk.May8),
        Talk.Input("D1:2", "Melanie", "I adopted a dog last week.", Talk.May8.AddMinutes(1)),
        Talk.Input("D1:3", "Caroline", "That's wonderful!", Talk.May8.AddMinutes(2)),
    ];

    [Fact]
    public async Task Turns_are_stored_verbatim_in_order()
    {
        var memory = new AgentMemory();
        var metadata = new Dictionary<string, string> { ["source"] = "locomo" };

        var result = await memory.IngestAsync([.. Batch.Take(2), Batch[2] with { Role = TurnRole.Assistant, Metadata = metadata }]);

        Assert.Equal(["D1:1", "D1:2", "D1:3"], result.StoredTurnIds);
        Assert.Empty(result.DuplicateTurnIds);
        var turns = await memory.GetTurnsAsync();
        Assert.Equal(Batch.Select(t => t.Text), turns.Select(t => t.Text));
        Assert.Equal(Batch.Select(t => t.Timestamp), turns.Select(t => t.Timestamp));
        Assert.All(turns, t => Assert.Equal("s1", t.SessionId));
        Assert.Equal(TurnRole.Assistant, turns[2].Role);
        Assert.Equal("locomo", turns[2].Metadata["source"]);
        Assert.True(turns[0].Sequence < turns[1].Sequence && turns[1].Sequence < turns[2].Sequence);
    }

    [Fact]
    public async Task Ingest_is_idempotent()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Batch);

        var again = await memory.IngestAsync(Batch.Select(t => t with { Text = "CHANGED " + t.Text }).ToList());

        Assert.Empty(again.StoredTurnIds);
        Assert.Equal(["D1:1", "D1:2", "D1:3"], again.DuplicateTurnIds);
        var turns = await memory.GetTurnsAsync();
        Assert.Equal(3, turns.Count);
        Assert.Equal(Batch.Select(t => t.Text), turns.Select(t => t.Text));
    }

    [Fact]
    public async Task A_partly_known_batch_stores_only_the_new_turns()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Batch.Take(2).ToList());

        var result = await memory.IngestAsync(Batch);

        Assert.Equal(["D1:3"], result.StoredTurnIds);
        Assert.Equal(["D1:1", "D1:2"], result.DuplicateTurnIds);
        Assert.Equal(3, (await memory.GetTurnsAsync()).Count);
    }

    [Fact]
    public async Task Ids_are_generated_when_absent()
    {
        var memory = new AgentMemory();

        var result = await memory.IngestAsync(Batch.Select(t => t with { Id = null }).ToList());

        Assert.Equal(3, result.StoredTurnIds.Count);
        Assert.Equal(3, result.StoredTurnIds.Distinct().Count());
        Assert.All(result.StoredTurnIds, id => Assert.False(string.IsNullOrWhiteSpace(id)));
        Assert.Equal(result.StoredTurnIds, (await memory.GetTurnsAsync()).Select(t => t.Id));
    }

    [Fact]
    public async Task Out_of_order_timestamps_are_kept_in_timestamp_order()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync([Batch[2], Batch[0]]);
        await memory.IngestAsync([Batch[1], Talk.Input("D0:1", "Melanie", "Hello from the day before.", Talk.May8.AddDays(-1), "s0")]);

        Assert.Equal(["D0:1", "D1:1", "D1:2", "D1:3"], (await memory.GetTurnsAsync()).Select(t => t.Id));
        Assert.Equal(["D1:1", "D1:2", "D1:3"], (await memory.GetTurnsAsync("s1")).Select(t => t.Id));
        Assert.Equal(["D0:1"], (await memory.GetTurnsAsync("s0")).Select(t => t.Id));
    }

    [Fact]
    public async Task Equal_timestamps_keep_arrival_order()
    {
        var memory = new AgentMemory();

        await memory.IngestAsync(Batch.Select(t => t with { Timestamp = Talk.May8 }).Reverse().ToList());

        Assert.Equal(["D1:3", "D1:2", "D1:1"], (await memory.GetTurnsAsync("s1")).Select(t => t.Id));
        Assert.Equal(["D1:3", "D1:2", "D1:1"], (await memory.GetTurnsAsync()).Select(t => t.Id));
    }

    [Fact]
    public async Task An_unknown_session_has_no_turns()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Batch);

        Assert.Empty(await memory.GetTurnsAsync("no-such-session"));
    }

    [Theory]
    [InlineData("empty-text", "empty text")]
    [InlineData("whitespace-text", "empty text")]
    [InlineData("text-too-long", "the limit is 100")]
    [InlineData("no-session", "no session id")]
    [InlineData("no-speaker", "no speaker")]
    [InlineData("no-timestamp", "no timestamp")]
    [InlineData("duplicate-id", "appears twice")]
    [InlineData("blank-id", "blank")]
    [InlineData("batch-too-big", "at most 5 turns")]
    [InlineData("id-with-newline", "id that contains a control character (U+000A)")]
    [InlineData("session-with-nul", "session id that contains a control character (U+0000)")]
    [InlineData("speaker-with-line-separator", "speaker that contains a control character (U+2028)")]
    [InlineData("session-too-long", "session id that has 257 characters")]
    public async Task Bad_input_is_rejected_whole_with_a_message_naming_the_problem(string problem, string message)
    {
        var memory = new AgentMemory(new AgentMemoryOptions { MaxTurnTextLength = 100, MaxBatchSize = 5 });
        await memory.IngestAsync([Talk.Input("old", "Melanie", "An earlier turn that must survive.", Talk.May8.AddDays(-1))]);
        var good = Talk.Input("D1:1", "Caroline", "A perfectly good turn.", Talk.May8);
        var bad = Talk.Input("D1:2", "Melanie", "Something.", Talk.May8.AddMinutes(1));
        bad = problem switch
        {
            "empty-text" => bad with { Text = string.Empty },
            "whitespace-text" => bad with { Text = " \n\t " },
            "text-too-long" => bad with { Text = new string('a', 101) },
            "no-session" => bad with { SessionId = " " },
            "no-speaker" => bad with { Speaker = string.Empty },
            "no-timestamp" => bad with { Timestamp = default },
            "duplicate-id" => bad with { Id = "D1:1" },
            "blank-id" => bad with { Id = "  " },
            "id-with-newline" => bad with { Id = "D1:2\n" },
            "session-with-nul" => bad with { SessionId = "s\01" },
            "speaker-with-line-separator" => bad with { Speaker = "Mel\u2028anie" },
            "session-too-long" => bad with { SessionId = new string('s', 257) },
            _ => bad,
        };
        List<TurnInput> batch = problem == "batch-too-big"
            ? Enumerable.Range(0, 6).Select(i => good with { Id = "b" + i }).ToList()
            : [good, bad];

        var error = await Assert.ThrowsAsync<MemoryInputException>(() => memory.IngestAsync(batch));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        if (problem is not ("batch-too-big" or "blank-id" or "id-with-newline"))
        {
            Assert.Contains("D1:", error.Message, StringComparison.Ordinal);
        }

        var turns = await memory.GetTurnsAsync();
        Assert.Equal(["old"], turns.Select(t => t.Id));
        Assert.Equal("An earlier turn that must survive.", turns[0].Text);
        Assert.Equal(["old"], (await memory.GetTurnsAsync("s1")).Select(t => t.Id));
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "perfectly good turn" }), h => h.Item.Id == "D1:1");
    }

    [Fact]
    public async Task A_text_exactly_at_the_limit_is_accepted()
    {
        var memory = new AgentMemory(new AgentMemoryOptions { MaxTurnTextLength = 100 });

        var result = await memory.IngestAsync([Talk.Input("x", "Melanie", new string('a', 100), Talk.May8)]);

        Assert.Equal(["x"], result.StoredTurnIds);
    }

    [Fact]
    public async Task A_null_batch_throws_ArgumentNullException()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => new AgentMemory().IngestAsync(null!));
    }

    [Fact]
    public async Task Cancellation_before_ingest_stores_nothing()
    {
        var memory = new AgentMemory();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => memory.IngestAsync(Batch, cts.Token));

        Assert.Empty(await memory.GetTurnsAsync());
        Assert.Empty(await memory.SearchAsync(new SearchRequest { Query = "support group" }));
    }

    [Fact]
    public async Task Ingested_turns_are_searchable_at_once()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Batch);

        var hits = await memory.SearchAsync(new SearchRequest { Query = "adopted dog", Kinds = [MemoryItemKind.Turn] });

        Assert.Equal("D1:2", hits[0].Item.Id);
        Assert.Equal(1, hits[0].LexicalRank);
    }
}
