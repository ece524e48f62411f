using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Server.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Server.Tests.Security;

/// <summary>Only the project's own request errors become 4xx with their message; an ArgumentException or a
/// KeyNotFoundException from anywhere else is a logged 500 with a trace id that shows nothing of it.</summary>
public sealed class ErrorMappingTests : IDisposable
{
    private const string Secret = "internal detail: connection string Password=hunter2";

    private readonly FabricServerFactory _inner = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly WebApplicationFactory<Program> _factory;

    public ErrorMappingTests()
    {
        _factory = _inner.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(new ExplodingTimeProvider());
            services.AddSingleton<ILoggerProvider>(_logs);
            // The grains' engine with an embedder that throws plain exceptions for marked queries (a stand-in for a
            // bug deep inside a grain call).
            services.AddSingleton<IAgentMemoryFactory>(new AgentMemoryFactory(() => new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, embeddingGenerator: new ExplodingEmbedder())));
        }));
        _factory.Server.PreserveExecutionContext = true; // the request sees the test's ExplodingTimeProvider.Armed
    }

    public void Dispose()
    {
        _factory.Dispose();
        _inner.Dispose();
    }

    public static TheoryData<string> Unexpected() => new() { "argument", "key-not-found" };

    [Theory]
    [MemberData(nameof(Unexpected))]
    public async Task An_unexpected_argument_or_key_error_from_deep_inside_is_a_logged_500_without_its_message(string kind)
    {
        using var client = await TenantClientAsync();
        Exception thrown = kind == "argument" ? new ArgumentException(Secret, nameof(kind)) : new KeyNotFoundException(Secret);

        HttpResponseMessage response;
        ExplodingTimeProvider.Armed.Value = thrown; // the clock, deep in the key cache, throws for this request only
        try
        {
            response = await client.GetAsync("/v1/agents/bot/turns");
        }
        finally
        {
            ExplodingTimeProvider.Armed.Value = null;
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", body, StringComparison.Ordinal);
        var traceId = JsonDocument.Parse(body).RootElement.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && ReferenceEquals(e.Exception, thrown) && e.Message.Contains(traceId!, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Unexpected))]
    public async Task A_plain_argument_or_key_error_from_inside_a_grain_call_is_a_logged_500_without_its_message(string kind)
    {
        using var client = await TenantClientAsync();
        (await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.One("t1", "Hello there.")))).EnsureSuccessStatusCode();

        // The engine's embedder, inside the agent grain's call, throws a plain ArgumentException or KeyNotFoundException.
        var response = await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = ExplodingEmbedder.Marker + kind, limit = 5 });

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", body, StringComparison.Ordinal);
        var traceId = JsonDocument.Parse(body).RootElement.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        var expected = kind == "argument" ? typeof(ArgumentException) : typeof(KeyNotFoundException);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && e.Exception?.GetType() == expected
            && e.Exception.Message.Contains("hunter2", StringComparison.Ordinal) && e.Message.Contains(traceId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_input_and_missing_items_still_get_their_4xx_with_the_reason()
    {
        using var client = await TenantClientAsync();
        await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.One("t1", "Hello there.")));

        var blank = await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.One("t2", "   ")));
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Contains("text", (await blank.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        var search = await client.PostAsJsonAsync("/v1/agents/bot/search", new { query = "hello", limit = 5000 });
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);
        Assert.Equal("The limit must be between 1 and 1000.", (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var update = await client.PutAsJsonAsync("/v1/agents/bot/notes/n_nope", new { text = "x", subject = "y" });
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
        Assert.Contains("n_nope", (await update.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var admin = _inner.CreateClient(FabricServerFactory.AdminKey);
        var tenant = await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "Not Valid!" });
        Assert.Equal(HttpStatusCode.BadRequest, tenant.StatusCode);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error && e.Message.StartsWith("Unhandled", StringComparison.Ordinal));
    }

    private async Task<HttpClient> TenantClientAsync()
    {
        using var admin = _factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", FabricServerFactory.AdminKey);
        (await admin.PostAsJsonAsync("/v1/admin/tenants", new { id = "acme" })).EnsureSuccessStatusCode();
        var key = await (await admin.PostAsJsonAsync("/v1/admin/tenants/acme/keys", new { name = "k" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key.GetProperty("key").GetString());
        return client;
    }

    private sealed class ExplodingEmbedder() : DelegatingEmbeddingGenerator<string, Embedding<float>>(new HashingEmbeddingGenerator())
    {
        public const string Marker = "explode-";

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            foreach (var text in texts)
            {
                if (text.Contains(Marker + "argument", StringComparison.Ordinal))
                {
                    throw new ArgumentException(Secret, nameof(values));
                }

                if (text.Contains(Marker + "key-not-found", StringComparison.Ordinal))
                {
                    throw new KeyNotFoundException(Secret);
                }
            }

            return base.GenerateAsync(texts, options, cancellationToken);
        }
    }

    private sealed class ExplodingTimeProvider : TimeProvider
    {
        public static readonly AsyncLocal<Exception?> Armed = new();

        public override DateTimeOffset GetUtcNow() => Armed.Value is { } e ? throw e : base.GetUtcNow();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((logLevel, formatter(state, exception), exception));
        }
    }
}
