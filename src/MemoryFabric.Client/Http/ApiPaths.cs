namespace MemoryFabric.Client.Http;

/// <summary>Builds the API's relative paths, URL-escaping every caller-supplied segment.</summary>
internal static class ApiPaths
{
    public const string Agents = "v1/agents";

    public const string Search = "v1/search";

    public static string Agent(string agent) => "v1/agents/" + Segment(agent, nameof(agent));

    public static string Agent(string agent, string suffix) => Agent(agent) + "/" + suffix;

    public static string Note(string agent, string noteId) => Agent(agent) + "/notes/" + Segment(noteId, nameof(noteId));

    public static string QuarantineItem(string agent, string itemId, string action) =>
        Agent(agent) + "/quarantine/" + Segment(itemId, nameof(itemId)) + "/" + action;

    public static string Lesson(string agent, string lessonId) => Agent(agent) + "/lessons/" + Segment(lessonId, nameof(lessonId));

    public const string Guard = "v1/guard";

    public static string GroupMember(string group, string agent) =>
        Guard + "/groups/" + Segment(group, nameof(group)) + "/members/" + Segment(agent, nameof(agent));

    public static string Tenant(string tenant) => "v1/admin/tenants/" + Segment(tenant, nameof(tenant));

    /// <summary>Escapes one path segment.</summary>
    /// <param name="value">The raw value.</param>
    /// <param name="parameterName">The caller's parameter name, for the exception.</param>
    /// <returns>The escaped segment.</returns>
    /// <exception cref="ArgumentException">The value is blank, or is "." or ".." (which URL normalization would
    /// remove).</exception>
    public static string Segment(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, parameterName);
        if (value is "." or "..")
        {
            throw new ArgumentException($"'{value}' cannot be addressed as a URL path segment.", parameterName);
        }

        return Uri.EscapeDataString(value);
    }

    public static string Query(string name, string value) => name + "=" + Uri.EscapeDataString(value);
}
