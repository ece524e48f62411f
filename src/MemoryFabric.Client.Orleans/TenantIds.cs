using System.Text.RegularExpressions;

namespace MemoryFabric.Client.Orleans;

/// <summary>The rule for tenant ids, as the tenant directory grain applies it (<c>TenantDirectoryGrain</c>).</summary>
internal static partial class TenantIds
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "1 to 64 characters of a-z, 0-9 and '-', starting with a letter or a digit";

    /// <summary>Throws unless <paramref name="tenant"/> is a tenant id.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="parameterName">The caller's parameter name.</param>
    /// <exception cref="ArgumentException">It is not: blank, or not following <see cref="Rule"/>.</exception>
    public static void Check(string tenant, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant, parameterName);
        if (!Pattern().IsMatch(tenant))
        {
            throw new ArgumentException($"'{tenant}' is not a tenant id: a tenant id is {Rule}.", parameterName);
        }
    }

    // \z, not $: '$' would also match before a final newline.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
