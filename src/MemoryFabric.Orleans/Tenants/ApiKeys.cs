using System.Security.Cryptography;
using System.Text;

namespace MemoryFabric.Orleans.Tenants;

/// <summary>API key secrets and their hashes. Keys are 32 random bytes, base64url, prefixed <c>mfk_</c>; only the
/// SHA-256 of a key is stored.</summary>
public static class ApiKeys
{
    /// <summary>The prefix of tenant keys.</summary>
    public const string TenantKeyPrefix = "mfk_";

    /// <summary>Creates a new secret.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The secret.</returns>
    public static string NewSecret(string prefix = TenantKeyPrefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The stored form of a secret: SHA-256, lower-case hex.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The hash.</returns>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Compares two hashes in constant time.</summary>
    /// <param name="a">A hash.</param>
    /// <param name="b">Another hash.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
