using System.Net;
using MemoryFabric.Api;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Client.Tests;

/// <summary><see cref="MemoryFabricClient.SearchTenantAsync"/>: <c>POST /v1/search</c> over HTTP.</summary>
public sealed class TenantSearchClientTests
{
    [Fact]
    public async Task SearchTenantAsync_posts_the_request_to_v1_search_and_parses_the_hits_with_their_agents()
    {
        var hit = new TenantSearchHit("desk-2", new ContextItem(MemoryItemKind.Turn, "t1", "The Lisbon office moved.", Samples.Time, ["t1"], 0.8), null, 1);
        var handler = new StubHandler(_ => StubHandler.Json(new { hits = new[] { hit } }));
        var client = TestClients.Create(handler);

        var response = await client.SearchTenantAsync(new TenantSearchRequest
        {
            Query = "Lisbon office",
            Agents = ["desk-1", "desk-2"],
            Group = "support",
            Kinds = [MemoryItemKind.Turn],
            From = Samples.Time,
            Limit = 5,
        });

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/v1/search", request.RawPath);
        Assert.Equal("Lisbon office", (string?)request.Json["query"]);
        Assert.Equal("desk-2", (string?)request.Json["agents"]![1]);
        Assert.Equal("support", (string?)request.Json["group"]);
        Assert.Equal("turn", (string?)request.Json["kinds"]![0]);
        Assert.Equal(5, (int)request.Json["limit"]!);
        var only = Assert.Single(response.Hits);
        Assert.Equal(("desk-2", "t1", 1), (only.Agent, only.Item.Id, only.DenseRank));
    }

    [Fact]
    public async Task A_400_problem_becomes_an_api_exception()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.BadRequest, "The request is invalid", "'query' must not be blank."));
        var client = TestClients.Create(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => client.SearchTenantAsync(new TenantSearchRequest { Query = " " }));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.SearchTenantAsync(null!));
    }
}
