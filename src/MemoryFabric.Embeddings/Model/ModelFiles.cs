using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MemoryFabric.Embeddings;

/// <summary>What the models' acquisition (<see cref="MiniLmModel"/>, <see cref="ArcticXsModel"/>) shares: the default
/// directory, the check of each file's size and SHA-256 (remembered per process while the file is unchanged) and the
/// lock file that serializes acquisitions across processes.</summary>
internal static class ModelFiles
{
    private static readonly ConcurrentDictionary<string, (long Length, DateTime LastWrite)> Verified = new(StringComparer.Ordinal);

    /// <summary>A model's directory: the environment variable's value when set, else
    /// <c>~/.cache/memoryfabric/models/{modelId}</c>.</summary>
    /// <param name="environmentVariable">The variable that overrides the directory.</param>
    /// <param name="modelId">The model's id (the directory's name).</param>
    /// <returns>The full path.</returns>
    public static string DefaultDirectory(string environmentVariable, string modelId)
    {
        var configured = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "memoryfabric", "models", modelId);
    }

    /// <summary>Checks every file of a model in a directory.</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="files">The model's files.</param>
    /// <param name="whenMissing">What to do about a missing file (how it is obtained), for the message.</param>
    /// <exception cref="ModelFileException">A file is missing or corrupted; the message names it.</exception>
    public static void Verify(string directory, IReadOnlyList<ModelFileSpec> files, Func<ModelFileSpec, string> whenMissing)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        foreach (var file in files)
        {
            VerifyFile(Path.Combine(Path.GetFullPath(directory), file.FileName), file, whenMissing);
        }
    }

    /// <summary>Checks one file: present, of the expected size and SHA-256 digest. A file verified once in this process
    /// is not hashed again unless its size or modification time changed.</summary>
    /// <param name="path">The file.</param>
    /// <param name="spec">What it must be.</param>
    /// <param name="whenMissing">What to do about a missing file, for the message.</param>
    /// <exception cref="ModelFileException">The file is missing or corrupted.</exception>
    public static void VerifyFile(string path, ModelFileSpec spec, Func<ModelFileSpec, string> whenMissing)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ModelFileException($"Model file '{path}' is missing. {whenMissing(spec)}", path);
        }

        if (info.Length != spec.Length)
        {
            throw new ModelFileException(
                $"Model file '{path}' is corrupted: {info.Length:N0} bytes where {spec.Length:N0} are expected. Delete it to have it obtained again.", path);
        }

        if (Verified.TryGetValue(path, out var seen) && seen.Length == info.Length && seen.LastWrite == info.LastWriteTimeUtc)
        {
            return;
        }

        string digest;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        {
            digest = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (!string.Equals(digest, spec.Sha256, StringComparison.Ordinal))
        {
            throw new ModelFileException(
                $"Model file '{path}' is corrupted: its SHA-256 is {digest}, expected {spec.Sha256}. Delete it to have it obtained again.", path);
        }

        Verified[path] = (info.Length, info.LastWriteTimeUtc);
    }

    /// <summary>Whether a check passes.</summary>
    /// <param name="verify">The check.</param>
    /// <returns><see langword="true"/> unless it throws <see cref="ModelFileException"/>.</returns>
    public static bool Passes(Action verify)
    {
        try
        {
            verify();
            return true;
        }
        catch (ModelFileException)
        {
            return false;
        }
    }

    /// <summary>Opens a lock file exclusively, retrying while another process holds it.</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="timeout">How long to keep trying.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The open lock file: disposing it releases the lock.</returns>
    public static async Task<FileStream> AcquireLockAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
