using System.Globalization;
using System.Net;
using System.Text;
using MemoryFabric.Client;

namespace MemoryFabric.Cli.Connection;

/// <summary>How memfab reports the server's errors: <c>memfab: &lt;status&gt; &lt;title&gt;: &lt;detail&gt;</c> on one
/// line, with a hint where one helps, and an exit code: bad input (2) for what the user can fix in the command line,
/// failure (1) for the server's own trouble.</summary>
internal static class ApiErrors
{
    /// <summary>The exit code of an error status: 4xx (bad input, unknown agent or note, a key problem) →
    /// <see cref="ExitCodes.BadInput"/>, except 408 and 429 (try again) and 5xx → <see cref="ExitCodes.Failure"/>.</summary>
    /// <param name="e">The error.</param>
    /// <returns>The exit code.</returns>
    public static int ExitCode(MemoryFabricApiException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var status = (int)e.StatusCode;
        return status is >= 400 and < 500 and not 408 and not 429 ? ExitCodes.BadInput : ExitCodes.Failure;
    }

    /// <summary>The one-line message of an error.</summary>
    /// <param name="e">The error.</param>
    /// <param name="settings">The connection, for hints.</param>
    /// <returns>The line.</returns>
    public static string Describe(MemoryFabricApiException e, ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(settings);
        return Describe(e, Hint(e, settings));
    }

    /// <summary>The one-line message of an error with a hint of the caller's (the admin commands' own).</summary>
    /// <param name="e">The error.</param>
    /// <param name="hint">The hint, in parentheses, or <see langword="null"/>.</param>
    /// <returns>The line.</returns>
    public static string Describe(MemoryFabricApiException e, string? hint)
    {
        ArgumentNullException.ThrowIfNull(e);
        var status = (int)e.StatusCode;
        var problem = e.Problem;
        var title = string.IsNullOrWhiteSpace(problem.Title) ? e.StatusCode.ToString() : problem.Title.Trim();
        var builder = new StringBuilder("memfab: ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(OneLine(title));
        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            // A proxy's or another server's error page can be long: the first few hundred characters say enough.
            var detail = OneLine(problem.Detail);
            builder.Append(": ").Append(detail.Length > 300 ? detail[..299] + "…" : detail);
        }

        if (problem.Errors is { Count: > 0 } errors)
        {
            builder.Append(" (");
            builder.AppendJoin("; ", errors.Select(p => $"{p.Key}: {OneLine(string.Join(' ', p.Value))}"));
            builder.Append(')');
        }

        if (hint is not null)
        {
            builder.Append(' ').Append(hint);
        }

        return builder.ToString();
    }

    /// <summary>The hint for an unreachable or unavailable server.</summary>
    /// <param name="settings">The connection.</param>
    /// <returns>The hint, in parentheses.</returns>
    public static string ServeHint(ConnectionSettings settings) =>
        $"(is `memfab serve` running at {settings.Endpoint}? or use --local)";

    /// <summary>Collapses line breaks and tabs so that a message stays on one line.</summary>
    /// <param name="text">The text.</param>
    /// <returns>One line.</returns>
    public static string OneLine(string text) =>
        string.Join(' ', (text ?? string.Empty).Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? Hint(MemoryFabricApiException e, ConnectionSettings settings)
    {
        switch (e.StatusCode)
        {
            case HttpStatusCode.Unauthorized when settings.Local:
                return $"(delete {LocalServer.KeyFilePath(settings.DataDirectory)} to have a new key created)";
            case HttpStatusCode.Unauthorized:
                return $"(pass a tenant key with --key or set {ConnectionOptions.KeyVariable})";
            case HttpStatusCode.Forbidden when !settings.Local:
                return $"(agent commands need a tenant key, mfk_..., not the admin key: --key or {ConnectionOptions.KeyVariable})";
            case HttpStatusCode.TooManyRequests:
                return e.RetryAfter is { } after ? $"(retry in {Math.Ceiling(after.TotalSeconds)} s)" : "(retry later)";
            case HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout when !settings.Local:
                return ServeHint(settings);
            case HttpStatusCode.InternalServerError:
                return settings.Local ? null : "(see the server's log)";
            default:
                return null;
        }
    }
}
