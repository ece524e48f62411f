using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests;

public sealed class AgentMemoryContextTests
{
    private static async Task<AgentMemory> SmallMemoryAsync(bool consolidate = true)
    {
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Talk.May8.AddHours(1)));
        await memory.IngestAsync(Talk.SmallSession());
        if (consolidate)
        {
            await memory.ConsolidateAsync();
        }

        return memory;
    }

    private static void AssertWellFormed(MemoryContext context, int budget, IReadOnlySet<string> turnIds)
    {
        Assert.True(ContextTokens.Count(context.Text) <= budget, $"{ContextTokens.Count(context.Text)} tokens for a budget of {budget}");
        Assert.True(context.Tokens <= budget);
        Assert.Equal(ContextTokens.Count(context.Text), context.Tokens);
        var lines = context.Text.Length == 0 ? [] : context.Text.Split('\n');
        var position = 0;
        foreach (var item in context.Items)
        {
            Assert.NotEmpty(item.TurnIds);
            Assert.All(item.TurnIds, id => Assert.Contains(id, turnIds));
            Assert.DoesNotContain('\n', item.Text);

            // Items appear as lines of the text, in order, each under its date line.
            var index = Array.IndexOf(lines, item.Text, position);
            Assert.True(index > 0, $"item line not found in order: {item.Text}");
            var date = lines.Take(index).Last(l => l.StartsWith('['));
            Assert.Equal(ContextRenderer.DateLine(item.Timestamp), date);
            position = index + 1;
        }

        Assert.Equal(context.Items.OrderBy(i => i.Timestamp).Select(i => i.Id), context.Items.Select(i => i.Id));
        Assert.Equal(lines.Length, context.Items.Count + lines.Count(l => l.StartsWith('[') && l.EndsWith(']')));
    }

    [Fact]
    public async Task Packing_never_exceeds_the_budget_property()
    {
        var conversation = Talk.Generated(sessions: 10, turnsPerSession: 30);
        var memory = new AgentMemory(timeProvider: new FakeTimeProvider(Talk.May8.AddDays(80)));
        await memory.IngestAsync(conversation);
        await memory.ConsolidateAsync();
        var turnIds = conversation.Select(t => t.Id!).ToHashSet();
        var historyTokens = (await memory.GetContextAsync(new ContextRequest { Query = "anything", TokenBudget = AgentMemory.MaxTokenBudget })).Tokens;
        Assert.True(historyTokens > 2000, $"the generated history ({historyTokens} tokens) must not fit the largest budget");

        string[] queries =
        [
            "What did Melanie adopt?", "When did Caroline go to the support group?", "pottery", "Who talked about the trip to Paris last week?",
            "What is Caroline planning for next month?", "marathon in May 2023", "book club", "Did the kids like the concert?",
            "What does Melanie's sister ask about?", "zebra quantum violin",
        ];
        var random = new Random(20230508);
        for (var run = 0; run < 120; run++)
        {
            var budget = random.Next(20, 2001);
            var query = random.Next(4) == 0 ? queries[random.Next(queries.Length)] + " " + queries[random.Next(queries.Length)] : queries[random.Next(queries.Length)];

            var context = await memory.GetContextAsync(new ContextRequest { Query = query, TokenBudget = budget });

            Assert.Equal("retrieved", context.Mode);
            AssertWellFormed(context, budget, turnIds);
            if (budget >= 100)
            {
                Assert.NotEmpty(context.Items);
            }
        }
    }

    [Fact]
    public async Task The_whole_history_is_returned_verbatim_when_it_fits()
    {
        var memory = await SmallMemoryAsync();
        var turns = await memory.GetTurnsAsync();

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What did Melanie adopt?", TokenBudget = 2000 });

        Assert.Equal("verbatim", context.Mode);
        Assert.Equal(turns.Select(t => t.Id), context.Items.Select(i => i.Id));
        Assert.All(context.Items, i => Assert.Equal(MemoryItemKind.Turn, i.Kind));
        Assert.StartsWith("[8 May 2023]\nCaroline: I went to the LGBTQ support group yesterday and it was so powerful.\nMelanie: ", context.Text, StringComparison.Ordinal);
        Assert.All(turns, t => Assert.Contains($"{t.Speaker}: {t.Text}", context.Text, StringComparison.Ordinal));
        AssertWellFormed(context, 2000, turns.Select(t => t.Id).ToHashSet());
    }

    [Fact]
    public async Task Verbatim_exactly_at_the_budget_and_retrieved_one_token_below()
    {
        var memory = await SmallMemoryAsync();
        var history = await memory.GetContextAsync(new ContextRequest { Query = "dog", TokenBudget = AgentMemory.MaxTokenBudget });

        var fits = await memory.GetContextAsync(new ContextRequest { Query = "dog", TokenBudget = history.Tokens });
        var tight = await memory.GetContextAsync(new ContextRequest { Query = "dog", TokenBudget = history.Tokens - 1 });

        Assert.Equal("verbatim", history.Mode);
        Assert.Equal("verbatim", fits.Mode);
        Assert.Equal(history.Text, fits.Text);
        Assert.Equal("retrieved", tight.Mode);
        Assert.True(tight.Tokens <= history.Tokens - 1);
    }

    [Fact]
    public async Task Verbatim_can_be_declined()
    {
        var memory = await SmallMemoryAsync();

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What did Melanie adopt?", TokenBudget = 2000, PreferVerbatimWhenItFits = false });

        Assert.Equal("retrieved", context.Mode);
        Assert.Contains(context.Items, i => i.TurnIds.Contains("D1:2"));
    }

    [Fact]
    public async Task Rendered_text_has_date_lines_and_speaker_lines()
    {
        var memory = new AgentMemory();
        // The second week's turns are new words (a turn said again word for word is shown once).
        await memory.IngestAsync([.. Talk.SmallSession(), .. Talk.SmallSession("s2", "D2:").Select(t => t with { Timestamp = t.Timestamp.AddDays(7), Text = "Again this week: " + t.Text })]);

        var verbatim = await memory.GetContextAsync(new ContextRequest { Query = "dog", TokenBudget = 5000 });
        var retrieved = await memory.GetContextAsync(new ContextRequest { Query = "Who adopted a dog?", TokenBudget = 120 });

        Assert.Equal("verbatim", verbatim.Mode);
        var lines = verbatim.Text.Split('\n');
        Assert.Equal(["[8 May 2023]", "[15 May 2023]"], lines.Where(l => l.StartsWith('[')));
        Assert.Equal(0, Array.IndexOf(lines, "[8 May 2023]"));
        Assert.Equal(16, Array.IndexOf(lines, "[15 May 2023]"));
        Assert.All(lines.Where(l => !l.StartsWith('[')), l => Assert.Matches("^(Caroline|Melanie): ", l));

        Assert.Equal("retrieved", retrieved.Mode);
        Assert.Matches(@"^\[\d{1,2} May 2023\]\n", retrieved.Text);
        Assert.Contains(retrieved.Text.Split('\n'), l => l.StartsWith("Melanie: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_question_about_a_fact_finds_the_turn_it_rests_on()
    {
        var memory = await SmallMemoryAsync();

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What did Melanie adopt?", TokenBudget = 100 });

        Assert.Equal("retrieved", context.Mode);
        Assert.Contains("dog", context.Text, StringComparison.Ordinal);
        Assert.Contains(context.Items, i => i.TurnIds.Contains("D1:2"));
        AssertWellFormed(context, 100, Talk.SmallSession().Select(t => t.Id!).ToHashSet());
    }

    [Fact]
    public async Task A_fact_is_found_before_consolidation_too()
    {
        var memory = await SmallMemoryAsync(consolidate: false);

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What did Melanie adopt?", TokenBudget = 60 });

        Assert.Equal("retrieved", context.Mode);
        Assert.Contains(context.Items, i => i.Id == "D1:2");
    }

    [Fact]
    public async Task A_when_question_gets_the_absolute_date()
    {
        var memory = await SmallMemoryAsync();

        var context = await memory.GetContextAsync(new ContextRequest { Query = "When did Caroline go to the support group?", TokenBudget = 100 });

        Assert.Equal("retrieved", context.Mode);
        Assert.Contains("7 May 2023", context.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_memory_gives_an_empty_context()
    {
        var context = await new AgentMemory().GetContextAsync(new ContextRequest { Query = "anything", TokenBudget = 50 });

        Assert.Equal(string.Empty, context.Text);
        Assert.Empty(context.Items);
        Assert.Equal(0, context.Tokens);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(AgentMemory.MaxTokenBudget + 1)]
    public async Task A_budget_out_of_range_is_rejected(int budget)
    {
        var memory = await SmallMemoryAsync(consolidate: false);

        await Assert.ThrowsAsync<MemoryInputException>(() => memory.GetContextAsync(new ContextRequest { Query = "dog", TokenBudget = budget }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t")]
    public async Task A_blank_query_is_rejected(string query)
    {
        var memory = await SmallMemoryAsync(consolidate: false);

        var error = await Assert.ThrowsAsync<MemoryInputException>(() => memory.GetContextAsync(new ContextRequest { Query = query }));
        await Assert.ThrowsAsync<MemoryInputException>(() => memory.SearchAsync(new SearchRequest { Query = query }));

        Assert.Contains("query", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlong_query_and_a_bad_limit_are_rejected()
    {
        var memory = await SmallMemoryAsync(consolidate: false);

        await Assert.ThrowsAsync<MemoryInputException>(() => memory.GetContextAsync(new ContextRequest { Query = new string('a', 8_001) }));
        await Assert.ThrowsAsync<MemoryInputException>(() => memory.SearchAsync(new SearchRequest { Query = "dog", Limit = 0 }));
    }

    [Fact]
    public async Task A_cancelled_context_request_throws()
    {
        var memory = await SmallMemoryAsync(consolidate: false);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => memory.GetContextAsync(new ContextRequest { Query = "dog" }, cts.Token));
    }

    [Fact]
    public async Task Search_filters_by_kind_and_limit()
    {
        var memory = await SmallMemoryAsync();

        var notes = await memory.SearchAsync(new SearchRequest { Query = "adopted dog beagle", Kinds = [MemoryItemKind.Note], Limit = 3 });
        var episodes = await memory.SearchAsync(new SearchRequest { Query = "adopted dog beagle", Kinds = [MemoryItemKind.Episode] });

        Assert.InRange(notes.Count, 1, 3);
        Assert.All(notes, h => Assert.Equal(MemoryItemKind.Note, h.Item.Kind));
        Assert.Contains("dog", notes[0].Item.Text, StringComparison.Ordinal);
        Assert.NotEmpty(episodes);
        Assert.All(episodes, h => Assert.Equal(MemoryItemKind.Episode, h.Item.Kind));
        Assert.Equal(notes.OrderByDescending(h => h.Item.Score).Select(h => h.Item.Id), notes.Select(h => h.Item.Id));
    }

    [Fact]
    public async Task The_budget_holds_with_mixed_utc_offsets()
    {
        var memory = new AgentMemory();
        var start = new DateTimeOffset(2023, 5, 8, 10, 0, 0, TimeSpan.Zero);
        var turns = Enumerable.Range(0, 40).Select(i =>
        {
            var at = start.AddMinutes(i * 10);
            return Talk.Input("t" + i, i % 2 == 0 ? "Ann" : "Bob", $"Message number {i} about gardening tomatoes and basil plants {i}.", i % 2 == 1 ? at.ToOffset(TimeSpan.FromHours(14)) : at);
        }).ToList();
        await memory.IngestAsync(turns);

        for (var budget = 20; budget < 400; budget += 7)
        {
            var context = await memory.GetContextAsync(new ContextRequest { Query = "tomatoes basil", TokenBudget = budget });
            Assert.True(context.Tokens <= budget, $"{context.Tokens} tokens for a budget of {budget}");
        }
    }
}
