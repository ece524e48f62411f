using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Errors;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Mcp.Tools;

/// <summary>What every tool class shares: the caller of the call, the agent an argument (or the caller's default)
/// names, the bounds, and the clock.</summary>
/// <param name="access">Gives the caller of the call.</param>
/// <param name="options">The bounds.</param>
/// <param name="time">The clock.</param>
internal abstract class FabricTools(IMemoryFabricMcpAccess access, IOptions<MemoryFabricMcpOptions> options, TimeProvider time)
{
    /// <summary>The bounds.</summary>
    protected MemoryFabricMcpOptions Limits { get; } = options.Value;

    /// <summary>The clock.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>The caller and the agent the call acts on.</summary>
    /// <param name="agent">The <c>agent</c> argument, or <see langword="null"/> for the caller's default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The caller and the agent's name.</returns>
    /// <exception cref="MemoryFabricToolException">No agent was given and the caller has no default.</exception>
    protected async ValueTask<(MemoryFabricMcpCaller Caller, string Agent)> ResolveAsync(string? agent, CancellationToken cancellationToken)
    {
        var caller = await CallerAsync(cancellationToken).ConfigureAwait(false);
        var name = string.IsNullOrWhiteSpace(agent) ? caller.DefaultAgent : agent.Trim();
        if (string.IsNullOrWhiteSpace(name))
        {
            throw MemoryFabricToolException.Invalid(
                "No agent: pass 'agent' (list_agents lists this key's agents), or configure a default agent (memfab mcp --agent NAME; on the server MemoryFabric:Mcp:DefaultAgent or MemoryFabric:Mcp:KeyAgents).");
        }

        return (caller, name);
    }

    /// <summary>The caller of the call.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The caller.</returns>
    protected ValueTask<MemoryFabricMcpCaller> CallerAsync(CancellationToken cancellationToken)
    {
        Diagnostics.ToolInvocation.MarkBodyStarted(); // from here on, a JsonException is the fabric's answer, not an argument
        return access.GetCallerAsync(cancellationToken);
    }

    /// <summary>A new per-result bound.</summary>
    /// <returns>The bound.</returns>
    protected TextBounds NewBounds() => new(Limits.MaxItemTextCharacters, Limits.MaxResultCharacters);

    /// <summary>Checks an optional count argument against its range.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="name">Its name.</param>
    /// <param name="defaultValue">The value when it is left out.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The value.</returns>
    /// <exception cref="MemoryFabricToolException">The value is out of range.</exception>
    protected static int Count(int? value, string name, int defaultValue, int max) => value switch
    {
        null => defaultValue,
        < 1 => throw MemoryFabricToolException.Invalid($"'{name}' must be at least 1 (got {value})."),
        _ when value > max => throw MemoryFabricToolException.Invalid($"'{name}' is at most {max} (got {value}); page with the cursor, or narrow the request."),
        _ => value.Value,
    };

    /// <summary>Checks a required text argument.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="name">Its name.</param>
    /// <returns>The text.</returns>
    /// <exception cref="MemoryFabricToolException">It is missing or blank.</exception>
    protected static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw MemoryFabricToolException.Invalid($"'{name}' is required and must not be blank.") : value;

    /// <summary>Parses an optional ISO 8601 time argument.</summary>
    /// <param name="value">The argument.</param>
    /// <param name="name">Its name, for the message.</param>
    /// <returns>The time, or <see langword="null"/> when left out.</returns>
    /// <exception cref="MemoryFabricToolException">It is not an ISO 8601 date and time.</exception>
    protected static DateTimeOffset? ParseTime(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return DateTimeOffset.TryParse(value.Trim(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw MemoryFabricToolException.Invalid($"'{name}' is not an ISO 8601 date and time (got \"{Shorten(value)}\"); e.g. 2024-05-05T10:00:00Z.");
    }

    /// <summary>A value shortened for an error message.</summary>
    /// <param name="value">The value.</param>
    /// <returns>At most 40 characters of it.</returns>
    protected static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
