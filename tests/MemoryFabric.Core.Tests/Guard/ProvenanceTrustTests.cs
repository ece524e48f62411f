using MemoryFabric.Conversation;
using MemoryFabric.Core.Tests.Support;
using MemoryFabric.Notes;

namespace MemoryFabric.Core.Tests.Guard;

public sealed class ProvenanceTrustTests
{
    [Theory]
    [InlineData(TurnRole.User, SourceKind.UserStated, 0.9)]
    [InlineData(TurnRole.Assistant, SourceKind.AssistantStated, 0.6)]
    [InlineData(TurnRole.Tool, SourceKind.Tool, 0.4)]
    [InlineData(TurnRole.System, SourceKind.Document, 0.5)]
    public async Task Source_and_trust_default_from_the_role(TurnRole role, SourceKind source, double trust)
    {
        var memory = GuardQuarantineTests.NewMemory();
        await memory.IngestAsync([Talk.Input("T1", "X", "The museum opens at nine.", Talk.May8) with { Role = role }]);
        var turn = Assert.Single(await memory.GetTurnsAsync());
        Assert.Equal(source, turn.Source);
        Assert.Equal(trust, turn.Trust);
    }

    [Theory]
    [InlineData(SourceKind.UserStated, 0.9)]
    [InlineData(SourceKind.AssistantStated, 0.6)]
    [InlineData(SourceKind.Imported, 0.5)]
    [InlineData(SourceKind.Document, 0.5)]
    [InlineData(SourceKind.Tool, 0.4)]
    [InlineData(SourceKind.Web, 0.3)]
    public async Task Trust_defaults_by_source(SourceKind source, double trust)
    {
        Assert.Equal(trust, SourceTrust.DefaultTrust(source));
        var memory = GuardQuarantineTests.NewMemory();
        await memory.IngestAsync([Talk.Input("T1", "X", "The museum opens at nine.", Talk.May8) with { Source = source }]);
        var turn = Assert.Single(await memory.GetTurnsAsync());
        Assert.Equal(source, turn.Source);
        Assert.Equal(trust, turn.Trust);
    }

    [Fact]
    public async Task Explicit_trust_is_kept_and_validated()
    {
        var memory = GuardQuarantineTests.NewMemory();
        await memory.IngestAsync([Talk.Input("T1", "X", "The museum opens at nine.", Talk.May8) with { Source = SourceKind.Web, Trust = 0.75 }]);
        Assert.Equal(0.75, Assert.Single(await memory.GetTurnsAsync()).Trust);
        foreach (var bad in new[] { -0.1, 1.1, double.NaN, double.PositiveInfinity })
        {
            await Assert.ThrowsAsync<MemoryInputException>(() => memory.IngestAsync([Talk.Input("T2", "X", "text", Talk.May8) with { Trust = bad }]));
            await Assert.ThrowsAsync<MemoryInputException>(() => memory.AddNoteAsync(new NoteWrite { Text = "x", Subject = "y", Trust = bad }));
        }

        Assert.Single(await memory.GetTurnsAsync());
    }

    [Fact]
    public async Task Extracted_notes_take_the_lowest_trust_of_their_source_turns_and_api_notes_the_writers()
    {
        var memory = GuardQuarantineTests.NewMemory();
        var turns = Talk.SmallSession().Select(t => t.Id == "D1:2" ? t with { Source = SourceKind.Tool } : t).ToList();
        await memory.IngestAsync(turns);
        await memory.ConsolidateAsync();
        var notes = await memory.GetNotesAsync();
        Assert.NotEmpty(notes);
        foreach (var note in notes.Where(n => n.Provenance.TurnIds.Count > 0))
        {
            var sources = note.Provenance.TurnIds.Select(id => turns.Single(t => t.Id == id)).ToList();
            var expected = sources.Min(t => t.Source == SourceKind.Tool ? 0.4 : 0.9);
            Assert.Equal(expected, note.Provenance.Trust);
            Assert.Equal(sources[0].Source ?? SourceKind.UserStated, note.Provenance.Source);
        }

        Assert.Contains(notes, n => n.Provenance.Source == SourceKind.Tool);

        var api = await memory.AddNoteAsync(new NoteWrite { Text = "Caroline likes jazz.", Subject = "Caroline", Source = SourceKind.Imported, Trust = 0.5 });
        Assert.Equal(SourceKind.Imported, api.Note.Provenance.Source);
        Assert.Equal(0.5, api.Note.Provenance.Trust);
        var defaults = await memory.AddNoteAsync(new NoteWrite { Text = "Caroline likes blues.", Subject = "Caroline" });
        Assert.Equal(SourceKind.UserStated, defaults.Note.Provenance.Source);
        Assert.Equal(0.9, defaults.Note.Provenance.Trust);
    }
}
