using System.Net;
using System.Text.Json;
using MemoryFabric.Notes;

namespace MemoryFabric.Client;

/// <summary>The server refused a note write because the note is not as the caller saw it, and changed nothing: the
/// write named a version that is no longer current (409: superseded, merged, deleted or archived) or the caller's
/// expected version is stale (412, a failed <c>If-Match</c>). <see cref="CurrentId"/> and <see cref="CurrentVersion"/>
/// name the version to read again and, if the change still applies, write to.</summary>
public sealed class MemoryFabricConflictException : MemoryFabricApiException
{
    /// <summary>Initializes a new instance (status 409, no problem).</summary>
    public MemoryFabricConflictException()
        : this("The note write conflicts with the note's current version.")
    {
    }

    /// <summary>Initializes a new instance with a message (status 409).</summary>
    /// <param name="message">The message.</param>
    public MemoryFabricConflictException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause (status 409).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryFabricConflictException(string message, Exception? innerException)
        : base(HttpStatusCode.Conflict, new MemoryFabricProblem { Status = 409, Title = "Conflict", Detail = message }, innerException)
    {
    }

    /// <summary>Initializes a new instance for a refused write reported in process (the Orleans client), with the
    /// fabric's exception as the cause.</summary>
    /// <param name="statusCode">409 or 412.</param>
    /// <param name="problem">The problem details the server would send.</param>
    /// <param name="innerException">The cause.</param>
    /// <param name="operation">The client method, for the message.</param>
    public MemoryFabricConflictException(HttpStatusCode statusCode, MemoryFabricProblem problem, Exception? innerException, string? operation)
        : base(statusCode, problem, innerException, operation)
    {
        (CurrentId, CurrentVersion, CurrentStatus) = Read(problem);
    }

    /// <summary>Initializes a new instance for a 409 or 412 answer.</summary>
    /// <param name="statusCode">409 or 412.</param>
    /// <param name="problem">The server's problem details, with <c>currentId</c>, <c>currentVersion</c> and
    /// <c>currentStatus</c>.</param>
    /// <param name="responseContent">The raw response body, if any.</param>
    /// <param name="method">The request's method, for the message.</param>
    /// <param name="path">The request's path, for the message.</param>
    public MemoryFabricConflictException(HttpStatusCode statusCode, MemoryFabricProblem problem, string? responseContent = null, string? method = null, string? path = null)
        : base(statusCode, problem, responseContent, retryAfter: null, method, path)
    {
        (CurrentId, CurrentVersion, CurrentStatus) = Read(problem);
    }

    /// <summary>Whether the caller's expected version was stale (412, <c>If-Match</c>), rather than the id naming a
    /// version that is no longer current (409).</summary>
    public bool IsStaleVersion => StatusCode == HttpStatusCode.PreconditionFailed;

    /// <summary>The id of the note's current version, if the server named it.</summary>
    public string? CurrentId { get; }

    /// <summary>The current version's number (its ETag), if the server named it.</summary>
    public int? CurrentVersion { get; }

    /// <summary>The current version's status: active, or deleted / archived when the note has no active version.</summary>
    public NoteStatus? CurrentStatus { get; }

    /// <summary>Whether an error answer is a refused note write: any 412, and a 409 that names the current version.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="problem">The problem details.</param>
    /// <returns>Whether to throw this exception for it.</returns>
    internal static bool Describes(HttpStatusCode statusCode, MemoryFabricProblem problem) =>
        statusCode == HttpStatusCode.PreconditionFailed
        || (statusCode == HttpStatusCode.Conflict && Member(problem, "currentId") is not null);

    private static (string? Id, int? Version, NoteStatus? Status) Read(MemoryFabricProblem problem) =>
    (
        Member(problem, "currentId") is { ValueKind: JsonValueKind.String } id ? id.GetString() : null,
        Member(problem, "currentVersion") is { ValueKind: JsonValueKind.Number } version && version.TryGetInt32(out var v) ? v : null,
        Member(problem, "currentStatus") is { ValueKind: JsonValueKind.String } status && Enum.TryParse<NoteStatus>(status.GetString(), ignoreCase: true, out var parsed) ? parsed : null
    );

    private static JsonElement? Member(MemoryFabricProblem problem, string name) =>
        problem.Extensions?.TryGetValue(name, out var value) == true ? value : null;
}
