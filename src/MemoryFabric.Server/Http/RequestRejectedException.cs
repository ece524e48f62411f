namespace MemoryFabric.Server.Http;

/// <summary>A request the server refuses with a 4xx and a problem+json body (thrown by body readers and validators,
/// caught by <see cref="ErrorHandlingMiddleware"/>).</summary>
internal sealed class RequestRejectedException(int status, string slug, string title, string detail, Exception? innerException = null) : Exception(detail, innerException)
{
    public int Status { get; } = status;

    public string Slug { get; } = slug;

    public string Title { get; } = title;

    public static RequestRejectedException Invalid(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", detail);
}
