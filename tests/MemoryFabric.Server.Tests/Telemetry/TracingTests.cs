using System.Diagnostics;
using System.Net.Http.Json;
using MemoryFabric.Diagnostics;
using MemoryFabric.Orleans.Diagnostics;
using MemoryFabric.Server.Tests.Support;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Trace;

namespace MemoryFabric.Server.Tests.Telemetry;

/// <summary>Traces captured with the in-memory exporter: one ingest is one trace from the HTTP route down to the
/// journal's group commit; one context query is one trace with its retrieval stages. Other tests' servers run in
/// parallel and trace into the same process-wide sources, so each request carries its own <c>traceparent</c> and
/// only that trace is looked at.</summary>
public sealed class TracingTests : IDisposable
{
    private readonly ExportedSpans _exported = [];
    private readonly FabricServerFactory _factory = new();
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _traced;

    public TracingTests() =>
        _traced = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_exported))));

    public void Dispose()
    {
        _traced.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task One_ingest_is_one_trace_from_the_http_route_to_the_journal_commit()
    {
        using var client = await CreateTenantClientAsync();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/agents/traced/turns") { Content = JsonContent.Create(Turns.Batch(Turns.Conversation("t", 3))) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var trace = await TraceAsync(traceId, spans => spans.Any(IsHttp) && spans.Any(s => s.OperationName == "memoryfabric.storage.commit"));
        var http = Assert.Single(trace, IsHttp);
        Assert.Equal("/v1/agents/{agent}/turns", http.GetTagItem("http.route"));
        var grain = Assert.Single(trace, s => s.Source.Name == FabricGrainTracing.ActivitySourceName && s.DisplayName.StartsWith("agent/", StringComparison.Ordinal));
        var ingest = Assert.Single(trace, s => s.OperationName == "memoryfabric.engine.ingest");
        var append = Assert.Single(trace, s => s.OperationName == "memoryfabric.storage.append");
        // The agent's journal append's commit (a first write also stores the tenant index's pending mark: its own commit).
        var commit = Assert.Single(trace, s => s.OperationName == "memoryfabric.storage.commit" && s.ParentSpanId == append.SpanId);

        // One tree: HTTP → (Orleans' client and server spans) → grain call → engine ingest, and grain call → journal
        // append → group commit (on the writer thread, parented by the append it serves and linked to it).
        AssertAncestor(trace, http, grain);
        AssertAncestor(trace, grain, ingest);
        AssertAncestor(trace, grain, append);
        Assert.Equal(append.SpanId, commit.ParentSpanId);
        Assert.Contains(commit.Links, l => l.Context.SpanId == append.SpanId);
        Assert.All(trace.Where(s => s != http), s => Assert.Contains(trace, p => p.SpanId == s.ParentSpanId));
    }

    [Fact]
    public async Task One_context_query_is_one_trace_with_its_retrieval_stages()
    {
        using var client = await CreateTenantClientAsync();
        (await client.PostAsJsonAsync("/v1/agents/ctx/turns", Turns.Batch(Turns.Conversation("c", 8)))).EnsureSuccessStatusCode();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/agents/ctx/context")
        {
            Content = JsonContent.Create(new { query = "Who is visiting in June?", tokenBudget = 60, preferVerbatimWhenItFits = false }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var trace = await TraceAsync(traceId, spans => spans.Any(IsHttp) && spans.Any(s => s.OperationName == "memoryfabric.engine.context"));
        var http = Assert.Single(trace, IsHttp);
        Assert.Equal("/v1/agents/{agent}/context", http.GetTagItem("http.route"));
        var context = Assert.Single(trace, s => s.OperationName == "memoryfabric.engine.context");
        Assert.Equal(EngineTelemetry.ActivitySourceName, context.Source.Name);
        AssertAncestor(trace, http, context);
        string[] stages = ["memoryfabric.retrieval.embed_query", "memoryfabric.retrieval.candidates", "memoryfabric.retrieval.rank", "memoryfabric.retrieval.pack"];
        var found = stages.Select(name => Assert.Single(trace, s => s.OperationName == name)).ToList();
        Assert.All(found, stage => AssertAncestor(trace, context, stage));
        for (var i = 1; i < found.Count; i++)
        {
            Assert.True(found[i - 1].StartTimeUtc + found[i - 1].Duration <= found[i].StartTimeUtc, $"{found[i - 1].OperationName} ends before {found[i].OperationName} starts");
        }

        Assert.All(trace.Where(s => s != http), s => Assert.Contains(trace, p => p.SpanId == s.ParentSpanId));
    }

    [Fact]
    public async Task Without_an_exporter_only_the_traces_a_caller_samples_are_recorded()
    {
        // The server has no OTLP endpoint: a request without a sampled traceparent records no span (the in-memory
        // exporter the test adds would see every recorded one); a request with one is traced through the layers.
        using var client = await CreateTenantClientAsync();
        var untraced = "untraced-" + Guid.NewGuid().ToString("N");
        (await client.PostAsJsonAsync($"/v1/agents/{untraced}/turns", Turns.Batch(Turns.Conversation("u", 2)))).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/v1/agents/{untraced}/search", new { query = "anything" })).EnsureSuccessStatusCode();

        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/agents/{untraced}/search") { Content = JsonContent.Create(new { query = "anything" }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
        var trace = await TraceAsync(traceId, spans => spans.Any(IsHttp) && spans.Any(s => s.OperationName == "memoryfabric.engine.search"));

        List<Activity> others;
        lock (_exported)
        {
            others = _exported.Where(a => a.TraceId != traceId && (a.GetTagItem("url.path") as string ?? a.DisplayName).Contains(untraced, StringComparison.Ordinal)).ToList();
        }

        Assert.Empty(others);
        Assert.Contains(trace, s => s.Source.Name == FabricGrainTracing.ActivitySourceName);
    }

    private static bool IsHttp(Activity activity) => activity.Kind == ActivityKind.Server && activity.Source.Name == "Microsoft.AspNetCore";

    private async Task<HttpClient> CreateTenantClientAsync()
    {
        using var admin = _traced.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", FabricServerFactory.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" })).EnsureSuccessStatusCode();
        var key = await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "test", scopes = new[] { "read", "write" } });
        key.EnsureSuccessStatusCode();
        var body = await key.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var client = _traced.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.GetProperty("key").GetString());
        return client;
    }

    // The spans of one trace, once complete (the HTTP span ends after the response is sent).
    private async Task<List<Activity>> TraceAsync(ActivityTraceId traceId, Func<List<Activity>, bool> complete)
    {
        List<Activity> Snapshot()
        {
            lock (_exported)
            {
                return _exported.Where(a => a.TraceId == traceId).ToList();
            }
        }

        await Eventually.True(() => complete(Snapshot()), "the trace is exported");
        return Snapshot();
    }

    // The exporter adds from the threads that end spans; the test reads under the same lock.
    private sealed class ExportedSpans : System.Collections.ObjectModel.Collection<Activity>
    {
        protected override void InsertItem(int index, Activity item)
        {
            lock (this)
            {
                base.InsertItem(index, item);
            }
        }
    }

    private static void AssertAncestor(List<Activity> trace, Activity ancestor, Activity descendant)
    {
        var current = descendant;
        while (current.ParentSpanId != default && current.ParentSpanId != ancestor.SpanId)
        {
            current = trace.FirstOrDefault(s => s.SpanId == current.ParentSpanId)
                ?? throw new Xunit.Sdk.XunitException($"{descendant.OperationName}'s chain of parents leaves the trace before {ancestor.OperationName}");
        }

        Assert.True(current.ParentSpanId == ancestor.SpanId, $"{ancestor.DisplayName} is not an ancestor of {descendant.DisplayName}");
    }
}
