using System.Net;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Storage;
using Orleans.Runtime;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary>How what a grain call throws becomes what the HTTP client would throw (the server's error mapping).</summary>
public sealed class ErrorTranslationTests
{
    [Fact]
    public void The_fabric_errors_become_the_servers_statuses()
    {
        var notFound = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new AgentNotFoundException("The agent 'acme/tom' does not exist."), "SearchAsync", "tom"));
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("No agent named 'tom'.", notFound.Problem.Detail);
        Assert.DoesNotContain("acme", notFound.Message, StringComparison.Ordinal);
        Assert.Contains("SearchAsync", notFound.Message, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new MemoryItemNotFoundException("No note 'n1'."), "UpdateNoteAsync", "tom")).StatusCode);
        var invalid = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new MemoryInputException("Turn 0 has an empty text.", "turns"), "IngestAsync", "tom"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("Turn 0 has an empty text.", invalid.Problem.Detail);
    }

    [Theory]
    [InlineData("argument")]
    [InlineData("key-not-found")]
    public void A_plain_argument_or_key_error_from_a_grain_is_a_500_as_on_the_server(string kind)
    {
        Exception cause = kind == "argument" ? new ArgumentException("internal detail", nameof(kind)) : new KeyNotFoundException("internal detail");
        var e = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(cause, "SearchAsync", "tom"));
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Same(cause, e.InnerException);
    }

    [Fact]
    public void Anything_else_from_a_grain_is_a_500_that_keeps_its_cause()
    {
        var cause = new InvalidOperationException("boom");
        var e = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(cause, "ConsolidateAsync", "tom"));
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Same(cause, e.InnerException);
    }

    [Fact]
    public void Storage_full_busy_an_overloaded_encoder_and_newer_data_are_the_servers_problems()
    {
        // Full: also when the grain storage bridge wraps it.
        var full = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new OrleansException("storage failed", new StorageFullException("disk full")), "IngestAsync", "tom"));
        Assert.Equal(HttpStatusCode.InsufficientStorage, full.StatusCode);
        Assert.EndsWith("/storage-full", full.Problem.Type, StringComparison.Ordinal);

        var busy = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new StorageBusyException("the write queue is full"), "IngestAsync", "tom"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1)), (busy.StatusCode, busy.RetryAfter));

        var overloaded = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new Embeddings.EmbedderOverloadedException("64 queries wait", TimeSpan.FromSeconds(2)), "SearchAsync", "tom"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(2)), (overloaded.StatusCode, overloaded.RetryAfter));
        Assert.EndsWith("/embedder-overloaded", overloaded.Problem.Type, StringComparison.Ordinal);

        var off = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(new MemoryFabric.Orleans.TenantIndex.TenantIndexDisabledException(), "SearchTenantAsync", null));
        Assert.Equal(HttpStatusCode.NotImplemented, off.StatusCode);
        Assert.Contains("MemoryFabric:TenantIndex:Enabled=true", off.Problem.Detail, StringComparison.Ordinal);

        var stored = new Persistence.UnsupportedFormatException("AgentMemory snapshot", 9, 3).AsInvalidData();
        var newer = Assert.IsType<MemoryFabricApiException>(FabricErrors.Translate(stored, "GetAgentAsync", "tom"));
        Assert.Equal(HttpStatusCode.InternalServerError, newer.StatusCode);
        Assert.EndsWith("/unsupported-format", newer.Problem.Type, StringComparison.Ordinal);
        Assert.Contains("format version 9, written by a newer MemoryFabric", newer.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_timeouts_and_Orleans_failures_propagate_unchanged()
    {
        Assert.Null(FabricErrors.Translate(new OperationCanceledException(), "SearchAsync", "tom"));
        Assert.Null(FabricErrors.Translate(new TimeoutException(), "SearchAsync", "tom"));
        Assert.Null(FabricErrors.Translate(new SiloUnavailableException(), "SearchAsync", "tom"));
        Assert.Null(FabricErrors.Translate(new OrleansException("gateway too busy"), "SearchAsync", "tom"));
    }
}
