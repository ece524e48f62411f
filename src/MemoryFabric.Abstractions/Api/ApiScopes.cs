namespace MemoryFabric.Api;

/// <summary>What an API key may do. Every <c>/v1</c> route needs exactly one scope:
/// <list type="bullet">
/// <item><see cref="Read"/>: read an agent (turns, notes, search, context, export) and the guard's state.</item>
/// <item><see cref="Write"/>: store turns and notes, update and retire notes, import, consolidate.</item>
/// <item><see cref="Forget"/>: destroy memory for good: purge a note (<c>?purge=true</c>) or a whole agent.</item>
/// <item><see cref="Guard"/>: change the guard: release or confirm quarantined items, revoke lessons, switch the
/// guard, edit relation groups.</item>
/// <item><see cref="Admin"/>: tenants and their keys; held by the admin key only, never granted to a tenant
/// key.</item>
/// </list>
/// A key created without scopes gets <see cref="Default"/> (read and write).</summary>
public static class ApiScopes
{
    /// <summary>Read an agent's memory and the guard's state.</summary>
    public const string Read = "read";

    /// <summary>Store and change memory (never destroy it).</summary>
    public const string Write = "write";

    /// <summary>Destroy memory for good: purge a note or an agent.</summary>
    public const string Forget = "forget";

    /// <summary>Change the guard's quarantine, lessons, switch and relation groups.</summary>
    public const string Guard = "guard";

    /// <summary>Manage tenants and keys: the admin key's scope, which no tenant key can hold.</summary>
    public const string Admin = "admin";

    /// <summary>The scopes a tenant key can hold, in order.</summary>
    public static IReadOnlyList<string> TenantScopes { get; } = [Read, Write, Forget, Guard];

    /// <summary>The scopes of a key created without any: read and write.</summary>
    public static IReadOnlyList<string> Default { get; } = [Read, Write];

    /// <summary>Whether a name is a scope a tenant key can hold.</summary>
    /// <param name="scope">The name (case-sensitive, lower case).</param>
    /// <returns>Whether it is one of <see cref="TenantScopes"/>.</returns>
    public static bool IsTenantScope(string? scope) => scope is not null && TenantScopes.Contains(scope, StringComparer.Ordinal);

    /// <summary>Checks and orders scopes for a tenant key: <see langword="null"/> gives <see cref="Default"/>;
    /// duplicates collapse; the order is that of <see cref="TenantScopes"/>.</summary>
    /// <param name="scopes">The scopes asked for.</param>
    /// <param name="problem">Why they were refused, when they were.</param>
    /// <returns>The scopes, or <see langword="null"/> when they were refused (<paramref name="problem"/> says
    /// why).</returns>
    public static IReadOnlyList<string>? Normalize(IEnumerable<string?>? scopes, out string? problem)
    {
        problem = null;
        if (scopes is null)
        {
            return Default;
        }

        var given = scopes.ToList();
        foreach (var scope in given)
        {
            if (!IsTenantScope(scope))
            {
                var shown = scope is null ? "null" : "'" + (scope.Length > 32 ? scope[..32] + "…" : scope) + "'";
                problem = scope == Admin
                    ? "'admin' belongs to the admin key only; a tenant key's scopes are read, write, forget and guard."
                    : $"Unknown scope {shown}; a tenant key's scopes are read, write, forget and guard.";
                return null;
            }
        }

        if (given.Count == 0)
        {
            problem = "A key needs at least one scope (read, write, forget, guard); leave 'scopes' out for read and write.";
            return null;
        }

        return TenantScopes.Where(s => given.Contains(s, StringComparer.Ordinal)).ToList();
    }
}
