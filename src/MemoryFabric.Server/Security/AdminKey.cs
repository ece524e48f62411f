using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;

namespace MemoryFabric.Server.Security;

/// <summary>The admin key's hash and where it came from. The key is taken from configuration
/// (<c>MemoryFabric:AdminKey</c>), then <c>MEMORYFABRIC_ADMIN_KEY</c>, then <c>&lt;data&gt;/admin.key</c>, which is created
/// with a random key (mode 0600) on first start.</summary>
public sealed class AdminKey
{
    /// <summary>The environment variable that sets the admin key.</summary>
    public const string EnvironmentVariable = "MEMORYFABRIC_ADMIN_KEY";

    private AdminKey(string hash, string source, string? filePath, bool generated, string? ephemeralSecret = null)
    {
        Hash = hash;
        Source = source;
        FilePath = filePath;
        Generated = generated;
        EphemeralSecret = ephemeralSecret;
    }

    /// <summary>The SHA-256 of the key.</summary>
    public string Hash { get; }

    /// <summary>Where it came from: configuration, environment or file.</summary>
    public string Source { get; }

    /// <summary>The key file, when the key lives in one.</summary>
    public string? FilePath { get; }

    /// <summary>Whether this start created the key (file).</summary>
    public bool Generated { get; }

    /// <summary>A key generated for this run only (no data directory, none configured): the operator can learn it
    /// only from the start-up banner.</summary>
    public string? EphemeralSecret { get; }

    /// <summary>Finds or creates the admin key.</summary>
    /// <param name="configured">The configured key, if any.</param>
    /// <param name="dataDirectory">The data directory (for the key file); <see langword="null"/> keeps a generated key in
    /// memory only.</param>
    /// <returns>The key's hash and source.</returns>
    public static AdminKey Resolve(string? configured, string? dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new AdminKey(ApiKeys.Hash(configured.Trim()), "configuration (MemoryFabric:AdminKey)", null, false);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new AdminKey(ApiKeys.Hash(fromEnvironment.Trim()), "environment (" + EnvironmentVariable + ")", null, false);
        }

        if (dataDirectory is null)
        {
            var ephemeral = ApiKeys.NewSecret("mfa_");
            return new AdminKey(ApiKeys.Hash(ephemeral), "memory (this run only)", null, true, ephemeral);
        }

        var path = Path.GetFullPath(Path.Combine(dataDirectory, "admin.key"));
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            if (stored.Length == 0)
            {
                throw new InvalidOperationException($"The admin key file {path} is empty: delete it to have a new key generated, or set {EnvironmentVariable}.");
            }

            return new AdminKey(ApiKeys.Hash(stored), "file", path, false);
        }

        Directory.CreateDirectory(dataDirectory);
        var secret = ApiKeys.NewSecret("mfa_");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), options))
        {
            writer.WriteLine(secret);
        }

        return new AdminKey(ApiKeys.Hash(secret), "file", path, true);
    }
}
