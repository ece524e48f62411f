using System.Net;
using MemoryFabric.Client.Orleans.Tests.Support;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary>Forgetting turns through the Orleans client: the same results and errors as over HTTP.</summary>
[Collection(ClientClusterDefinition.Name)]
public sealed class ForgetTurnsTests(ClientClusterFixture fixture)
{
    private IMemoryFabricClient Memory => fixture.Client;

    [Fact]
    public async Task A_forgotten_turn_leaves_search_and_its_only_note_with_it()
    {
        var agent = Turns.Agent("forget");
        await Memory.IngestAsync(agent, [
            Turns.One("s1:1", "My gym locker code is plumtangerine 5521."),
            Turns.One("s1:2", "We are planning a trip to Lisbon in June.", minute: 1),
        ]);
        var note = (await Memory.AddNoteAsync(agent, new NoteWrite { Text = "Alice's locker code is plumtangerine.", Subject = "Alice", SourceTurnIds = ["s1:1"] })).Note;

        var result = await Memory.ForgetTurnsAsync(agent, ["s1:1", "s1:nope"]);

        Assert.Equal(["s1:1"], result.ForgottenTurnIds);
        Assert.Equal(["s1:nope"], result.UnknownTurnIds);
        Assert.Equal([note.Id], result.PurgedNoteIds);
        var hits = await Memory.SearchAsync(agent, new SearchRequest { Query = "plumtangerine locker code", Limit = 20 });
        Assert.DoesNotContain(hits, h => h.Item.Text.Contains("plumtangerine", StringComparison.Ordinal));
        Assert.Contains(await Memory.SearchAsync(agent, new SearchRequest { Query = "trip to Lisbon" }), h => h.Item.Id == "s1:2");
        Assert.Null(await Memory.GetNoteAsync(agent, note.Id));

        var bad = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.ForgetTurnsAsync(agent, []));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var unknownAgent = await Assert.ThrowsAsync<MemoryFabricApiException>(() => Memory.ForgetTurnsAsync(Turns.Agent("nobody"), ["s1:1"]));
        Assert.Equal(HttpStatusCode.NotFound, unknownAgent.StatusCode);
    }
}
