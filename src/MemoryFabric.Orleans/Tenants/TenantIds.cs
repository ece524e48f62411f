using System.Text.RegularExpressions;

namespace MemoryFabric.Orleans.Tenants;

/// <summary>The rule for tenant ids (the part of an agent's key before <c>/</c>), shared by the tenant directory and
/// the Orleans client SDK.</summary>
public static partial class TenantIds
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit";

    /// <summary>Whether an id follows <see cref="Rule"/>.</summary>
    /// <param name="id">The id.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    // \z, not $: $ also matches before a final newline ("demo\n").
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
