using System.Net;
using MemoryFabric.Client;
using MemoryFabric.Mcp.Errors;

namespace MemoryFabric.Mcp.Tests;

/// <summary>What a tool caller reads when the fabric answers with a server-side condition that is not a bug: a full
/// store (it may retry later, reads still work) and data written by a newer release (it says so).</summary>
public sealed class ToolErrorsTests
{
    [Fact]
    public void A_full_store_is_unavailable_with_what_to_do_not_an_internal_error()
    {
        var full = new MemoryFabricApiException(HttpStatusCode.InsufficientStorage, Problem("storage-full", 507, "Storage is full: nothing of this request was stored."));

        var error = ToolErrors.Translate(full, "add_memory", bodyStarted: true);

        Assert.NotNull(error);
        Assert.Equal(ToolOutcomes.Unavailable, error.Outcome);
        Assert.Contains("storage is full", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing of this request was stored", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_of_a_newer_release_is_said_as_such_and_other_500s_say_nothing_of_internals()
    {
        var newer = new MemoryFabricApiException(HttpStatusCode.InternalServerError,
            Problem("unsupported-format", 500, "AgentMemory snapshot has format version 9, written by a newer MemoryFabric; this build reads versions 1 to 3."));
        var bug = new MemoryFabricApiException(HttpStatusCode.InternalServerError, Problem("internal", 500, "The server failed to handle the request."));

        var said = ToolErrors.Translate(newer, "search_memory", bodyStarted: true);
        var hidden = ToolErrors.Translate(bug, "search_memory", bodyStarted: true);

        Assert.Contains("written by a newer MemoryFabric", said!.Message, StringComparison.Ordinal);
        Assert.Equal(ToolOutcomes.Internal, hidden!.Outcome);
        Assert.DoesNotContain("failed to handle the request.", hidden.Message, StringComparison.Ordinal);
    }

    private static MemoryFabricProblem Problem(string slug, int status, string detail) =>
        new() { Type = "https://memoryfabric.dev/problems/" + slug, Status = status, Title = slug, Detail = detail };
}
