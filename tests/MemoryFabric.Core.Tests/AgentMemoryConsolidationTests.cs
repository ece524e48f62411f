using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;

namespace MemoryFabric.Core.Tests;

public sealed class AgentMemoryConsolidationTests
{
    private readonly FakeTimeProvider _clock = new(Talk.May8.AddHours(1));

    [Fact]
    public async Task The_report_matches_what_was_stored()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        await memory.IngestAsync(Talk.SmallSession());

        var report = await memory.ConsolidateAsync();

        var episodes = await memory.GetEpisodesAsync();
        var notes = await memory.GetNotesAsync();
        Assert.Equal(1, report.SessionsSegmented);
        Assert.True(report.Episodes > 0);
        Assert.Equal(episodes.Count, report.Episodes);
        Assert.Equal(report.Episodes, report.EpisodesExtracted);
        Assert.True(report.NotesAdded > 0);
        Assert.Equal(notes.Count, report.NotesAdded);
        Assert.Equal(0, report.NotesSuperseded);
        Assert.Equal(0, report.NotesArchived);
        Assert.Equal(notes.Sum(n => n.Links.Count), report.Links);
        Assert.True(report.Duration >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Consolidating_again_without_new_turns_adds_nothing()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        await memory.IngestAsync(Talk.SmallSession());
        var first = await memory.ConsolidateAsync();
        var notes = await memory.GetNotesAsync(includeInactive: true);
        var episodes = await memory.GetEpisodesAsync();

        var second = await memory.ConsolidateAsync();

        Assert.Equal(0, second.SessionsSegmented);
        Assert.Equal(0, second.EpisodesExtracted);
        Assert.Equal(0, second.NotesAdded);
        Assert.Equal(0, second.NotesUnchanged);
        Assert.Equal(0, second.NotesSuperseded);
        Assert.Equal(first.Episodes, second.Episodes);
        Assert.Equal(first.Links, second.Links);
        Assert.Equal(notes, await memory.GetNotesAsync(includeInactive: true));
        Assert.Equal(episodes, await memory.GetEpisodesAsync());
    }

    [Fact]
    public async Task New_turns_in_an_existing_session_do_not_duplicate_notes()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        var session = Talk.SmallSession();
        await memory.IngestAsync(session.Take(10).ToList());
        await memory.ConsolidateAsync();
        var before = await memory.GetNotesAsync();

        await memory.IngestAsync(session.Skip(10).ToList());
        var report = await memory.ConsolidateAsync();

        var after = await memory.GetNotesAsync();
        Assert.Equal(1, report.SessionsSegmented);
        Assert.True(report.NotesUnchanged > 0, "re-extracted episodes must report their existing notes as unchanged");
        Assert.Equal(before.Count + report.NotesAdded, after.Count);
        Assert.Equal(after.Count, after.Select(n => n.Text).Distinct().Count());
        Assert.All(before, n => Assert.Contains(after, a => a.Id == n.Id));
        Assert.Equal(after.Count, (await memory.GetNotesAsync(includeInactive: true)).Count);
    }

    [Fact]
    public async Task Ingesting_in_pieces_yields_the_same_notes_as_ingesting_at_once()
    {
        var whole = new AgentMemory(timeProvider: _clock);
        await whole.IngestAsync(Talk.SmallSession());
        await whole.ConsolidateAsync();

        var pieces = new AgentMemory(timeProvider: _clock);
        foreach (var chunk in Talk.SmallSession().Chunk(4))
        {
            await pieces.IngestAsync(chunk);
            await pieces.ConsolidateAsync();
        }

        Assert.Equal(
            (await whole.GetNotesAsync()).Select(n => n.Text).Order(StringComparer.Ordinal),
            (await pieces.GetNotesAsync()).Select(n => n.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Episodes_partition_each_session_and_notes_point_into_them()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        var conversation = Talk.Generated(sessions: 3, turnsPerSession: 20);
        await memory.IngestAsync(conversation);

        await memory.ConsolidateAsync();

        var episodes = await memory.GetEpisodesAsync();
        Assert.Equal(episodes.Count, episodes.Select(e => e.Id).Distinct().Count());
        foreach (var group in conversation.GroupBy(t => t.SessionId))
        {
            var expected = group.Select(t => t.Id);
            var actual = episodes.Where(e => e.SessionId == group.Key).OrderBy(e => e.Start).SelectMany(e => e.TurnIds);
            Assert.Equal(expected, actual);
        }

        Assert.Equal(episodes.OrderBy(e => e.Start).Select(e => e.Id), episodes.Select(e => e.Id));
        var byId = episodes.ToDictionary(e => e.Id);
        var notes = await memory.GetNotesAsync();
        Assert.NotEmpty(notes);
        Assert.All(notes, n =>
        {
            Assert.Equal("rules", n.Provenance.Extractor);
            Assert.NotNull(n.Provenance.EpisodeId);
            Assert.NotEmpty(n.Provenance.TurnIds);
            Assert.All(n.Provenance.TurnIds, id => Assert.Contains(id, byId[n.Provenance.EpisodeId!].TurnIds));
        });
    }

    [Fact]
    public async Task A_move_in_a_later_session_supersedes_the_old_home()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        var june = Talk.May8.AddMonths(1);
        await memory.IngestAsync([Talk.Input("D1:1", "Caroline", "I live in Seattle with my two cats.", Talk.May8)]);
        await memory.ConsolidateAsync();
        await memory.IngestAsync([Talk.Input("D2:1", "Caroline", "I moved to Boston last week.", june, "s2")]);

        var report = await memory.ConsolidateAsync();

        Assert.Equal(1, report.NotesSuperseded);
        var homes = (await memory.GetNotesAsync(includeInactive: true)).Where(n => n.Attribute == "home").ToList();
        var boston = Assert.Single(homes, n => n.Status == NoteStatus.Active);
        Assert.Equal("Boston", boston.Value);
        var seattle = Assert.Single(homes, n => n.Status == NoteStatus.Superseded);
        Assert.Equal("Seattle", seattle.Value);
        Assert.Equal(june, seattle.ValidTo);
        Assert.Equal(boston.LineageId, seattle.LineageId);
    }

    [Fact]
    public async Task A_late_session_about_an_older_home_does_not_override_the_newer_one()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        await memory.IngestAsync([Talk.Input("D2:1", "Caroline", "I moved to Boston last week.", Talk.May8.AddMonths(1), "s2")]);
        await memory.ConsolidateAsync();
        await memory.IngestAsync([Talk.Input("D1:1", "Caroline", "I live in Seattle with my two cats.", Talk.May8)]);

        var report = await memory.ConsolidateAsync();

        Assert.Equal(0, report.NotesSuperseded);
        var active = Assert.Single(await memory.GetNotesAsync(), n => n.Attribute == "home");
        Assert.Equal("Boston", active.Value);
    }

    [Fact]
    public async Task Invalid_proposals_of_an_extractor_are_dropped()
    {
        var memory = new AgentMemory(timeProvider: _clock, noteExtractor: new CannedExtractor());
        await memory.IngestAsync(Talk.SmallSession().Take(3).ToList());
        await memory.IngestAsync([Talk.Input("other", "Melanie", "A turn of another session.", Talk.May8, "s9")]);

        var report = await memory.ConsolidateAsync();

        var notes = await memory.GetNotesAsync();
        Assert.Equal(2, report.NotesAdded); // the valid proposal, once per episode of each session
        Assert.All(notes, n => Assert.StartsWith("Valid", n.Text, StringComparison.Ordinal));
        Assert.All(notes, n => Assert.Equal("canned", n.Provenance.Extractor));
        Assert.All(notes, n => Assert.Equal("7", n.Provenance.ExtractorVersion));
    }

    [Fact]
    public async Task A_cancelled_consolidation_changes_nothing_and_can_be_retried()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        await memory.IngestAsync(Talk.SmallSession());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => memory.ConsolidateAsync(cts.Token));

        Assert.Empty(await memory.GetEpisodesAsync());
        Assert.Empty(await memory.GetNotesAsync());
        var report = await memory.ConsolidateAsync();
        Assert.Equal(1, report.SessionsSegmented);
        Assert.True(report.NotesAdded > 0);
    }

    [Fact]
    public async Task Notes_written_through_the_api_name_the_episode_of_their_turns()
    {
        var memory = new AgentMemory(timeProvider: _clock);
        await memory.IngestAsync(Talk.SmallSession());
        await memory.ConsolidateAsync();
        var episode = (await memory.GetEpisodesAsync()).First(e => e.TurnIds.Contains("D1:2"));

        var note = (await memory.AddNoteAsync(new NoteWrite { Text = "Oscar is a beagle.", Subject = "Oscar", SourceTurnIds = ["D1:2"] })).Note;

        Assert.Equal(episode.Id, note.Provenance.EpisodeId);
        Assert.Equal("api", note.Provenance.Extractor);
    }

    private sealed class CannedExtractor : INoteExtractor
    {
        public string Name => "canned";

        public string Version => "7";

        public Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default)
        {
            var first = context.Turns[0].Id;
            IReadOnlyList<NoteWrite> proposals =
            [
                new NoteWrite { Text = "Valid note of " + context.Episode.SessionId, Subject = "Melanie", SourceTurnIds = [first] },
                new NoteWrite { Text = "No source turns", Subject = "Melanie" },
                new NoteWrite { Text = "A turn outside the episode", Subject = "Melanie", SourceTurnIds = [first, "not-in-episode"] },
                new NoteWrite { Text = "   ", Subject = "Melanie", SourceTurnIds = [first] },
                new NoteWrite { Text = "No subject", Subject = " ", SourceTurnIds = [first] },
                new NoteWrite { Text = new string('x', 5_000), Subject = "Melanie", SourceTurnIds = [first] },
            ];
            return Task.FromResult(proposals);
        }
    }
}
