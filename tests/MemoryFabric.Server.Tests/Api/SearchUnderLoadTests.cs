using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Retrieval;
using MemoryFabric.Server.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>Search under load, seen over HTTP: a query the encoder could not start on in time is answered from
/// lexical signals with <c>degraded</c> in the JSON; a refusal of the encoder's full queue (no deadline to fall back
/// on) is a 503 problem with <c>Retry-After</c>. The grains' engine runs over an embedder that answers as a busy
/// scheduler would for interactive calls (queries) and normally for background ones.</summary>
public sealed class SearchUnderLoadTests : IDisposable
{
    private readonly FabricServerFactory _inner = new();

    public void Dispose() => _inner.Dispose();

    [Fact]
    public async Task A_query_that_misses_its_deadline_is_answered_degraded_and_says_so_in_the_json()
    {
        using var factory = Server(() => new EmbeddingDeadlineExceededException(TimeSpan.FromMilliseconds(5)), new RetrievalOptions());
        using var client = await TenantClientAsync(factory);
        (await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("c", 8)))).EnsureSuccessStatusCode();

        var search = await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = "cello lessons", limit = 5 });
        var context = await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "cello lessons", tokenBudget = 40, preferVerbatimWhenItFits = false });

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var body = await search.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("degraded").GetBoolean());
        Assert.Equal("embedding-deadline", body.GetProperty("degradedReason").GetString());
        var top = body.GetProperty("hits")[0];
        Assert.Contains("cello", top.GetProperty("item").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, top.GetProperty("denseRank").ValueKind);
        Assert.Equal(HttpStatusCode.OK, context.StatusCode);
        var packed = await context.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(packed.GetProperty("degraded").GetBoolean());
        Assert.Equal("embedding-deadline", packed.GetProperty("degradedReason").GetString());

        var metrics = await factory.CreateClient().GetStringAsync("/metrics");
        Assert.Contains("memoryfabric_search_degraded_total{operation=\"search\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("memoryfabric_search_degraded_total{operation=\"context\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_load_nothing_is_degraded_and_the_reason_is_absent()
    {
        using var client = await TenantClientAsync(_inner);
        (await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("c", 8)))).EnsureSuccessStatusCode();

        var search = await (await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = "cello lessons" })).Content.ReadFromJsonAsync<JsonElement>();
        var context = await (await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "cello lessons", tokenBudget = 40 })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(search.GetProperty("degraded").GetBoolean());
        Assert.False(search.TryGetProperty("degradedReason", out _));
        Assert.NotEqual(0, search.GetProperty("hits").GetArrayLength());
        Assert.False(context.GetProperty("degraded").GetBoolean());
        Assert.False(context.TryGetProperty("degradedReason", out _));
    }

    [Fact]
    public async Task An_overloaded_encoder_without_a_deadline_is_a_fast_503_with_retry_after_and_writes_still_work()
    {
        using var factory = Server(() => new EmbedderOverloadedException("The encoder's queue is full.", TimeSpan.FromSeconds(2)),
            new RetrievalOptions { QueryEmbeddingDeadline = Timeout.InfiniteTimeSpan });
        using var client = await TenantClientAsync(factory);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("c", 4)))).StatusCode);

        foreach (var response in new[]
        {
            await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = "cello" }),
            await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "cello", tokenBudget = 40, preferVerbatimWhenItFits = false }),
        })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("embedder-overloaded", problem.GetProperty("type").GetString()!.Split('/')[^1]);
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
        }
    }

    // auto is arctic-xs: the default encoder must be behind the scheduler too (before, only MiniLM was, and arctic-xs
    // computed on the request threads).
    [Theory]
    [InlineData("minilm", typeof(MiniLmEmbeddingGenerator))]
    [InlineData("arctic-xs", typeof(ArcticXsEmbeddingGenerator))]
    [InlineData("auto", typeof(ArcticXsEmbeddingGenerator))]
    public async Task With_a_local_encoder_the_cache_sits_in_front_of_the_query_first_scheduler_and_a_quiet_server_never_degrades(string embedder, Type encoderType)
    {
        using var factory = new FabricServerFactory(new Dictionary<string, string?>
        {
            ["MemoryFabric:Embedder"] = embedder,
            ["MemoryFabric:EmbeddingScheduler:Workers"] = "1",
        });
        using var client = await factory.CreateTenantClientAsync("acme");
        var generator = factory.Services.GetRequiredService<Hosting.EmbedderHolder>().Generator;
        var cache = Assert.IsType<CachingEmbeddingGenerator>(generator);
        var scheduler = Assert.IsType<PriorityEmbeddingGenerator>(generator.GetService(typeof(PriorityEmbeddingGenerator)));
        Assert.IsType(encoderType, generator.GetService(encoderType));
        (await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("c", 8)))).EnsureSuccessStatusCode();
        // Quiet: the background batch has run (and warmed the encoder up) and the worker is idle. A query that finds the
        // worker idle is not held to the queue deadline, so no slowness of the machine can make it degraded.
        for (var wait = 0; wait < 300; wait++)
        {
            var agent = await (await client.GetAsync("/v1/agents/bot")).Content.ReadFromJsonAsync<JsonElement>();
            if (agent.GetProperty("pendingEmbeddings").GetInt32() == 0 && scheduler.BackgroundQueueLength == 0 && scheduler.BusyWorkers == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        for (var i = 0; i < 3; i++)
        {
            var search = await (await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = "Who is learning a string instrument?" })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(search.GetProperty("degraded").GetBoolean(), $"search {i}: no queue, yet degraded");
            var hits = search.GetProperty("hits").EnumerateArray().Take(3).ToList();
            Assert.True(hits.Any(h => h.GetProperty("item").GetProperty("text").GetString()!.Contains("cello", StringComparison.Ordinal)), search.ToString());
            Assert.Equal(JsonValueKind.Number, hits[0].GetProperty("denseRank").ValueKind); // ranked with its vector
        }

        Assert.Equal(0, scheduler.DeadlineMisses);
        var encodes = scheduler.InteractiveEncodes;
        var cached = cache.Hits;
        await generator.GenerateAsync(["Who is learning a string instrument?"], EmbeddingInputType.AsQuery(EmbeddingPriority.CreateInteractiveOptions(TimeSpan.FromMilliseconds(5))));
        Assert.Equal(encodes, scheduler.InteractiveEncodes); // a repeated query is answered by the cache, never queued
        Assert.Equal(cached + 1, cache.Hits);

        // The scheduler's meter is exported.
        var metrics = await factory.CreateClient().GetStringAsync("/metrics");
        Assert.Contains("memoryfabric_embeddings_interactive_queued", metrics, StringComparison.Ordinal);
        Assert.Contains("memoryfabric_embeddings_background_queued", metrics, StringComparison.Ordinal);
        Assert.Contains("memoryfabric_embeddings_interactive_wait_seconds_count", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_scheduler_setting_stops_the_server_at_start_naming_it()
    {
        using var factory = new FabricServerFactory(new Dictionary<string, string?> { ["MemoryFabric:EmbeddingScheduler:InteractiveQueueLimit"] = "0" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("MemoryFabric:EmbeddingScheduler:InteractiveQueueLimit", messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception e) =>
        e is AggregateException aggregate
            ? [e, .. aggregate.InnerExceptions.SelectMany(Flatten)]
            : e.InnerException is { } inner ? [e, .. Flatten(inner)] : [e];

    // The server with the grains' engine over BusyEmbedder (configured as the server configures it: deferred embedding).
    private WebApplicationFactory<Program> Server(Func<Exception> refusal, RetrievalOptions retrieval) =>
        _inner.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() =>
                new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true, Retrieval = retrieval }, embeddingGenerator: new BusyEmbedder(refusal))))));

    private static async Task<HttpClient> TenantClientAsync(WebApplicationFactory<Program> factory)
    {
        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", FabricServerFactory.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" })).EnsureSuccessStatusCode();
        var key = await (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "k" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.GetProperty("key").GetString());
        return client;
    }

    /// <summary>The hashed embedder, refusing every interactive call (queries and on-demand embeds) as a busy
    /// scheduler would; background batches go through.</summary>
    private sealed class BusyEmbedder(Func<Exception> refusal) : DelegatingEmbeddingGenerator<string, Embedding<float>>(new HashingEmbeddingGenerator())
    {
        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            EmbeddingPriority.Get(options) == EmbeddingPriority.Interactive
                ? Task.FromException<GeneratedEmbeddings<Embedding<float>>>(refusal())
                : base.GenerateAsync(values, options, cancellationToken);
    }
}
