using System.Net;
using System.Text;

namespace MemoryFabric.Client;

/// <summary>The MemoryFabric server answered a request with an error status.</summary>
/// <remarks>
/// <see cref="Problem"/> holds the server's problem details; <see cref="Exception.Message"/> names the request, the
/// status, the problem's title and detail and, for validation failures, the invalid fields. A refused note write
/// (409, 412) is the derived <see cref="MemoryFabricConflictException"/>.
/// </remarks>
public class MemoryFabricApiException : Exception
{
    /// <summary>Initializes a new instance with a message only (status 500, no problem).</summary>
    public MemoryFabricApiException()
        : this("The MemoryFabric request failed.")
    {
    }

    /// <summary>Initializes a new instance with a message only (status 500, no problem).</summary>
    /// <param name="message">The message.</param>
    public MemoryFabricApiException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception (status 500, no problem).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryFabricApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
        StatusCode = HttpStatusCode.InternalServerError;
        Problem = new MemoryFabricProblem { Status = (int)StatusCode, Title = message };
    }

    /// <summary>Initializes a new instance for an error response.</summary>
    /// <param name="statusCode">The response's status code.</param>
    /// <param name="problem">The problem details the server sent (or the client made of a non-JSON body).</param>
    /// <param name="responseContent">The raw response body, if any.</param>
    /// <param name="retryAfter">The response's <c>Retry-After</c>, if any.</param>
    /// <param name="method">The request's method, for the message.</param>
    /// <param name="path">The request's path, for the message.</param>
    public MemoryFabricApiException(
        HttpStatusCode statusCode,
        MemoryFabricProblem problem,
        string? responseContent = null,
        TimeSpan? retryAfter = null,
        string? method = null,
        string? path = null)
        : base(FormatMessage(statusCode, problem, method, path))
    {
        ArgumentNullException.ThrowIfNull(problem);
        StatusCode = statusCode;
        Problem = problem;
        ResponseContent = responseContent;
        RetryAfter = retryAfter;
    }

    /// <summary>Initializes a new instance for an error status with a cause (an in-process client's failure, for
    /// example).</summary>
    /// <param name="statusCode">The status code the failure stands for.</param>
    /// <param name="problem">The problem details.</param>
    /// <param name="innerException">The cause.</param>
    /// <param name="method">The request's method (or the client method), for the message.</param>
    protected MemoryFabricApiException(HttpStatusCode statusCode, MemoryFabricProblem problem, Exception? innerException, string? method = null)
        : base(FormatMessage(statusCode, problem, method, path: null), innerException)
    {
        ArgumentNullException.ThrowIfNull(problem);
        StatusCode = statusCode;
        Problem = problem;
    }

    /// <summary>The response's HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem details: parsed from <c>application/problem+json</c>, or made of the raw text otherwise.</summary>
    public MemoryFabricProblem Problem { get; }

    /// <summary>The raw response body (possibly truncated to 64 KiB), if any.</summary>
    public string? ResponseContent { get; }

    /// <summary>How long the server asked to wait before trying again (<c>Retry-After</c>), typically on 429 and 503.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string FormatMessage(HttpStatusCode statusCode, MemoryFabricProblem? problem, string? method, string? path)
    {
        var builder = new StringBuilder("MemoryFabric request ");
        if (method is not null)
        {
            builder.Append(method).Append(' ');
        }

        if (path is not null)
        {
            builder.Append(path).Append(' ');
        }

        builder.Append("failed with ").Append((int)statusCode).Append(" (").Append(statusCode).Append(')');
        if (problem is null)
        {
            return builder.Append('.').ToString();
        }

        if (!string.IsNullOrWhiteSpace(problem.Title))
        {
            builder.Append(": ").Append(problem.Title.Trim());
        }

        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            builder.Append(builder[^1] == ')' ? ": " : " – ").Append(problem.Detail.Trim());
        }

        if (problem.Errors is { Count: > 0 } errors)
        {
            builder.Append(" Errors: ");
            var first = true;
            foreach (var (field, messages) in errors)
            {
                if (!first)
                {
                    builder.Append("; ");
                }

                first = false;
                builder.Append(field).Append(": ").AppendJoin(" ", messages);
            }
        }

        var text = builder.ToString();
        return text.EndsWith('.') ? text : text + ".";
    }
}
