using System.Text;
using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Persistence;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Persistence;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Forgetting;

/// <summary>Forgetting a turn: gone from turns, search, context, episodes and notes; notes with another source keep it
/// out of their provenance; replay of the journal forgets it again.</summary>
public sealed class TurnForgetTests
{
    private const string Secret = "zanzibarquokka";

    // A question holding the secret (the next turn is indexed with it), and turns around it.
    private static IReadOnlyList<TurnInput> Conversation() =>
    [
        Talk.Input("t1", "Tom", "Hi Ann, how was the weekend at the lake house?", Talk.May8),
        Talk.Input("t2", "Ann", $"Can you remember my locker code {Secret} 4471 for the gym?", Talk.May8.AddMinutes(1)),
        Talk.Input("t3", "Tom", "Sure, I will keep that safe for you.", Talk.May8.AddMinutes(2)),
        Talk.Input("t4", "Ann", "Thanks. I also adopted a beagle named Oscar last spring.", Talk.May8.AddMinutes(3)),
    ];

    private static NoteWrite Note(string text, params string[] sources) => new() { Text = text, Subject = "Ann", SourceTurnIds = sources };

    [Fact]
    public async Task A_forgotten_turn_is_gone_from_turns_search_context_episodes_and_notes()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Conversation());
        await memory.ConsolidateAsync();
        var only = (await memory.AddNoteAsync(Note($"Ann's gym locker code is {Secret}.", "t2"))).Note;
        var shared = (await memory.AddNoteAsync(Note("Ann has a gym locker and a beagle named Oscar.", "t2", "t4"))).Note;
        var unrelated = (await memory.AddNoteAsync(Note("Ann has a lake house.", "t1"))).Note;
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = Secret }), h => h.Item.Text.Contains(Secret, StringComparison.Ordinal));
        Assert.Contains(await memory.GetEpisodesAsync(), e => e.TurnIds.Contains("t2"));

        var result = await memory.ForgetTurnsAsync(["t2"]);

        Assert.Equal(["t2"], result.ForgottenTurnIds);
        Assert.Empty(result.UnknownTurnIds);
        Assert.Contains(only.Id, result.PurgedNoteIds);
        Assert.Contains(shared.Id, result.RedactedNoteIds);
        Assert.NotEmpty(result.RebuiltEpisodeIds.Concat(result.RemovedEpisodeIds));

        Assert.DoesNotContain(await memory.GetTurnsAsync(), t => t.Id == "t2");
        foreach (var query in new[] { Secret, "locker code 4471", "remember my locker code" })
        {
            var hits = await memory.SearchAsync(new SearchRequest { Query = query, Limit = 50 });
            Assert.Empty(hits.Where(h => h.Item.Text.Contains(Secret, StringComparison.OrdinalIgnoreCase) || h.Item.TurnIds.Contains("t2")).Select(h => $"{h.Item.Kind} {h.Item.Id} [{string.Join(',', h.Item.TurnIds)}] {h.Item.Text}"));
            Assert.DoesNotContain(hits, h => h.Item.Id == "t3" && h.LexicalRank is not null && query == Secret); // t3 was indexed with t2's text
        }

        var context = await memory.GetContextAsync(new ContextRequest { Query = "What is Ann's locker code?" });
        Assert.DoesNotContain(Secret, context.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(context.Items, i => i.TurnIds.Contains("t2"));
        Assert.All(await memory.GetEpisodesAsync(), e =>
        {
            Assert.DoesNotContain("t2", e.TurnIds);
            Assert.DoesNotContain("t2", e.SummaryTurnIds);
            Assert.DoesNotContain(Secret, e.Summary, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(e.Keywords, k => k.Contains("zanzibar", StringComparison.OrdinalIgnoreCase));
        });

        var notes = await memory.GetNotesAsync(includeInactive: true);
        Assert.DoesNotContain(notes, n => n.Id == only.Id || n.Text.Contains(Secret, StringComparison.Ordinal));
        Assert.Equal(["t4"], Assert.Single(notes, n => n.Id == shared.Id).Provenance.TurnIds);
        Assert.Equal(["t1"], Assert.Single(notes, n => n.Id == unrelated.Id).Provenance.TurnIds);
        Assert.DoesNotContain(notes, n => n.Provenance.TurnIds.Contains("t2"));

        // The other turns are untouched, and the snapshot holds no byte of the text (nor its indexed terms).
        Assert.Equal(["t1", "t3", "t4"], (await memory.GetTurnsAsync()).Select(t => t.Id));
        Assert.DoesNotContain("zanzibar", Encoding.UTF8.GetString(memory.CreateSnapshot()), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, memory.GetStatistics().Turns);
    }

    [Fact]
    public async Task The_journal_carries_ids_only_and_replay_forgets_again()
    {
        var clock = Scenario.Clock();
        var original = new AgentMemory(timeProvider: clock);
        var journal = new List<byte[]>();
        await original.IngestAsync(Conversation());
        journal.Add(MemoryState.Journal(original));
        await original.AddNoteAsync(Note($"Ann's gym locker code is {Secret}.", "t2"));
        journal.Add(MemoryState.Journal(original));
        await original.AddNoteAsync(Note("Ann has a gym locker and a beagle named Oscar.", "t2", "t4"));
        journal.Add(MemoryState.Journal(original));
        var beforeForget = original.CreateSnapshot();

        await original.ForgetTurnsAsync(["t2", "t_unknown"]);
        var changes = original.DrainChanges();
        var forgotten = Assert.IsType<TurnsForgotten>(Assert.Single(changes));
        Assert.Equal(["t2"], forgotten.TurnIds);
        var entry = MemoryChangeCodec.Encode(changes);
        Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(entry), StringComparison.Ordinal);
        Assert.Equal(["t2"], Assert.IsType<TurnsForgotten>(Assert.Single(MemoryChangeCodec.Decode(entry))).TurnIds);
        journal.Add(entry);

        // The whole journal onto an empty memory, and the forget onto the snapshot taken before it.
        var replayed = new AgentMemory(timeProvider: clock);
        MemoryState.Replay(replayed, journal);
        var restored = new AgentMemory(timeProvider: clock);
        restored.RestoreSnapshot(beforeForget);
        restored.ApplyChanges(MemoryChangeCodec.Decode(entry));

        var expected = await MemoryState.DumpAsync(original, Scenario.Now);
        Assert.DoesNotContain(Secret, expected, StringComparison.Ordinal);
        Assert.Equal(expected, await MemoryState.DumpAsync(replayed, Scenario.Now));
        Assert.Equal(expected, await MemoryState.DumpAsync(restored, Scenario.Now));
        Assert.DoesNotContain("zanzibar", Encoding.UTF8.GetString(restored.CreateSnapshot()), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_ids_are_reported_and_bad_input_is_refused()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(Conversation());

        var result = await memory.ForgetTurnsAsync(["nope", "t1", "t1"]);
        Assert.Equal(["t1"], result.ForgottenTurnIds);
        Assert.Equal(["nope"], result.UnknownTurnIds);
        var none = await memory.ForgetTurnsAsync(["t1"]);
        Assert.Empty(none.ForgottenTurnIds);
        Assert.Empty(memory.DrainChanges().OfType<TurnsForgotten>().Skip(1)); // the second call recorded nothing

        await Assert.ThrowsAsync<MemoryInputException>(() => memory.ForgetTurnsAsync([]));
        await Assert.ThrowsAsync<MemoryInputException>(() => memory.ForgetTurnsAsync([" "]));
        await Assert.ThrowsAsync<MemoryInputException>(() => memory.ForgetTurnsAsync(Enumerable.Range(0, TurnForgetResult.MaxTurnIds + 1).Select(i => "t" + i).ToList()));
    }

    [Fact]
    public async Task Forgetting_every_turn_of_an_episode_removes_it_and_a_superseded_version_from_the_turn_goes_alone()
    {
        var memory = new AgentMemory();
        await memory.IngestAsync(
        [
            Talk.Input("p1", "Ann", "I live in Paris near the canal.", Talk.May8, "s1"),
            Talk.Input("b1", "Ann", "I moved to Berlin last month.", Talk.May8.AddDays(40), "s2"),
        ]);
        await memory.ConsolidateAsync();
        var paris = (await memory.AddNoteAsync(new NoteWrite { Text = "Ann lives in Paris.", Subject = "Ann", Attribute = "home city", Value = "Paris", SourceTurnIds = ["p1"] })).Note;
        var berlin = await memory.AddNoteAsync(new NoteWrite { Text = "Ann lives in Berlin.", Subject = "Ann", Attribute = "home city", Value = "Berlin", SourceTurnIds = ["b1"] });
        Assert.Equal(NoteOperation.Superseded, berlin.Operation);

        var result = await memory.ForgetTurnsAsync(["p1"]);

        Assert.Contains(paris.Id, result.PurgedNoteIds);
        Assert.Contains(result.RemovedEpisodeIds, id => id.StartsWith("ep:s1:", StringComparison.Ordinal));
        Assert.DoesNotContain(await memory.GetEpisodesAsync(), e => e.SessionId == "s1");
        var history = await memory.GetNoteHistoryAsync(berlin.Note.Id);
        var current = Assert.Single(history);
        Assert.Equal(berlin.Note.Id, current.Id);
        Assert.Equal(NoteStatus.Active, current.Status);
        Assert.DoesNotContain(await memory.SearchAsync(new SearchRequest { Query = "Paris canal" }), h => h.Item.Text.Contains("Paris", StringComparison.Ordinal));
        Assert.Contains(await memory.SearchAsync(new SearchRequest { Query = "Berlin" }), h => h.Item.Id == berlin.Note.Id);
    }
}
