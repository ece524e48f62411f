using System.Net;
using MemoryFabric.Client.Orleans.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary>Safe note edits and note forgetting through the Orleans client: the same results and errors as over HTTP
/// (across the 2-silo cluster, so the fabric's conflict crosses silos with its details).</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class NoteVersionTests(ClientClusterFixture fixture)
{
    private IMemoryFabricClient Memory => fixture.Client;

    [Fact]
    public async Task A_stale_version_is_a_412_and_an_old_versions_id_a_409_both_naming_the_current_version()
    {
        var agent = Turns.Agent("etag");
        var v1 = (await Memory.AddNoteAsync(agent, new NoteWrite { Text = "Alice lives in Lisbon.", Subject = "Alice" })).Note;
        var v2 = (await Memory.UpdateNoteAsync(agent, v1.Id, new NoteWrite { Text = "Alice lives in Porto.", Subject = "Alice" }, expectedVersion: 1)).Note;

        var stale = await Assert.ThrowsAsync<MemoryFabricConflictException>(() => Memory.UpdateNoteAsync(agent, v2.Id, new NoteWrite { Text = "Alice lives in Faro.", Subject = "Alice" }, expectedVersion: 1));
        var old = await Assert.ThrowsAsync<MemoryFabricConflictException>(() => Memory.DeleteNoteAsync(agent, v1.Id));

        Assert.Equal((HttpStatusCode.PreconditionFailed, true, v2.Id, 2), (stale.StatusCode, stale.IsStaleVersion, stale.CurrentId, stale.CurrentVersion));
        Assert.Equal("https://memoryfabric.dev/problems/precondition-failed", stale.Problem.Type);
        Assert.Equal((HttpStatusCode.Conflict, false, v2.Id, NoteStatus.Active), (old.StatusCode, old.IsStaleVersion, old.CurrentId, old.CurrentStatus));
        Assert.IsType<NoteConflictException>(old.InnerException);
        Assert.Equal([v1.Id, v2.Id], (await Memory.GetNoteHistoryAsync(agent, v1.Id)).Select(v => v.Id));
        Assert.Equal("Alice lives in Porto.", Assert.Single(await Memory.ListNotesAsync(agent)).Text);

        Assert.Equal(NoteOperation.Deleted, (await Memory.DeleteNoteAsync(agent, v2.Id, expectedVersion: 2)).Operation);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Memory.DeleteNoteAsync(agent, v2.Id, expectedVersion: 0));
    }

    [Fact]
    public async Task A_paraphrase_is_a_no_op_and_a_note_is_purged_with_its_sources()
    {
        var agent = Turns.Agent("forget-note");
        await Memory.IngestAsync(agent, [
            Turns.One("s1:1", "My gym locker code is plumtangerine 5521."),
            Turns.One("s1:2", "We are planning a trip to Lisbon in June.", minute: 1),
        ]);
        var note = (await Memory.AddNoteAsync(agent, new NoteWrite { Text = "Alice's locker code is plumtangerine.", Subject = "Alice", SourceTurnIds = ["s1:1"] })).Note;
        var again = await Memory.AddNoteAsync(agent, new NoteWrite { Text = "Plumtangerine: the code of Alice's locker.", Subject = "Alice" });
        Assert.Equal((NoteOperation.NoOp, note.Id), (again.Operation, again.Note.Id));

        var result = await Memory.PurgeNoteAsync(agent, note.Id, forgetSources: true);

        Assert.Equal([note.Id], result.PurgedNoteIds);
        Assert.Equal(["s1:1"], result.Sources!.ForgottenTurnIds);
        Assert.Equal(["s1:2"], (await Memory.GetTurnsAsync(agent)).Select(t => t.Id));
        var hits = await Memory.SearchAsync(agent, new SearchRequest { Query = "plumtangerine locker code", Limit = 20 });
        Assert.DoesNotContain(hits, h => h.Item.Text.Contains("plumtangerine", StringComparison.Ordinal));
        var gone = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.PurgeNoteAsync(agent, note.Id, forgetSources: true));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
