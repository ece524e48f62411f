namespace MemoryFabric;

/// <summary>The one rule every free-form identifier follows (session, turn, note, lineage, quarantine item, lesson and
/// key ids, key names, speakers): 1 to <see cref="MaxLength"/> characters, not blank, and no control character.</summary>
/// <remarks>
/// Identifiers end up in logs, URLs, NDJSON exports and HTTP headers; a line break or NUL inside one splits a log line
/// or a header, and a trailing newline makes two ids that print the same. Control characters are the Unicode
/// categories Cc (C0, DEL, C1) plus the line and paragraph separators U+2028/U+2029, which some readers treat as line
/// ends. Tenant ids, agent names and group names follow stricter ASCII rules of their own on top of this one.
/// </remarks>
public static class Identifiers
{
    /// <summary>The most characters an identifier may have.</summary>
    public const int MaxLength = 256;

    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1 to 256 characters, not blank, without control characters or line breaks";

    /// <summary>Whether <paramref name="value"/> follows the rule.</summary>
    /// <param name="value">The identifier.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool IsValid(string? value) => Problem(value) is null;

    /// <summary>What is wrong with <paramref name="value"/>, in words, or <see langword="null"/> when nothing is.</summary>
    /// <param name="value">The identifier.</param>
    /// <returns>A phrase that completes "the id …", e.g. "contains a control character (U+000A) at position 3".</returns>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is blank";
        }

        if (value.Length > MaxLength)
        {
            return $"has {value.Length} characters; the limit is {MaxLength}";
        }

        var at = IndexOfControl(value);
        return at < 0 ? null : $"contains a control character (U+{(int)value[at]:X4}) at position {at}";
    }

    /// <summary>Whether <paramref name="value"/> contains a control character or line separator.</summary>
    /// <param name="value">Any text.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool ContainsControl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return IndexOfControl(value) >= 0;
    }

    /// <summary>Throws a <see cref="MemoryInputException"/> naming <paramref name="what"/> when
    /// <paramref name="value"/> breaks the rule.</summary>
    /// <param name="value">The identifier.</param>
    /// <param name="what">What the identifier is, for the message, e.g. "A session id".</param>
    /// <param name="parameter">The parameter name for the exception.</param>
    /// <exception cref="MemoryInputException">The identifier breaks the rule.</exception>
    public static void Validate(string? value, string what, string parameter)
    {
        if (Problem(value) is { } problem)
        {
            throw new MemoryInputException($"{what} {problem}; an identifier is {Rule}.", parameter);
        }
    }

    private static int IndexOfControl(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return i;
            }
        }

        return -1;
    }
}
