using System.Text.Json;
using System.Text.Json.Serialization;

namespace MemoryFabric.Client;

/// <summary>An error the server reported: an RFC 7807 problem details object (<c>application/problem+json</c>).</summary>
/// <remarks>
/// When an error response is not problem details (a proxy's HTML page, plain text), the client makes one:
/// <see cref="Status"/> from the status code, <see cref="Title"/> from the reason phrase and <see cref="Detail"/>
/// holding the raw text.
/// </remarks>
public sealed record MemoryFabricProblem
{
    /// <summary>A URI naming the kind of problem, e.g. <c>https://memoryfabric.dev/problems/validation</c>.</summary>
    public string? Type { get; init; }

    /// <summary>A short, human-readable summary of the kind of problem.</summary>
    public string? Title { get; init; }

    /// <summary>The HTTP status code.</summary>
    public int? Status { get; init; }

    /// <summary>What is wrong and where.</summary>
    public string? Detail { get; init; }

    /// <summary>The request path the problem occurred on.</summary>
    public string? Instance { get; init; }

    /// <summary>For validation failures: the messages of each invalid field, keyed by the field's path.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>Any other members of the problem object.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extensions { get; init; }
}
